// The iom-gitops program on the real engine: the desired state is validated before anything is
// declared, and an invalid one stops the update with located findings and no resource created.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { projectRoot } from "../../src/engine/engine.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

/** The repository's local stack and the policy files it includes, as project files. */
function articleFiles(edit: (stack: string) => string = (s) => s): Record<string, string> {
  const read = (relative: string) => readFileSync(path.join(projectRoot, relative), "utf8");
  return {
    "stacks/test.iom.yaml": edit(read("stacks/local.iom.yaml")),
    "policies/finops-sales-order.policy.yaml": read("policies/finops-sales-order.policy.yaml"),
    "policies/finops-order-product.policy.yaml": read("policies/finops-order-product.policy.yaml"),
  };
}

describe.skipIf(!availability.engine)("the iom-gitops program", () => {
  let project: TestProject | undefined;
  afterEach(async () => {
    await project?.dispose();
    project = undefined;
  });

  it("stops an invalid desired state with its located findings and creates nothing", async () => {
    // The article's lines filter as printed: the lookup without its leading underscore.
    const files = articleFiles((s) =>
      s.replace(
        "_msdyn_company_value ne null and _msdyn_shippingsite",
        "msdyn_company_value ne null and _msdyn_shippingsite",
      ),
    );
    project = await createTestProject(availability.engine!, "index", { files });
    const failure = await project.up().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(failure).toBeDefined();
    expect(failure).toMatch(/stacks\/test\.iom\.yaml:\d+:\d+: error filter-unknown-attribute/);
    expect(failure).toContain("did you mean '_msdyn_company_value'?");
    expect(failure).not.toMatch(/\n\s+at .*\.js:\d+:\d+/); // no JavaScript stack trace
    const state = await project.stack.exportStack();
    // Besides the stack, only the engine's record of the dynamic provider's plugin, which the
    // program has the engine start before it validates (src/resources/common/dynamic.ts).
    const created = (state.deployment.resources ?? []).filter(
      (r: { type: string }) =>
        r.type !== "pulumi:pulumi:Stack" && r.type !== "pulumi:providers:pulumi-nodejs",
    );
    expect(created).toEqual([]);
  });

  it("checks filters against the environment's own metadata when the environment is configured", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const files = articleFiles((s) =>
        s.replace(
          "_msdyn_company_value ne null and _msdyn_shippingsite",
          "msdyn_company_value ne null and _msdyn_shippingsite",
        ),
      );
      const env = { IOM_DATAVERSE_URL: emulator.url, IOM_TOKEN: emulator.token };
      project = await createTestProject(availability.engine!, "index", { files, env });
      const failure = await project.stack.preview().then(
        () => undefined,
        (err: unknown) => String(err),
      );
      expect(failure).toContain("did you mean '_msdyn_company_value'?");
      const counters = (await (
        await fetch(`${emulator.url}/_emulator/counters`, {
          headers: { Authorization: `Bearer ${emulator.token}` },
        })
      ).json()) as { byRoute: Record<string, number> };
      const metadataReads = Object.keys(counters.byRoute).filter((route) =>
        route.includes("RetrieveMetadataChanges"),
      );
      expect(metadataReads).not.toEqual([]);
      expect(failure).not.toContain(emulator.token);
    } finally {
      await emulator.close();
    }
  });

  it("says where to put the desired state when a stack has none", async () => {
    project = await createTestProject(availability.engine!, "index", { stackName: "nostate" });
    const failure = await project.up().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(failure).toContain("stack 'nostate' has no desired state: create stacks/nostate.iom.yaml");
  });
});
