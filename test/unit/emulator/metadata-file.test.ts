// The emulator's metadata file: the built-in one holds the corrected facts about IOM's tables,
// each with its evidence, and a bad file is refused whole with every problem located.
import { describe, expect, it } from "vitest";

import { builtInMetadata, MetadataFileError, parseMetadata } from "../../../src/emulator/metadata-file.js";
import { resolveRoles } from "../../../src/emulator/roles.js";
import type { AttributeDefinition, Evidence, TableDefinition } from "../../../src/emulator/tables.js";

const metadata = builtInMetadata();
const table = (name: string): TableDefinition => {
  const found = metadata.tables.find((t) => t.logicalName === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
};
const column = (t: string, c: string): AttributeDefinition | undefined =>
  table(t).attributes.find((a) => a.logicalName === c);
const labels = (t: string, c: string): string[] => (column(t, c)?.options ?? []).map((o) => o.label);

const DEFINITION_TABLES = [
  "msdyn_iomproviderdefinition",
  "msdyn_iomproviderdefinitionconnectionref",
  "msdyn_iomproviderdefinitionlogicdefinition",
];

describe("the built-in metadata", () => {
  it("looks definitions up by msdyn_iomproviderdefinition, not msdyn_providerdefinition", () => {
    for (const t of [
      "msdyn_iomproviderdefinitionconnectionref",
      "msdyn_iomproviderdefinitionlogicdefinition",
      "msdyn_iomproviderdefinitionparameter",
      "msdyn_iomprovider",
    ]) {
      expect(column(t, "msdyn_iomproviderdefinition")).toMatchObject({
        type: "Lookup",
        targets: ["msdyn_iomproviderdefinition"],
        schemaName: "msdyn_IOMProviderDefinition",
      });
      expect(column(t, "msdyn_providerdefinition")).toBeUndefined();
    }
    expect(column("msdyn_iomproviderconnectionreference", "msdyn_iomprovider")?.targets).toEqual([
      "msdyn_iomprovider",
    ]);
    expect(
      column("msdyn_iomproviderconnectionreference", "msdyn_iomproviderdefinitionconnectionref")?.targets,
    ).toEqual(["msdyn_iomproviderdefinitionconnectionref"]);
    expect(column("msdyn_iomproviderparameter", "msdyn_iomprovider")).toBeDefined();
    expect(column("msdyn_iomproviderparameter", "msdyn_iomproviderdefinitionparameter")).toBeDefined();
  });

  it("names and keys the definition tables by msdyn_displayname and msdyn_logicalname", () => {
    for (const t of DEFINITION_TABLES) {
      expect(table(t).primaryNameAttribute).toBe("msdyn_displayname");
      expect(column(t, "msdyn_name")).toBeUndefined();
      expect(table(t).alternateKeys?.map((k) => k.attributes)).toEqual([["msdyn_logicalname"]]);
    }
    expect(table("msdyn_iomproviderdefinitionparameter").primaryNameAttribute).toBe("msdyn_displayname");
  });

  it("holds the columns the exported records show, and none of the refuted ones", () => {
    expect(column("msdyn_iomproviderdefinition", "msdyn_iomservicetype")?.type).toBe("MultiSelectPicklist");
    expect(column("msdyn_iomproviderdefinition", "msdyn_servicetype")).toBeUndefined();
    expect(column("msdyn_iomproviderdefinitionconnectionref", "msdyn_connectorid")?.type).toBe("String");
    expect(column("msdyn_iomproviderdefinitionconnectionref", "msdyn_connectorhidekey")?.type).toBe("String");
    expect(column("msdyn_iomproviderdefinitionconnectionref", "msdyn_connectionreference")).toBeUndefined();
    const logic = "msdyn_iomproviderdefinitionlogicdefinition";
    expect(column(logic, "msdyn_workflowid")).toBeDefined();
    expect(column(logic, "msdyn_workflowname")).toBeUndefined();
    expect(column(logic, "msdyn_iomactiontype")).toMatchObject({
      type: "Lookup",
      targets: ["msdyn_iomactiontype"],
    });
    expect(column(logic, "msdyn_actiontype")).toBeUndefined();
    expect(table("msdyn_iomactiontype").primaryIdAttribute).toBe("msdyn_iomactiontypeid");
  });

  it("labels Policy Type and Logic Type as IOM's UI and docs do", () => {
    expect(labels("msdyn_iompolicy", "msdyn_policytype")).toEqual(["Filter Policy", "Execution Policy"]);
    expect(column("msdyn_iomproviderdefinitionlogicdefinition", "msdyn_logictype")?.options).toEqual([
      expect.objectContaining({ value: 192350000, label: "Provider message handler" }),
      expect.objectContaining({ value: 192350001, label: "Provider action" }),
      expect.objectContaining({ value: 192350002, label: "Child flow" }),
      expect.objectContaining({ value: 192350003, label: "Provider message puller" }),
    ]);
  });

  it("gives every table, column, key and role its evidence, with a citation or a reason", () => {
    const missing: string[] = [];
    const check = (e: Evidence | undefined, where: string): void => {
      if (!e) missing.push(where);
      else if ((e.kind === "confirmed" || e.kind === "third-party") && !e.cite)
        missing.push(`${where} (cite)`);
      else if (e.kind === "inferred" && !e.reason) missing.push(`${where} (reason)`);
    };
    for (const t of metadata.tables) {
      check(t.evidence?.table, t.logicalName);
      if (t.logicalName.startsWith("msdyn_iom"))
        for (const part of ["entitySetName", "primaryIdAttribute", "primaryNameAttribute"] as const)
          check(t.evidence?.[part], `${t.logicalName} ${part}`);
      for (const a of t.attributes) check(a.evidence, `${t.logicalName}.${a.logicalName}`);
      for (const k of t.alternateKeys ?? []) check(k.evidence, `${t.logicalName} key ${k.name}`);
    }
    for (const [name, role] of Object.entries(metadata.roles ?? {})) check(role.evidence, `role ${name}`);
    expect(missing).toEqual([]);
  });

  it("resolves every role its IOM rules need", () => {
    const { roles, problems } = resolveRoles(metadata.roles ?? {}, metadata.tables);
    expect(problems).toEqual([]);
    expect(roles.provider).toMatchObject({
      table: "msdyn_iomprovider",
      definition: "msdyn_iomproviderdefinition",
      activated: { label: "Activated" },
    });
  });

  it("leaves out a role whose column the tables lack, saying why", () => {
    const tables = metadata.tables.map((t) =>
      t.logicalName === "msdyn_iomprovider"
        ? { ...t, attributes: t.attributes.filter((a) => a.logicalName !== "msdyn_providerstatus") }
        : t,
    );
    const { roles, problems } = resolveRoles(metadata.roles ?? {}, tables);
    expect(roles.provider).toBeUndefined();
    expect(problems).toEqual(["role provider: msdyn_iomprovider lacks status column msdyn_providerstatus"]);
  });
});

describe("a metadata file that cannot be served", () => {
  const evidence = '{ "kind": "inferred", "reason": "a test" }';
  const file = (attributes: string, extra = ""): string =>
    [
      "{",
      '  "formatVersion": 1,',
      '  "tables": [',
      "    {",
      '      "logicalName": "contoso_widget",',
      '      "displayName": "Widget",',
      '      "entitySetName": "contoso_widgets",',
      '      "primaryIdAttribute": "contoso_widgetid",',
      '      "primaryNameAttribute": "contoso_name",',
      `      "evidence": { "table": ${evidence} },`,
      `      "attributes": [${attributes}]${extra}`,
      "    }",
      "  ]",
      "}",
    ].join("\n");

  it("is refused with every problem at its line and column", () => {
    const text = file(
      [
        `{ "logicalName": "contoso_name", "displayName": "Name", "type": "String", "evidence": ${evidence} }`,
        `{ "logicalName": "contoso_name", "displayName": "Again", "type": "String", "evidence": { "kind": "confirmed" } }`,
      ].join(",\n        "),
      `,\n      "alternateKeys": [{ "name": "k", "attributes": ["contoso_code"], "evidence": ${evidence} }]`,
    );
    let error: unknown;
    try {
      parseMetadata("widgets.json", text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MetadataFileError);
    expect((error as MetadataFileError).problems).toEqual([
      "widgets.json:12:26: contoso_widget has two columns named contoso_name",
      "widgets.json:12:96: confirmed evidence needs a cite (SOURCE:path)",
      "widgets.json:13:55: contoso_widget's key k names contoso_code, which is not among its attributes",
    ]);
  });

  it("is refused when it breaks the schema, at the offending key", () => {
    const text = file(
      `{ "logicalName": "contoso_name", "displayName": "Name", "type": "Text", "evidence": ${evidence} }`,
    );
    expect(() => parseMetadata("widgets.json", text)).toThrow(/widgets\.json:11:\d+: .*type/);
  });

  it("is refused when it is not JSON, at the error", () => {
    expect(() => parseMetadata("broken.json", '{ "formatVersion": 1,\n  "tables": [ }')).toThrow(
      /broken\.json:2:\d+:/,
    );
  });
});
