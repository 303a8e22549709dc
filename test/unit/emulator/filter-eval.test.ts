// The emulator's $filter engine on empty columns: SQL's NULL, as Dataverse runs $filter. The table
// is shared with iom test's dual-write filter (test/unit/empty-column-cases.ts), so the emulator
// and iom test cannot disagree again on what `statuscode ne 100003` does to a row without a status.
import { describe, expect, it } from "vitest";
import { compileFilter, objectScope } from "../../../src/emulator/filter-eval.js";
import { parseFilter } from "../../../src/odata/filter.js";
import { EMPTY_COLUMN_CASES } from "../empty-column-cases.js";

const SAMPLE = { statuscode: 1, msdyn_isreadytosync: true, totalamount: 0 };

function returned(filter: string, row: Record<string, unknown>): boolean {
  const predicate = compileFilter(parseFilter(filter), objectScope("salesorder", SAMPLE));
  return predicate({ subject: { ...row }, vars: {} });
}

describe("the emulator's $filter on empty columns", () => {
  it.each(EMPTY_COLUMN_CASES)("%s on %j: returned %s", (filter, columns, expected) => {
    expect(returned(filter, columns)).toBe(expected);
  });

  it("keeps two-valued answers where no column is empty", () => {
    expect(returned("not (statuscode eq 100003)", { statuscode: 1 })).toBe(true);
    expect(returned("statuscode eq 1 or statuscode eq null", { statuscode: null })).toBe(true);
  });
});
