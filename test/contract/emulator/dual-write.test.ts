// The dual-write table maps and their management endpoint: seeded out-of-box mappings, state
// transitions, and mappings that only change while a map is stopped.
import { describe, expect, it } from "vitest";

import { SALES_ORDER_HEADERS_MAP, SALES_ORDER_LINES_MAP, seedIds } from "../../../src/emulator/seed.js";
import { dualWrite, mapAction } from "../../../src/iom/dual-write-facts.js";
import { body, useEmulator } from "./harness.js";

const h = useEmulator();
const HEADERS = seedIds.map(SALES_ORDER_HEADERS_MAP);
const LINES = seedIds.map(SALES_ORDER_LINES_MAP);

type FieldMapping = {
  syncDirection: number;
  sourceField: string | null;
  destinationField: string;
  valueTransforms: unknown[];
};
type Mapping = {
  entityMappingTasks: Array<{
    legs: Array<{ sourceFilter: string; reversedSourceFilter: string; fieldMappings: FieldMapping[] }>;
  }>;
};

const gateway = (path: string, init?: RequestInit & { json?: unknown }): Promise<Response> =>
  h.raw(`${dualWrite.managementPath}${path}`, init);

async function act(action: number, ids = [HEADERS]): Promise<Response> {
  return gateway("Start", { method: "POST", json: { action, entityIds: ids } });
}

async function state(id = HEADERS): Promise<string> {
  return (await body<{ stateName: string }>(await gateway(`Entities/${id}`))).stateName;
}

async function mapping(id = HEADERS): Promise<Mapping> {
  const res = await gateway(`${id}/FieldMappings`);
  expect(res.status).toBe(200);
  return body<Mapping>(res);
}

/** The article's change: the Dataverse filter and msdyn_isreadytosync F&O to Dataverse, default true. */
function articleMapping(current: Mapping, filter: string): Mapping {
  const copy = structuredClone(current);
  const leg = copy.entityMappingTasks[0]?.legs[0];
  if (!leg) throw new Error("no leg");
  leg.reversedSourceFilter = filter;
  leg.fieldMappings = leg.fieldMappings.map((f) =>
    f.destinationField === "msdyn_isreadytosync"
      ? { ...f, syncDirection: 1, valueTransforms: [{ transformType: "Default", defaultValue: "true" }] }
      : f,
  );
  return copy;
}

const HEADER_FILTER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";

