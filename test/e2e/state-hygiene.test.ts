// What a stack's state and output hold: the environment comes from stack config (the token set as
// a secret), never from resource inputs; the planted token appears nowhere in the exported state
// or the engine's output; and each resource's state stays small (the serialised provider object
// captures one short string).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();
const PLANTED = "planted-secret-9f3a7c1e-token";

describe.skipIf(!availability.engine)("state hygiene", () => {
  let environment: TestEnvironment;
  let project: TestProject;

  beforeAll(async () => {
    environment = await TestEnvironment.start({ token: PLANTED });
    // Nothing through the environment: the URL and the token are stack config.
    project = await createTestProject(availability.engine!, "index", { files: articleFiles() });
    await project.stack.setConfig("iom:environmentUrl", { value: environment.emulator.url });
    await project.stack.setConfig("iom:token", { value: PLANTED, secret: true });
    // Dual-write maps are managed on the gateway's own host, found by their F&O environment.
    await project.stack.setConfig("iom:dualWriteUrl", { value: environment.emulator.dualWriteUrl });
    await project.stack.setConfig("iom:financeAndOperationsUrl", {
      value: environment.emulator.financeAndOperationsUrl,
    });
  });

  afterAll(async () => {
    await project?.destroy().catch(() => undefined);
    await project?.dispose();
    await environment?.close();
  });

  it("applies with the environment from stack config, and the secret appears in no state or output", async () => {
    const up = await project.up();
    expect(up.summary.result).toBe("succeeded");
    const preview = await project.stack.preview({ diff: true, refresh: true });
    expect(preview.changeSummary).toEqual({ same: 10 });

    // Every file the backend wrote (state, history, backups), as stored: not `stack export
    // --show-secrets`, which decrypts the stack config the engine keeps as provider inputs.
    for (const file of filesUnder(path.join(project.dir, "state")))
      expect(readFileSync(file, "utf8"), file).not.toContain(PLANTED);
    expect(up.stdout + up.stderr + preview.stdout + preview.stderr).not.toContain(PLANTED);
    // The environment URL is no resource input either: a new port must not show as a diff.
    const resources = (await project.stack.exportStack()).deployment.resources as Array<{
      type: string;
      inputs?: Record<string, unknown>;
    }>;
    for (const r of resources.filter((r) => r.type.includes("dynamic/iom:")))
      expect(JSON.stringify(r.inputs)).not.toContain(environment.emulator.url);
  });

  it("keeps each resource's state under 6 KB", async () => {
    const stored = JSON.parse(
      readFileSync(
        path.join(project.dir, "state", ".pulumi", "stacks", "iom-e2e-index", "test.json"),
        "utf8",
      ),
    ) as { checkpoint: { latest: { resources: Array<{ type: string }> } } };
    const resources = stored.checkpoint.latest.resources;
    const ours = resources.filter((r) => r.type.includes("dynamic/iom:"));
    expect(ours).toHaveLength(9);
    const sizes = ours.map((r) => Buffer.byteLength(JSON.stringify(r)));
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    console.info(
      `e2e: state bytes per IOM resource: average ${Math.round(average)}, largest ${Math.max(...sizes)}`,
    );
    expect(average).toBeLessThanOrEqual(6 * 1024);
  });

  it("records the line of the program that declared each resource, not our resource classes", async () => {
    const resources = (await project.stack.exportStack()).deployment.resources as Array<{
      type: string;
      sourcePosition?: string;
      stackTrace?: Array<{ sourcePosition?: string }>;
    }>;
    for (const r of resources.filter((r) => r.type.includes("dynamic/iom:"))) {
      // The SDK skips Resource, CustomResource and the resource's class (src/resources/common/dynamic.ts).
      expect(r.sourcePosition, r.type).toMatch(/\/src\/program\/declare\.ts#\d+,\d+$/);
      expect(JSON.stringify(r.stackTrace), r.type).not.toContain("/src/resources/");
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}
