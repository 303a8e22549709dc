import { defineConfig } from "vitest/config";
import { availableParallelism } from "node:os";
import LongestFirstSequencer from "./test/setup/sequencer.mjs";

const cores = availableParallelism();

// Four groups that also run separately (`vitest run --project <name>`):
// - unit: no engine, no network, runs in seconds;
// - contract: our code and plain fetch against the emulator over real sockets;
// - e2e: the real Pulumi engine through the Automation API;
// - tooling: checks that build or install tools (actionlint from the Go module proxy, the
//   bootstrap's own npm ci); `npm test` runs them after the other three (groupOrder).
export default defineConfig({
  test: {
    reporters: ["default", "./test/reporters/summary-line.ts"],
    // One fast-check seed for the run: fixed under CI=true, FUZZ_SEED to replay, printed.
    globalSetup: ["./test/setup/fuzz-seed-global.ts"],
    // Longest files first within a group, also on a fresh clone (test/setup/sequencer.mts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // Groups run in this order: unit and contract, e2e, tooling. An explicit order is needed:
          // vitest runs single-worker projects left at the default order 0 after every other group.
          sequence: { groupOrder: 1 },
          // As many files at once as the machine has cores: vitest's default leaves one free
          // (availableParallelism() - 1), which on a two-core machine ran the group one file at a
          // time with a core mostly idle (docs/testing.md).
          maxWorkers: cores,
          setupFiles: ["./test/setup/fuzz-seed.ts"],
        },
      },
      {
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          environment: "node",
          sequence: { groupOrder: 1 },
          maxWorkers: cores,
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Two files at once: an engine run waits on its plugins' start-up and on the emulator as
          // much as it computes, so two overlap well on two cores (docs/testing.md has the times);
          // more only queue for the CPU. No test here has a wall-clock threshold to miss.
          maxWorkers: 2,
          // After unit and contract, before tooling.
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: "tooling",
          include: ["test/tooling/**/*.test.ts"],
          environment: "node",
          testTimeout: 600_000,
          hookTimeout: 600_000,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
