// The test sequencer (test/setup/sequencer.mts) starts the long e2e files first on a fresh clone,
// keeps the groups in vitest's order, and names only files that exist.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TestSpecification, Vitest } from "vitest/node";
import LongestFirstSequencer, { EXPECTED_SECONDS } from "../../setup/sequencer.mjs";

const root = path.resolve(__dirname, "..", "..", "..");

function spec(group: string, groupOrder: number, file: string): TestSpecification {
  return {
    moduleId: path.join(root, file),
    project: { name: group, config: { root, isolate: true, sequence: { groupOrder } } },
  } as unknown as TestSpecification;
}

function sequencer(durations: Record<string, number> = {}): LongestFirstSequencer {
  const ctx = {
    cache: {
      getTestSpecificationResult: (s: TestSpecification) => {
        const ms = durations[path.relative(root, s.moduleId)];
        return ms === undefined ? undefined : { duration: ms, failed: false };
      },
    },
  };
  return new LongestFirstSequencer(ctx as unknown as Vitest);
}

const names = (specs: TestSpecification[]): string[] =>
  specs.map((s) => `${s.project.name}:${path.basename(s.moduleId)}`);

describe("the longest-first test sequencer", () => {
  it("names only test files that exist", () => {
    for (const file of Object.keys(EXPECTED_SECONDS))
      expect(existsSync(path.join(root, file)), file).toBe(true);
  });

  it("starts the longest known e2e files first on a fresh clone, after the groups before them", async () => {
    const files = [
      spec("e2e", 2, "test/e2e/smoke.test.ts"),
      spec("e2e", 2, "test/e2e/fixtures-current.test.ts"),
      spec("unit", 1, "test/unit/golden.test.ts"),
      spec("e2e", 2, "test/e2e/interrupted.test.ts"),
      spec("tooling", 3, "test/tooling/actionlint.test.ts"),
      spec("e2e", 2, "test/e2e/lifecycle.test.ts"),
    ];
    expect(names(await sequencer().sort(files))).toEqual([
      "unit:golden.test.ts",
      "e2e:interrupted.test.ts",
      "e2e:fixtures-current.test.ts",
      "e2e:lifecycle.test.ts",
      "e2e:smoke.test.ts",
      "tooling:actionlint.test.ts",
    ]);
  });

  it("orders files the table does not know by vitest's own times from an earlier run", async () => {
    const files = [
      spec("e2e", 2, "test/e2e/smoke.test.ts"),
      spec("e2e", 2, "test/e2e/program.test.ts"),
      spec("e2e", 2, "test/e2e/interrupted.test.ts"),
    ];
    const order = await sequencer({
      "test/e2e/program.test.ts": 20_000,
      "test/e2e/smoke.test.ts": 10_000,
      "test/e2e/interrupted.test.ts": 1_000,
    }).sort(files);
    expect(names(order)).toEqual(["e2e:interrupted.test.ts", "e2e:program.test.ts", "e2e:smoke.test.ts"]);
  });
});
