// A dual-write map's Dataverse filter on one record, as a table of cases: which records pass, and
// which clause decides when one does not.
import { describe, expect, it } from "vitest";
import { salesorder } from "../../../src/iom/tables/salesorder.js";
import { salesorderdetail } from "../../../src/iom/tables/salesorderdetail.js";
import type { TableDefinition } from "../../../src/iom/tables/types.js";
import { evaluateFilter } from "../../../src/order-tests/dual-write-filter.js";
import { columnOf, parseValue } from "../../../src/order-tests/values.js";
import type { Cell, OrderRecordState } from "../../../src/order-tests/values.js";
import { evaluation } from "../../../src/iom/evaluation-facts.js";
import { EMPTY_COLUMN_CASES } from "../empty-column-cases.js";

function record(table: TableDefinition, fields: Record<string, unknown>): OrderRecordState {
  const values = new Map<string, Cell>();
  for (const [name, raw] of Object.entries(fields)) {
    const column = columnOf(table, name);
    if (!column.ok) throw new Error(column.reason);
    const value = parseValue(column.attribute, raw);
    if (!value.ok) throw new Error(value.reason);
    values.set(column.attribute.logicalName, value.cell);
  }
  return { table, label: "the record", values };
}

const HEADER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";
const READY = {
  "Order Type": "Item based",
  Company: "usmf",
  "Is Ready To Sync": true,
  "Status Reason": "New",
};
const GUID = "3f1e2d4c-0000-4000-8000-000000000001";

describe("a dual-write filter on an order", () => {
  it.each<[string, string, Record<string, unknown>, boolean, string | undefined, string | undefined]>([
    ["the article's header filter, all set", HEADER, READY, true, undefined, undefined],
    [
      "an invoiced order",
      HEADER,
      { ...READY, "Status Reason": "Invoiced" },
      false,
      "statuscode ne 100003",
      "statuscode is 100003 (Invoiced)",
    ],
    [
      "no company",
      HEADER,
      { ...READY, Company: null },
      false,
      "_msdyn_company_value ne null",
      "_msdyn_company_value is empty",
    ],
    [
      "a work-based order",
      HEADER,
      { ...READY, "Order Type": "Work based" },
      false,
      "msdyn_ordertype eq 192350000",
      undefined,
    ],
    [
      "not ready to sync",
      HEADER,
      { ...READY, "Is Ready To Sync": false },
      false,
      "msdyn_isreadytosync eq true",
      undefined,
    ],
    // An empty column compares with nothing but null: `ne` does not let it through.
    [
      "ne on an empty column",
      "statuscode ne 100003",
      {},
      false,
      "statuscode ne 100003",
      "statuscode is empty, and an empty column",
    ],
    [
      "or: one side holds",
      "statuscode eq 100003 or msdyn_ordertype eq 192350000",
      READY,
      true,
      undefined,
      undefined,
    ],
    [
      "or: neither holds",
      "(statuscode eq 100003 or msdyn_ordertype eq 192350001)",
      READY,
      false,
      "(statuscode eq 100003 or msdyn_ordertype eq 192350001)",
      "neither side holds",
    ],
    ["not", "not (statuscode eq 1)", READY, false, "not (statuscode eq 1)", undefined],
    ["strings compare without case", "name eq 'ORDER 1'", { Name: "order 1" }, true, undefined, undefined],
    ["contains without case", "contains(name, 'DER')", { Name: "order 1" }, true, undefined, undefined],
    [
      "a lookup by GUID",
      `_msdyn_company_value eq ${GUID}`,
      { Company: GUID.toUpperCase() },
      true,
      undefined,
      undefined,
    ],
    [
      "a lookup given by name cannot meet a GUID",
      `_msdyn_company_value eq ${GUID}`,
      READY,
      false,
      `_msdyn_company_value eq ${GUID}`,
      "give the lookup's GUID",
    ],
    [
      "a lookup without _value",
      "msdyn_company_value ne null",
      READY,
      false,
      "msdyn_company_value ne null",
      "Dataverse refuses the filter: lookup values are written with a leading underscore",
    ],
    [
      "a path through a lookup",
      "msdyn_company/cdm_companycode eq 'usmf'",
      READY,
      false,
      "msdyn_company/cdm_companycode eq 'usmf'",
      "follows a lookup",
    ],
    [
      "a text literal on a choice",
      "statuscode eq '1'",
      READY,
      false,
      "statuscode eq '1'",
      "cannot be compared with string",
    ],
    [
      "In",
      "Microsoft.Dynamics.CRM.In(PropertyName='statuscode',PropertyValues=['1','2'])",
      READY,
      true,
      undefined,
      undefined,
    ],
    ["a syntax error", "statuscode eq", READY, false, undefined, "not valid OData"],
  ])("%s", (_name, filter, fields, passes, clause, reason) => {
    const outcome = evaluateFilter(filter, record(salesorder, fields));
    expect(outcome.passes).toBe(passes);
    if (passes) expect(outcome.decidedBy).toBeUndefined();
    if (clause !== undefined) expect(outcome.decidedBy?.text).toBe(clause);
    if (reason !== undefined) expect(outcome.decidedBy?.reason).toContain(reason);
  });

  it("points at the deciding clause's characters and lists the values it read", () => {
    const filter = "_msdyn_company_value ne null and\n  _msdyn_shippingwarehouse_value ne null";
    const outcome = evaluateFilter(filter, record(salesorderdetail, { Company: "usmf" }));
    expect(outcome.passes).toBe(false);
    expect(outcome.decidedBy?.text).toBe("_msdyn_shippingwarehouse_value ne null");
    expect(filter.slice(outcome.decidedBy?.start, outcome.decidedBy?.end)).toBe(
      "_msdyn_shippingwarehouse_value ne null",
    );
    expect(outcome.read).toEqual([
      { column: "_msdyn_company_value", value: "'usmf'" },
      { column: "_msdyn_shippingwarehouse_value", value: "empty" },
    ]);
  });
});

