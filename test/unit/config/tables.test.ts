import { describe, expect, it } from "vitest";
import { salesorder } from "../../../src/iom/tables/salesorder.js";
import { salesorderdetail } from "../../../src/iom/tables/salesorderdetail.js";
import { filterProperties, parseFilter } from "../../../src/odata/filter.js";
import type { TableDefinition } from "../../../src/iom/tables/types.js";

// The Web API name of an attribute in $filter: lookups read as _<name>_value.
function webApiNames(table: TableDefinition): Set<string> {
  return new Set(
    table.attributes.map((a) =>
      a.type === "Lookup" || a.type === "Customer" || a.type === "Owner"
        ? `_${a.logicalName}_value`
        : a.logicalName,
    ),
  );
}

describe.each([salesorder, salesorderdetail])("table $logicalName", (table) => {
  it("has unique attribute names, its primary id and name among them", () => {
    const names = table.attributes.map((a) => a.logicalName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(table.primaryIdAttribute);
    expect(names).toContain(table.primaryNameAttribute);
  });

  it("gives every lookup its targets and every choice column its options", () => {
    for (const a of table.attributes) {
      if (["Lookup", "Customer", "Owner"].includes(a.type))
        expect(a.targets?.length, a.logicalName).toBeGreaterThan(0);
      if (["Picklist", "State", "Status", "Boolean"].includes(a.type))
        expect(a.options?.length, a.logicalName).toBeGreaterThan(0);
    }
  });
});

describe("the article's filters against the shipped metadata", () => {
  it.each<[TableDefinition, string]>([
    [
      salesorder,
      "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003",
    ],
    [
      salesorderdetail,
      "_msdyn_company_value ne null and _msdyn_shippingsite_value ne null and _msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and msdyn_statuscode ne 192350001",
    ],
  ])("every attribute of the %s filter exists", (table, filter) => {
    const names = webApiNames(table);
    for (const p of filterProperties(parseFilter(filter)))
      expect(names.has(p.path[0] as string), p.path[0]).toBe(true);
  });

  it("knows the values the filters compare with", () => {
    const option = (t: TableDefinition, attr: string, value: number) =>
      t.attributes.find((a) => a.logicalName === attr)?.options?.find((o) => o.value === value)?.label;
    expect(option(salesorder, "msdyn_ordertype", 192350000)).toBe("Item based");
    expect(option(salesorder, "statuscode", 100003)).toBe("Invoiced");
    expect(option(salesorder, "statecode", 4)).toBe("Invoiced");
    expect(option(salesorderdetail, "msdyn_statuscode", 192350001)).toMatch(/undocumented/i);
  });
});
