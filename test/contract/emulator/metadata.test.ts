// EntityDefinitions and WhoAmI: every served table publishes its set name, ids, attributes with
// types, lookups and option sets with the labels IOM's UI shows; WhoAmI names the organization.
import { describe, expect, it } from "vitest";

import { startEmulator } from "../../../src/emulator/index.js";
import { seedIds } from "../../../src/emulator/seed.js";
import { tables } from "../../../src/iom/tables/index.js";
import { body, useEmulator } from "./harness.js";

const h = useEmulator();
type Option = { Value: number; Label: { UserLocalizedLabel: { Label: string } } };

async function options(
  table: string,
  column: string,
  cast = "PicklistAttributeMetadata",
): Promise<Array<[number, string]>> {
  const res = await h.api(
    `EntityDefinitions(LogicalName='${table}')/Attributes(LogicalName='${column}')/Microsoft.Dynamics.CRM.${cast}?$select=LogicalName&$expand=OptionSet`,
  );
  expect(res.status, await res.clone().text()).toBe(200);
  const json = await body<{ LogicalName: string; OptionSet: { Options: Option[] } }>(res);
  expect(json.LogicalName).toBe(column);
  return json.OptionSet.Options.map((o) => [o.Value, o.Label.UserLocalizedLabel.Label]);
}

