// The console's words, as tables of cases: a Dataverse filter one clause a line (parentheses and
// string literals never split), and a stored rule in the condition builder's words with columns
// and choices named from the emulator's own metadata.
import { describe, expect, it } from "vitest";

import { filterClauses, ruleInWords } from "../../../src/emulator/console/words.js";
import { builtInMetadata } from "../../../src/emulator/metadata-file.js";
import { Schema } from "../../../src/emulator/schema.js";

const schema = new Schema(builtInMetadata().tables);

describe("filterClauses", () => {
  const cases: Array<[string, string[]]> = [
    ["", []],
    ["msdyn_ordertype eq 192350000", ["msdyn_ordertype eq 192350000"]],
    [
      "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003",
      [
        "msdyn_ordertype eq 192350000",
        "and _msdyn_company_value ne null",
        "and msdyn_isreadytosync eq true",
        "and statuscode ne 100003",
      ],
    ],
    // A folded YAML scalar's line breaks and runs of spaces are one space.
    ["a eq 1\n  and   b eq 2", ["a eq 1", "and b eq 2"]],
    ["(a eq 1 or b eq 2) and c eq 3", ["(a eq 1 or b eq 2)", "and c eq 3"]],
    ["not (a eq 1 and b eq 2) or c eq 3", ["not (a eq 1 and b eq 2)", "or c eq 3"]],
    ["name eq 'Parts and labour' and x eq 1", ["name eq 'Parts and labour'", "and x eq 1"]],
    ["name eq 'O''Brien and sons' or x eq 1", ["name eq 'O''Brien and sons'", "or x eq 1"]],
    ["a eq 1 AND b eq 2 Or c eq 3", ["a eq 1", "AND b eq 2", "Or c eq 3"]],
    // Words that start with and/or are not connectives.
    ["orderid eq 1 and android eq true", ["orderid eq 1", "and android eq true"]],
  ];
  it.each(cases)("%j", (filter, expected) => {
    expect(filterClauses(filter)).toEqual(expected);
  });
});

describe("ruleInWords", () => {
  const doc = (rule: object) =>
    JSON.stringify({ format: "iom-gitops/rule-definition", formatVersion: 1, ...rule });
  const cases: Array<[string, string, object | string, string]> = [
    [
      "the article's order rule",
      "salesorder",
      {
        condition: {
          or: [
            { column: "msdyn_company", operator: "null" },
            { column: "msdyn_invoicecustomer", operator: "null" },
          ],
        },
        actions: [
          { column: "msdyn_company", value: "usmf" },
          { column: "msdyn_invoicecustomer", value: "US-001" },
        ],
      },
      "when Company does not contain data or Invoice Customer does not contain data, set Company to usmf and Invoice Customer to US-001",
    ],
    [
      "a related table's choice by label, three actions",
      "salesorderdetail",
      {
        condition: {
          and: [
            { column: "msdyn_shippingwarehouse", operator: "null" },
            {
              related: { table: "salesorder", lookup: "salesorderid" },
              where: { column: "msdyn_ordertype", operator: "eq", value: 192350000 },
            },
          ],
        },
        actions: [
          { column: "msdyn_company", value: "usmf" },
          { column: "msdyn_shippingsite", value: "1" },
          { column: "msdyn_shippingwarehouse", value: "11" },
        ],
      },
      "when Shipping Warehouse does not contain data and the Order's Order Type equals Item based, set Company to usmf, Shipping Site to 1 and Shipping Warehouse to 11",
    ],
    [
      "nested groups in parentheses, booleans by label, every operator",
      "salesorder",
      {
        condition: {
          and: [
            { column: "msdyn_isreadytosync", operator: "ne", value: true },
            {
              or: [
                { column: "totalamount", operator: "gt", value: 10 },
                { column: "totalamount", operator: "le", value: 2 },
              ],
            },
            { column: "msdyn_company", operator: "not-null" },
          ],
        },
        actions: [{ column: "msdyn_isreadytosync", value: true }],
      },
      "when Is Ready To Sync does not equal Yes and (Total Amount greater than 10 or Total Amount less than or equal 2) and Company contains data, set Is Ready To Sync to Yes",
    ],
    [
      "no condition",
      "salesorder",
      { actions: [{ column: "msdyn_company", value: "usmf" }] },
      "always set Company to usmf",
    ],
    [
      "a column the metadata lacks keeps its logical name",
      "salesorder",
      { actions: [{ column: "new_custom", value: 3 }] },
      "always set new_custom to 3",
    ],
    ["not JSON", "salesorder", "{", "(the emulator cannot read this rule: the rule definition is not JSON)"],
    [
      "a damaged condition",
      "salesorder",
      { condition: { column: "x" }, actions: [] },
      "(the emulator cannot read this rule: condition has no column and operator)",
    ],
  ];
  it.each(cases)("%s", (_name, table, rule, words) => {
    expect(ruleInWords(typeof rule === "string" ? rule : doc(rule), schema, table)).toBe(words);
  });

  it("names columns by logical name when the policy's table is unknown", () => {
    expect(
      ruleInWords(doc({ actions: [{ column: "msdyn_company", value: "usmf" }] }), schema, undefined),
    ).toBe("always set msdyn_company to usmf");
  });
});
