// Names with quotes and OData operators in them cannot change a query's meaning: whatever a value
// holds (quotes, `or 1 eq 1`, parentheses, `&$top=`, `#`, `%`, `/`, line breaks, any code
// point), the filter the server parses has the shape the code wrote, with the value as one
// literal; the query string has the options the code wrote and no others; a key segment names the
// attributes the code wrote, each with its value. The oracles are parsers that never saw the
// builders: the OData $filter parser (src/odata), URLSearchParams, the WHATWG URL parser, and the
// emulator's key parser.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ODataBuildError,
  and,
  contains,
  eq,
  filter,
  identifier,
  isIn,
  keySegment,
  literal,
  ne,
  or,
  propertyPath,
  queryString,
  recordPath,
  startsWith,
} from "../../../src/dataverse/odata.js";
import { parseKey } from "../../../src/emulator/keys.js";
import { parseFilter } from "../../../src/odata/filter.js";
import type { FilterNode, ValueNode } from "../../../src/odata/filter.js";

type Binary = Extract<FilterNode, { left: FilterNode }>;

const ROOT = "https://contoso.crm.dynamics.com/api/data/v9.2/";

// Strings that lean on what could break out of a literal or a URL, mixed with anything at all.
const HOSTILE_PIECES = [
  "'",
  "''",
  "' or 1 eq 1 or '",
  "') or (",
  " and ",
  " or ",
  "not ",
  "eq",
  "(",
  ")",
  ",",
  "=",
  "&",
  "&$top=1",
  "#",
  "%",
  "%27",
  "+",
  "?",
  "/",
  ";",
  "$select=secret",
  "\\",
  '"',
  "\n",
  "\u0000",
  "\u2028",
  "\ud83d\ude00",
  " ",
  "msdyn_name ne null",
];
const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 8 }).map((p) => p.join("")),
);

function stringLiteral(node: ValueNode): string {
  expect(node).toMatchObject({ kind: "literal", type: "string" });
  return (node as Extract<ValueNode, { kind: "literal" }>).value as string;
}

function comparison(node: FilterNode, op: string, property: string): string {
  expect(node.kind).toBe("compare");
  const compare = node as Extract<FilterNode, { kind: "compare" }>;
  expect(compare.op).toBe(op);
  expect(compare.left).toMatchObject({ kind: "property", path: property.split("/") });
  return stringLiteral(compare.right);
}

