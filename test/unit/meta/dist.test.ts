// The tests that run `iom` check that dist/ is the build of src/ instead of building it themselves.
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { staleBuild } from "../../dist.js";
import { removeTempDirs, tempDir } from "../../temp.js";

afterEach(removeTempDirs);

function project(): string {
  const root = tempDir("iom-dist-");
  mkdirSync(path.join(root, "src", "cli"), { recursive: true });
  mkdirSync(path.join(root, "dist", "cli"), { recursive: true });
  writeFileSync(path.join(root, "src", "cli", "index.ts"), "");
  writeFileSync(path.join(root, "dist", "cli", "index.js"), "");
  return root;
}

describe("the freshness check of dist/", () => {
  it("passes when every source has a build at least as new", () => {
    const root = project();
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(root, "src", "cli", "index.ts"), past, past);
    expect(staleBuild(root)).toEqual([]);
  });

  it("names a source edited after the build, and one never built", () => {
    const root = project();
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(root, "dist", "cli", "index.js"), past, past);
    writeFileSync(path.join(root, "src", "cli", "new.ts"), "");
    expect(staleBuild(root).sort()).toEqual(["src/cli/index.ts", "src/cli/new.ts"]);
  });
});
