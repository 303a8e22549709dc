// The dual-write map kind against the emulator's dual-write gateway: it takes over an out-of-box
// map by name (the UI's "Label (entity set)" or the gateway's "entity set - Label"), stops it only
// when something changes, saves the edit as a new version (a msdyn_dualwriteentitymap row made
// active with SwitchActive), and puts the map back in the state it was in; it reads back exactly
// what it applied, sees hand edits, and gives back on destroy what it found.
//
// The emulator refuses to switch the version of a map that is not stopped (first test), so a save
// that succeeded on a map that was Running proves it was stopped first; the recorded requests to
// the gateway (and the version rows written through the Web API) show the order of every step.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { DualWriteManagementClient, stateLabel } from "../../../src/dataverse/dual-write.js";
import type { DataverseClient } from "../../../src/dataverse/client.js";
import {
  SALES_ORDER_HEADERS_MAP,
  SALES_ORDER_LINES_MAP,
  SALES_ORDER_LINES_V2_MAP,
  dualWriteSeedIds,
} from "../../../src/emulator/dual-write-seed.js";
import type { DualWriteMap } from "../../../src/generated/dual-write-map.js";
import { dualWrite, mapAction } from "../../../src/iom/dual-write-facts.js";
import { DualWriteMapError } from "../../../src/resources/dual-write-map/errors.js";
import { versionTask } from "../../../src/resources/dual-write-map/mapping.js";
import { dualWriteMap, type DualWriteMapOutputs } from "../../../src/resources/dual-write-map/provider.js";
import { changedKeys, PartialApplyError } from "../../../src/resources/runtime/kind.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";

const h = useEmulator();
const HEADERS = dualWriteSeedIds.project(SALES_ORDER_HEADERS_MAP);
const LINES = dualWriteSeedIds.project(SALES_ORDER_LINES_MAP);
const VERSION_ROWS = "/api/data/v9.2/msdyn_dualwriteentitymaps";

type Json = Record<string, unknown>;

/** The article's two maps, as the real example stack configures them (the UI's names). */
const stack = parse(readFileSync(path.resolve(__dirname, "../../../stacks/local.iom.yaml"), "utf8")) as {
  dualWriteMaps: DualWriteMap[];
};
const headersInputs = stack.dualWriteMaps.find((m) => m.name === "sales-order-headers") as DualWriteMap;
const linesInputs = stack.dualWriteMaps.find((m) => m.name === "sales-order-lines") as DualWriteMap;
/** The same settings without `running`: the map is put back in the run state it was found in. */
const asFound = ({ running: _running, ...settings }: DualWriteMap): DualWriteMap => settings;
const ARTICLE_FILTER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";

interface Call {
  method: string;
  /** Relative to the gateway's root, query left out, ids shown as <id>; "version row" for the Web API write. */
  path: string;
  action?: string;
}

interface Rig {
  session: Session;
  /** Requests the resource made to the gateway, and its version row writes, in order. */
  calls: Call[];
  /** A client of our own for setting up and inspecting, not recorded. */
  dw: DualWriteManagementClient;
}

/**
 * A session whose client records its gateway requests. `failOn` makes a request fail as a dropped
 * connection (a POST is never retried blindly, so the failure reaches the resource): before it is
 * sent, or with "answered", after the gateway has taken it.
 */
