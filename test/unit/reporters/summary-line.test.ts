// The closing line CI reads: a test that never ran because its setup failed is a failure, so a
// broken run can never close on a clean count.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const CONFIG = path.join(__dirname, "fixtures", "vitest.config.mts");

describe("the summary-line reporter", () => {
  it("counts the tests of a failed file or suite setup as failed, and a deliberate skip as skipped", () => {
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", CONFIG],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, CI: "true", FORCE_COLOR: "0" },
      },
    );
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(1);
    // setup-fails: 2 never ran + 1 failed; file-setup-fails: 1 never ran.
    expect(run.stdout.trim().split("\n").at(-1)).toBe("tests: 1 passed, 4 failed, 1 skipped");
    // A whole vitest run of its own: about 4 s here alone, over vitest's default 5 s with other runs
    // beside it (it timed out so here once). The child's own 60 s timeout is the bound.
  }, 90_000);
});
