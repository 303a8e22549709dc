// Relationships as Dataverse serves them: navigation properties named after the lookup's schema
// name and matched case-sensitively (in @odata.bind, $expand and filter paths), published in the
// relationship metadata with each relationship's cascade configuration, and deletes that follow it.
import { describe, expect, it } from "vitest";

import { FINOPS_CONNECTION } from "../../../src/iom/catalog.js";
import { body, useEmulator } from "./harness.js";
import { FINOPS, SETS, expectError, iomClient } from "./iom.js";

const h = useEmulator();
const iom = iomClient(h);

interface Relationship {
  SchemaName: string;
  ReferencedEntity: string;
  ReferencingEntity: string;
  ReferencingAttribute: string;
  ReferencingEntityNavigationPropertyName: string;
  CascadeConfiguration: Record<string, string>;
}

async function manyToOne(table: string): Promise<Relationship[]> {
  const res = await h.api(`EntityDefinitions(LogicalName='${table}')/ManyToOneRelationships`);
  expect(res.status).toBe(200);
  return (await body<{ value: Relationship[] }>(res)).value;
}

describe("navigation property names", () => {
  it("refuses @odata.bind under a navigation name in the wrong case, and accepts the right one", async () => {
    const policy = await iom.create(SETS.policies, { msdyn_name: "P" });
    const wrong = await h.api(SETS.rules, {
      method: "POST",
      json: { msdyn_name: "R", "msdyn_policy@odata.bind": `/${SETS.policies}(${policy})` },
    });
    const message = await expectError(
      wrong,
      400,
      "0x80060888",
      "An undeclared property 'msdyn_policy' which only has property annotations in the payload",
      "use 'msdyn_Policy@odata.bind'",
    );
    expect(message).toMatch(/^An undeclared property/);
    expect(await iom.count(SETS.rules)).toBe(0);
    const right = await h.api(SETS.rules, {
      method: "POST",
      headers: { Prefer: "return=representation" },
      json: { msdyn_name: "R", "msdyn_Policy@odata.bind": `/${SETS.policies}(${policy})` },
    });
    expect(right.status).toBe(201);
    expect((await body(right))._msdyn_policy_value).toBe(policy);
    // A name no navigation property has, in any case, gets Dataverse's message alone.
    const unknown = await h.api(SETS.rules, {
      method: "POST",
      json: { msdyn_name: "R", "msdyn_Colour@odata.bind": `/${SETS.policies}(${policy})` },
    });
    expect(await expectError(unknown, 400, "0x80060888")).not.toContain("case-sensitive");
  });

  it("publishes each lookup's navigation name as its schema name, and that name is the one the Web API takes", async () => {
    const relationships = await manyToOne("msdyn_iomproviderconnectionreference");
    const byAttribute = new Map(relationships.map((r) => [r.ReferencingAttribute, r]));
    expect(byAttribute.get("msdyn_iomprovider")?.ReferencingEntityNavigationPropertyName).toBe(
      "msdyn_IOMProvider",
    );
    expect(
      byAttribute.get("msdyn_iomproviderdefinitionconnectionref")?.ReferencingEntityNavigationPropertyName,
    ).toBe("msdyn_IOMProviderDefinitionConnectionRef");
    const attribute = await body(
      await h.api(
        "EntityDefinitions(LogicalName='msdyn_iomproviderconnectionreference')/Attributes(LogicalName='msdyn_iomprovider')?$select=LogicalName,SchemaName",
      ),
    );
    expect(attribute).toMatchObject({ LogicalName: "msdyn_iomprovider", SchemaName: "msdyn_IOMProvider" });
    // A client that binds with the published names succeeds.
    const provider = await iom.provider();
    const bind = (r: Relationship, set: string, id: string) => ({
      [`${r.ReferencingEntityNavigationPropertyName}@odata.bind`]: `/${set}(${id})`,
    });
    const created = await h.api(SETS.connections, {
      method: "POST",
      json: {
        msdyn_name: "C",
        ...bind(byAttribute.get("msdyn_iomprovider") as Relationship, SETS.providers, provider),
        ...bind(
          byAttribute.get("msdyn_iomproviderdefinitionconnectionref") as Relationship,
          SETS.definitionConnections,
          await iom.finopsConnection(),
        ),
      },
    });
    expect(created.status, await created.clone().text()).toBe(204);
  });

  it("matches every published navigation name exactly in $expand and filter paths", async () => {
    const res = await h.api(
      "EntityDefinitions?$select=LogicalName,EntitySetName&$expand=ManyToOneRelationships($select=ReferencingEntityNavigationPropertyName,ReferencedEntity)",
    );
    const tables = (
      await body<{
        value: Array<{
          LogicalName: string;
          EntitySetName: string;
          ManyToOneRelationships: Array<
            Pick<Relationship, "ReferencingEntityNavigationPropertyName" | "ReferencedEntity">
          >;
        }>;
      }>(res)
    ).value;
    const served = new Set(tables.map((t) => t.LogicalName));
    let checked = 0;
    for (const table of tables)
      for (const r of table.ManyToOneRelationships) {
        if (!served.has(r.ReferencedEntity)) continue;
        const nav = r.ReferencingEntityNavigationPropertyName;
        expect((await h.api(`${table.EntitySetName}?$top=1&$expand=${nav}`)).status).toBe(200);
        if (nav !== nav.toLowerCase()) {
          const wrong = await h.api(`${table.EntitySetName}?$top=1&$expand=${nav.toLowerCase()}`);
          await expectError(
            wrong,
            400,
            "0x0",
            `Could not find a property named '${nav.toLowerCase()}'`,
            `use '${nav}'`,
          );
          checked++;
        }
      }
    // Every custom lookup (the IOM ones and the dual-write msdyn_ ones) is real-cased.
    expect(checked).toBeGreaterThanOrEqual(15);
    const demf = "msdyn_warehouses?$select=msdyn_name&$filter=msdyn_Company/cdm_companycode eq 'DEMF'";
    expect((await h.api(demf)).status).toBe(200);
    await expectError(
      await h.api(demf.replace("msdyn_Company", "msdyn_company")),
      400,
      "0x0",
      "use 'msdyn_Company'",
    );
  });
});

