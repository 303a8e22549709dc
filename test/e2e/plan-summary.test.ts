// `iom plan-summary` fed by the real engine: `pulumi preview --json` of the article's stack piped
// into the built command, as the pull-request workflow does. The summary of a fresh preview equals
// the golden the unit tests pin from the committed fixture (so the fixtures are still what the
// engine writes), and after `up` and a YAML edit it shows exactly that edit.
import { execFile, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/engine.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();
const GOLDEN = path.join(projectRoot, "test", "unit", "gitops", "golden");

/** Runs the built `iom plan-summary` with `input` on stdin. */
function planSummary(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      path.join(projectRoot, "dist", "cli", "index.js"),
      "plan-summary",
      ...args,
    ]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe.skipIf(!availability.engine)("iom plan-summary of real previews", () => {
  let environment: TestEnvironment;
  let project: TestProject;
  let env: NodeJS.ProcessEnv;

  const pulumi = async (args: string[]) =>
    (
      await promisify(execFile)(
        path.join(availability.engine!.binDir, "pulumi"),
        [...args, "--non-interactive"],
        {
          cwd: project.dir,
          env,
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
        },
      )
    ).stdout;

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: environment.env,
    });
    // The project named as the repository's, so URNs and the record ids derived from them are the
    // ones the fixtures were captured with (test/unit/gitops/fixtures/capture.ts).
    const pulumiYaml = path.join(project.dir, "Pulumi.yaml");
    writeFileSync(pulumiYaml, readFileSync(pulumiYaml, "utf8").replace(/^name: .*$/m, "name: iom-gitops"));
    env = { ...process.env, ...project.env };
    await pulumi(["stack", "init", "test"]);
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  it("summarises the preview of the article's stack from stdin exactly as the committed golden", async () => {
    const preview = await pulumi(["preview", "--json", "--stack", "test"]);
    const markdown = await planSummary([], preview);
    expect({ code: markdown.code, stderr: markdown.stderr }).toEqual({ code: 0, stderr: "" });
    // A difference means the program's resources changed since the fixtures were captured: run
    // test/unit/gitops/fixtures/capture.ts, then the unit tests with UPDATE_GOLDEN=1, and review.
    const stale = "the plan-summary fixtures are stale: recapture them (fixtures/capture.ts)";
    expect(markdown.stdout, stale).toBe(readFileSync(path.join(GOLDEN, "plan-create.md"), "utf8"));
    const text = await planSummary(["--format", "text"], preview);
    expect(text.stdout, stale).toBe(readFileSync(path.join(GOLDEN, "plan-create.txt"), "utf8"));
  });

  it("shows no resource after up, and a YAML edit as just that edit", async () => {
    await pulumi(["up", "--yes", "--skip-preview", "--stack", "test"]);
    const unchanged = await planSummary([], await pulumi(["preview", "--json", "--stack", "test"]));
    expect(unchanged.stdout.split("\n")[0]).toBe("**IOM plan: no changes** · 1 stack, 8 unchanged");
    expect(unchanged.stdout).not.toMatch(/^- \*\*/m);

    const stackFile = path.join(project.dir, "stacks", "test.iom.yaml");
    writeFileSync(
      stackFile,
      readFileSync(stackFile, "utf8").replace(
        "msdyn_statuscode ne 192350001",
        "msdyn_statuscode ne 192350001 and quantity gt 0",
      ),
    );
    const edited = await planSummary([], await pulumi(["preview", "--json", "--stack", "test"]));
    expect(edited.stdout.split("\n")[0]).toBe("**IOM plan: 1 to update** · 1 stack, 7 unchanged");
    expect(edited.stdout).toContain(
      "- **update** `sales-order-lines`\n  - `dataverseFilter`: <code>… and msdyn\\_statuscode ne 192350001 <ins>and quantity gt 0</ins></code>\n",
    );
  });
});
