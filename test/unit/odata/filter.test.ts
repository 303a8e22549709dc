import { describe, expect, it } from "vitest";
import { FilterSyntaxError, filterProperties, parseFilter } from "../../../src/odata/filter.js";
import type { FilterNode } from "../../../src/odata/filter.js";

const HEADERS =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";
const LINES_AS_WRITTEN =
  "msdyn_company_value ne null and _msdyn_shippingsite_value ne null and _msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and msdyn_statuscode ne 192350001";

function syntaxError(text: string): FilterSyntaxError {
  try {
    parseFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${text}`);
}

describe("parseFilter", () => {
  it("parses the article's header filter into a left-nested and-chain with exact spans", () => {
    const node = parseFilter(HEADERS);
    expect(node.kind).toBe("and");
    expect(node.start).toBe(0);
    expect(node.end).toBe(HEADERS.length);
    const compares: FilterNode[] = [];
    const walk = (n: FilterNode): void => {
      if (n.kind === "and") {
        walk(n.left);
        walk(n.right);
      } else compares.push(n);
    };
    walk(node);
    expect(compares.map((c) => HEADERS.slice(c.start, c.end))).toEqual([
      "msdyn_ordertype eq 192350000",
      "_msdyn_company_value ne null",
      "msdyn_isreadytosync eq true",
      "statuscode ne 100003",
    ]);
    expect(compares[0]).toEqual({
      kind: "compare",
      op: "eq",
      left: { kind: "property", path: ["msdyn_ordertype"], start: 0, end: 15 },
      right: { kind: "literal", type: "number", value: 192350000, start: 19, end: 28 },
      start: 0,
      end: 28,
    });
  });

  it("lists every property of the lines filter as written, with spans", () => {
    const props = filterProperties(parseFilter(LINES_AS_WRITTEN));
    expect(props.map((p) => p.path.join("/"))).toEqual([
      "msdyn_company_value",
      "_msdyn_shippingsite_value",
      "_msdyn_shippingwarehouse_value",
      "msdyn_isreadytosync",
      "msdyn_statuscode",
    ]);
    for (const p of props) expect(LINES_AS_WRITTEN.slice(p.start, p.end)).toBe(p.path.join("/"));
  });

  it.each<[string, string, unknown]>([
    ["string with escaped quote", "name eq 'O''Brien'", { type: "string", value: "O'Brien" }],
    ["negative decimal", "quantity gt -1.5", { type: "number", value: -1.5 }],
    ["exponent", "quantity lt 1e3", { type: "number", value: 1000 }],
    ["false", "msdyn_isreadytosync eq false", { type: "boolean", value: false }],
    ["null", "_msdyn_company_value eq null", { type: "null", value: null }],
    [
      "guid, lower-cased",
      "_msdyn_company_value eq 5B4C2E3A-1111-2222-3333-444455556666",
      { type: "guid", value: "5b4c2e3a-1111-2222-3333-444455556666" },
    ],
    ["guid starting with a letter", "salesorderid eq abcdef12-1111-2222-3333-444455556666", { type: "guid" }],
    ["date", "createdon ge 2024-01-31", { type: "datetime", value: "2024-01-31" }],
    ["date-time", "createdon lt 2024-01-31T10:00:00Z", { type: "datetime", value: "2024-01-31T10:00:00Z" }],
  ])("parses a %s literal", (_label, text, expected) => {
    const node = parseFilter(text);
    if (node.kind !== "compare") throw new Error("expected a comparison");
    expect(node.right).toMatchObject({ kind: "literal", ...(expected as object) });
    expect(node.right.end).toBe(text.length);
  });

  it("gives 'and' precedence over 'or' and 'not' precedence over both", () => {
    const node = parseFilter("a eq 1 or not b eq 2 and c eq 3");
    expect(node.kind).toBe("or");
    if (node.kind !== "or") return;
    expect(node.right.kind).toBe("and");
    if (node.right.kind !== "and") return;
    expect(node.right.left).toMatchObject({ kind: "not", start: 10, end: 20 });
  });

  it("widens the span of a parenthesised group to include its parentheses", () => {
    const text = "(a eq 1 or b eq 2) and c eq 3";
    const node = parseFilter(text);
    if (node.kind !== "and") throw new Error("expected and");
    expect(node.left).toMatchObject({ kind: "or", start: 0, end: 18 });
    expect(node.start).toBe(0);
  });

  it("parses string functions, lookups through navigation, CRM functions and lambdas", () => {
    expect(parseFilter("contains(name,'bike')")).toMatchObject({
      kind: "function",
      name: "contains",
      args: [
        { kind: "property", path: ["name"] },
        { kind: "literal", value: "bike" },
      ],
      start: 0,
      end: 21,
    });
    expect(parseFilter("msdyn_company/cdm_companycode eq 'usmf'")).toMatchObject({
      kind: "compare",
      left: { kind: "property", path: ["msdyn_company", "cdm_companycode"], start: 0, end: 29 },
    });
    const inFn = "Microsoft.Dynamics.CRM.In(PropertyName='statuscode',PropertyValues=['1','2'])";
    const crm = parseFilter(inFn);
    expect(crm).toMatchObject({ kind: "crm-function", name: "In", start: 0, end: inFn.length });
    if (crm.kind !== "crm-function") return;
    expect(crm.parameters["PropertyValues"]).toMatchObject({
      kind: "list",
      items: [{ value: "1" }, { value: "2" }],
    });
    expect(filterProperties(crm)).toEqual([{ path: ["statuscode"], start: 40, end: 50 }]);

    const lambda = "order_details/any(d:d/quantity gt 1)";
    const node = parseFilter(lambda);
    expect(node).toMatchObject({
      kind: "lambda",
      operator: "any",
      collection: ["order_details"],
      variable: "d",
    });
    expect(filterProperties(node).map((p) => p.path.join("/"))).toEqual([
      "order_details",
      "order_details/quantity",
    ]);
    expect(parseFilter("order_details/any()")).toMatchObject({ kind: "lambda", operator: "any", end: 19 });
  });

  it.each<[string, string, number, RegExp]>([
    ["empty", "", 0, /empty/],
    ["blank", "   ", 0, /empty/],
    ["missing operator", "statuscode 100003", 11, /comparison operator/],
    ["upper-case operator", "statuscode NE 100003", 11, /lower case: use 'ne'/],
    ["upper-case AND", "a eq 1 AND b eq 2", 7, /lower case: use 'and'/],
    ["symbol operator", "a = 1", 2, /not with symbols/],
    ["unterminated string", "name eq 'abc", 8, /unterminated/],
    ["double quotes", 'name eq "abc"', 8, /single quotes/],
    ["missing value", "a eq", 4, /value to compare with/],
    ["dangling and", "a eq 1 and", 10, /expected a condition/],
    ["unclosed paren", "(a eq 1", 7, /expected '\)'/],
    ["extra paren", "a eq 1)", 6, /no matching '\('/],
    ["unknown function", "substringof('x',name)", 0, /unknown function 'substringof'/],
    ["wrong arity", "contains(name)", 0, /takes 2 arguments/],
    ["stray character", "a eq 1 & b eq 2", 7, /unexpected character '&'/],
    ["two conditions without and", "a eq 1 b eq 2", 7, /expected 'and' or 'or'/],
    ["keyword as value", "a eq and", 5, /keyword 'and'/],
    ["space in path", "a /b eq 1", 1, /spaces/],
    ["dotted property", "a.b eq 1", 0, /not a property/],
    ["all without condition", "x/all()", 6, /needs a condition/],
    ["condition as value", "a eq (b eq 1)", 5, /found a condition/],
  ])("reports %s at its offset", (_label, text, position, message) => {
    const err = syntaxError(text);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
  });

  it("never throws anything but FilterSyntaxError on junk", () => {
    const junk = [
      "((((",
      "))))",
      "eq eq eq",
      "'",
      "''''",
      "\u0000\u0001",
      "a/any(",
      "a eq 1 or",
      "-",
      "1e",
      "[1]",
      "a/",
      "Microsoft.Dynamics.CRM.In(",
      ",,,",
    ];
    for (const text of junk) {
      expect(() => parseFilter(text), text).toThrow(FilterSyntaxError);
    }
  });
});
