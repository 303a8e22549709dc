// The dual-write map kind through the engine's adapter (diff: no change after up, replace on
// another map) and the map states the emulator never shows (initial sync), on a scripted gateway.
import { describe, expect, it } from "vitest";

import type { DataverseClient, RequestSpec } from "../../../src/dataverse/client.js";
import type { DualWriteMap } from "../../../src/generated/dual-write-map.js";
import { mapState } from "../../../src/iom/dual-write-facts.js";
import { DualWriteMapError } from "../../../src/resources/dual-write-map/errors.js";
import { dualWriteMap } from "../../../src/resources/dual-write-map/provider.js";
import { toDynamicProvider } from "../../../src/resources/runtime/kind.js";
import type { Session } from "../../../src/resources/runtime/session.js";

const ID = "5f0c2a7e-8d1b-4c3a-9e6f-1a2b3c4d5e6f";
const MAP = "CDS sales order headers (salesorders)";

const inputs: DualWriteMap = {
  name: "sales-order-headers",
  map: MAP,
  table: "salesorder",
  dataverseFilter: "msdyn_ordertype eq 192350000 and\n_msdyn_company_value ne null",
  fieldMappings: [
    {
      dataverseField: "msdyn_isreadytosync",
      direction: "financeAndOperationsToDataverse",
      transform: "default",
      defaultValue: true,
    },
  ],
};
const outs = {
  ...inputs,
  organizationId: "org",
  adopted: true,
  found: { dataverseFilter: "x eq 1", fieldMappings: [] },
};

describe("diff through the engine adapter", () => {
  const provider = toDynamicProvider(dualWriteMap);

  it("shows no change right after up, even with the filter on one line and true as text", async () => {
    const news = {
      ...inputs,
      map: MAP.toLowerCase(),
      dataverseFilter: "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null",
      fieldMappings: [{ ...inputs.fieldMappings![0]!, defaultValue: "true" }],
    };
    expect(await provider.diff!(ID, outs, news)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("updates in place for a changed filter", async () => {
    expect(await provider.diff!(ID, outs, { ...inputs, dataverseFilter: "x eq 2" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("replaces for another map: the old one is given back first, then the new one taken over", async () => {
    expect(
      await provider.diff!(ID, outs, { ...inputs, map: "CDS sales order lines (salesorderdetails)" }),
    ).toEqual({ changes: true, replaces: ["map"], deleteBeforeReplace: true });
  });
});

/** A gateway holding one map in a given state, answering as DWA reads it; it records the requests made to it. */
function gateway(state: string): { session: Session; requests: string[] } {
  const requests: string[] = [];
  const mapping = {
    entityMappingTasks: [
      { legs: [{ sourceEnvironmentType: "AX", reversedSourceFilter: "", fieldMappings: [] }] },
    ],
  };
  const map = {
    leftEntity: { targetType: "AX", name: "CDS sales order headers" },
    rightEntity: { targetType: "CRM", name: "salesorders" },
    detail: {
      tName: "salesorders - CDS sales order headers",
      pid: ID,
      tid: "t1",
      template: { id: "t1" },
      state,
    },
  };
  const client = {
    financeAndOperationsHost: "contoso.operations.dynamics.com",
    dualWriteWaitMs: 1000,
    async request(spec: RequestSpec) {
      requests.push(`${spec.method} ${spec.path.replace(/\?.*$/, "")}`);
      const body = spec.path.startsWith("Environments")
        ? [{ cid: "c1" }]
        : spec.path.startsWith("Entities")
          ? [map]
          : structuredClone(mapping);
      return { status: 200, headers: new Headers(), body, requestId: "r", attempts: 1, replayed: false };
    },
  } as unknown as DataverseClient;
  return { session: { client, organizationId: "org", deleteAdopted: false }, requests };
}

describe("maps in the middle of a run", () => {
  it.each([
    [mapState.initialSync.value, "InitialSync"],
    [mapState.catchUp.value, "CatchUp"],
    ["99", "state 99"],
  ])("are not stopped: state %s", async (state, label) => {
    const { session, requests } = gateway(state);
    const error = await dualWriteMap.create(inputs, session).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DualWriteMapError);
    expect(error).toMatchObject({ code: "map-busy" });
    expect((error as Error).message).toContain(`the table map '${MAP}' is ${label}`);
    expect(requests).toEqual(["GET Environments", "GET Entities", `GET ${ID}/FieldMappings`, "GET Entities"]);
  });
});
