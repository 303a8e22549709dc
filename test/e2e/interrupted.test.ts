// `up` killed in the middle (with every process it started, as a crash or a cancelled CI job would) and
// run again converges: after the recovery docs/recovery.md describes (`pulumi cancel`, then
// `pulumi refresh --clear-pending-creates`), the next `up` finishes the work with no duplicate row
// and nothing lost, because every create uses an id derived from the stack and the resource and
// finds its own earlier row.
//
// Twenty seeded trials, each from an empty stack and environment: half kill the run once the
// emulator has counted a random number of writes (always between two requests), half a random time
// after its first write (anywhere, a request in flight included). The seed is fixed, so a failing
// trial can be run again as it was; the kill point is in every assertion's message.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articleFiles, TestEnvironment, type Row } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";
import { removeEmptyAttrs, seeded, startOver, watchedUp, type KillPoint } from "./trials.js";

const availability = engineForTests();
const SEED = 0x10f0;
const TRIALS = 20;

describe.skipIf(!availability.engine)("an interrupted up", () => {
  let environment: TestEnvironment;
  let project: TestProject;
  /** What a whole, uninterrupted `up` leaves in the environment, and the resources it records. */
  let reference: { rows: Record<string, Row[]>; urns: string[]; writes: number; writeSpanMs: number };

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", { files: articleFiles() });
    await project.stack.setConfig("iom:environmentUrl", { value: environment.emulator.url });
    await project.stack.setConfig("iom:token", { value: environment.emulator.token, secret: true });
    // Dual-write maps are managed on the gateway's own host, found by their F&O environment.
    await project.stack.setConfig("iom:dualWriteUrl", { value: environment.emulator.dualWriteUrl });
    await project.stack.setConfig("iom:financeAndOperationsUrl", {
      value: environment.emulator.financeAndOperationsUrl,
    });
    const whole = await watchedUp(project, environment);
    expect(whole).toMatchObject({ outcome: "finished", exitCode: 0 });
    reference = {
      rows: await environment.snapshot(),
      urns: await urns(),
      writes: whole.writes,
      writeSpanMs: whole.writeSpanMs,
    };
    // A dozen writes or so: enough room for kill points between them.
    expect(reference.writes).toBeGreaterThan(5);
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  async function urns(): Promise<string[]> {
    const { deployment } = await project.stack.exportStack();
    const state = deployment as { resources?: Array<{ urn: string }>; pending_operations?: unknown[] };
    expect(state.pending_operations ?? []).toEqual([]);
    return (state.resources ?? []).map((r) => r.urn).sort();
  }

  it.each(Array.from({ length: TRIALS }, (_, i) => i))("trial %i converges after a kill", async (trial) => {
    // Each trial's own generator: its kill point depends on the seed and its number alone.
    const draw = seeded(SEED + trial)();
    const kill: KillPoint =
      trial % 2 === 0
        ? { afterWrites: 1 + Math.floor(draw * (reference.writes - 2)) }
        : { msAfterFirstWrite: Math.floor(draw * reference.writeSpanMs * 0.8) };
    const where = `seed ${SEED}, trial ${trial}, kill ${JSON.stringify(kill)}`;
    await startOver(project, environment);

    const killed = await watchedUp(project, environment, kill);
    // Killed while running, after it had begun to write: the trial would prove nothing otherwise.
    expect(killed.outcome, where).toBe("killed");
    expect(killed.writes, where).toBeGreaterThan(0);

    // The documented recovery (docs/recovery.md): mend what a kill during a state save leaves in the
    // file backend, release the dead run's lock, drop the operations it left pending, then the same
    // command again.
    removeEmptyAttrs(path.join(project.dir, "state"));
    await project.stack.cancel();
    await project.stack.refresh({ clearPendingCreates: true });
    const up = await project.stack.up();
    expect(up.summary.result, where).toBe("succeeded");

    // Converged: the stack records what a whole run records, nothing pending, and the environment
    // holds exactly what a whole run leaves (no row doubled, none missing, every value the same).
    expect(await urns(), where).toEqual(reference.urns);
    expect(await environment.snapshot(), where).toEqual(reference.rows);
  });
});
