import { beforeEach, describe, expect, it } from "vitest";
import { UnknownLookupError, UnknownOptionError } from "../../../src/dataverse/errors.js";
import { Metadata, clearMetadataCache } from "../../../src/dataverse/metadata.js";

const label = (text: string) => ({
  LocalizedLabels: [{ Label: text, LanguageCode: 1033 }],
  UserLocalizedLabel: { Label: text, LanguageCode: 1033 },
});

const relationship = (attribute: string, target: string, nav: string) => ({
  ReferencingAttribute: attribute,
  ReferencedEntity: target,
  ReferencingEntityNavigationPropertyName: nav,
});

const bare = (logicalName: string, entitySetName: string) => ({
  LogicalName: logicalName,
  EntitySetName: entitySetName,
  PrimaryIdAttribute: `${logicalName}id`,
  PrimaryNameAttribute: null,
  Attributes: [],
  ManyToOneRelationships: [],
});

/** The tables of the environment, as RetrieveMetadataChanges returns them. */
const TABLES: Record<string, Record<string, unknown>> = {
  msdyn_iomprovider: {
    ...bare("msdyn_iomprovider", "msdyn_iomproviders"),
    // Navigation properties carry the schema name's case, which the lookup's logical name does not.
    ManyToOneRelationships: [
      relationship("msdyn_providerdefinition", "msdyn_iomproviderdefinition", "msdyn_ProviderDefinition"),
      relationship("ownerid", "systemuser", "ownerid_systemuser"),
      relationship("ownerid", "team", "ownerid_team"),
    ],
  },
  msdyn_nolookups: bare("msdyn_nolookups", "msdyn_nolookupses"),
  msdyn_broken: {
    ...bare("msdyn_broken", "msdyn_brokens"),
    ManyToOneRelationships: [{ ReferencingAttribute: "msdyn_x", ReferencedEntity: "account" }],
  },
  msdyn_iomproviderdefinition: bare("msdyn_iomproviderdefinition", "msdyn_iomproviderdefinitions"),
  systemuser: bare("systemuser", "systemusers"),
  team: bare("team", "teams"),
  msdyn_iompolicy: {
    LogicalName: "msdyn_iompolicy",
    EntitySetName: "msdyn_iompolicies",
    PrimaryIdAttribute: "msdyn_iompolicyid",
    PrimaryNameAttribute: "msdyn_name",
    ManyToOneRelationships: [],
    Attributes: [
      {
        LogicalName: "msdyn_name",
        AttributeType: "String",
        DisplayName: {
          UserLocalizedLabel: { Label: "Name" },
          LocalizedLabels: [{ Label: "Name", LanguageCode: 1033 }],
        },
      },
      {
        LogicalName: "msdyn_policytype",
        AttributeType: "Picklist",
        OptionSet: {
          Options: [
            { Value: 192350000, Label: label("Filter") },
            { Value: 192350001, Label: label("Execution") },
          ],
        },
      },
      {
        LogicalName: "msdyn_ispublished",
        AttributeType: "Boolean",
        OptionSet: {
          TrueOption: { Value: 1, Label: label("Published") },
          FalseOption: { Value: 0, Label: label("Unpublished") },
        },
      },
      {
        LogicalName: "msdyn_dup",
        AttributeType: "Picklist",
        OptionSet: {
          Options: [
            { Value: 1, Label: label("Open") },
            { Value: 2, Label: label("open") },
          ],
        },
      },
      { LogicalName: "msdyn_nooptions", AttributeType: "Picklist", OptionSet: null },
      {
        LogicalName: "msdyn_channels",
        AttributeType: "Virtual",
        AttributeTypeName: { Value: "MultiSelectPicklistType" },
      },
      { LogicalName: "msdyn_image", AttributeType: "Virtual", AttributeTypeName: { Value: "ImageType" } },
    ],
  },
};