describe("dual-write maps", () => {
  it("are seeded running, with out-of-box legs, filters and field mappings", async () => {
    const list = await body<{ value: Array<{ id: string; name: string; stateName: string }> }>(
      await gateway("Entities"),
    );
    expect(list.value.map((m) => [m.name, m.stateName]).sort()).toEqual([
      [SALES_ORDER_HEADERS_MAP, "Running"],
      [SALES_ORDER_LINES_MAP, "Running"],
    ]);
    const leg = (await mapping()).entityMappingTasks[0]?.legs[0];
    expect(leg?.reversedSourceFilter).toBe("msdyn_ordertype eq 192350000");
    expect(leg?.fieldMappings.find((f) => f.destinationField === "msdyn_isreadytosync")).toMatchObject({
      syncDirection: 3,
      valueTransforms: [],
    });
    expect(leg?.fieldMappings.find((f) => f.destinationField === "msdyn_ordertype")?.valueTransforms).toEqual(
      [{ transformType: "Default", defaultValue: "192350000" }],
    );
    const row = await body(
      await h.api(`${dualWrite.entitySetName}(${LINES})?$select=${dualWrite.name},${dualWrite.mapping}`),
    );
    expect(row[dualWrite.name]).toBe(SALES_ORDER_LINES_MAP);
    expect(JSON.parse(row[dualWrite.mapping] as string)).toEqual(await mapping(LINES));
  });

  it("refuse mapping changes while running, through the endpoint and the Web API alike", async () => {
    const current = await mapping();
    const res = await gateway(`${HEADERS}/FieldMappings`, {
      method: "PUT",
      json: articleMapping(current, HEADER_FILTER),
    });
    expect(res.status).toBe(409);
    const { error } = await body<{ error: { message: string } }>(res);
    expect(error.message).toContain(`'${SALES_ORDER_HEADERS_MAP}' is Running`);
    expect(error.message).toContain("Stop it first");
    const patch = await h.api(`${dualWrite.entitySetName}(${HEADERS})`, {
      method: "PATCH",
      json: { [dualWrite.mapping]: JSON.stringify(articleMapping(current, HEADER_FILTER)) },
    });
    expect(patch.status).toBe(409);
    expect(await mapping()).toEqual(current);
  });

  it("stop, edit and start again; the change is kept", async () => {
    const current = await mapping();
    const stop = await act(mapAction.stop);
    expect(stop.status).toBe(202);
    const record = await body<{ requestId: string; status: string }>(stop);
    expect(record.status).toBe("Succeeded");
    expect(await body(await gateway(`Status/${record.requestId}`))).toMatchObject({
      requestId: record.requestId,
      status: "Succeeded",
      results: [{ id: HEADERS, stateName: "Stopped" }],
    });
    expect(await state()).toBe("Stopped");
    const put = await gateway(`${HEADERS}/FieldMappings`, {
      method: "PUT",
      json: articleMapping(current, HEADER_FILTER),
    });
    expect(put.status).toBe(200);
    expect((await act(mapAction.start)).status).toBe(202);
    expect(await state()).toBe("Running");
    const leg = (await mapping()).entityMappingTasks[0]?.legs[0];
    expect(leg?.reversedSourceFilter).toBe(HEADER_FILTER);
    expect(leg?.fieldMappings.find((f) => f.destinationField === "msdyn_isreadytosync")).toMatchObject({
      syncDirection: 1,
      valueTransforms: [{ transformType: "Default", defaultValue: "true" }],
    });
  });

  it("pause and resume running maps only, and refuse unknown actions and maps", async () => {
    expect((await act(mapAction.pause, [HEADERS, LINES])).status).toBe(202);
    expect([await state(HEADERS), await state(LINES)]).toEqual(["Paused", "Paused"]);
    expect((await act(mapAction.pause)).status).toBe(409);
    expect((await act(mapAction.resume)).status).toBe(202);
    expect(await state()).toBe("Running");
    expect((await act(mapAction.start)).status).toBe(409);
    expect((await act(99)).status).toBe(400);
    expect((await act(mapAction.stop, ["00000000-0000-0000-0000-000000000000"])).status).toBe(404);
    // A refused transition in a list changes none of the maps.
    expect((await act(mapAction.resume, [LINES, HEADERS])).status).toBe(409);
    expect(await state(LINES)).toBe("Paused");
    expect((await act(mapAction.resume, [LINES])).status).toBe(202);
    expect(await state(LINES)).toBe("Running");
  });

  it("refuse invalid mappings, and a state written through the Web API", async () => {
    await act(mapAction.stop);
    const current = await mapping();
    const bad = structuredClone(current);
    (bad.entityMappingTasks[0]?.legs[0]?.fieldMappings[0] as FieldMapping).syncDirection = 7;
    const res = await gateway(`${HEADERS}/FieldMappings`, { method: "PUT", json: bad });
    expect(res.status).toBe(400);
    expect((await body<{ error: { message: string } }>(res)).error.message).toContain(
      "fieldMappings[0].syncDirection",
    );
    const write = await h.api(`${dualWrite.entitySetName}(${HEADERS})`, {
      method: "PATCH",
      json: { [dualWrite.runState]: 4 },
    });
    expect(write.status).toBe(400);
    expect(await state()).toBe("Stopped");
  });

  it("are counted under /api/ like the Web API", async () => {
    await gateway("Entities");
    const counters = await body<{ byRoute: Record<string, number> }>(await h.raw("/_emulator/counters"));
    expect(counters.byRoute[`GET ${dualWrite.managementPath}Entities`]).toBe(1);
  });
});
