// An environment whose metadata differs from what iom-gitops assumes (a column renamed, an option
// label missing) stops `up` before any write, with one report naming each assumption that does
// not hold and where it lives in the code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columns, providerStatus } from "../../src/iom/facts.js";
import { tables } from "../../src/iom/tables/index.js";
import type { TableDefinition } from "../../src/iom/tables/types.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

/** The registry with the policy's criticality column renamed and the provider's "Activated" label gone. */
function differingTables(): TableDefinition[] {
  return tables.map((t) => {
    if (t.logicalName === "msdyn_iompolicy")
      return {
        ...t,
        attributes: t.attributes.map((a) =>
          a.logicalName === columns.policy.criticality ? { ...a, logicalName: "msdyn_criticalitylevel" } : a,
        ),
      };
    if (t.logicalName === "msdyn_iomprovider")
      return {
        ...t,
        attributes: t.attributes.map((a) =>
          a.logicalName === columns.provider.status
            ? { ...a, options: a.options?.filter((o) => o.label !== providerStatus.activated.label) ?? [] }
            : a,
        ),
      };
    return t;
  });
}

describe.skipIf(!availability.engine)("an environment that differs from the assumptions", () => {
  let environment: TestEnvironment;
  let project: TestProject;

  beforeAll(async () => {
    environment = await TestEnvironment.start({ tables: differingTables() });
    project = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: environment.env,
    });
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  it("stops up before any write, naming each assumption that does not hold and where it lives", async () => {
    await environment.resetCounters();
    const failure = await project.up().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(failure).toContain(
      "the environment does not match what iom-gitops assumes about IOM; nothing was changed",
    );
    expect(failure).toMatch(/msdyn_criticality/);
    expect(failure).toContain("msdyn_criticalitylevel"); // the suggestion
    expect(failure).toContain(`"${providerStatus.activated.label}"`);
    expect(failure).toContain("src/iom/facts.ts");

    const counters = await environment.counters();
    expect(Object.keys(counters.byMethod).sort()).toEqual(["GET"]);
    const state = await project.stack.exportStack();
    const created = (state.deployment.resources ?? []).filter((r: { type: string }) =>
      r.type.includes("dynamic/iom:"),
    );
    expect(created).toEqual([]);
  });
});