/** The tables one RetrieveMetadataChanges request names, from its query (an Or of LogicalName conditions). */
function askedTables(path: string): string[] {
  const m = /^RetrieveMetadataChanges\(Query=@q\)\?@q=(.*)$/.exec(path);
  if (!m) throw new Error(`unexpected metadata request: ${path}`);
  const query = JSON.parse(decodeURIComponent(m[1] as string)) as {
    Criteria: {
      FilterOperator: string;
      Conditions: Array<{ PropertyName: string; Value: { Value: string } }>;
    };
  };
  expect(query.Criteria.FilterOperator).toBe("Or");
  return query.Criteria.Conditions.map((c) => {
    expect(c.PropertyName).toBe("LogicalName");
    return c.Value.Value;
  });
}

function transport() {
  const calls: string[][] = [];
  return {
    calls,
    environmentUrl: "https://contoso.crm.dynamics.com",
    getJson: async (path: string) => {
      const tables = askedTables(path);
      calls.push(tables);
      return { EntityMetadata: tables.flatMap((t) => (TABLES[t] ? [TABLES[t]] : [])) };
    },
  };
}

beforeEach(() => clearMetadataCache());

describe("Metadata", () => {
  it("reads entity names once per process", async () => {
    const t = transport();
    const first = new Metadata(t);
    expect(await first.entity("msdyn_iompolicy")).toEqual({
      logicalName: "msdyn_iompolicy",
      entitySetName: "msdyn_iompolicies",
      primaryIdAttribute: "msdyn_iompolicyid",
      primaryNameAttribute: "msdyn_name",
    });
    expect(await new Metadata(t).entitySetName("msdyn_iompolicy")).toBe("msdyn_iompolicies");
    expect(t.calls).toEqual([["msdyn_iompolicy"]]);
  });

  it("asks for the tables wanted in the same turn in one request, each table once", async () => {
    const t = transport();
    const m = new Metadata(t);
    const [policy, , provider] = await Promise.all([
      m.entity("msdyn_iompolicy"),
      m.optionValue("msdyn_iompolicy", "msdyn_policytype", "Filter"),
      m.lookups("msdyn_iomprovider"),
      m.prefetch(["msdyn_iompolicy", "team", "team"]),
    ]);
    expect(policy.entitySetName).toBe("msdyn_iompolicies");
    expect(provider).toHaveLength(3);
    expect(t.calls).toEqual([["msdyn_iompolicy", "msdyn_iomprovider", "team"]]);
    // Later reads, of any part of those tables, are answered from the cache.
    await m.attributes("msdyn_iompolicy");
    await m.entity("team");
    expect(t.calls).toHaveLength(1);
    await m.entity("systemuser");
    expect(t.calls).toEqual([["msdyn_iompolicy", "msdyn_iomprovider", "team"], ["systemuser"]]);
  });

  it("sends a prefetch at once, with the tables already waiting, not at the end of the turn", async () => {
    const t = transport();
    const m = new Metadata(t);
    const waiting = m.entity("team");
    const prefetched = m.prefetch(["msdyn_iompolicy"]);
    // Sent before anything else the caller does next (the plugin's WhoAmI), busy event loop or not.
    expect(t.calls).toEqual([["team", "msdyn_iompolicy"]]);
    await Promise.all([waiting, prefetched]);
    const later = m.entity("systemuser");
    expect(t.calls).toHaveLength(1);
    await later;
    expect(t.calls).toHaveLength(2);
  });

  it("splits a long list of tables into requests of 40", async () => {
    const t = transport();
    const names = Array.from({ length: 85 }, (_, i) => `contoso_t${i}`);
    await new Metadata(t).prefetch(names);
    expect(t.calls.map((c) => c.length)).toEqual([40, 40, 5]);
  });

  it("reports a table the environment does not have as not found, for every part of it", async () => {
    const m = new Metadata(transport());
    expect(await m.table("msdyn_nosuchtable")).toBeUndefined();
    await expect(m.entity("msdyn_nosuchtable")).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("the environment has no table msdyn_nosuchtable"),
    });
    await expect(m.attributes("msdyn_nosuchtable")).rejects.toMatchObject({ code: "not-found" });
    await expect(m.lookups("msdyn_nosuchtable")).rejects.toMatchObject({ code: "not-found" });
  });

  it("refuses a table name that is not an identifier before sending anything", async () => {
    const t = transport();
    await expect(new Metadata(t).entity("x') or (1")).rejects.toThrow(/not an OData identifier/);
    expect(t.calls).toEqual([]);
  });

  it("resolves labels to values and back, picklists and booleans alike", async () => {
    const m = new Metadata(transport());
    expect(await m.optionValue("msdyn_iompolicy", "msdyn_policytype", "Execution")).toBe(192350001);
    expect(await m.optionValue("msdyn_iompolicy", "msdyn_policytype", "  execution ")).toBe(192350001);
    expect(await m.optionLabel("msdyn_iompolicy", "msdyn_policytype", 192350000)).toBe("Filter");
    expect(await m.optionValue("msdyn_iompolicy", "msdyn_ispublished", "Published")).toBe(1);
    expect(await m.options("msdyn_iompolicy", "msdyn_ispublished")).toEqual([
      { value: 0, label: "Unpublished" },
      { value: 1, label: "Published" },
    ]);
  });

  it("names the known labels when a label is unknown", async () => {
    const m = new Metadata(transport());
    const error = await m
      .optionValue("msdyn_iompolicy", "msdyn_policytype", "Executoin")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect((error as Error).message).toContain('"Filter" (192350000), "Execution" (192350001)');
    await expect(m.optionLabel("msdyn_iompolicy", "msdyn_policytype", 7)).rejects.toThrow(
      /no option with value 7/,
    );
  });

  it("prefers an exact label and refuses an ambiguous loose one", async () => {
    const m = new Metadata(transport());
    expect(await m.optionValue("msdyn_iompolicy", "msdyn_dup", "open")).toBe(2);
    await expect(m.optionValue("msdyn_iompolicy", "msdyn_dup", "OPEN")).rejects.toThrow(/several options/);
  });

  it("refuses columns that are not choices or do not exist", async () => {
    const m = new Metadata(transport());
    await expect(m.options("msdyn_iompolicy", "msdyn_name")).rejects.toThrow(/String column, not a choice/);
    await expect(m.options("msdyn_iompolicy", "msdyn_nope")).rejects.toThrow(/has no column msdyn_nope/);
  });

  it("reports a choice column without its option set as a malformed response", async () => {
    await expect(
      new Metadata(transport()).options("msdyn_iompolicy", "msdyn_nooptions"),
    ).rejects.toMatchObject({
      code: "unexpected",
      message: expect.stringContaining("msdyn_iompolicy.msdyn_nooptions"),
    });
  });

  it("reads each attribute's type and display label, when it has one", async () => {
    const m = new Metadata(transport());
    expect(await m.attribute("msdyn_iompolicy", "msdyn_name")).toEqual({
      logicalName: "msdyn_name",
      attributeType: "String",
      displayName: "Name",
    });
    expect((await m.attribute("msdyn_iompolicy", "msdyn_policytype"))?.displayName).toBeUndefined();
  });

  it("names a multi-select choice (a Virtual attribute of type MultiSelectPicklistType) MultiSelectPicklist", async () => {
    const m = new Metadata(transport());
    expect((await m.attribute("msdyn_iompolicy", "msdyn_channels"))?.attributeType).toBe(
      "MultiSelectPicklist",
    );
    expect((await m.attribute("msdyn_iompolicy", "msdyn_image"))?.attributeType).toBe("Virtual");
  });

  it("does not remember a failure", async () => {
    let fail = true;
    const t = transport();
    const flaky = {
      ...t,
      getJson: async (path: string) => {
        if (fail) throw new Error("boom");
        return t.getJson(path);
      },
    };
    const m = new Metadata(flaky);
    await expect(m.entity("msdyn_iompolicy")).rejects.toThrow("boom");
    fail = false;
    expect((await m.entity("msdyn_iompolicy")).entitySetName).toBe("msdyn_iompolicies");
  });
});

