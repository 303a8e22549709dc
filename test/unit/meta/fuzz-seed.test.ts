// Fuzzing is reproducible: every property of the run uses one printed seed, fixed under CI.
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("the fast-check seed", () => {
  it("is the run's FUZZ_SEED, in every worker", () => {
    const seed = Number(process.env.FUZZ_SEED);
    expect(Number.isSafeInteger(seed)).toBe(true);
    expect(fc.readConfigureGlobal().seed).toBe(seed);
  });

  it("makes a property draw the same values twice", () => {
    const draw = (): number[] => {
      const seen: number[] = [];
      fc.assert(
        fc.property(fc.integer(), (n) => {
          seen.push(n);
        }),
        { numRuns: 5 },
      );
      return seen;
    };
    expect(draw()).toEqual(draw());
  });
});
