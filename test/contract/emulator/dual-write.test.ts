// The emulator's dual-write management gateway over HTTP, spoken the way Microsoft's dual-write
// automation tool speaks it (DWLibary: Environments -> cid, Entities -> a bare array, string states
// and actions, Start -> requestId awaited through Status, SwitchActive of a version row): its own
// listener and path, the same token, counters and faults as the Web API, projects that persist.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { startEmulator } from "../../../src/emulator/index.js";
import {
  SALES_ORDER_HEADERS_MAP,
  SALES_ORDER_LINES_MAP,
  SALES_ORDER_LINES_V2_MAP,
  dualWriteSeedIds,
} from "../../../src/emulator/dual-write-seed.js";
import { body, useEmulator } from "./harness.js";

const h = useEmulator();
const FINOPS = "finops.emulator.local";
const HEADERS = dualWriteSeedIds.project(SALES_ORDER_HEADERS_MAP);
const VERSIONS = "msdyn_dualwriteentitymaps";

interface Leg {
  reversedSourceFilter?: string;
  fieldMappings: Array<{ destinationField?: string; syncDirection: number; valueTransforms?: unknown[] }>;
}
interface GatewayMap {
  detail: {
    tName: string;
    pid: string;
    tid: string;
    state: string;
    template: { id: string; name: string };
    templates: Array<{ id: string }>;
    lastRequests: Array<{ requestId: string; state: string; errorMessage?: string | null }>;
  };
}

async function cid(): Promise<string> {
  const envs = await body<Array<{ cid: string }>>(
    await h.gateway(`Environments?targetType=AX&identifier=${FINOPS}`),
  );
  return envs[0]!.cid;
}

async function maps(): Promise<GatewayMap[]> {
  const res = await h.gateway(`Entities?targetType=AX&cid=${await cid()}`);
  expect(res.status).toBe(200);
  return body<GatewayMap[]>(res);
}

async function map(pid = HEADERS): Promise<GatewayMap["detail"]> {
  return (await maps()).find((m) => m.detail.pid === pid)!.detail;
}

async function start(action: string, pid = HEADERS): Promise<string> {
  const detail = await map(pid);
  const res = await h.gateway("Start", {
    method: "POST",
    json: { action, details: [{ tid: detail.template.id, pid, cid: await cid() }] },
  });
  expect(res.status).toBe(200);
  return (await body<{ requestId: string }>(res)).requestId;
}

/** Polls Status like DWA until the request is no longer waiting; returns it and how many reads it took. */
async function settle(
  requestId: string,
): Promise<{ state: string; errorMessage?: string | null; reads: number }> {
  for (let reads = 1; reads < 10; reads++) {
    const list = await body<GatewayMap[]>(await h.gateway(`Status/${requestId}`));
    const request = list[0]!.detail.lastRequests.find((r) => r.requestId === requestId)!;
    if (request.state !== "1") return { ...request, reads };
  }
  throw new Error("never settled");
}

async function run(action: string, pid = HEADERS): Promise<void> {
  expect((await settle(await start(action, pid))).state).toBe("2");
}

async function task(pid = HEADERS): Promise<{ legs: Leg[] }> {
  const res = await h.gateway(`${pid}/FieldMappings`);
  expect(res.status).toBe(200);
  const doc = await body<{ id: string; entityMappingTasks: Array<{ legs: Leg[] }> }>(res);
  expect(doc.id).toBe(pid);
  expect(doc.entityMappingTasks).toHaveLength(1);
  return doc.entityMappingTasks[0]!;
}

/** A new version row of the headers map, written through the Web API as any client would. */
async function newVersion(mapping: unknown, name = SALES_ORDER_HEADERS_MAP): Promise<Response> {
  return h.api(VERSIONS, {
    method: "POST",
    headers: { Prefer: "return=representation" },
    json: {
      msdyn_name: name,
      msdyn_displayname: "CDS sales order headers",
      msdyn_mapping: JSON.stringify(mapping),
    },
  });
}