describe("a value in a filter", () => {
  it("stays one string literal of a single comparison, whatever it holds", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        expect(comparison(parseFilter(eq("msdyn_name", value).toString()), "eq", "msdyn_name")).toBe(value);
        expect(comparison(parseFilter(ne("a/b", value).toString()), "ne", "a/b")).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the shape the code wrote when two values sit in one template", () => {
    fc.assert(
      fc.property(hostile, hostile, (first, second) => {
        const node = parseFilter(
          filter`msdyn_name eq ${first} and msdyn_description ne ${second}`.toString(),
        );
        expect(node.kind).toBe("and");
        const both = node as Binary;
        expect(comparison(both.left, "eq", "msdyn_name")).toBe(first);
        expect(comparison(both.right, "ne", "msdyn_description")).toBe(second);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps or-groups grouped: a value cannot escape its parentheses", () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const node = parseFilter(and(eq("statecode", 0), or(eq("x", a), eq("y", b))).toString());
        expect(node.kind).toBe("and");
        const top = node as Binary;
        expect(top.right.kind).toBe("or");
        const group = top.right as Binary;
        expect(comparison(group.left, "eq", "x")).toBe(a);
        expect(comparison(group.right, "eq", "y")).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it("is one argument of contains, startswith and Microsoft.Dynamics.CRM.In", () => {
    fc.assert(
      fc.property(hostile, fc.array(hostile, { minLength: 1, maxLength: 4 }), (value, values) => {
        for (const [build, name] of [
          [contains, "contains"],
          [startsWith, "startswith"],
        ] as const) {
          const node = parseFilter(build("msdyn_name", value).toString());
          expect(node).toMatchObject({ kind: "function", name });
          const args = (node as Extract<FilterNode, { kind: "function" }>).args;
          expect(args).toHaveLength(2);
          expect(stringLiteral(args[1] as ValueNode)).toBe(value);
        }
        const node = parseFilter(isIn("msdyn_name", values).toString());
        expect(node).toMatchObject({ kind: "crm-function", name: "In" });
        const list = (node as Extract<FilterNode, { kind: "crm-function" }>).parameters["PropertyValues"];
        expect(list?.kind).toBe("list");
        const items = (list as Extract<ValueNode, { kind: "list" }>).items.map(stringLiteral);
        expect(items).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });
});

describe("a value in a URL", () => {
  it("adds no query option and loses nothing on the way through the query string", () => {
    fc.assert(
      fc.property(hostile, hostile, (value, inExpand) => {
        const f = eq("msdyn_name", value);
        const inner = eq("fullname", inExpand);
        const qs = queryString({
          select: ["msdyn_name"],
          filter: f,
          expand: [{ property: "primarycontactid", select: ["fullname"], filter: inner }],
          top: 5,
        });
        const url = new URL(`${ROOT}msdyn_iompolicies?${qs}`);
        expect([...url.searchParams.keys()]).toEqual(["$select", "$filter", "$expand", "$top"]);
        expect(url.searchParams.get("$filter")).toBe(f.toString());
        expect(url.searchParams.get("$expand")).toBe(`primarycontactid($select=fullname;$filter=${inner})`);
        expect(url.searchParams.get("$top")).toBe("5");
        expect(url.hash).toBe("");
        expect(url.pathname).toBe("/api/data/v9.2/msdyn_iompolicies");
      }),
      { numRuns: 300 },
    );
  });

  it("is one attribute value of an alternate key, and stays inside its path segment", () => {
    fc.assert(
      fc.property(hostile, fc.integer(), (name, number) => {
        const segment = keySegment({ msdyn_name: name, msdyn_number: number });
        const url = new URL(
          ROOT + recordPath("msdyn_iompolicies", { msdyn_name: name, msdyn_number: number }),
        );
        expect(url.search).toBe("");
        expect(url.hash).toBe("");
        expect(url.pathname.split("/")).toHaveLength(5); // "", api, data, v9.2, set(key)
        const inner = decodeURIComponent(segment.slice(1, -1));
        expect(parseKey(inner)).toEqual({
          kind: "alternate",
          parts: [
            { name: "msdyn_name", value: name },
            { name: "msdyn_number", value: number },
          ],
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("a value that cannot be written", () => {
  it("is a typed ODataBuildError, never a URIError from deep in URL encoding", () => {
    const half = fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff");
    fc.assert(
      fc.property(hostile, half, hostile, (before, surrogate, after) => {
        // A neighbour may complete the pair; such a value is well formed and skipped.
        const value = before + surrogate + after;
        fc.pre(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value));
        expect(() => queryString({ select: ["a"], filter: eq("a", value) })).toThrow(ODataBuildError);
        expect(() => keySegment({ a: value })).toThrow(ODataBuildError);
      }),
      { numRuns: 200 },
    );
    expect(literal("\ud83d\ude00")).toBe("'\ud83d\ude00'");
  });
});

/** Every character a Dataverse logical name may hold, written out: letters, digits, underscore. */
const SAFE_IN_IDENTIFIER = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

describe("a name where an identifier goes", () => {
  it("accepts the logical names the tool writes, as they are", () => {
    for (const name of [
      "msdyn_name",
      "_msdyn_company_value",
      "statuscode",
      "msdyn_iomproviderdefinitionlogicdefinitionid",
      "Microsoft_Dynamics",
      "_x",
      "a1",
    ])
      expect(identifier(name), name).toBe(name);
  });

  it("is refused unless it is an identifier, so it can never carry an operator", () => {
    fc.assert(
      fc.property(hostile, (name) => {
        let accepted = true;
        try {
          expect(identifier(name)).toBe(name);
        } catch (err) {
          if (!(err instanceof ODataBuildError)) throw err;
          accepted = false;
        }
        if (accepted) {
          // Whatever is accepted holds no character that could end the name and start OData
          // syntax, and does not start with a digit (a number literal).
          for (const ch of name)
            expect(SAFE_IN_IDENTIFIER, `${JSON.stringify(name)} has ${JSON.stringify(ch)}`).toContain(ch);
          expect(name).not.toMatch(/^\d/);
          expect(name).not.toBe("");
          return;
        }
        expect(() => identifier(name)).toThrow(ODataBuildError);
        expect(() => propertyPath(name.includes("/") ? name : `${name}/x`)).toThrow(ODataBuildError);
        expect(() => eq(name, 1)).toThrow(ODataBuildError);
        expect(() => queryString({ select: [name] })).toThrow(ODataBuildError);
        expect(() => queryString({ select: ["a"], orderBy: [name] })).toThrow(ODataBuildError);
        expect(() => queryString({ select: ["a"], expand: [{ property: name, select: ["b"] }] })).toThrow(
          ODataBuildError,
        );
        expect(() => keySegment({ [name]: "v" })).toThrow(ODataBuildError);
        expect(() => recordPath(name, { a: "v" })).toThrow(ODataBuildError);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses the classic shapes by name", () => {
    for (const name of [
      "msdyn_name eq 'x' or 1 eq 1",
      "a,b",
      "a desc,b",
      "a($select=secret)",
      "a;b",
      "a b",
    ]) {
      expect(() => identifier(name), name).toThrow(ODataBuildError);
    }
    expect(literal("x' or 'a' eq 'a")).toBe("'x'' or ''a'' eq ''a'");
  });
});
