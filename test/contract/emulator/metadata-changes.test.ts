// RetrieveMetadataChanges over HTTP: one request for several tables' definitions, their columns
// (each with its own type's properties: option sets of Picklist, State, Status and Boolean columns
// alike) and relationships, shaped by an EntityQueryExpression as Microsoft's "Query schema
// definitions" article describes it; and what Dataverse refuses there, refused.
import { describe, expect, it } from "vitest";

import { body, useEmulator } from "./harness.js";

const h = useEmulator();
type Json = Record<string, unknown>;

const properties = (...names: string[]) => ({ AllProperties: false, PropertyNames: names });
const logicalName = (name: string) => ({
  ConditionOperator: "Equals",
  PropertyName: "LogicalName",
  Value: { Type: "System.String", Value: name },
});
const orTables = (...names: string[]) => ({ FilterOperator: "Or", Conditions: names.map(logicalName) });

function call(query: unknown, init?: RequestInit): Promise<Response> {
  const text = typeof query === "string" ? query : JSON.stringify(query);
  return h.api(`RetrieveMetadataChanges(Query=@p1)?@p1=${encodeURIComponent(text)}`, init);
}

async function entities(query: unknown): Promise<Json[]> {
  const res = await call(query);
  expect(res.status, await res.clone().text()).toBe(200);
  const json = await body<{ "@odata.context": string; EntityMetadata: Json[]; ServerVersionStamp: string }>(
    res,
  );
  expect(json["@odata.context"]).toMatch(
    /\$metadata#Microsoft\.Dynamics\.CRM\.RetrieveMetadataChangesResponse$/,
  );
  expect(json.ServerVersionStamp).toMatch(/^\d+!/);
  return json.EntityMetadata;
}

const attribute = (entity: Json | undefined, name: string): Json | undefined =>
  (entity?.Attributes as Json[] | undefined)?.find((a) => a.LogicalName === name);

async function refusal(query: unknown): Promise<string> {
  const res = await call(query);
  expect(res.status).toBe(400);
  return (await body<{ error: { message: string } }>(res)).error.message;
}