describe("an empty column, as the emulator's query engine answers it too", () => {
  it("takes an empty column as SQL's NULL (the inferred fact the emulator follows)", () => {
    expect(evaluation.dualWriteFilter.emptyColumnComparison).toBe("unknown");
  });

  // The same table runs through src/emulator/filter-eval.ts in test/unit/emulator: a change on
  // either side alone fails one of the two.
  it.each(EMPTY_COLUMN_CASES)("%s on %j: returned %s", (filter, columns, returned) => {
    expect(evaluateFilter(filter, record(salesorder, columns)).passes).toBe(returned);
  });
});

describe("case values", () => {
  // A string is the start of the reason the value is refused; anything else the value it becomes.
  it.each<[string, string, unknown, Cell]>([
    ["a choice by label, without case", "Order Type", "item BASED", 192350000],
    ["a choice by value", "Order Type", 192350001, 192350001],
    ["Yes/No by label", "Is Ready To Sync", "Yes", true],
    ["a lookup by name", "Company", "usmf", { lookup: { name: "usmf" } }],
    ["a lookup by number is its name", "Default Shipping Warehouse", 11, { lookup: { name: "11" } }],
    ["an ambiguous label", "Status Reason", "In Progress", "names 2 choices (3, 700970000)"],
    ["an unknown label", "Order Type", "Item", "has no choice 'Item'"],
    ["text for a number", "Total Amount", "ten", "is a number (Money)"],
  ])("%s", (_name, field, raw, expected) => {
    const column = columnOf(salesorder, field);
    if (!column.ok) throw new Error(column.reason);
    const value = parseValue(column.attribute, raw);
    if (typeof expected === "string") {
      expect(value.ok).toBe(false);
      if (!value.ok) expect(value.reason).toContain(expected);
    } else {
      expect(value).toEqual({ ok: true, cell: expected });
    }
  });
});