describe("Metadata lookups", () => {
  const providerLookups = ["msdyn_iomprovider"];

  it("reads a lookup's navigation property, with its case, once per table", async () => {
    const t = transport();
    const m = new Metadata(t);
    expect(await m.navigationProperty("msdyn_iomprovider", "msdyn_providerdefinition")).toBe(
      "msdyn_ProviderDefinition",
    );
    expect(
      await new Metadata(t).navigationProperty(
        "msdyn_iomprovider",
        "msdyn_providerdefinition",
        "msdyn_iomproviderdefinition",
      ),
    ).toBe("msdyn_ProviderDefinition");
    expect(await m.navigationProperty("msdyn_iomprovider", "ownerid", "team")).toBe("ownerid_team");
    expect(t.calls).toEqual([providerLookups]);
  });

  it("chooses a polymorphic lookup's navigation property by target, and refuses to guess", async () => {
    const m = new Metadata(transport());
    expect(await m.navigationProperty("msdyn_iomprovider", "ownerid", "systemuser")).toBe(
      "ownerid_systemuser",
    );
    const error = await m.navigationProperty("msdyn_iomprovider", "ownerid").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownLookupError);
    expect((error as Error).message).toContain(
      "msdyn_iomprovider.ownerid points to several tables (systemuser, team)",
    );
  });

  it("names the table and lists its lookups when the lookup is unknown", async () => {
    const m = new Metadata(transport());
    const error = await m
      .navigationProperty("msdyn_iomprovider", "msdyn_definition")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownLookupError);
    expect(error).toMatchObject({ code: "unknown-lookup" });
    expect((error as Error).message).toContain(
      "msdyn_iomprovider has no lookup msdyn_definition; its lookups are " +
        "msdyn_providerdefinition (to msdyn_iomproviderdefinition), ownerid (to systemuser, team)",
    );
    await expect(m.navigationProperty("msdyn_nolookups", "msdyn_x")).rejects.toThrow(/it has no lookups/);
  });

  it("refuses a target the lookup does not point to", async () => {
    const m = new Metadata(transport());
    await expect(
      m.navigationProperty("msdyn_iomprovider", "msdyn_providerdefinition", "msdyn_iomprovider"),
    ).rejects.toThrow(/points to msdyn_iomproviderdefinition, not msdyn_iomprovider/);
  });

  it("reports a relationship without a navigation property as a malformed response", async () => {
    await expect(new Metadata(transport()).lookups("msdyn_broken")).rejects.toMatchObject({
      code: "unexpected",
      message: expect.stringContaining("no ReferencingEntityNavigationPropertyName"),
    });
  });

  it("builds bind values from the navigation property and the target's entity set", async () => {
    const t = transport();
    const m = new Metadata(t);
    const id = "6F9619FF-8B86-D011-B42D-00C04FC964FF";
    expect(
      await m.bindValue("msdyn_iomprovider", "msdyn_providerdefinition", "msdyn_iomproviderdefinitions", id),
    ).toEqual({
      "msdyn_ProviderDefinition@odata.bind": `/msdyn_iomproviderdefinitions(${id.toLowerCase()})`,
    });
    expect(await m.bindValue("msdyn_iomprovider", "ownerid", "teams", id)).toEqual({
      "ownerid_team@odata.bind": `/teams(${id.toLowerCase()})`,
    });
    expect(await m.bindValue("msdyn_iomprovider", "ownerid", "systemusers", null)).toEqual({
      "ownerid_systemuser@odata.bind": null,
    });
    // The lookup's table, then its targets' entity sets, asked for together.
    expect(t.calls).toEqual([providerLookups, ["msdyn_iomproviderdefinition"], ["systemuser", "team"]]);
  });

  it("refuses to bind to an entity set the lookup does not point to, or to a non-GUID id", async () => {
    const m = new Metadata(transport());
    await expect(
      m.bindValue(
        "msdyn_iomprovider",
        "msdyn_providerdefinition",
        "accounts",
        "6f9619ff-8b86-d011-b42d-00c04fc964ff",
      ),
    ).rejects.toThrow(
      /points to msdyn_iomproviderdefinition \(msdyn_iomproviderdefinitions\), not to the entity set accounts/,
    );
    await expect(
      m.bindValue("msdyn_iomprovider", "msdyn_providerdefinition", "msdyn_iomproviderdefinitions", "x'y"),
    ).rejects.toThrow(/not a GUID/);
  });
});