describe("EntityDefinitions", () => {
  it("publishes every served table, each reachable through its entity set", async () => {
    for (const table of tables) {
      const res = await h.api(
        `EntityDefinitions(LogicalName='${table.logicalName}')?$select=EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute`,
      );
      expect(res.status).toBe(200);
      const json = await body<{ EntitySetName: string; MetadataId: string; Attributes?: unknown }>(res);
      expect(json.MetadataId).toMatch(/^[0-9a-f-]{36}$/);
      expect(json.Attributes).toBeUndefined();
      // The published set name is a collection the service answers: read from the answer, not
      // from the definition the emulator was built from.
      expect((await h.api(`${json.EntitySetName}?$top=1`)).status, json.EntitySetName).toBe(200);
    }
  });

  it.each([
    ["account", "accounts", "accountid", "name"],
    ["salesorder", "salesorders", "salesorderid", "name"],
    [
      "connectionreference",
      "connectionreferences",
      "connectionreferenceid",
      "connectionreferencedisplayname",
    ],
  ])("publishes %s with Dataverse's documented names", async (logicalName, set, id, primaryName) => {
    const res = await h.api(
      `EntityDefinitions(LogicalName='${logicalName}')?$select=EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute`,
    );
    expect(await body(res)).toMatchObject({
      EntitySetName: set,
      PrimaryIdAttribute: id,
      PrimaryNameAttribute: primaryName,
    });
  });

  it("finds a table with $filter=LogicalName eq 'x'", async () => {
    const res = await h.api(
      "EntityDefinitions?$filter=LogicalName eq 'salesorder'&$select=LogicalName,EntitySetName",
    );
    const json = await body<{ value: Array<Record<string, unknown>> }>(res);
    expect(json.value).toHaveLength(1);
    expect(json.value[0]).toMatchObject({ LogicalName: "salesorder", EntitySetName: "salesorders" });
  });

  it("lists attributes with their types and lookup targets", async () => {
    const res = await h.api(
      "EntityDefinitions(LogicalName='salesorderdetail')/Attributes?$select=LogicalName,AttributeType",
    );
    expect(res.status).toBe(200);
    const json = await body<{
      value: Array<{ LogicalName: string; AttributeType: string; Targets?: string[] }>;
    }>(res);
    const lookups = await body<{ value: Array<{ LogicalName: string; Targets: string[] }> }>(
      await h.api(
        "EntityDefinitions(LogicalName='salesorderdetail')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets",
      ),
    );
    const targets = new Map(lookups.value.map((a) => [a.LogicalName, a.Targets]));
    const byName = new Map(
      json.value.map((a) => [a.LogicalName, { ...a, Targets: targets.get(a.LogicalName) }]),
    );
    // Targets is a property of lookups only: asking every attribute for it is an error, as in Dataverse.
    expect(
      (await h.api("EntityDefinitions(LogicalName='salesorderdetail')/Attributes?$select=Targets")).status,
    ).toBe(400);
    // Every column the Finance + Operations article's filters use.
    expect(byName.get("msdyn_company")).toMatchObject({ AttributeType: "Lookup", Targets: ["cdm_company"] });
    expect(byName.get("msdyn_shippingsite")).toMatchObject({
      AttributeType: "Lookup",
      Targets: ["msdyn_operationalsite"],
    });
    expect(byName.get("msdyn_shippingwarehouse")).toMatchObject({
      AttributeType: "Lookup",
      Targets: ["msdyn_warehouse"],
    });
    expect(byName.get("msdyn_isreadytosync")?.AttributeType).toBe("Boolean");
    expect(byName.get("msdyn_statuscode")?.AttributeType).toBe("Picklist");
    const order = await body<{ value: Array<{ LogicalName: string }> }>(
      await h.api("EntityDefinitions(LogicalName='salesorder')/Attributes?$select=LogicalName"),
    );
    for (const column of ["msdyn_ordertype", "msdyn_company", "msdyn_isreadytosync", "statuscode"])
      expect(order.value.map((a) => a.LogicalName)).toContain(column);
    const one = await h.api(
      "EntityDefinitions(LogicalName='msdyn_iomrule')/Attributes(LogicalName='msdyn_policy')",
    );
    expect(await body(one)).toMatchObject({
      "@odata.type": "#Microsoft.Dynamics.CRM.LookupAttributeMetadata",
      Targets: ["msdyn_iompolicy"],
    });
  });

  // Expected values are written out from Microsoft's documentation (domain.md), not read from
  // src/iom/inferred.ts: the emulator is built from that module, so comparing the two would pass
  // whatever either said. Where only the labels are documented, only the labels are checked.
  it("publishes IOM's choices with the labels the UI shows", async () => {
    const labels = async (table: string, column: string, cast?: string): Promise<string[]> =>
      (await options(table, column, cast)).map(([, label]) => label);
    expect(await labels("msdyn_iompolicy", "msdyn_policytype")).toEqual([
      "Filter Policy",
      "Execution Policy",
    ]);
    expect(await labels("msdyn_iompolicy", "msdyn_criticality")).toEqual(["Information", "Critical"]);
    expect(await labels("msdyn_iompolicy", "msdyn_associatedentity")).toEqual([
      "Order",
      "Order product",
      "Fulfillment order",
      "Fulfillment order product",
    ]);
    expect(await labels("msdyn_iompolicy", "msdyn_publishstatus")).toEqual(["Unpublished", "Published"]);
    expect(await labels("msdyn_iomdesigner", "msdyn_publishstatus")).toEqual(["Unpublished", "Published"]);
    expect(await labels("msdyn_iomprovider", "msdyn_providerstatus")).toEqual(["Installed", "Activated"]);
    expect(await labels("msdyn_iomproviderconnectionreference", "msdyn_connectionstatus")).toEqual([
      "Inactive",
      "Active",
    ]);
    // Logic types are documented with their values (create-new-provider.md).
    expect(await options("msdyn_iomproviderdefinitionlogicdefinition", "msdyn_logictype")).toEqual([
      [192350000, "Provider message handler"],
      [192350001, "Provider action"],
      [192350002, "Child flow"],
      [192350003, "Provider message puller"],
    ]);
    expect(await options("connectionreference", "statecode", "StateAttributeMetadata")).toEqual([
      [0, "Active"],
      [1, "Inactive"],
    ]);
  });

  it("publishes the definitions it is given, not a list of its own", async () => {
    const custom = await startEmulator({
      tables: [
        {
          logicalName: "contoso_widget",
          displayName: "Widget",
          entitySetName: "contoso_widgetset",
          primaryIdAttribute: "contoso_widgetid",
          primaryNameAttribute: "contoso_label",
          attributes: [
            { logicalName: "contoso_widgetid", displayName: "Widget", type: "Uniqueidentifier" },
            { logicalName: "contoso_label", displayName: "Label", type: "String", maxLength: 100 },
            {
              logicalName: "contoso_size",
              displayName: "Size",
              type: "Picklist",
              options: [
                { value: 7, label: "Small" },
                { value: 9, label: "Large" },
              ],
            },
          ],
        },
      ],
    });
    try {
      const get = (p: string) =>
        fetch(`${custom.apiUrl}${p}`, { headers: { Authorization: `Bearer ${custom.token}` } });
      expect(
        await body(
          await get(
            "EntityDefinitions(LogicalName='contoso_widget')?$select=EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute",
          ),
        ),
      ).toMatchObject({
        EntitySetName: "contoso_widgetset",
        PrimaryIdAttribute: "contoso_widgetid",
        PrimaryNameAttribute: "contoso_label",
      });
      const size = await body<{ OptionSet: { Options: Option[] } }>(
        await get(
          "EntityDefinitions(LogicalName='contoso_widget')/Attributes(LogicalName='contoso_size')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet",
        ),
      );
      expect(size.OptionSet.Options.map((o) => [o.Value, o.Label.UserLocalizedLabel.Label])).toEqual([
        [7, "Small"],
        [9, "Large"],
      ]);
      expect((await get("contoso_widgetset?$select=contoso_label")).status).toBe(200);
      expect((await get("EntityDefinitions(LogicalName='salesorder')")).status).toBe(404);
    } finally {
      await custom.close();
    }
  });

  it("publishes status reasons with their state, and booleans with their two options", async () => {
    const status = await h.api(
      "EntityDefinitions(LogicalName='msdyn_iompolicy')/Attributes(LogicalName='statuscode')/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet",
    );
    const statusJson = await body<{ OptionSet: { Options: Array<{ Value: number; State: number }> } }>(
      status,
    );
    expect(statusJson.OptionSet.Options.map((o) => [o.Value, o.State])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    const bool = await h.api(
      "EntityDefinitions(LogicalName='salesorder')/Attributes(LogicalName='msdyn_isreadytosync')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$select=LogicalName&$expand=OptionSet",
    );
    const boolJson = await body<{ OptionSet: { TrueOption: Option; FalseOption: Option } }>(bool);
    expect(boolJson.OptionSet.TrueOption.Label.UserLocalizedLabel.Label).toBe("Yes");
    expect(boolJson.OptionSet.FalseOption.Value).toBe(0);
  });

  it("lists picklists of a table through a type cast on Attributes, and publishes keys and relationships", async () => {
    const res = await h.api(
      "EntityDefinitions(LogicalName='msdyn_iompolicy')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
    );
    const json = await body<{ value: Array<{ LogicalName: string }> }>(res);
    expect(json.value.map((a) => a.LogicalName).sort()).toEqual(
      [
        "msdyn_associatedentity",
        "msdyn_criticality",
        "msdyn_policytype",
        "msdyn_policyversionstate",
        "msdyn_publishstatus",
      ].sort(),
    );
    const keys = await body<{ Keys: Array<{ KeyAttributes: string[] }> }>(
      await h.api("EntityDefinitions(LogicalName='msdyn_operationalsite')?$select=LogicalName&$expand=Keys"),
    );
    expect(keys.Keys[0]?.KeyAttributes).toEqual(["msdyn_siteid", "msdyn_company"]);
    const rel = await body<{ value: Array<{ ReferencingEntity: string; SchemaName: string }> }>(
      await h.api("EntityDefinitions(LogicalName='msdyn_iompolicy')/OneToManyRelationships"),
    );
    expect(rel.value).toContainEqual(
      expect.objectContaining({
        ReferencingEntity: "msdyn_iomrule",
        SchemaName: "msdyn_iompolicy_msdyn_iomrule_msdyn_policy",
      }),
    );
  });

  it("answers 404 for unknown tables, attributes and wrong casts, and 400 for unknown properties", async () => {
    expect((await h.api("EntityDefinitions(LogicalName='nope')")).status).toBe(404);
    expect(
      (await h.api("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='nope')")).status,
    ).toBe(404);
    expect(
      (
        await h.api(
          "EntityDefinitions(LogicalName='account')/Attributes(LogicalName='name')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        )
      ).status,
    ).toBe(404);
    const bad = await h.api("EntityDefinitions(LogicalName='account')?$select=Nope");
    expect(bad.status).toBe(400);
    expect((await body<{ error: { code: string } }>(bad)).error.code).toBe("0x0");
  });
});

describe("WhoAmI", () => {
  it("answers GET with the user, business unit and organization", async () => {
    const res = await h.api("WhoAmI");
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({
      "@odata.context": `${h.emulator.apiUrl}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: seedIds.businessUnit,
      UserId: seedIds.user,
      OrganizationId: seedIds.organization,
    });
    expect((await h.api("WhoAmI", { method: "POST" })).status).toBe(404);
  });

  it("answers the organization id an emulator is started with, so that two emulators are two environments", async () => {
    const other = await startEmulator({ organizationId: "AAAAAAAA-0000-4000-8000-00000000000A" });
    try {
      const res = await fetch(`${other.apiUrl}WhoAmI`, {
        headers: { Authorization: `Bearer ${other.token}` },
      });
      const theirs = (await body<{ OrganizationId: string }>(res)).OrganizationId;
      const ours = (await body<{ OrganizationId: string }>(await h.api("WhoAmI"))).OrganizationId;
      expect(theirs).toBe("aaaaaaaa-0000-4000-8000-00000000000a");
      expect(ours).toBe(seedIds.organization);
    } finally {
      await other.close();
    }
    await expect(startEmulator({ organizationId: "contoso" })).rejects.toThrow(
      "organizationId must be a GUID, not 'contoso'",
    );
  });
});
