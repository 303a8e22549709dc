// The organization guard: a resource acts only on the organization it was made in, so a stack
// pointed at the wrong environment changes nothing there.
import { describe, expect, it } from "vitest";

import { ConfigError, type DataverseClient } from "../../../src/dataverse/index.js";
import { assertSameOrganization, type Session } from "../../../src/resources/runtime/session.js";

const DEV = "2f1c9a52-0c37-4d84-9a53-6e1d2b6f0a11";
const PROD = "8b7e3d10-5e4a-4f0b-b2c1-93a4d6e5f722";

function sessionFor(organizationId: string): Session {
  return {
    client: { environmentUrl: "https://contoso-prod.crm.dynamics.com" } as DataverseClient,
    organizationId,
    deleteAdopted: false,
  };
}

describe("assertSameOrganization", () => {
  it("lets a resource act on the organization it was made in, whatever the case of the id", () => {
    expect(() => assertSameOrganization(DEV.toUpperCase(), sessionFor(DEV), "policy 'p'")).not.toThrow();
  });

  it("refuses another organization, naming both and the environment, before anything is sent", () => {
    let error: unknown;
    try {
      assertSameOrganization(DEV, sessionFor(PROD), "policy 'p'");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`policy 'p' was made in organization ${DEV}`);
    expect(message).toContain(`https://contoso-prod.crm.dynamics.com is organization ${PROD}`);
    expect(message).toContain("nothing was changed");
  });

  it("lets a resource without a recorded organization act (state written before organizations were recorded)", () => {
    for (const recorded of [undefined, null, ""])
      expect(() => assertSameOrganization(recorded, sessionFor(PROD), "policy 'p'")).not.toThrow();
  });
});