async function switchTo(templateId: string, pid = HEADERS, text: string = templateId): Promise<Response> {
  return h.gateway(`SolutionAware/${await cid()}/SwitchActive/${templateId}?pid=${pid}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: text,
  });
}

describe("the dual-write gateway", () => {
  it("knows the emulator's F&O environment by host name, and no other", async () => {
    const envs = await body<Array<Record<string, unknown>>>(
      await h.gateway(`Environments?targetType=AX&identifier=${FINOPS.toUpperCase()}`),
    );
    expect(envs).toHaveLength(1);
    expect(envs[0]).toMatchObject({ targetType: "AX", detail: { isSolutionAware: true } });
    expect(envs[0]!.cid).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      await body(await h.gateway("Environments?targetType=AX&identifier=contoso.operations.dynamics.com")),
    ).toEqual([]);
    expect((await h.gateway(`Environments?identifier=${FINOPS}`)).status).toBe(400);
  });

  it("lists the seeded maps as a bare array: tName, pid, string states, the active template among the templates", async () => {
    const list = await maps();
    expect(list.map((m) => [m.detail.tName, m.detail.state]).sort()).toEqual(
      [
        [SALES_ORDER_LINES_MAP, "4"],
        [SALES_ORDER_LINES_V2_MAP, "1"],
        [SALES_ORDER_HEADERS_MAP, "4"],
      ].sort(),
    );
    const headers = await map();
    expect(headers.tid).toBe(headers.template.id);
    expect(headers.templates.map((t) => t.id)).toEqual([headers.template.id]);
    expect(list[0]).toMatchObject({ leftEntity: { targetType: "AX" }, rightEntity: {} });
    expect((await h.gateway("Entities?targetType=AX&cid=00000000-0000-0000-0000-000000000000")).status).toBe(
      404,
    );
  });

  it("serves the active version's mapping from FieldMappings, the version row's msdyn_mapping with legs at its top level", async () => {
    const leg = (await task()).legs[0]!;
    expect(leg.reversedSourceFilter).toBe("msdyn_ordertype eq 192350000");
    expect(leg.fieldMappings.find((f) => f.destinationField === "msdyn_isreadytosync")).toMatchObject({
      syncDirection: 3,
      valueTransforms: [],
    });
    const row = await body(
      await h.api(`${VERSIONS}(${(await map()).template.id})?$select=msdyn_name,msdyn_mapping`),
    );
    expect(row.msdyn_name).toBe(SALES_ORDER_HEADERS_MAP);
    expect(JSON.parse(row.msdyn_mapping as string)).toEqual(await task());
    expect((await h.gateway("00000000-0000-0000-0000-000000000000/FieldMappings")).status).toBe(404);
  });

  it("answers Start with a request id that waits until its status has been read once, then is carried out", async () => {
    const requestId = await start("4");
    // Answered, not done: the map runs until the client has polled.
    expect((await map()).state).toBe("4");
    expect((await map()).lastRequests.at(-1)).toMatchObject({ requestId, state: "1" });
    const outcome = await settle(requestId);
    expect(outcome).toMatchObject({ state: "2", reads: 2 });
    expect((await map()).state).toBe("1");
    await run("1");
    expect((await map()).state).toBe("4");
  });

  it("reports an action the map's state refuses as request state 3 with the gateway's message", async () => {
    const outcome = await settle(await start("1"));
    expect(outcome.state).toBe("3");
    expect(outcome.errorMessage).toContain(
      `Cannot start the table map '${SALES_ORDER_HEADERS_MAP}': it is Running`,
    );
    await run("5");
    expect((await map()).state).toBe("5");
    await run("6");
    expect((await map()).state).toBe("4");
  });

  it("refuses malformed Start bodies: numeric actions, entityIds, unknown maps or connections", async () => {
    const detail = await map();
    const good = { tid: detail.template.id, pid: HEADERS, cid: await cid() };
    const post = (json: unknown) => h.gateway("Start", { method: "POST", json });
    expect((await post({ action: 4, details: [good] })).status).toBe(400);
    expect((await post({ action: 4, entityIds: [HEADERS] })).status).toBe(400);
    expect(
      (await post({ action: "4", details: [{ ...good, pid: "00000000-0000-0000-0000-000000000000" }] }))
        .status,
    ).toBe(404);
    expect((await post({ action: "4", details: [{ ...good, cid: "nope" }] })).status).toBe(404);
    const lines = await map(dualWriteSeedIds.project(SALES_ORDER_LINES_MAP));
    expect((await post({ action: "4", details: [{ ...good, tid: lines.template.id }] })).status).toBe(400);
    expect((await map()).state).toBe("4");
  });

  it("makes a version row written through the Web API active with SwitchActive, only while the map is stopped", async () => {
    const edited = structuredClone(await task());
    edited.legs[0]!.reversedSourceFilter = "msdyn_ordertype eq 192350000 and msdyn_isreadytosync eq true";
    const created = await newVersion(edited);
    expect(created.status).toBe(201);
    const id = (await body<{ msdyn_dualwriteentitymapid: string }>(created)).msdyn_dualwriteentitymapid;
    expect((await map()).templates.map((t) => t.id)).toContain(id);

    const refused = await switchTo(id);
    expect(refused.status).toBe(409);
    expect((await body<{ error: { message: string } }>(refused)).error.message).toContain("Stop it first");

    await run("4");
    expect((await switchTo(id, HEADERS, JSON.stringify(id))).status).toBe(200);
    expect((await map()).template.id).toBe(id);
    expect((await task()).legs[0]!.reversedSourceFilter).toBe(
      "msdyn_ordertype eq 192350000 and msdyn_isreadytosync eq true",
    );
    await run("1");
    expect((await map()).state).toBe("4");
  });

  it("refuses a version of another map, a body that is not the template id, and a missing pid", async () => {
    await run("4");
    const lines = await map(dualWriteSeedIds.project(SALES_ORDER_LINES_MAP));
    expect((await switchTo(lines.template.id)).status).toBe(400);
    const own = (await map()).template.id;
    expect((await switchTo(own, HEADERS, '"something else"')).status).toBe(400);
    expect(
      (await h.gateway(`SolutionAware/${await cid()}/SwitchActive/${own}`, { method: "POST" })).status,
    ).toBe(400);
    expect((await switchTo(own)).status).toBe(200);
  });

  it("keeps the Web API from editing a running map's active version, and version rows in the shape the gateway reads", async () => {
    const active = (await map()).template.id;
    const patch = await h.api(`${VERSIONS}(${active})`, {
      method: "PATCH",
      json: { msdyn_mapping: JSON.stringify({ legs: [] }) },
    });
    expect(patch.status).toBe(409);
    expect((await h.api(`${VERSIONS}(${active})`, { method: "DELETE" })).status).toBe(409);
    // The gateway's wrapper is not a version's shape: legs belong at the top level.
    const wrapped = await newVersion({ entityMappingTasks: [await task()] });
    expect(wrapped.status).toBe(400);
    expect((await body<{ error: { message: string } }>(wrapped)).error.message).toContain("legs");
    const bad = structuredClone(await task());
    bad.legs[0]!.fieldMappings[0]!.syncDirection = 7;
    const res = await newVersion(bad);
    expect(res.status).toBe(400);
    expect((await body<{ error: { message: string } }>(res)).error.message).toContain(
      "legs[0].fieldMappings[0].syncDirection",
    );
  });

  it("is its own host: the Web API's listener does not serve it, and it asks for the same token", async () => {
    expect((await h.raw("/api/DualWriteManagement/1.0/Entities")).status).toBe(404);
    const anonymous = await fetch(
      `${h.emulator.dualWriteUrl}/api/DualWriteManagement/1.0/Environments?targetType=AX&identifier=${FINOPS}`,
    );
    expect(anonymous.status).toBe(401);
    expect((await h.gateway("../../data/v9.2/WhoAmI")).status).toBe(404);
    expect(h.emulator.dualWriteUrl).not.toBe(h.emulator.url);
  });

  it("is counted and faulted under /api/ like the Web API", async () => {
    await h.gateway(`Environments?targetType=AX&identifier=${FINOPS}`);
    const counters = await body<{ byRoute: Record<string, number> }>(await h.raw("/_emulator/counters"));
    expect(counters.byRoute["GET /api/DualWriteManagement/1.0/Environments"]).toBe(1);
    await h.raw("/_emulator/faults", {
      method: "PUT",
      json: { rules: [{ path: "/api/DualWriteManagement/", status: 503, count: 1 }] },
    });
    expect((await h.gateway(`Environments?targetType=AX&identifier=${FINOPS}`)).status).toBe(503);
    expect((await h.gateway(`Environments?targetType=AX&identifier=${FINOPS}`)).status).toBe(200);
  });
});

describe("the gateway's projects", () => {
  it("are added, and kept, when a data directory from before the gateway has none", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "iom-gateway-old-"));
    try {
      // What an earlier emulator left: rows, and no gateway projects.
      writeFileSync(
        path.join(dir, "snapshot.json"),
        JSON.stringify({ format: 1, seq: 1, tables: { account: [] } }),
      );
      for (let run = 0; run < 2; run++) {
        const emulator = await startEmulator({ dataDir: dir });
        try {
          const call = async (route: string, body?: unknown) =>
            (await (
              await fetch(`${emulator.dualWriteUrl}/api/DualWriteManagement/1.0/${route}`, {
                method: body === undefined ? "GET" : "POST",
                headers: { Authorization: `Bearer ${emulator.token}`, "Content-Type": "application/json" },
                ...(body === undefined ? {} : { body: JSON.stringify(body) }),
              })
            ).json()) as never;
          const [env] = (await call(`Environments?targetType=AX&identifier=${FINOPS}`)) as Array<{
            cid: string;
          }>;
          const maps = (await call(`Entities?targetType=AX&cid=${env!.cid}`)) as GatewayMap[];
          expect(maps).toHaveLength(3);
          const headers = maps.find((m) => m.detail.pid === HEADERS)!.detail;
          if (run === 0) {
            // Changed in the first run, so the second shows the projects were persisted, not added again.
            const { requestId } = (await call("Start", {
              action: "4",
              details: [{ tid: headers.template.id, pid: HEADERS, cid: env!.cid }],
            })) as { requestId: string };
            await call(`Status/${requestId}`);
            await call(`Status/${requestId}`);
          } else expect(headers.state).toBe("1");
        } finally {
          await emulator.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("persist across restarts with the data directory, and reset restores the seeded ones", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "iom-gateway-"));
    try {
      const first = await startEmulator({ dataDir: dir });
      const call = (emulator: typeof first, route: string, init: RequestInit = {}) =>
        fetch(`${emulator.dualWriteUrl}/api/DualWriteManagement/1.0/${route}`, {
          ...init,
          headers: { Authorization: `Bearer ${emulator.token}`, "Content-Type": "application/json" },
        });
      const [env] = (await (
        await call(first, `Environments?targetType=AX&identifier=${FINOPS}`)
      ).json()) as Array<{ cid: string }>;
      const state = async (emulator: typeof first) =>
        (
          (await (await call(emulator, `Entities?targetType=AX&cid=${env!.cid}`)).json()) as GatewayMap[]
        ).find((m) => m.detail.pid === HEADERS)!.detail;
      const tid = (await state(first)).template.id;
      const { requestId } = (await (
        await call(first, "Start", {
          method: "POST",
          body: JSON.stringify({ action: "4", details: [{ tid, pid: HEADERS, cid: env!.cid }] }),
        })
      ).json()) as { requestId: string };
      await call(first, `Status/${requestId}`);
      await call(first, `Status/${requestId}`);
      expect((await state(first)).state).toBe("1");
      await first.close();

      const second = await startEmulator({ dataDir: dir });
      try {
        expect((await state(second)).state).toBe("1");
        expect((await state(second)).lastRequests.at(-1)).toMatchObject({ requestId, state: "2" });
        await fetch(`${second.url}/_emulator/reset`, {
          method: "POST",
          headers: { Authorization: `Bearer ${second.token}` },
        });
        expect((await state(second)).state).toBe("4");
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
