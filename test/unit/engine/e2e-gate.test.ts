// The end-to-end group's gate: without an engine it fails under CI=true and is skipped, with the
// reason printed, elsewhere (issue #2).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { engineForTests } from "../../e2e/harness.js";

let root: string;
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function projectWithout(): string {
  root = mkdtempSync(path.join(tmpdir(), "iom-gate-"));
  mkdirSync(path.join(root, "dist", "program"), { recursive: true });
  return root;
}

describe("engineForTests", () => {
  it("fails the group under CI=true when there is no engine", () => {
    const dir = projectWithout();
    expect(() => engineForTests({ CI: "true", PATH: "/nowhere" }, dir)).toThrow(
      /^CI=true and the Pulumi engine was not found/,
    );
  });

  it("skips with the reason printed elsewhere", () => {
    const dir = projectWithout();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const result = engineForTests({ PATH: "/nowhere" }, dir);
    expect(result.engine).toBeUndefined();
    expect(result.reason).toMatch(/the Pulumi engine was not found/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^e2e: skipped: /));
  });

  it("fails under CI=true when the engine is there but dist/ is not built", () => {
    root = mkdtempSync(path.join(tmpdir(), "iom-gate-"));
    const bin = path.join(root, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "pulumi"), "");
    writeFileSync(path.join(bin, "pulumi-language-nodejs"), "");
    expect(() => engineForTests({ CI: "true", PATH: bin }, root)).toThrow(/dist\/ is not built/);
  });

  it("runs the group when both are there", () => {
    const dir = projectWithout();
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "pulumi"), "");
    writeFileSync(path.join(bin, "pulumi-language-nodejs"), "");
    expect(engineForTests({ CI: "true", PATH: bin }, dir)).toEqual({ engine: { binDir: bin } });
  });
});