async function rig(
  failOn?: (call: Call) => boolean | "answered",
  /** Runs once the gateway has answered a call, before the resource sees the answer. */
  afterCall?: (call: Call) => Promise<void>,
): Promise<Rig> {
  const calls: Call[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const at = url.indexOf(dualWrite.managementPath);
    const versionRow = init?.method === "POST" && new URL(url).pathname === VERSION_ROWS;
    const recorded = at >= 0 || versionRow;
    if (recorded) {
      const body =
        at >= 0 && typeof init?.body === "string" && init.body.startsWith("{")
          ? (JSON.parse(init.body) as { action?: string })
          : undefined;
      const call: Call = {
        method: init?.method ?? "GET",
        path: versionRow
          ? "version row"
          : url
              .slice(at + dualWrite.managementPath.length)
              .replace(/\?.*$/, "")
              .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "<id>"),
        ...(body?.action !== undefined ? { action: body.action } : {}),
      };
      calls.push(call);
      const fail = failOn?.(call);
      if (fail === "answered") await fetch(input, init);
      if (fail) throw new TypeError("fetch failed: connection reset (test)");
    }
    const response = await fetch(input, init);
    if (recorded) await afterCall?.(calls.at(-1) as Call);
    return response;
  };
  const client: DataverseClient = h.client({}, { fetch: recording }).dv;
  const who = await client.whoAmI();
  return {
    session: { client, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted: false },
    calls,
    dw: new DualWriteManagementClient(h.client().dv),
  };
}

async function stateOf(dw: DualWriteManagementClient, pid: string): Promise<string> {
  return stateLabel((await dw.map(pid)).state);
}

function legOf(mapping: Json): Json {
  const tasks = mapping.entityMappingTasks as Array<{ legs: Json[] }>;
  return tasks[0]?.legs[0] as Json;
}

function fieldOf(mapping: Json, name: string): Json | undefined {
  return (legOf(mapping).fieldMappings as Json[]).find((f) => f.destinationField === name);
}

/** Saves a mapping as a new version of the stopped map and makes it active, as a person in F&O would. */
async function saveAsVersion(dw: DualWriteManagementClient, pid: string, mapping: Json): Promise<void> {
  const id = await dw.saveVersion(await dw.map(pid), versionTask(mapping));
  await dw.switchActive(pid, id);
}

/** Edits a map the way a person does in F&O: stop, save a version, start. */
async function handEdit(
  dw: DualWriteManagementClient,
  pid: string,
  edit: (mapping: Json) => void,
): Promise<void> {
  const mapping = await dw.fieldMappings(pid);
  edit(mapping);
  await dw.run(mapAction.stop, pid);
  await saveAsVersion(dw, pid, mapping);
  await dw.run(mapAction.start, pid);
}

/** An action: the map read for its template, Start, and the Status reads until it is done. */
const act = (action: string): Call[] => [
  { method: "GET", path: "Entities" },
  { method: "POST", path: "Start", action },
  { method: "GET", path: "Status/<id>" },
  { method: "GET", path: "Status/<id>" },
];
/** A new version written, made active, and the map read to see that it is. */
const saveVersion: Call[] = [
  { method: "POST", path: "version row" },
  { method: "POST", path: "SolutionAware/<id>/SwitchActive/<id>" },
  { method: "GET", path: "Entities" },
];
// The state, the stop, the mapping read again now that no one else can save it, the save, the start.
const stopEditStart: Call[] = [
  { method: "GET", path: "Entities" },
  ...act(mapAction.stop),
  { method: "GET", path: "<id>/FieldMappings" },
  ...saveVersion,
  ...act(mapAction.start),
];
/** What create reads first: the connection, the maps, the map's mapping. */
const found: Call[] = [
  { method: "GET", path: "Environments" },
  { method: "GET", path: "Entities" },
  { method: "GET", path: "<id>/FieldMappings" },
];

