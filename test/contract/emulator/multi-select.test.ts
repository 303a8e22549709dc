// A multi-select choice (msdyn_iomservicetype of a provider definition) as Dataverse's Web API
// handles one: written and read as a string of comma-separated option values, formatted as the
// labels separated by semicolons, each value checked against the options, and published as a
// Virtual attribute of type MultiSelectPicklistType with its option set.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogIds } from "../../../src/emulator/catalog-seed.js";
import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";

let emulator: RunningEmulator;
const definition = catalogIds.definition("msdyn_FinanceAndOperationsProvider");
const row = () => `msdyn_iomproviderdefinitions(${definition})`;

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${emulator.apiUrl}${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${emulator.token}`,
      "Content-Type": "application/json",
      ...init.headers,
    },
  });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

describe("a MultiSelectPicklist column", () => {
  it("is written and read as comma-separated values, formatted as the labels", async () => {
    const write = await api(row(), {
      method: "PATCH",
      body: JSON.stringify({ msdyn_iomservicetype: "192350001, 192350000" }),
    });
    expect(write.status).toBe(204);
    const read = await api(`${row()}?$select=msdyn_iomservicetype`, {
      headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    });
    expect(await read.json()).toMatchObject({
      msdyn_iomservicetype: "192350000,192350001",
      "msdyn_iomservicetype@OData.Community.Display.V1.FormattedValue": "Fulfillment; Order intake",
    });
    const found = await api(
      `msdyn_iomproviderdefinitions?$select=msdyn_displayname&$filter=msdyn_iomservicetype eq '192350000,192350001'`,
    );
    expect(((await found.json()) as { value: unknown[] }).value).toHaveLength(1);
  });

  it("refuses a value outside its options, and a value that is not a string, changing nothing", async () => {
    const outside = await api(row(), {
      method: "PATCH",
      body: JSON.stringify({ msdyn_iomservicetype: "192350000,7" }),
    });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe("0x8004431a");
    const number = await api(row(), {
      method: "PATCH",
      body: JSON.stringify({ msdyn_iomservicetype: 192350000 }),
    });
    expect(number.status).toBe(400);
    const read = await api(`${row()}?$select=msdyn_iomservicetype`);
    expect(((await read.json()) as { msdyn_iomservicetype: string }).msdyn_iomservicetype).toBe(
      "192350000,192350001",
    );
  });

  it("is published as Dataverse publishes a choices column", async () => {
    const base = "EntityDefinitions(LogicalName='msdyn_iomproviderdefinition')/Attributes";
    const attribute = await api(
      `${base}(LogicalName='msdyn_iomservicetype')?$select=AttributeType,AttributeTypeName`,
    );
    expect(await attribute.json()).toMatchObject({
      "@odata.type": "#Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata",
      AttributeType: "Virtual",
      AttributeTypeName: { Value: "MultiSelectPicklistType" },
    });
    const cast = await api(
      `${base}/Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet`,
    );
    const options = (
      (await cast.json()) as {
        value: Array<{ LogicalName: string; OptionSet: { Options: Array<{ Value: number }> } }>;
      }
    ).value;
    expect(options.map((o) => [o.LogicalName, o.OptionSet.Options.map((x) => x.Value)])).toEqual([
      ["msdyn_iomservicetype", [192350000, 192350001, 192350002]],
    ]);
  });
});