describe("delete cascades", () => {
  it.each([
    ["msdyn_iomprovider", "msdyn_iomproviderdefinition", "msdyn_IOMProviderDefinition", "Restrict"],
    ["msdyn_iomproviderconnectionreference", "msdyn_iomprovider", "msdyn_IOMProvider", "Cascade"],
    [
      "msdyn_iomproviderconnectionreference",
      "msdyn_iomproviderdefinitionconnectionref",
      "msdyn_IOMProviderDefinitionConnectionRef",
      "Restrict",
    ],
    ["msdyn_iomproviderparameter", "msdyn_iomprovider", "msdyn_IOMProvider", "Cascade"],
    [
      "msdyn_iomproviderparameter",
      "msdyn_iomproviderdefinitionparameter",
      "msdyn_IOMProviderDefinitionParameter",
      "RemoveLink",
    ],
    ["msdyn_iomrule", "msdyn_policy", "msdyn_Policy", "Cascade"],
    [
      "msdyn_iomproviderdefinitionlogicdefinition",
      "msdyn_iomproviderdefinition",
      "msdyn_IOMProviderDefinition",
      "Cascade",
    ],
    [
      "msdyn_iomproviderdefinitionparameter",
      "msdyn_iomproviderdefinition",
      "msdyn_IOMProviderDefinition",
      "Cascade",
    ],
    [
      "msdyn_iomproviderdefinitionconnectionref",
      "msdyn_iomproviderdefinition",
      "msdyn_IOMProviderDefinition",
      "Cascade",
    ],
    ["account", "msdyn_company", "msdyn_Company", "RemoveLink"],
  ])("publishes %s.%s as %s with Delete: %s", async (table, attribute, nav, cascade) => {
    const relationship = (await manyToOne(table)).find((r) => r.ReferencingAttribute === attribute);
    expect(relationship).toMatchObject({
      ReferencingEntityNavigationPropertyName: nav,
      CascadeConfiguration: { Delete: cascade, Assign: "NoCascade" },
    });
    const referenced = relationship?.ReferencedEntity as string;
    const reverse = await h.api(`EntityDefinitions(LogicalName='${referenced}')/OneToManyRelationships`);
    expect((await body<{ value: Relationship[] }>(reverse)).value).toContainEqual(relationship);
  });

  it("refuses to delete a provider definition providers are installed from, before changing anything", async () => {
    const provider = await iom.provider("Installed F&O");
    const sets = [SETS.definitions, SETS.definitionConnections, SETS.logicDefinitions, SETS.providers];
    const before = await Promise.all(sets.map(iom.count));
    await expectError(
      await iom.remove(SETS.definitions, FINOPS),
      400,
      "0x80040233",
      "The record cannot be deleted because it is associated with another record.",
      "Provider 'Installed F&O'",
    );
    expect(await Promise.all(sets.map(iom.count))).toEqual(before);
    // Uninstalled, the definition goes, and its own parts (Cascade) with it.
    expect((await iom.remove(SETS.providers, provider)).status).toBe(204);
    expect((await iom.remove(SETS.definitions, FINOPS)).status).toBe(204);
    expect(await iom.list(SETS.definitionConnections, `msdyn_displayname eq '${FINOPS_CONNECTION}'`)).toEqual(
      [],
    );
  });

  it("refuses to delete a catalog connection an installed provider's connection uses; deleting the provider takes its connections", async () => {
    const provider = await iom.provider();
    const connection = await iom.connection(provider);
    const definitionConnection = await iom.finopsConnection();
    await expectError(
      await iom.remove(SETS.definitionConnections, definitionConnection),
      400,
      "0x80040233",
      "Provider Connection Reference 'F&O connection'",
    );
    expect((await iom.read(SETS.connections, connection))._msdyn_iomprovider_value).toBe(provider);
    expect((await iom.remove(SETS.providers, provider)).status).toBe(204);
    expect((await h.api(`${SETS.connections}(${connection})`)).status).toBe(404);
    expect((await iom.remove(SETS.definitionConnections, definitionConnection)).status).toBe(204);
  });
});