describe("dual-write map: create", () => {
  it("the emulator refuses to switch a running map's version (what makes a successful save a proof)", async () => {
    const { dw } = await rig();
    const id = await dw.saveVersion(await dw.map(HEADERS), versionTask(await dw.fieldMappings(HEADERS)));
    await expect(dw.switchActive(HEADERS, id)).rejects.toMatchObject({ status: 409 });
  });

  it("takes over a running map: records what it found, stops it, saves a version, and starts it again", async () => {
    const { session, calls, dw } = await rig();
    const original = await dw.fieldMappings(HEADERS);
    const before = await dw.map(HEADERS);

    const { id, outs } = await dualWriteMap.create(headersInputs, session);

    // The resource's id is the map's project id, which a new version does not change.
    expect(id).toBe(HEADERS);
    expect(calls).toEqual([...found, ...stopEditStart]);
    const after = await dw.map(HEADERS);
    expect(stateLabel(after.state)).toBe("Running");
    expect(after.template?.id).not.toBe(before.template?.id);
    expect(after.templates.map((t) => t.id)).toEqual([before.template?.id, after.template?.id]);
    // The gateway's own records of the two actions: a stop, then a start, both completed.
    expect(after.lastRequests.map((r) => [r.action, r.state])).toEqual([
      [mapAction.stop, "2"],
      [mapAction.start, "2"],
    ]);

    const mapping = await dw.fieldMappings(HEADERS);
    expect(legOf(mapping).reversedSourceFilter).toBe(ARTICLE_FILTER);
    expect(fieldOf(mapping, "msdyn_isreadytosync")).toEqual({
      ...fieldOf(original, "msdyn_isreadytosync"),
      syncDirection: 1,
      valueTransforms: [{ transformType: "Default", defaultValue: "true" }],
    });
    // Every other field mapping is as it was.
    const others = (m: Json) =>
      (legOf(m).fieldMappings as Json[]).filter((f) => f.destinationField !== "msdyn_isreadytosync");
    expect(others(mapping)).toEqual(others(original));

    expect(outs).toEqual({
      ...headersInputs,
      organizationId: session.organizationId,
      adopted: true,
      found: {
        dataverseFilter: legOf(original).reversedSourceFilter,
        fieldMappings: [
          {
            dataverseField: "msdyn_isreadytosync",
            mapping: JSON.stringify(fieldOf(original, "msdyn_isreadytosync")),
          },
        ],
      },
    });
  });

  it("puts a paused map back to Paused", async () => {
    const { session, calls, dw } = await rig();
    await dw.run(mapAction.pause, LINES);

    await dualWriteMap.create(asFound(linesInputs), session);

    expect(calls.slice(found.length)).toEqual([...stopEditStart, ...act(mapAction.pause)]);
    expect(await stateOf(dw, LINES)).toBe("Paused");
    expect(legOf(await dw.fieldMappings(LINES)).reversedSourceFilter).toBe(
      "_msdyn_company_value ne null and _msdyn_shippingsite_value ne null and _msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and msdyn_statuscode ne 192350001",
    );
  });

  it("leaves a stopped map stopped, without a stop or a start", async () => {
    const { session, calls, dw } = await rig();
    await dw.run(mapAction.stop, HEADERS);

    await dualWriteMap.create(asFound(headersInputs), session);

    expect(calls.slice(found.length)).toEqual([
      { method: "GET", path: "Entities" },
      { method: "GET", path: "<id>/FieldMappings" },
      ...saveVersion,
    ]);
    expect(await stateOf(dw, HEADERS)).toBe("Stopped");
  });

  it("finds the map by either form of its name in any case, suggests the closest, and names the maps there are", async () => {
    const { session } = await rig();
    for (const map of [
      SALES_ORDER_HEADERS_MAP,
      "CDS SALES ORDER HEADERS (salesorders)",
      "salesorders -  cds sales order headers",
    ])
      expect((await dualWriteMap.create({ ...asFound(headersInputs), map }, session)).id).toBe(HEADERS);
    // Either lines map, by its own name.
    const v2 = await dualWriteMap.create(
      { ...asFound(linesInputs), map: "CDS sales order lines V2 (salesorderdetails)" },
      session,
    );
    expect(v2.id).toBe(dualWriteSeedIds.project(SALES_ORDER_LINES_V2_MAP));

    // The seed article's spelling of the lines map's entity set.
    const typo = dualWriteMap.create(
      { ...linesInputs, map: "CDS sales order lines (saleorderdetails)" },
      session,
    );
    await expect(typo).rejects.toMatchObject({ code: "map-not-found" });
    await expect(typo).rejects.toThrow("did you mean 'CDS sales order lines (salesorderdetails)'?");

    const missing = dualWriteMap.create({ ...headersInputs, map: "CDS sales order headers V2" }, session);
    await expect(missing).rejects.toBeInstanceOf(DualWriteMapError);
    await expect(missing).rejects.toThrow(
      "no dual-write table map is named 'CDS sales order headers V2' The environment has 'CDS sales order headers (salesorders)', 'CDS sales order lines (salesorderdetails)', 'CDS sales order lines V2 (salesorderdetails)'",
    );
  });

  it("puts the map back to Running when the save fails after the stop, then reports the failure", async () => {
    const { session, calls, dw } = await rig();
    const original = await dw.fieldMappings(HEADERS);
    await h.faults([{ status: 400, method: "POST", path: "msdyn_dualwriteentitymaps", count: 1 }]);

    await expect(dualWriteMap.create(headersInputs, session)).rejects.toMatchObject({ code: "bad-request" });

    expect(calls.slice(found.length)).toEqual([
      { method: "GET", path: "Entities" },
      ...act(mapAction.stop),
      { method: "GET", path: "<id>/FieldMappings" },
      { method: "POST", path: "version row" },
      ...act(mapAction.start),
    ]);
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(await dw.fieldMappings(HEADERS)).toEqual(original);
  });

  it("keeps the resource when the map was saved but could not be started again, and says so", async () => {
    const { session, dw } = await rig((call) => call.action === mapAction.start);

    const error = await dualWriteMap.create(headersInputs, session).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PartialApplyError);
    const partial = error as PartialApplyError;
    expect(partial.id).toBe(HEADERS);
    expect(partial.properties).toMatchObject({ map: headersInputs.map, found: { fieldMappings: [{}] } });
    expect(partial.message).toContain(
      `the table map '${headersInputs.map}' was stopped to be edited and could not be put back to Running`,
    );
    expect(partial.message).toContain("its new mapping was saved");
    expect(await stateOf(dw, HEADERS)).toBe("Stopped");
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe(ARTICLE_FILTER);
  });

  it("when the save and the restart both fail, keeps the resource with the state to put back, and the next apply does", async () => {
    const { session, dw } = await rig((call) => call.action === mapAction.start);
    const original = await dw.fieldMappings(HEADERS);
    await h.faults([{ status: 400, method: "POST", path: "msdyn_dualwriteentitymaps", count: 1 }]);

    const error = await dualWriteMap.create(headersInputs, session).catch((e: unknown) => e);

    // Kept, so that the next `up` updates it instead of taking the stopped map as it found it.
    expect(error).toBeInstanceOf(PartialApplyError);
    const partial = error as PartialApplyError;
    expect(partial.properties).toMatchObject({ map: headersInputs.map, stoppedFrom: "4" });
    expect(partial.message).toContain("saving its mapping had failed as well, so the mapping is unchanged");
    expect(partial.message).toContain("The next apply puts it back to Running");
    expect(await stateOf(dw, HEADERS)).toBe("Stopped");
    expect(await dw.fieldMappings(HEADERS)).toEqual(original);

    // The next `up`: the engine updates a kept resource even when nothing changed.
    const next = await rig();
    const outs = await dualWriteMap.update(
      HEADERS,
      partial.properties as unknown as DualWriteMapOutputs,
      headersInputs,
      next.session,
    );
    // The map is stopped already: no stop, the save, then the start the failed run owed.
    expect(next.calls).toEqual([
      { method: "GET", path: "<id>/FieldMappings" },
      { method: "GET", path: "Environments" },
      { method: "GET", path: "Entities" },
      { method: "GET", path: "<id>/FieldMappings" },
      ...saveVersion,
      ...act(mapAction.start),
    ]);
    expect(outs.stoppedFrom).toBeUndefined();
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe(ARTICLE_FILTER);
  });

  it("a state recorded as a number by an earlier version is still put back", async () => {
    const { dw } = await rig();
    await dw.run(mapAction.stop, HEADERS);
    const next = await rig();
    const recorded = {
      ...headersInputs,
      organizationId: next.session.organizationId,
      adopted: true,
      found: { fieldMappings: [] },
      stoppedFrom: 4,
    };
    await dualWriteMap.update(
      HEADERS,
      recorded as unknown as DualWriteMapOutputs,
      asFound(headersInputs),
      next.session,
    );
    expect(await stateOf(dw, HEADERS)).toBe("Running");
  });

  it("a start left under way (its answer lost, or the run killed) is awaited by the next apply, which then finds the map running", async () => {
    const { session, dw } = await rig((call) => (call.action === mapAction.start ? "answered" : false));
    const error = await dualWriteMap.create(headersInputs, session).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialApplyError);
    // The gateway took the start and nobody has asked about it: the map still shows Stopped.
    const raw = await h.client().dv.request<Array<{ detail: { pid: string; state: string } }>>({
      service: "dual-write",
      method: "GET",
      path: `Entities?targetType=AX&cid=${(await dw.environment()).cid}`,
      accept: [200],
    });
    expect(raw.body.find((m) => m.detail.pid === HEADERS)?.detail.state).toBe("1");

    const next = await rig();
    const outs = await dualWriteMap.update(
      HEADERS,
      (error as PartialApplyError).properties as unknown as DualWriteMapOutputs,
      headersInputs,
      next.session,
    );
    // The waiting start was polled to its end; nothing else was needed.
    expect(next.calls.filter((c) => c.method === "POST")).toEqual([]);
    expect(outs.stoppedFrom).toBeUndefined();
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe(ARTICLE_FILTER);
  });

  it("a stop whose answer is lost keeps the resource; the next apply restarts the map if the stop happened", async () => {
    // The stop reaches the gateway, then its answer is lost (a POST is never retried).
    const { session, dw } = await rig((call) => (call.action === mapAction.stop ? "answered" : false));

    const error = await dualWriteMap.create(headersInputs, session).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PartialApplyError);
    const partial = error as PartialApplyError;
    expect(partial.message).toContain("may now be stopped: the next apply puts it back to Running");
    expect(partial.properties).toMatchObject({ stoppedFrom: "4" });
    // The gateway took the stop: once it is carried out, the map is stopped.
    expect(await stateOf(dw, HEADERS)).toBe("Stopped");

    const next = await rig();
    const outs = await dualWriteMap.update(
      HEADERS,
      partial.properties as unknown as DualWriteMapOutputs,
      headersInputs,
      next.session,
    );
    expect(outs.stoppedFrom).toBeUndefined();
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe(ARTICLE_FILTER);
  });

  it("an action the gateway reports failed (state 3) names the map, the action, the request and the gateway's words", async () => {
    const dw = new DualWriteManagementClient(h.client().dv);
    await dw.run(mapAction.pause, HEADERS);
    // The emulator refuses to pause a paused map, as request state 3 with its message.
    const error = await dw.run(mapAction.pause, HEADERS).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "dual-write-request-failed", outcome: "failed" });
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `the pause of the table map '${SALES_ORDER_HEADERS_MAP}' \\(gateway request [0-9a-f-]{36}\\) failed`,
      ),
    );
    expect(message).toContain(`Cannot pause the table map '${SALES_ORDER_HEADERS_MAP}': it is Paused`);
  });
});

