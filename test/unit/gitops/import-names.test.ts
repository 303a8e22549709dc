// The names `iom import` derives: kebab-case words of names the environment holds, valid for the
// schemas (no edge spaces, at most 100 characters), unique within a kind, the same on every run.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { schemaRegistry } from "../../../src/config/schema-registry.js";
import {
  connectionName,
  kebab,
  mapName,
  MAX_NAME_LENGTH,
  NameRegister,
  policyFileStem,
  providerName,
  words,
} from "../../../src/gitops/import-names.js";

describe("import names", () => {
  it.each([
    ["Microsoft Finance and Operations apps", "microsoft-finance-and-operations-apps"],
    ["Shopify", "shopify"],
    ["  Contoso  F&O (EU)  ", "contoso-f-o-eu"],
    ["Pédidos Élite", "pedidos-elite"],
    ["!!!", "provider"],
  ])("provider %j is named %j", (installed, name) => {
    expect(providerName(installed)).toBe(name);
  });

  it.each([
    [
      "finops",
      "Microsoft Finance and Operations Dataverse (current environment) Connection",
      "Microsoft Finance and Operations apps",
      "finops-dataverse-current-environment",
    ],
    ["shopify", "Shopify Connection", "Shopify", "shopify-connection"],
    ["shopify", "Shopify", "Shopify", "shopify-connection"],
    ["p", "Order intake connection", "Shopify", "p-order-intake"],
  ])("connection of %j named %j (definition %j) is %j", (provider, connection, definition, name) => {
    expect(connectionName(provider, connection, definition)).toBe(name);
  });

  it.each([
    ["CDS sales order headers (salesorders)", "sales-order-headers"],
    ["CDS sales order lines (salesorderdetails)", "sales-order-lines"],
    ["Customers V3 (accounts)", "customers-v3"],
    ["(salesorders)", "salesorders"],
  ])("map %j is named %j", (map, name) => {
    expect(mapName(map)).toBe(name);
  });

  it("names a policy's file after the policy", () => {
    expect(policyFileStem("FinOps sales order parameters")).toBe("finops-sales-order-parameters");
    expect(policyFileStem("**")).toBe("policy");
  });

  it("cuts long names at a word boundary within the schemas' limit", () => {
    expect(kebab(["abc", "defgh", "ij"], 9)).toBe("abc-defgh");
    expect(kebab(["abc", "defgh", "ij"], 8)).toBe("abc");
    expect(kebab(["abcdefghij"], 4)).toBe("abcd");
  });

  it("gives later holders of a taken name -2, -3, without regard to case", () => {
    const names = new NameRegister();
    expect(["finops", "FinOps", "finops", "finops-2", "other"].map((n) => names.take(n))).toEqual([
      "finops",
      "FinOps-2",
      "finops-3",
      "finops-2-2",
      "other",
    ]);
    const long = new NameRegister();
    const base = "a".repeat(MAX_NAME_LENGTH);
    expect(long.take(base)).toBe(base);
    expect(long.take(base)).toBe(`${"a".repeat(MAX_NAME_LENGTH - 2)}-2`);
  });

  it("always derives a name the provider schema accepts, and the same one every time", () => {
    const validName = (name: string) =>
      schemaRegistry().validate("iom-provider", { name, definition: "d", activated: false });
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
        const provider = providerName(a);
        for (const name of [provider, connectionName(provider, b, a), mapName(b), policyFileStem(a)]) {
          expect(validName(name)).toEqual([]);
          expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        }
        expect(providerName(a)).toBe(provider);
        expect(words(a).join("-").startsWith(provider) || provider === "provider").toBe(true);
      }),
    );
  });
});
