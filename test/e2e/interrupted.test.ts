// `up` killed in the middle (the whole process group, as a crash or a cancelled CI job would) and
// run again converges: after the recovery docs/recovery.md describes (`pulumi refresh
// --clear-pending-creates`), the next `up` finishes the work with no duplicate row and nothing
// lost, because every create uses an id derived from the stack and the resource and finds its own
// earlier row.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columns, entitySetNames, policyVersionState } from "../../src/iom/inferred.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

/**
 * Runs `pulumi up` in the project and kills its whole process group (engine, language host,
 * provider plugin) once the emulator has counted `writes` mutating requests.
 */
async function upKilledAfter(
  project: TestProject,
  environment: TestEnvironment,
  writes: number,
): Promise<"killed" | "finished"> {
  await environment.resetCounters();
  const child = spawn("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview", "--stack", "test"], {
    cwd: project.dir,
    env: { ...process.env, ...project.env },
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise<"killed" | "finished">((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal === "SIGKILL" ? "killed" : "finished")),
  );
  const started = Date.now();
  for (;;) {
    const counters = await environment.counters();
    const mutating = ["POST", "PATCH", "PUT", "DELETE"].reduce((n, m) => n + (counters.byMethod[m] ?? 0), 0);
    if (mutating >= writes || Date.now() - started > 120_000) break;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // Already finished.
  }
  return exited;
}

describe.skipIf(!availability.engine)("an interrupted up", () => {
  let environment: TestEnvironment;
  let project: TestProject;

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", { files: articleFiles() });
    await project.stack.setConfig("iom:environmentUrl", { value: environment.emulator.url });
    await project.stack.setConfig("iom:token", { value: environment.emulator.token, secret: true });
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  // Each kill lands later in the run: after the 1st, 3rd, 5th, 7th and 9th mutating request (a whole `up` makes about a dozen).
  it.each([1, 3, 5, 7, 9])("converges after being killed after %i writes", async (writes) => {
    // Killed while running, not after it finished: the trial would prove nothing otherwise.
    expect(await upKilledAfter(project, environment, writes)).toBe("killed");
    // The documented recovery (docs/recovery.md): release the dead run's lock, drop the operations
    // it left pending, then the same command again.
    await project.stack.cancel();
    await project.stack.refresh({ clearPendingCreates: true });
    const up = await project.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect((await project.stack.preview()).changeSummary).toEqual({ same: 9 });

    const policies = (await environment.rows(entitySetNames.msdyn_iompolicy)).filter(
      (p) => p[columns.policy.versionState] === policyVersionState.current.value,
    );
    expect(policies.map((p) => p.msdyn_name).sort()).toEqual([
      "FinOps order product parameters",
      "FinOps sales order parameters",
    ]);
    expect(await environment.rows(entitySetNames.msdyn_iomprovider)).toHaveLength(1);
    expect(await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference)).toHaveLength(1);
    expect(await environment.rows(entitySetNames.msdyn_iomdesigner)).toHaveLength(1);
    // One rule per policy in the article: none doubled, none left behind by an earlier attempt.
    const rules = await environment.rows(entitySetNames.msdyn_iomrule);
    const current = rules.filter((r) =>
      policies.some((p) => p.msdyn_iompolicyid === r[`_${columns.rule.policy}_value`]),
    );
    expect(current.map((r) => r.msdyn_name).sort()).toEqual([
      "Assign company and invoice customer",
      "Assign company, site and warehouse",
    ]);
    // Start the next trial from empty.
    await project.stack.destroy();
  });
});