describe("dual-write map: running", () => {
  it("with running: true, starts a map found stopped or paused, after the edit or with nothing to edit", async () => {
    const { session, dw } = await rig();
    await dw.run(mapAction.stop, HEADERS);
    await dw.run(mapAction.pause, LINES);

    const headers = await dualWriteMap.create(headersInputs, session);
    const lines = await dualWriteMap.create(linesInputs, session);
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(await stateOf(dw, LINES)).toBe("Running");

    // Stopped by hand later (a killed run, or someone in F&O): refresh sees it, the next up starts it.
    await dw.run(mapAction.stop, HEADERS);
    const read = await dualWriteMap.read(headers.id, headers.outs, session);
    expect(changedKeys(dualWriteMap.canonical(read!), dualWriteMap.canonical(headersInputs))).toEqual([
      "running",
    ]);
    const next = await rig();
    await dualWriteMap.update(headers.id, read!, headersInputs, next.session);
    expect(next.calls).toEqual([
      { method: "GET", path: "<id>/FieldMappings" },
      { method: "GET", path: "Environments" },
      { method: "GET", path: "Entities" },
      ...act(mapAction.start),
    ]);
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(lines.outs.running).toBe(true);
  });

  it("with running: false, stops the map and leaves it stopped", async () => {
    const { session, dw } = await rig();
    const { id, outs } = await dualWriteMap.create({ ...headersInputs, running: false }, session);
    expect(await stateOf(dw, HEADERS)).toBe("Stopped");
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe(ARTICLE_FILTER);
    const read = await dualWriteMap.read(id, outs, session);
    expect(read?.running).toBe(false);
    expect(changedKeys(dualWriteMap.canonical(read!), dualWriteMap.canonical(outs))).toEqual([]);
  });
});

