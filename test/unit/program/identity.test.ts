// The names Pulumi knows resources by: natural keys, the same whatever the YAML label and the
// letter case, so that a rename is never a second resource for one record.
import { describe, expect, it } from "vitest";
import { labelAlias, naturalName } from "../../../src/program/identity.js";

describe("natural names", () => {
  it("name policies and flows by their IOM name, in lower case", () => {
    expect(naturalName.policy({ name: " FinOps Sales Order Parameters " })).toBe(
      "finops sales order parameters",
    );
    expect(naturalName.orchestrationFlow({ name: "Order orchestration with F&O" })).toBe(
      "order orchestration with f&o",
    );
  });

  it("name a provider by the name IOM lists it by, not by its definition or label", () => {
    expect(naturalName.provider({ definition: "Microsoft Finance and Operations apps" })).toBe(
      "microsoft finance and operations apps",
    );
    const named = { displayName: "Fulfilment", definition: "Flexe" };
    expect(naturalName.provider(named)).toBe("fulfilment");
    // A new definition under the same name is the same resource: replaced, not a second one.
    expect(naturalName.provider({ ...named, definition: "Dynamics 365 Inventory Visibility" })).toBe(
      "fulfilment",
    );
  });

  it("name a connection by its provider's natural name and the definition's connection", () => {
    expect(naturalName.connection("fulfilment", { connection: "Flexe Connection" })).toBe(
      "fulfilment / flexe connection",
    );
  });

  it("name a table map the same in both of its forms", () => {
    const ui = naturalName.dualWriteMap({ map: "CDS sales order headers (salesorders)" });
    expect(ui).toBe("cds sales order headers (salesorders)");
    expect(naturalName.dualWriteMap({ map: "salesorders - CDS  Sales Order Headers" })).toBe(ui);
  });
});

describe("the label as an alias", () => {
  it("is given, so a stack applied before natural names keeps its resources", () => {
    expect(labelAlias("sales-order-headers", "cds sales order headers (salesorders)", new Set())).toEqual({
      aliases: [{ name: "sales-order-headers" }],
    });
  });

  it("is not given when it is the name already, or another resource's name", () => {
    expect(labelAlias("usmf", "usmf", new Set(["usmf"]))).toEqual({});
    expect(labelAlias("shopify", "store", new Set(["store", "shopify"]))).toEqual({});
  });
});
