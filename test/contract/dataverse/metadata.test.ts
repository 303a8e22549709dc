// Metadata and option labels read from the emulator's EntityDefinitions, cached per process.
import { describe, expect, it } from "vitest";
import { UnknownLookupError, UnknownOptionError } from "../../../src/dataverse/errors.js";
import { eq } from "../../../src/dataverse/odata.js";
import { FINOPS_DEFINITION } from "../../../src/iom/catalog.js";
import { columns, policyType } from "../../../src/iom/inferred.js";
import { msdyn_iomprovider } from "../../../src/iom/tables/msdyn_iomprovider.js";
import { msdyn_iomproviderdefinition } from "../../../src/iom/tables/msdyn_iomproviderdefinition.js";
import { msdyn_iompolicy } from "../../../src/iom/tables/msdyn_iompolicy.js";
import { salesorder } from "../../../src/iom/tables/salesorder.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();

describe("metadata", () => {
  it("reads entity set and key names from EntityDefinitions", async () => {
    const { dv } = h.client();
    expect(await dv.metadata.entity("msdyn_iompolicy")).toEqual({
      logicalName: "msdyn_iompolicy",
      entitySetName: msdyn_iompolicy.entitySetName,
      primaryIdAttribute: msdyn_iompolicy.primaryIdAttribute,
      primaryNameAttribute: msdyn_iompolicy.primaryNameAttribute,
    });
  });

  it("resolves option labels to values and back", async () => {
    const { dv } = h.client();
    const column = columns.policy.policyType;
    expect(await dv.metadata.optionValue("msdyn_iompolicy", column, "Execution")).toBe(
      policyType.execution.value,
    );
    expect(await dv.metadata.optionLabel("msdyn_iompolicy", column, policyType.filter.value)).toBe("Filter");
    expect(await dv.metadata.optionValue("salesorder", "msdyn_ordertype", "item based")).toBe(192350000);
    const states = await dv.metadata.options("salesorder", "statecode");
    expect(states).toEqual(
      salesorder.attributes
        .find((a) => a.logicalName === "statecode")
        ?.options?.map(({ value, label }) => ({ value, label })),
    );
    expect(await dv.metadata.optionValue("salesorder", "msdyn_isreadytosync", "Yes")).toBe(1);
  });

  it("names the valid labels when a label is wrong", async () => {
    const { dv } = h.client();
    const error = await dv.metadata
      .optionValue("msdyn_iompolicy", columns.policy.policyType, "Exec")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect((error as Error).message).toContain('"Filter"');
    expect((error as Error).message).toContain('"Execution"');
  });

  it("asks the environment once per table and column, across clients", async () => {
    const column = columns.policy.policyType;
    for (let i = 0; i < 3; i++) {
      const { dv } = h.client();
      await dv.metadata.entity("msdyn_iompolicy");
      await dv.metadata.optionValue("msdyn_iompolicy", column, "Filter");
      await dv.metadata.optionLabel("msdyn_iompolicy", column, policyType.execution.value);
    }
    // entity + attribute list + one option set.
    expect((await h.counters()).total).toBe(3);
  });

  it("reports a table that does not exist as not found", async () => {
    const { dv } = h.client();
    await expect(dv.metadata.entity("msdyn_nosuchtable")).rejects.toMatchObject({
      code: "not-found",
      status: 404,
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
    expect(Object.keys(counters.byRoute).join()).toContain("ManyToOneRelationships");
  });

  it("names the table and its lookups when a lookup is unknown", async () => {
    const { dv } = h.client();
    const error = await dv.metadata.navigationProperty(provider, "msdyn_definition").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownLookupError);
    expect((error as Error).message).toContain(`${provider} has no lookup msdyn_definition`);
    expect((error as Error).message).toContain(`${lookup} (to ${definition})`);
  });
});