describe("dual-write map: another writer", () => {
  it("a mapping saved by someone else between the read and the save is not written over", async () => {
    const other = new DualWriteManagementClient(h.client().dv);
    let statusReads = 0;
    // Someone saves a version of the map in F&O while it is stopped: right after the resource's stop.
    const { session, calls, dw } = await rig(undefined, async (call) => {
      if (!call.path.startsWith("Status") || ++statusReads !== 2) return;
      const mapping = await other.fieldMappings(HEADERS);
      legOf(mapping).reversedSourceFilter = "statuscode ne 100003";
      await saveAsVersion(other, HEADERS, mapping);
    });

    const error = await dualWriteMap.create(headersInputs, session).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DualWriteMapError);
    expect(error).toMatchObject({ code: "changed-meanwhile" });
    expect((error as Error).message).toContain("nothing was saved over it");
    // No version written; the map is back to Running with the other writer's filter.
    expect(calls.filter((c) => c.path === "version row")).toEqual([]);
    expect(calls.at(-3)).toEqual({ method: "POST", path: "Start", action: mapAction.start });
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe("statuscode ne 100003");

    // The next apply reads the map as it is now and applies the YAML on top of it.
    const next = await rig();
    await dualWriteMap.create(headersInputs, next.session);
    expect(legOf(await dw.fieldMappings(HEADERS)).reversedSourceFilter).toBe(ARTICLE_FILTER);
    expect(await stateOf(dw, HEADERS)).toBe("Running");
  });
});

