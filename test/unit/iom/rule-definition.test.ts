import { describe, expect, it } from "vitest";
import {
  RuleDefinitionFormatError,
  decodeRuleDefinition,
  encodeRuleDefinition,
  type StoredRule,
} from "../../../src/iom/formats/rule-definition.js";

// The F&O order product rule (policies/finops-order-product.policy.yaml) in stored form.
const rule: StoredRule = {
  description: "Company, site and warehouse for F&O",
  condition: {
    and: [
      { column: "msdyn_shippingwarehouse", operator: "null" },
      {
        related: { table: "salesorder", lookup: "salesorderid" },
        where: { column: "msdyn_ordertype", operator: "eq", value: 192350000 },
      },
      {
        or: [
          { column: "quantity", operator: "gt", value: 0 },
          { column: "msdyn_isreadytosync", operator: "eq", value: true },
        ],
      },
    ],
  },
  actions: [
    { column: "msdyn_company", value: "usmf" },
    { column: "msdyn_shippingsite", value: "1" },
  ],
};

describe("encodeRuleDefinition / decodeRuleDefinition", () => {
  it("round-trips a rule", () => {
    expect(decodeRuleDefinition(encodeRuleDefinition(rule))).toEqual(rule);
  });

  it("writes canonical text: marker first, fixed key order, no whitespace", () => {
    expect(
      encodeRuleDefinition({ actions: [{ column: "msdyn_company", value: "usmf" }], description: "d" }),
    ).toBe(
      '{"format":"iom-gitops/rule-definition","formatVersion":1,"description":"d","actions":[{"column":"msdyn_company","value":"usmf"}]}',
    );
    expect(
      encodeRuleDefinition({
        actions: [],
        condition: { value: 1, operator: "ge", column: "quantity" } as unknown as StoredRule["condition"],
      }),
    ).toBe(
      '{"format":"iom-gitops/rule-definition","formatVersion":1,"condition":{"column":"quantity","operator":"ge","value":1},"actions":[]}',
    );
  });

  it("gives equal rules equal text, whatever order their keys were built in", () => {
    const reordered = JSON.parse(JSON.stringify(rule), (_key, value: unknown) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as StoredRule;
    expect(encodeRuleDefinition(reordered)).toBe(encodeRuleDefinition(rule));
  });

  it("treats an empty description as none", () => {
    expect(encodeRuleDefinition({ description: "", actions: [] })).toBe(
      encodeRuleDefinition({ actions: [] }),
    );
    expect(decodeRuleDefinition(encodeRuleDefinition({ description: "", actions: [] }))).toEqual({
      actions: [],
    });
  });

  it("reads a document that is not canonical text but is a valid definition", () => {
    const pretty = JSON.stringify(JSON.parse(encodeRuleDefinition(rule)), null, 2);
    expect(decodeRuleDefinition(pretty)).toEqual(rule);
  });

  const marker = '"format":"iom-gitops/rule-definition","formatVersion":1';
  it.each([
    ["nothing", undefined, "", /no definition/],
    ["an empty string", "  ", "", /no definition/],
    ["text that is not JSON", "Company eq usmf", "", /not JSON/],
    ["JSON from another writer", '{"conditions":[],"actions":[]}', "", /not written by iom-gitops/],
    ["a JSON list", "[]", "", /must be an object/],
    [
      "a later format version",
      '{"format":"iom-gitops/rule-definition","formatVersion":2,"actions":[]}',
      "formatVersion",
      /version 2/,
    ],
    ["an unknown key", `{${marker},"actions":[],"priority":1}`, "priority", /not part of a rule definition/],
    ["no actions list", `{${marker}}`, "actions", /must be a list/],
    [
      "an unknown operator",
      `{${marker},"condition":{"column":"a","operator":"like","value":"x"},"actions":[]}`,
      "condition.operator",
      /"like" is not one of/,
    ],
    [
      "a value on a null test",
      `{${marker},"condition":{"column":"a","operator":"null","value":1},"actions":[]}`,
      "condition.value",
      /takes no value/,
    ],
    [
      "a comparison without a value",
      `{${marker},"condition":{"column":"a","operator":"eq"},"actions":[]}`,
      "condition.value",
      /needs a value/,
    ],
    ["an empty group", `{${marker},"condition":{"and":[]},"actions":[]}`, "condition.and", /non-empty list/],
    [
      "a nested damaged row",
      `{${marker},"condition":{"or":[{"column":"a","operator":"eq","value":1},{"column":""}]},"actions":[]}`,
      "condition.or[1]",
      /a condition is/,
    ],
    [
      "a relation without a table",
      `{${marker},"condition":{"related":{"lookup":"x"},"where":{"column":"a","operator":"null"}},"actions":[]}`,
      "condition.related",
      /table/,
    ],
    [
      "an action value that is an object",
      `{${marker},"actions":[{"column":"a","value":{}}]}`,
      "actions[0].value",
      /text, a finite number/,
    ],
    ["an action without a column", `{${marker},"actions":[{"value":1}]}`, "actions[0]", /\{column, value\}/],
  ])("refuses %s with a located RuleDefinitionFormatError", (_what, text, path, message) => {
    let error: unknown;
    try {
      decodeRuleDefinition(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleDefinitionFormatError);
    expect((error as RuleDefinitionFormatError).path).toBe(path);
    expect((error as Error).message).toMatch(message);
  });

  it("refuses to encode what it could not read back", () => {
    expect(() => encodeRuleDefinition({ actions: [{ column: "a", value: Number.NaN }] })).toThrow(
      RuleDefinitionFormatError,
    );
    expect(() =>
      encodeRuleDefinition({ condition: { column: "a", operator: "null", value: 1 }, actions: [] }),
    ).toThrow(/takes no value/);
  });
});
