// Keeps the table registry honest: every table file is registered under its logical name, every
// definition is internally consistent, and custom lookups carry real-cased schema names.
import * as fs from "node:fs";
import * as path from "node:path";

import { describe, expect, it } from "vitest";

import { Schema } from "../../../src/emulator/schema.js";
import * as inferred from "../../../src/iom/facts.js";
import { schemaNameOf } from "../../../src/iom/tables/attributes.js";
import { tables } from "../../../src/iom/tables/index.js";

const dir = path.resolve(__dirname, "../../../src/iom/tables");
const NOT_TABLES = new Set(["types.ts", "index.ts", "attributes.ts"]);

describe("table registry", () => {
  it("registers every table file, each exporting a constant named after its logical name", async () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !NOT_TABLES.has(f));
    expect(tables.map((t) => `${t.logicalName}.ts`).sort()).toEqual(files.sort());
    for (const file of files) {
      const mod = (await import(path.join(dir, file))) as Record<string, { logicalName: string }>;
      const name = file.slice(0, -3);
      expect(mod[name]?.logicalName).toBe(name);
    }
  });

  it.each(tables.map((t) => [t.logicalName, t] as const))("%s is consistent", (_name, table) => {
    const names = table.attributes.map((a) => a.logicalName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(table.primaryIdAttribute);
    expect(names).toContain(table.primaryNameAttribute);
    for (const attribute of table.attributes) {
      if (["Lookup", "Customer", "Owner"].includes(attribute.type))
        expect(attribute.targets?.length).toBeGreaterThan(0);
      if (["Picklist", "State", "Status"].includes(attribute.type) && attribute.options) {
        const values = attribute.options.map((o) => o.value);
        expect(new Set(values).size).toBe(values.length);
      }
    }
    for (const key of table.alternateKeys ?? []) for (const a of key.attributes) expect(names).toContain(a);
  });

  it("uses unique entity set names, and takes the IOM ones from facts.ts", () => {
    const sets = tables.map((t) => t.entitySetName);
    expect(new Set(sets).size).toBe(sets.length);
    for (const [logicalName, set] of Object.entries(inferred.entitySetNames))
      expect(tables.find((t) => t.logicalName === logicalName)?.entitySetName).toBe(set);
  });

  it("gives every guessed choice a distinct value and the UI's label", () => {
    expect(inferred.options(inferred.publishStatus).map((c) => c.label)).toEqual([
      "Unpublished",
      "Published",
    ]);
    expect(inferred.options(inferred.providerStatus).map((c) => c.label)).toEqual(["Installed", "Activated"]);
    expect(inferred.options(inferred.connectionStatus).map((c) => c.label)).toEqual(["Inactive", "Active"]);
    for (const set of [
      inferred.policyType,
      inferred.criticality,
      inferred.associatedEntity,
      inferred.logicType,
    ]) {
      const values = inferred.options(set).map((c) => c.value);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it.each([
    ["msdyn_providerdefinition", "Provider Definition", "msdyn_ProviderDefinition"],
    [
      "msdyn_providerdefinitionconnectionref",
      "Provider Definition Connection Reference",
      "msdyn_ProviderDefinitionConnectionRef",
    ],
    ["msdyn_defaultshippingwarehouse", "Default Shipping Warehouse", "msdyn_DefaultShippingWarehouse"],
    ["msdyn_policy", "The Policy", "msdyn_Policy"],
    ["msdyn_colour", "Unrelated", "msdyn_colour"],
    ["transactioncurrencyid", "Currency", undefined],
  ])("derives the schema name of %s (%s) as %s", (logicalName, displayName, expected) => {
    expect(schemaNameOf(logicalName, displayName)).toBe(expected);
  });

  it("gives every custom lookup a real-cased schema name, and each table distinct navigation names", () => {
    for (const table of tables)
      for (const attribute of table.attributes) {
        if (attribute.schemaName !== undefined)
          expect(attribute.schemaName.toLowerCase()).toBe(attribute.logicalName);
        if (attribute.type === "Lookup" && attribute.logicalName.startsWith("msdyn_"))
          expect(attribute.schemaName, `${table.logicalName}.${attribute.logicalName}`).toMatch(
            /^msdyn_[A-Z]/,
          );
      }
    // Names differing in case only would make the emulator's case hint ambiguous.
    for (const model of new Schema(tables).tables) {
      const names = [...model.navigations.keys()].map((n) => n.toLowerCase());
      expect(new Set(names).size, model.logicalName).toBe(names.length);
    }
  });
});