describe("dual-write map: read, update, delete", () => {
  async function created(): Promise<Rig & { id: string; outs: DualWriteMapOutputs; original: Json }> {
    const r = await rig();
    const original = await r.dw.fieldMappings(HEADERS);
    const { id, outs } = await dualWriteMap.create(headersInputs, r.session);
    r.calls.length = 0;
    return { ...r, id, outs, original };
  }

  it("reads back exactly the inputs after create: no change to preview", async () => {
    const { session, id, outs } = await created();
    const current = await dualWriteMap.read(id, outs, session);
    expect(current).toEqual(outs);
    expect(current?.dataverseFilter).toBe(headersInputs.dataverseFilter);
    expect(
      changedKeys(
        dualWriteMap.canonical(current as DualWriteMapOutputs),
        dualWriteMap.canonical(headersInputs),
      ),
    ).toEqual([]);
    // The gateway's form of the name is the same map: no replace.
    expect(
      changedKeys(
        dualWriteMap.canonical(outs),
        dualWriteMap.canonical({ ...headersInputs, map: SALES_ORDER_HEADERS_MAP }),
      ),
    ).toEqual([]);
  });

  it("an update that changes nothing does not stop the map", async () => {
    const { session, calls, dw, id, outs } = await created();
    const templates = (await dw.map(HEADERS)).templates.length;
    // The same settings written differently: one line instead of folded, true as text.
    const same: DualWriteMap = {
      ...headersInputs,
      dataverseFilter: ARTICLE_FILTER,
      fieldMappings: [{ ...headersInputs.fieldMappings![0]!, defaultValue: "true" }],
    };

    const after = await dualWriteMap.update(id, outs, same, session);

    // The mapping, and the run state `running: true` asks about: nothing to save, nothing to start.
    expect(calls).toEqual([
      { method: "GET", path: "<id>/FieldMappings" },
      { method: "GET", path: "Environments" },
      { method: "GET", path: "Entities" },
    ]);
    expect((await dw.map(HEADERS)).templates).toHaveLength(templates);
    expect(await stateOf(dw, HEADERS)).toBe("Running");
    expect(after.found).toEqual(outs.found);
  });

  it("sees a hand edit of the filter, shows only that property, and puts the configured one back", async () => {
    const { session, calls, dw, id, outs } = await created();
    await handEdit(dw, id, (m) => {
      legOf(m).reversedSourceFilter = "msdyn_ordertype eq 192350000";
    });

    const current = (await dualWriteMap.read(id, outs, session)) as DualWriteMapOutputs;
    expect(current).toEqual({ ...outs, dataverseFilter: "msdyn_ordertype eq 192350000" });
    expect(changedKeys(dualWriteMap.canonical(current), dualWriteMap.canonical(headersInputs))).toEqual([
      "dataverseFilter",
    ]);

    const next = await rig();
    const after = await dualWriteMap.update(id, current, headersInputs, next.session);
    expect(next.calls).toEqual([
      { method: "GET", path: "<id>/FieldMappings" },
      { method: "GET", path: "Environments" },
      ...stopEditStart,
    ]);
    expect(calls.length).toBeGreaterThan(0);
    expect(legOf(await dw.fieldMappings(id)).reversedSourceFilter).toBe(ARTICLE_FILTER);
    // What destroy gives back is still what was there before the stack, not the hand edit.
    expect(after.found).toEqual(outs.found);
  });

  it("does not show fields it does not manage as drift", async () => {
    const { session, dw, id, outs } = await created();
    await handEdit(dw, id, (m) => {
      (fieldOf(m, "msdyn_salesordernumber") as Json).syncDirection = 1;
    });
    expect(await dualWriteMap.read(id, outs, session)).toEqual(outs);
  });

  it("destroy gives back exactly what it found, through stop, a saved version and start", async () => {
    const { session, dw, id, outs, original } = await created();
    // Also manage a field the map did not have: destroy must remove it again.
    const more: DualWriteMap = {
      ...headersInputs,
      financeAndOperationsFilter: "(SALESORDERSTATUS != 4)",
      fieldMappings: [
        ...(headersInputs.fieldMappings ?? []),
        {
          dataverseField: "description",
          financeAndOperationsField: "CUSTOMERSREFERENCE",
          direction: "bidirectional",
        },
      ],
    };
    const after = await dualWriteMap.update(id, outs, more, session);
    expect(after.found.fieldMappings.map((f) => f.dataverseField)).toEqual([
      "msdyn_isreadytosync",
      "description",
    ]);
    expect(fieldOf(await dw.fieldMappings(id), "description")).toBeDefined();

    const next = await rig();
    await dualWriteMap.delete(id, after, next.session);

    expect(next.calls).toEqual([
      { method: "GET", path: "<id>/FieldMappings" },
      { method: "GET", path: "Environments" },
      ...stopEditStart,
    ]);
    expect((await dw.fieldMappings(id)).entityMappingTasks).toEqual(original.entityMappingTasks);
    expect(await stateOf(dw, id)).toBe("Running");
  });

  it("a field dropped from the configuration gets its original mapping back at once", async () => {
    const { session, dw, id, outs, original } = await created();
    const after = await dualWriteMap.update(
      id,
      outs,
      { ...headersInputs, fieldMappings: undefined },
      session,
    );
    expect(after.found.fieldMappings).toEqual([]);
    expect(fieldOf(await dw.fieldMappings(id), "msdyn_isreadytosync")).toEqual(
      fieldOf(original, "msdyn_isreadytosync"),
    );
  });

  it("read and delete treat a map that is gone as gone", async () => {
    const { session, outs } = await created();
    const gone = "00000000-0000-4000-8000-000000000000";
    expect(await dualWriteMap.read(gone, outs, session)).toBeUndefined();
    await expect(dualWriteMap.delete(gone, outs, session)).resolves.toBeUndefined();
  });
});
