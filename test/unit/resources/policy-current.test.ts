// One meaning of "the current policy": the policy kind, the flow kind and import take the same rows.
import { describe, expect, it } from "vitest";

import { columns } from "../../../src/iom/facts.js";
import { currentPolicyFilter, isCurrentPolicy } from "../../../src/resources/policy/current.js";

const CURRENT = 900_000;
const ARCHIVED = 900_001;
const state = columns.policy.versionState;

describe("the current policy", () => {
  it("is a row whose version state is Current or was never set, and nothing else", () => {
    expect(isCurrentPolicy({ [state]: CURRENT }, CURRENT)).toBe(true);
    expect(isCurrentPolicy({ [state]: null }, CURRENT)).toBe(true);
    expect(isCurrentPolicy({}, CURRENT)).toBe(true);
    expect(isCurrentPolicy({ [state]: ARCHIVED }, CURRENT)).toBe(false);
    expect(isCurrentPolicy({ [state]: 123 }, CURRENT)).toBe(false);
  });

  it("is asked for with the same rule in a query: Current or null", () => {
    expect(String(currentPolicyFilter(CURRENT))).toBe(`(${state} eq ${CURRENT}) or (${state} eq null)`);
  });
});