describe("RetrieveMetadataChanges", () => {
  it("answers the article's example: two tables, their columns valid for create", async () => {
    const found = await entities({
      Properties: properties("SchemaName", "Attributes"),
      Criteria: orTables("account", "salesorder"),
      AttributeQuery: {
        Properties: properties("LogicalName"),
        Criteria: {
          FilterOperator: "And",
          Conditions: [
            {
              ConditionOperator: "Equals",
              PropertyName: "IsValidForCreate",
              Value: { Type: "System.Boolean", Value: "True" },
            },
          ],
        },
      },
      LabelQuery: { FilterLanguages: [1033], MissingLabelBehavior: 0 },
    });
    expect(found.map((e) => e.LogicalName).sort()).toEqual(["account", "salesorder"]);
    const order = found.find((e) => e.LogicalName === "salesorder");
    expect(order).toMatchObject({ SchemaName: "salesorder", EntitySetName: null, HasChanged: null });
    expect(order?.MetadataId).toMatch(/^[0-9a-f-]{36}$/);
    const names = (order?.Attributes as Json[]).map((a) => a.LogicalName);
    expect(names).toContain("name");
    // System columns are not valid for create.
    expect(names).not.toContain("createdon");
    expect(attribute(order, "name")).toMatchObject({
      "@odata.type": "#Microsoft.Dynamics.CRM.ComplexStringAttributeMetadata",
      DisplayName: null,
    });
  });

  it("gives every choice column its option set in the same answer, whatever its type", async () => {
    const [order] = await entities({
      Criteria: orTables("salesorder"),
      Properties: properties("EntitySetName", "Attributes"),
      AttributeQuery: { Properties: properties("AttributeType", "OptionSet") },
    });
    expect(order?.EntitySetName).toBe("salesorders");
    const labels = (column: string) =>
      ((attribute(order, column)?.OptionSet as Json).Options as Json[]).map((o) => [
        o.Value,
        ((o.Label as Json).UserLocalizedLabel as Json).Label,
      ]);
    expect(attribute(order, "msdyn_ordertype")).toMatchObject({ AttributeType: "Picklist" });
    expect(labels("msdyn_ordertype")).toContainEqual([192350000, "Item based"]);
    expect(attribute(order, "statecode")).toMatchObject({ AttributeType: "State" });
    expect(labels("statecode")).toContainEqual([4, "Invoiced"]);
    expect(attribute(order, "statuscode")).toMatchObject({ AttributeType: "Status" });
    expect(labels("statuscode")).toContainEqual([100003, "Invoiced"]);
    const ready = attribute(order, "msdyn_isreadytosync")?.OptionSet as Json;
    expect(ready).toMatchObject({ TrueOption: { Value: 1 }, FalseOption: { Value: 0 } });
    // A column type without an option set has no such property.
    expect(attribute(order, "name")).not.toHaveProperty("OptionSet");
  });

  it("returns the lookups' relationships, shaped by the RelationshipQuery", async () => {
    const [line] = await entities({
      Criteria: orTables("salesorderdetail"),
      Properties: properties("ManyToOneRelationships"),
      RelationshipQuery: {
        Properties: properties(
          "ReferencingAttribute",
          "ReferencedEntity",
          "ReferencingEntityNavigationPropertyName",
        ),
      },
    });
    expect(line?.Attributes).toBeNull();
    const order = (line?.ManyToOneRelationships as Json[]).find(
      (r) => r.ReferencingAttribute === "salesorderid",
    );
    expect(order).toMatchObject({ ReferencedEntity: "salesorder", SchemaName: null });
    expect(order?.ReferencingEntityNavigationPropertyName).toEqual(expect.any(String));
  });

  it("leaves out tables the environment does not have, and returns every table without a query", async () => {
    expect(await entities({ Criteria: orTables("contoso_nosuchtable") })).toEqual([]);
    const all = await h.api("RetrieveMetadataChanges");
    expect(all.status).toBe(200);
    const names = (await body<{ EntityMetadata: Json[] }>(all)).EntityMetadata.map((e) => e.LogicalName);
    expect(names).toEqual(expect.arrayContaining(["salesorder", "msdyn_iompolicy", "account"]));
  });

  it("returns only the languages a LabelQuery asks for", async () => {
    const [order] = await entities({
      Criteria: orTables("salesorder"),
      Properties: properties("Attributes"),
      AttributeQuery: { Properties: properties("DisplayName") },
      LabelQuery: { FilterLanguages: [1036] },
    });
    expect(attribute(order, "name")?.DisplayName).toEqual({ LocalizedLabels: [], UserLocalizedLabel: null });
  });

  it("refuses what Microsoft's article says a query cannot do", async () => {
    // A sub-query without its collection among the Properties.
    expect(
      await refusal({
        Properties: properties("EntitySetName"),
        AttributeQuery: { Properties: properties("LogicalName") },
      }),
    ).toContain("Attributes must be one of the Properties");
    expect(
      await refusal({
        Properties: properties("Attributes"),
        RelationshipQuery: { Properties: properties("SchemaName") },
      }),
    ).toContain("ManyToOneRelationships");
    // Conditions on collections and labels, and on SourceType.
    const on = (name: string, value = "x") => ({
      Criteria: {
        Conditions: [
          { ConditionOperator: "Equals", PropertyName: name, Value: { Type: "System.String", Value: value } },
        ],
      },
    });
    expect(await refusal(on("Attributes"))).toContain("collection or a label");
    expect(await refusal(on("DisplayName"))).toContain("collection or a label");
    expect(
      await refusal({
        Properties: properties("Attributes"),
        AttributeQuery: { Criteria: on("SourceType", "0").Criteria },
      }),
    ).toContain("SourceType");
    // An operator that is not a MetadataConditionOperator, and a Type not in the article's table.
    expect(
      await refusal({
        Criteria: {
          Conditions: [
            {
              ConditionOperator: "Like",
              PropertyName: "LogicalName",
              Value: { Type: "System.String", Value: "a" },
            },
          ],
        },
      }),
    ).toContain("not a MetadataConditionOperator");
    expect(
      await refusal({
        Criteria: {
          Conditions: [
            {
              ConditionOperator: "Equals",
              PropertyName: "LogicalName",
              Value: { Type: "string", Value: "a" },
            },
          ],
        },
      }),
    ).toContain("documented Types");
  });

  it("refuses, naming the limit, what the emulator does not do", async () => {
    expect(
      await refusal({
        Criteria: {
          Conditions: [
            {
              ConditionOperator: "In",
              PropertyName: "LogicalName",
              Value: { Type: "System.String[]", Value: "[]" },
            },
          ],
        },
      }),
    ).toContain("does not support the In operator");
    expect(await refusal({ Properties: properties("IsAuditEnabled") })).toContain(
      "Could not find a property named 'IsAuditEnabled'",
    );
    expect(await refusal({ Criteria: orTables("a"), Extra: 1 })).toContain("'Extra'");
    const stamp = await h.api("RetrieveMetadataChanges(Query=@p1,ClientVersionStamp=@p2)?@p1={}&@p2='1'");
    expect(stamp.status).toBe(400);
    expect((await body<{ error: { message: string } }>(stamp)).error.message).toContain(
      "does not track metadata changes",
    );
  });

  it("is a function: GET only, its parameters named, its query JSON", async () => {
    expect((await call({}, { method: "POST" })).status).toBe(405);
    expect((await h.api("RetrieveMetadataChanges(Nope=1)")).status).toBe(400);
    expect((await h.api("RetrieveMetadataChanges(Query=@p1)")).status).toBe(400);
    expect(await refusal("{not json")).toContain("not a JSON EntityQueryExpression");
    // Query options other than the parameters' aliases are not the function's.
    expect((await h.api("RetrieveMetadataChanges(Query=@p1)?@p1={}&$top=1")).status).toBe(400);
  });
});
