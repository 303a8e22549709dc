import { describe, expect, it } from "vitest";

import { Counters, Faults, normaliseRoute } from "../../../src/emulator/admin.js";
import { parsePrefer } from "../../../src/emulator/http-types.js";
import { parseKey } from "../../../src/emulator/keys.js";

describe("normaliseRoute", () => {
  it.each([
    ["/api/data/v9.2/accounts", "/api/data/v9.2/accounts"],
    ["/api/data/v9.2/accounts(3f2504e0-4f89-41d3-9a0c-0305e82c3301)", "/api/data/v9.2/accounts(id)"],
    ["/api/data/v9.2/accounts(accountnumber='a(b)')/name?$select=x", "/api/data/v9.2/accounts(id)/name"],
    [
      "/api/data/v9.2/EntityDefinitions(LogicalName='x')/Attributes(LogicalName='y')",
      "/api/data/v9.2/EntityDefinitions(id)/Attributes(id)",
    ],
    ["/api/data/v9.2/a(b(c)d)e(f)", "/api/data/v9.2/a(id)e(id)"],
    ["/api/data/v9.2/a)b", "/api/data/v9.2/ab"],
    ["/api/data/v9.2/a(b", "/api/data/v9.2/a(id)"],
    [
      "/api/DualWriteManagement/1.0/3F2504E0-4F89-41D3-9A0C-0305E82C3301/FieldMappings",
      "/api/DualWriteManagement/1.0/{id}/FieldMappings",
    ],
  ])("%s -> %s", (path, route) => {
    expect(normaliseRoute(path)).toBe(route);
  });

  it("counts by method and route", () => {
    const counters = new Counters();
    counters.record("GET", "/api/data/v9.2/accounts?$top=1");
    counters.record("GET", "/api/data/v9.2/accounts");
    counters.record("POST", "/api/data/v9.2/accounts");
    expect(counters.toJSON()).toEqual({
      total: 3,
      byMethod: { GET: 2, POST: 1 },
      byRoute: { "GET /api/data/v9.2/accounts": 2, "POST /api/data/v9.2/accounts": 1 },
    });
    counters.reset();
    expect(counters.toJSON()).toEqual({ total: 0, byMethod: {}, byRoute: {} });
  });
});

describe("Faults", () => {
  it("matches method and path, and expires counted rules", () => {
    const faults = new Faults(1);
    faults.set({ rules: [{ status: 429, count: 1, method: "post", path: "/accounts" }] });
    expect(faults.pick("GET", "/api/data/v9.2/accounts")).toBeUndefined();
    expect(faults.pick("POST", "/api/data/v9.2/contacts")).toBeUndefined();
    expect(faults.pick("POST", "/api/data/v9.2/accounts")?.status).toBe(429);
    expect(faults.pick("POST", "/api/data/v9.2/accounts")).toBeUndefined();
  });

  it("replays the same decisions under the same seed", () => {
    const run = (seed: number): boolean[] => {
      const faults = new Faults(seed);
      faults.set({ rules: [{ status: 503, probability: 0.5 }] });
      return Array.from({ length: 64 }, () => faults.pick("GET", "/api/x") !== undefined);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    const hits = run(5).filter(Boolean).length;
    expect(hits).toBeGreaterThan(16);
    expect(hits).toBeLessThan(48);
  });

  it("keeps the old rules when new ones are invalid", () => {
    const faults = new Faults(1);
    faults.set({ rules: [{ status: 503 }] });
    expect(() => faults.set({ rules: [{ status: 503 }, { status: 99 }] })).toThrow(/rules\[1\]\.status/);
    expect(faults.toJSON().rules).toEqual([{ status: 503 }]);
  });
});

describe("parsePrefer", () => {
  it("reads several preferences, quoted values with commas included", () => {
    const prefs = parsePrefer(
      'return=representation, odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.*", odata.maxpagesize=10,odata.continue-on-error',
    );
    expect(Object.fromEntries(prefs)).toEqual({
      return: "representation",
      "odata.include-annotations": "OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.*",
      "odata.maxpagesize": "10",
      "odata.continue-on-error": "",
    });
  });
});

describe("parseKey", () => {
  it("reads ids and alternate keys with typed values", () => {
    expect(parseKey("3F2504E0-4F89-41D3-9A0C-0305E82C3301")).toEqual({
      kind: "id",
      id: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    });
    expect(parseKey("name='O''Brien, Ltd',n=5,flag=true")).toEqual({
      kind: "alternate",
      parts: [
        { name: "name", value: "O'Brien, Ltd" },
        { name: "n", value: 5 },
        { name: "flag", value: true },
      ],
    });
    expect(() => parseKey("=1")).toThrow();
  });
});
