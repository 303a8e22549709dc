// Metadata and option labels read from the emulator (RetrieveMetadataChanges), cached per process.
import { describe, expect, it } from "vitest";
import { UnknownLookupError, UnknownOptionError } from "../../../src/dataverse/errors.js";
import { eq } from "../../../src/dataverse/odata.js";
import { FINOPS_DEFINITION } from "../../../src/iom/catalog.js";
import { columns, policyType } from "../../../src/iom/facts.js";
import { msdyn_iomprovider } from "../../../src/iom/tables/msdyn_iomprovider.js";
import { msdyn_iomproviderdefinition } from "../../../src/iom/tables/msdyn_iomproviderdefinition.js";
import { alteringFetch, attributeOf, editTable, type Json } from "./altering-fetch.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();

// The emulator serves the registry's own table definitions, so comparing what the client reads
// with src/iom/tables or src/iom/facts.ts would pass whether the client read anything or not.
// These tests alter the answers on their way to the client (a tenant whose names and values
// differ), or compare with values Dataverse documents, so that only a real read can pass.
describe("metadata", () => {
  it("reads entity set and key names from the table definitions, as the environment serves them", async () => {
    const { dv } = h.client(
      {},
      {
        fetch: alteringFetch([
          editTable("msdyn_iompolicy", (entity) =>
            Object.assign(entity, {
              EntitySetName: "contoso_policyset",
              PrimaryIdAttribute: "contoso_policykey",
              PrimaryNameAttribute: "contoso_title",
            }),
          ),
        ]),
      },
    );
    expect(await dv.metadata.entity("msdyn_iompolicy")).toEqual({
      logicalName: "msdyn_iompolicy",
      entitySetName: "contoso_policyset",
      primaryIdAttribute: "contoso_policykey",
      primaryNameAttribute: "contoso_title",
    });
  });

  it("resolves option labels to the values the environment serves, and back", async () => {
    const column = columns.policy.policyType;
    const { dv } = h.client(
      {},
      {
        fetch: alteringFetch([
          editTable("msdyn_iompolicy", (entity) => {
            const options = (attributeOf(entity, column)?.OptionSet as Json).Options as Json[];
            for (const option of options) option.Value = 900_000 + Number(option.Value) - 192_350_000;
          }),
        ]),
      },
    );
    expect(await dv.metadata.optionValue("msdyn_iompolicy", column, "Execution Policy")).toBe(900_001);
    expect(await dv.metadata.optionLabel("msdyn_iompolicy", column, 900_000)).toBe("Filter Policy");
  });

  it("reads Dataverse's documented choices of the sales order table", async () => {
    const { dv } = h.client();
    expect(await dv.metadata.optionValue("salesorder", "msdyn_ordertype", "item based")).toBe(192350000);
    expect(await dv.metadata.options("salesorder", "statecode")).toEqual([
      { value: 0, label: "Active" },
      { value: 1, label: "Submitted" },
      { value: 2, label: "Canceled" },
      { value: 3, label: "Fulfilled" },
      { value: 4, label: "Invoiced" },
    ]);
    expect(await dv.metadata.optionValue("salesorder", "msdyn_isreadytosync", "Yes")).toBe(1);
  });

  it("names the valid labels when a label is wrong", async () => {
    const { dv } = h.client();
    const error = await dv.metadata
      .optionValue("msdyn_iompolicy", columns.policy.policyType, "Exec")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect((error as Error).message).toContain('"Filter Policy"');
    expect((error as Error).message).toContain('"Execution Policy"');
  });

  it("asks the environment once per table and column, across clients", async () => {
    const column = columns.policy.policyType;
    for (let i = 0; i < 3; i++) {
      const { dv } = h.client();
      await dv.metadata.entity("msdyn_iompolicy");
      await dv.metadata.optionValue("msdyn_iompolicy", column, "Filter Policy");
      await dv.metadata.optionLabel("msdyn_iompolicy", column, policyType.execution.value);
    }
    // The table whole (definition, columns, option sets), once.
    expect((await h.counters()).total).toBe(1);
  });

  it("reports a table that does not exist as not found", async () => {
    const { dv } = h.client();
    expect(await dv.metadata.table("msdyn_nosuchtable")).toBeUndefined();
    await expect(dv.metadata.entity("msdyn_nosuchtable")).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("the environment has no table msdyn_nosuchtable"),
    });
  });
});

describe("lookups", () => {
  const provider = msdyn_iomprovider.logicalName;
  const definition = msdyn_iomproviderdefinition.logicalName;
  const lookup = columns.provider.definition;

  it("binds a lookup through the navigation property the environment publishes", async () => {
    const { dv } = h.client();
    const definitions = await dv.metadata.entitySetName(definition);
    const [row] = await dv.list(definitions, {
      select: [msdyn_iomproviderdefinition.primaryIdAttribute],
      filter: eq(msdyn_iomproviderdefinition.primaryNameAttribute, FINOPS_DEFINITION),
    });
    const definitionId = String(row?.[msdyn_iomproviderdefinition.primaryIdAttribute]);
    const bind = await dv.metadata.bindValue(provider, lookup, definitions, definitionId);
    const nav = await dv.metadata.navigationProperty(provider, lookup, definition);
    expect(Object.keys(bind)).toEqual([`${nav}@odata.bind`]);

    // The emulator matches <nav>@odata.bind exactly: only the published name links the rows.
    const providers = await dv.metadata.entitySetName(provider);
    const { id } = await dv.create(providers, { msdyn_name: "F&O", ...bind });
    const created = await dv.retrieve(providers, id, { select: [`_${lookup}_value`] });
    expect(created[`_${lookup}_value`]).toBe(definitionId);
  });

  it("reads a table's relationships once, across clients and lookups", async () => {
    for (let i = 0; i < 2; i++) {
      const { dv } = h.client();
      await dv.metadata.navigationProperty(provider, lookup, definition);
      await dv.metadata.navigationProperty(provider, lookup);
    }
    const counters = await h.counters();
    expect(counters.total).toBe(1);
    expect(Object.keys(counters.byRoute).join()).toContain("RetrieveMetadataChanges");
  });

  it("names the table and its lookups when a lookup is unknown", async () => {
    const { dv } = h.client();
    const error = await dv.metadata.navigationProperty(provider, "msdyn_definition").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownLookupError);
    expect((error as Error).message).toContain(`${provider} has no lookup msdyn_definition`);
    expect((error as Error).message).toContain(`${lookup} (to ${definition})`);
  });
});
