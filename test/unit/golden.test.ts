// Goldens cannot approve themselves: UPDATE_GOLDEN rewrites a golden file on a developer's machine
// and is refused under CI.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { expectGolden } from "../golden.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "iom-golden-"));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe("expectGolden", () => {
  it("passes on equal output and fails on a difference", () => {
    writeFileSync(path.join(dir, "a.txt"), "same\n");
    vi.stubEnv("UPDATE_GOLDEN", "");
    expectGolden(dir, "a.txt", "same\n");
    expect(() => expectGolden(dir, "a.txt", "other\n")).toThrow();
  });

  it("rewrites the file with UPDATE_GOLDEN=1 outside CI", () => {
    vi.stubEnv("UPDATE_GOLDEN", "1");
    vi.stubEnv("CI", "");
    expectGolden(dir, "b.txt", "new\n");
    expect(readFileSync(path.join(dir, "b.txt"), "utf8")).toBe("new\n");
  });

  it("refuses UPDATE_GOLDEN=1 when CI=true, and writes nothing", () => {
    vi.stubEnv("UPDATE_GOLDEN", "1");
    vi.stubEnv("CI", "true");
    writeFileSync(path.join(dir, "c.txt"), "old\n");
    expect(() => expectGolden(dir, "c.txt", "new\n")).toThrow(/refused when CI=true/);
    expect(readFileSync(path.join(dir, "c.txt"), "utf8")).toBe("old\n");
    expect(() => expectGolden(dir, "d.txt", "x")).toThrow(/refused/);
    expect(existsSync(path.join(dir, "d.txt"))).toBe(false);
  });
});
