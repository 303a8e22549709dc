// One table of Dataverse filters on records whose columns may be empty, with whether each record is
// returned (syncs). Two evaluators answer it with their own code: the emulator's query engine
// (src/emulator/filter-eval.ts, test/unit/emulator/filter-eval.test.ts) and iom test's dual-write
// filter (src/order-tests/dual-write-filter.ts, test/unit/order-tests/dual-write-filter.test.ts).
// Both tests run every row, so the two fail as soon as they disagree again on an empty column
// (evaluationFacts.dualWriteFilter.emptyColumnComparison: SQL's NULL, inferred).

/** A salesorder's columns by logical name: a choice by value, Yes/No, a number; null is empty. */
export type OrderColumns = Partial<Record<"statuscode" | "msdyn_isreadytosync" | "totalamount", unknown>>;

export const EMPTY_COLUMN_CASES: ReadonlyArray<[filter: string, columns: OrderColumns, returned: boolean]> = [
  ["statuscode ne 100003", { statuscode: null }, false],
  ["statuscode ne 100003", { statuscode: 1 }, true],
  ["statuscode ne 100003", { statuscode: 100003 }, false],
  ["statuscode eq 100003", { statuscode: null }, false],
  ["statuscode eq null", { statuscode: null }, true],
  ["statuscode ne null", { statuscode: null }, false],
  ["statuscode ne null", { statuscode: 1 }, true],
  ["not (statuscode eq 100003)", { statuscode: null }, false],
  ["not (statuscode ne 100003)", { statuscode: null }, false],
  [
    "statuscode ne 100003 or msdyn_isreadytosync eq true",
    { statuscode: null, msdyn_isreadytosync: true },
    true,
  ],
  [
    "statuscode ne 100003 and msdyn_isreadytosync eq true",
    { statuscode: null, msdyn_isreadytosync: true },
    false,
  ],
  ["totalamount gt 0", { totalamount: null }, false],
  ["totalamount gt 0", { totalamount: 250 }, true],
  ["not (totalamount le 0)", { totalamount: null }, false],
];
