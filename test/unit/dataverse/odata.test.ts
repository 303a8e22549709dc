import { describe, expect, it } from "vitest";
import {
  ODataBuildError,
  and,
  contains,
  eq,
  filter,
  guid,
  isIn,
  keySegment,
  literal,
  not,
  or,
  queryString,
  recordPath,
} from "../../../src/dataverse/odata.js";
import { parseFilter } from "../../../src/odata/filter.js";

const ID = "5D1A1F52-0C4B-4B7C-9E2F-8B1F0D2C3A4E";

describe("literal", () => {
  it.each([
    ["plain", "'plain'"],
    ["O'Brien", "'O''Brien'"],
    ["''", "''''''"],
    ["a' or 1 eq 1 or name eq 'b", "'a'' or 1 eq 1 or name eq ''b'"],
    ["", "''"],
  ])("writes the string %j as %s", (value, expected) => {
    expect(literal(value)).toBe(expected);
  });

  it.each([
    [42, "42"],
    [-1.5, "-1.5"],
    [true, "true"],
    [false, "false"],
    [null, "null"],
  ] as const)("writes %j as %s", (value, expected) => {
    expect(literal(value)).toBe(expected);
  });

  it("writes GUIDs bare and lower-case, dates as ISO", () => {
    expect(literal(guid(ID))).toBe(ID.toLowerCase());
    expect(literal(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe("2026-01-02T03:04:05.000Z");
  });

  it("refuses values that are not literals", () => {
    expect(() => literal(Number.NaN)).toThrow(ODataBuildError);
    expect(() => literal(new Date("nope"))).toThrow(ODataBuildError);
    expect(() => guid("not-a-guid")).toThrow(ODataBuildError);
  });
});

describe("filter", () => {
  it("turns interpolated values into literals", () => {
    const name = "O'Brien";
    expect(filter`msdyn_name eq ${name} and statecode eq ${0}`.toString()).toBe(
      "msdyn_name eq 'O''Brien' and statecode eq 0",
    );
  });

  it("cannot be widened by a hostile name: the parser sees exactly one comparison", () => {
    const hostile = "x' or msdyn_name ne 'y";
    const text = eq("msdyn_name", hostile).toString();
    const node = parseFilter(text);
    expect(node.kind).toBe("compare");
    if (node.kind !== "compare") return;
    expect(node.right).toMatchObject({ kind: "literal", type: "string", value: hostile });
  });

  it("parenthesises nested filters so precedence is kept", () => {
    const f = and(eq("a", 1), or(eq("b", "x"), not(contains("c", "y"))));
    expect(f.toString()).toBe("(a eq 1) and ((b eq 'x') or (not (contains(c,'y'))))");
    expect(parseFilter(f.toString()).kind).toBe("and");
  });

  it("inserts a Filter inside a template as a parenthesised unit", () => {
    const inner = or(eq("a", 1), eq("a", 2));
    expect(filter`statecode eq ${0} and ${inner}`.toString()).toBe(
      "statecode eq 0 and ((a eq 1) or (a eq 2))",
    );
  });

  it("refuses property names that are not identifiers or paths", () => {
    expect(() => eq("name eq 'x' or a", 1)).toThrow(ODataBuildError);
    expect(() => eq("a/b", 1).toString()).not.toThrow();
  });

  it("writes Microsoft.Dynamics.CRM.In with escaped values", () => {
    expect(isIn("msdyn_name", ["a'b", "c"]).toString()).toBe(
      "Microsoft.Dynamics.CRM.In(PropertyName='msdyn_name',PropertyValues=['a''b','c'])",
    );
  });
});

describe("keySegment", () => {
  it("writes a primary id bare", () => {
    expect(keySegment(ID)).toBe(`(${ID.toLowerCase()})`);
    expect(recordPath("accounts", ID)).toBe(`accounts(${ID.toLowerCase()})`);
  });

  it("refuses a primary id that is not a GUID", () => {
    expect(() => keySegment("1) or (2")).toThrow(ODataBuildError);
  });

  it("writes alternate keys as escaped, percent-encoded literals", () => {
    expect(keySegment({ msdyn_name: "O'Brien & Co/#1?", msdyn_number: 7 })).toBe(
      "(msdyn_name='O''Brien%20%26%20Co%2F%231%3F',msdyn_number=7)",
    );
  });

  it("refuses an empty alternate key and bad attribute names", () => {
    expect(() => keySegment({})).toThrow(ODataBuildError);
    expect(() => keySegment({ "a=1,b": "x" })).toThrow(ODataBuildError);
  });
});

describe("queryString", () => {
  it("writes every option percent-encoded with $select first", () => {
    const qs = queryString({
      select: ["msdyn_name", "statecode"],
      filter: eq("msdyn_name", "a&b"),
      orderBy: [{ property: "msdyn_name", descending: true }],
      top: 10,
      count: true,
    });
    expect(qs).toBe(
      "$select=msdyn_name%2Cstatecode&$filter=msdyn_name%20eq%20'a%26b'&$orderby=msdyn_name%20desc&$top=10&$count=true",
    );
    const params = new URLSearchParams(qs);
    expect(params.get("$filter")).toBe("msdyn_name eq 'a&b'");
  });

  it("writes $expand with its own $select", () => {
    const qs = queryString({
      select: ["name"],
      expand: [{ property: "primarycontactid", select: ["fullname"] }],
    });
    expect(new URLSearchParams(qs).get("$expand")).toBe("primarycontactid($select=fullname)");
  });

  it("requires at least one selected column", () => {
    expect(() => queryString({ select: [] as unknown as [string] })).toThrow(ODataBuildError);
  });
});
