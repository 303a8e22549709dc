// Metadata and option labels read from the emulator's EntityDefinitions, cached per process.
import { describe, expect, it } from "vitest";
import { UnknownOptionError } from "../../../src/dataverse/errors.js";
import { columns, policyType } from "../../../src/iom/inferred.js";
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
