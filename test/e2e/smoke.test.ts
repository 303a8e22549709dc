import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

describe.skipIf(!availability.engine)("engine smoke test", () => {
  let project: TestProject;

  beforeAll(async () => {
    project = await createTestProject(availability.engine!, "smoke");
    // Named in the output so a log shows which engine ran the tests.
    console.info(
      `e2e: pulumi ${project.command.version?.toString() ?? "(unknown version)"} in ${availability.engine!.binDir}`,
    );
  });

  afterAll(async () => {
    await project?.dispose();
  });

  it("creates the dynamic resource, then previews no changes, then destroys it", async () => {
    const up = await project.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.markerId?.value).toBe("smoke-hello");

    const preview = await project.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });

    const destroy = await project.stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    const state = await project.stack.exportStack();
    expect(state.deployment.resources ?? []).toEqual([]);
  });

  it("replaces the resource when its input changes", async () => {
    await project.stack.setConfig("iom:smokeLabel", { value: "first" });
    await project.stack.up();
    await project.stack.setConfig("iom:smokeLabel", { value: "second" });
    const preview = await project.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 1, replace: 1 });
    const up = await project.stack.up();
    expect(up.outputs.markerId?.value).toBe("smoke-second");
    await project.stack.destroy();
  });
});
