// The stack's record of its organization: its diff lets a run through when the configured
// environment is the organization the stack manages (or none is configured), and refuses the whole
// run, naming both organizations, when it is another one.
import { describe, expect, it } from "vitest";
import { toDynamicProvider } from "../../../src/resources/runtime/kind.js";
import { stackOrganization } from "../../../src/resources/stack-organization/provider.js";

const RECORDED = "4f99b33e-3105-5960-96b6-7033f8fa2772";
const OTHER = "5c0ffee0-0000-4000-8000-000000000002";
const provider = toDynamicProvider(stackOrganization);
const olds = { organizationId: RECORDED, recordedUrl: "https://contoso.crm.dynamics.com", adopted: false };

describe("the stack's organization", () => {
  it("changes nothing when the configured environment is the recorded organization, in any letter case", async () => {
    expect(await provider.diff!(RECORDED, olds, { organizationId: RECORDED.toUpperCase() })).toMatchObject({
      changes: false,
    });
  });

  it("changes nothing offline, when the program could not ask the environment", async () => {
    expect(await provider.diff!(RECORDED, olds, {})).toMatchObject({ changes: false });
  });

  it("refuses another organization, naming both and the recorded environment's URL", async () => {
    const error = await provider.diff!(RECORDED, olds, { organizationId: OTHER }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `organization check: this stack manages organization ${RECORDED} (https://contoso.crm.dynamics.com), ` +
        `recorded at its first \`up\`, but the configured environment is organization ${OTHER}; nothing was changed. ` +
        "Point the stack back at the environment it manages (iom:environmentUrl or IOM_DATAVERSE_URL), or use a " +
        'separate stack for the other environment (docs/recovery.md, "Another organization").',
    );
  });

  it("lets a stack recorded before organizations were recorded through (every resource still checks its own)", async () => {
    expect(await provider.diff!("", { adopted: false }, { organizationId: OTHER })).toMatchObject({
      changes: false,
    });
  });
});
