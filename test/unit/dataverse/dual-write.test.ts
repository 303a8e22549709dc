// The dual-write gateway client against recorded answers in the shapes Microsoft's dual-write tool
// reads (DWLibary Struct/DWEnvironment.cs, DWMaps.cs, DWFieldMapping.cs, MapsHelper.cs): the
// requests it sends (paths, query, bodies with string actions, the token's scope), how it waits for
// a request id, the errors it gives for a failed or endless request, a missing setting or an answer
// of another shape. Strict: a request no answer was recorded for fails the test.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { DataverseClient } from "../../../src/dataverse/client.js";
import {
  dataverseConfigFromEnv,
  financeAndOperationsHost,
  normalizeGatewayUrl,
} from "../../../src/dataverse/config.js";
import {
  DualWriteManagementClient,
  mapNameKey,
  mapsNamed,
  parseGatewayMap,
  sameMapName,
  uiMapName,
} from "../../../src/dataverse/dual-write.js";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, "fixtures", "gateway", `${name}.json`), "utf8"));

const GATEWAY = "https://projectmanagementservice.weu-il107.gateway.prod.island.powerapps.com";
const ROOT = `${GATEWAY}/api/DualWriteManagement/1.0/`;
const CID = "3f0d5c0e-7a4b-4f61-9a57-1c2d3e4f5a6b";
const PID = "5f0c2a7e-8d1b-4c3a-9e6f-1a2b3c4d5e6f";
const TID = "a1b2c3d4-0000-4000-8000-000000000001";
const REQUEST = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

interface Sent {
  method: string;
  url: string;
  body: string | undefined;
  authorization: string | null;
}

type Answer = { status?: number; body: unknown } | ((sent: Sent) => { status?: number; body: unknown });

/** A client whose fetch answers from `answers` by method and URL (after ROOT); unmatched requests throw. */
function gateway(answers: Record<string, Answer | Answer[]>, config: Record<string, unknown> = {}) {
  const sent: Sent[] = [];
  const queues = new Map(Object.entries(answers).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const s: Sent = {
      method: init?.method ?? "GET",
      url,
      body: typeof init?.body === "string" ? init.body : undefined,
      authorization: new Headers(init?.headers).get("authorization"),
    };
    sent.push(s);
    const key = `${s.method} ${url.startsWith(ROOT) ? url.slice(ROOT.length) : url}`;
    const queue = queues.get(key);
    if (!queue || queue.length === 0) throw new Error(`no recorded answer for ${key}`);
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    const answer = typeof next === "function" ? next(s) : next;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "content-type": "application/json" },
    });
  };
  const client = new DataverseClient(
    {
      environmentUrl: "https://contoso.crm.dynamics.com",
      auth: { kind: "static-token", token: "t0ken" },
      dualWriteUrl: GATEWAY,
      financeAndOperationsUrl: "https://Contoso.operations.dynamics.com/",
      retry: { maxAttempts: 1 },
      ...config,
    },
    { fetch: fetch as typeof globalThis.fetch },
  );
  let now = 0;
  const sleeps: number[] = [];
  const dw = new DualWriteManagementClient(client, {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    waitMs: 1_000,
  });
  return { dw, sent, sleeps };
}

const ENVIRONMENTS = `GET Environments?targetType=AX&identifier=contoso.operations.dynamics.com`;
const ENTITIES = `GET Entities?targetType=AX&cid=${CID}`;

/** The Entities answer with the headers map's lastRequests holding the request in `state`. */
function statusWith(state: string, errorMessage?: string): unknown {
  const [headers] = structuredClone(fixture("entities")) as Array<{ detail: Record<string, unknown> }>;
  headers!.detail.lastRequests = [
    {
      requestId: REQUEST,
      action: "4",
      createdOn: "2024-03-02T10:00:00Z",
      modifiedOn: "2024-03-02T10:00:01Z",
      state,
      errorMessage: errorMessage ?? null,
      errorUri: null,
      rootActivityId: null,
    },
  ];
  return [headers];
}

describe("the gateway's address and settings", () => {
  it("adds the management path to a gateway host, and keeps one that has it", () => {
    expect(normalizeGatewayUrl(GATEWAY)).toBe(ROOT);
    expect(normalizeGatewayUrl(`${GATEWAY}/`)).toBe(ROOT);
    expect(normalizeGatewayUrl(ROOT)).toBe(ROOT);
    expect(normalizeGatewayUrl("http://127.0.0.1:4801")).toBe(
      "http://127.0.0.1:4801/api/DualWriteManagement/1.0/",
    );
    expect(() => normalizeGatewayUrl("http://gateway.example.com")).toThrow(/https/);
  });

  it("identifies the F&O environment by its host name, from a URL or a bare host", () => {
    expect(financeAndOperationsHost("https://Contoso.operations.dynamics.com/")).toBe(
      "contoso.operations.dynamics.com",
    );
    expect(financeAndOperationsHost("contoso.operations.dynamics.com")).toBe(
      "contoso.operations.dynamics.com",
    );
    expect(() => financeAndOperationsHost("not a host")).toThrow(/IOM_FINOPS_URL|F&O environment's address/);
  });

  it("reads IOM_DUALWRITE_URL, IOM_FINOPS_URL and IOM_DUALWRITE_WAIT_MS, and refuses a wait that is not a number", () => {
    const config = dataverseConfigFromEnv({
      IOM_DATAVERSE_URL: "https://contoso.crm.dynamics.com",
      IOM_TOKEN: "t",
      IOM_DUALWRITE_URL: GATEWAY,
      IOM_FINOPS_URL: "contoso.operations.dynamics.com",
      IOM_DUALWRITE_WAIT_MS: "60000",
    });
    expect(config).toMatchObject({
      dualWriteUrl: ROOT,
      financeAndOperationsUrl: "contoso.operations.dynamics.com",
      dualWriteWaitMs: 60000,
    });
    expect(() =>
      dataverseConfigFromEnv({
        IOM_DATAVERSE_URL: "https://x.crm.dynamics.com",
        IOM_TOKEN: "t",
        IOM_DUALWRITE_WAIT_MS: "soon",
      }),
    ).toThrow(/IOM_DUALWRITE_WAIT_MS must be a positive number/);
  });

  it("says which setting to give when the gateway's address is missing, naming the real host pattern", async () => {
    const { dw, sent } = gateway({}, { dualWriteUrl: undefined });
    const error = await dw.maps().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid-config" });
    expect((error as Error).message).toContain("iom:dualWriteUrl (or IOM_DUALWRITE_URL)");
    expect((error as Error).message).toContain(
      "https://projectmanagementservice.<region>.gateway.prod.island.powerapps.com",
    );
    expect(sent).toEqual([]);
  });

  it("says which setting to give when the F&O environment is missing", async () => {
    const { dw, sent } = gateway({}, { financeAndOperationsUrl: undefined });
    await expect(dw.maps()).rejects.toThrow(/iom:financeAndOperationsUrl \(or IOM_FINOPS_URL\)/);
    expect(sent).toEqual([]);
  });
});

describe("reading the gateway", () => {
  it("finds the connection by the F&O host, then lists the maps of that connection", async () => {
    const { dw, sent } = gateway({
      [ENVIRONMENTS]: { body: fixture("environments") },
      [ENTITIES]: { body: fixture("entities") },
    });
    const maps = await dw.maps();
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET ${ROOT}Environments?targetType=AX&identifier=contoso.operations.dynamics.com`,
      `GET ${ROOT}Entities?targetType=AX&cid=${CID}`,
    ]);
    // The static token of the test; the scope a real credential is asked for is tested in credentials.test.ts.
    expect(sent[0]!.authorization).toBe("Bearer t0ken");
    expect(maps[0]).toEqual({
      pid: PID,
      tid: TID,
      name: "salesorders - CDS sales order headers",
      state: "4",
      template: {
        id: TID,
        name: "salesorders - CDS sales order headers",
        displayName: "CDS sales order headers",
        author: "Microsoft",
        version: "1.0.0.3",
      },
      templates: [expect.objectContaining({ id: TID })],
      lastRequests: [],
      financeEntity: "SalesOrderHeaderCDSV2Entity",
      dataverseEntity: "salesorders",
    });
    // A map never run has no project id.
    expect(maps[1]).toMatchObject({ pid: undefined, state: "6" });
    // The connection is asked for once per client.
    await dw.maps();
    expect(sent.filter((s) => s.url.includes("Environments"))).toHaveLength(1);
  });

  it("says so when the gateway does not know the F&O environment", async () => {
    const { dw } = gateway({ [ENVIRONMENTS]: { body: [] } });
    const error = await dw.maps().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "not-found" });
    expect((error as Error).message).toContain(
      "the dual-write gateway knows no Finance and Operations environment 'contoso.operations.dynamics.com'",
    );
  });

  it("refuses answers of another shape: a wrapped list, a map without detail, field mappings without tasks", async () => {
    const wrapped = gateway({
      [ENVIRONMENTS]: { body: fixture("environments") },
      [ENTITIES]: { body: { value: [] } },
    });
    await expect(wrapped.dw.maps()).rejects.toMatchObject({ code: "unexpected" });
    await expect(wrapped.dw.maps()).rejects.toThrow("the gateway's map list is not a JSON array of maps");

    const bare = gateway({
      [ENVIRONMENTS]: { body: fixture("environments") },
      [ENTITIES]: { body: [{ id: PID, name: "x", state: 4 }] },
    });
    await expect(bare.dw.maps()).rejects.toThrow("entry 0 has no detail.tName or detail.state");

    const noCid = gateway({ [ENVIRONMENTS]: { body: [{ cname: "x" }] } });
    await expect(noCid.dw.maps()).rejects.toThrow("the gateway's environment has no cid");

    const mappings = gateway({ [`GET ${PID}/FieldMappings`]: { body: { legs: [] } } });
    await expect(mappings.dw.fieldMappings(PID)).rejects.toThrow(
      "the field mappings have no entityMappingTasks array",
    );
  });

  it("reads a map's active document by its project id", async () => {
    const { dw } = gateway({ [`GET ${PID}/FieldMappings`]: { body: fixture("field-mappings") } });
    const document = await dw.fieldMappings(PID);
    expect((document.entityMappingTasks as Array<{ legs: unknown[] }>)[0]!.legs).toHaveLength(1);
  });
});

describe("running an action", () => {
  const base = {
    [ENVIRONMENTS]: { body: fixture("environments") },
    [ENTITIES]: { body: fixture("entities") },
    "POST Start": { body: { requestId: REQUEST } },
  };

  it("posts a string action with details[{tid, pid, cid, parameters}] and polls Status until the request is done", async () => {
    const { dw, sent, sleeps } = gateway({
      ...base,
      [`GET Status/${REQUEST}`]: [
        { body: statusWith("1") },
        { body: statusWith("1") },
        { body: statusWith("2") },
      ],
    });
    await dw.run("4", PID);
    const start = sent.find((s) => s.url.endsWith("/Start"))!;
    expect(JSON.parse(start.body!)).toEqual({
      action: "4",
      details: [
        {
          tid: TID,
          pid: PID,
          cid: CID,
          parameters: { skipInitialSync: true, conflictResolution: { option: "1", master: "CRM" } },
        },
      ],
    });
    expect(sent.filter((s) => s.url.includes("Status/"))).toHaveLength(3);
    // Backing off between reads.
    expect(sleeps).toEqual([100, 200]);
  });

  it("sends no parameters with a pause or a resume, as DWA does", async () => {
    const { dw, sent } = gateway({ ...base, [`GET Status/${REQUEST}`]: { body: statusWith("2") } });
    await dw.run("5", PID);
    expect(JSON.parse(sent.find((s) => s.url.endsWith("/Start"))!.body!)).toEqual({
      action: "5",
      details: [{ tid: TID, pid: PID, cid: CID }],
    });
  });

  it("fails with the map, the action, the request id and the gateway's message when the request ends in error", async () => {
    const { dw } = gateway({
      ...base,
      [`GET Status/${REQUEST}`]: {
        body: statusWith("3", "The map could not be stopped: a catch-up sync is running."),
      },
    });
    const error = await dw.run("4", PID).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "dual-write-request-failed",
      outcome: "failed",
      gatewayRequestId: REQUEST,
    });
    expect((error as Error).message).toContain(
      `the stop of the table map 'salesorders - CDS sales order headers' (gateway request ${REQUEST}) failed: The map could not be stopped: a catch-up sync is running.`,
    );
  });

  it("gives up after the wait, saying the request may still finish", async () => {
    const { dw, sleeps } = gateway({ ...base, [`GET Status/${REQUEST}`]: { body: statusWith("1") } });
    const error = await dw.run("1", PID).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "dual-write-request-failed", outcome: "timed-out" });
    expect((error as Error).message).toContain("did not finish within 1000 ms");
    expect((error as Error).message).toContain("iom:dualWriteWaitMs");
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it("awaits a request an earlier run left waiting before it reports the map's state, whatever that request's outcome", async () => {
    const waiting = statusWith("1") as Array<{ detail: { state: string } }>;
    waiting[0]!.detail.state = "1";
    const settled = statusWith("3", "Cannot start: it is Running.") as Array<{ detail: { state: string } }>;
    settled[0]!.detail.state = "4";
    const { dw, sent } = gateway({
      [ENVIRONMENTS]: { body: fixture("environments") },
      [ENTITIES]: [{ body: waiting }, { body: settled }],
      [`GET Status/${REQUEST}`]: [
        { body: statusWith("1") },
        { body: statusWith("3", "Cannot start: it is Running.") },
      ],
    });
    expect((await dw.map(PID)).state).toBe("4");
    expect(sent.filter((s) => s.url.includes("Status/"))).toHaveLength(2);
  });

  it("refuses a Start answer without a request id", async () => {
    const { dw } = gateway({ ...base, "POST Start": { body: {} } });
    await expect(dw.run("4", PID)).rejects.toThrow("without a requestId");
  });

  it("switches the active version with the bare template id as the body, and checks that it took", async () => {
    const switched = structuredClone(fixture("entities")) as Array<{ detail: { template: { id: string } } }>;
    const NEW = "a1b2c3d4-0000-4000-8000-0000000000ff";
    switched[0]!.detail.template = { id: NEW };
    const { dw, sent } = gateway({
      [ENVIRONMENTS]: { body: fixture("environments") },
      [`POST SolutionAware/${CID}/SwitchActive/${NEW}?pid=${PID}`]: { body: undefined, status: 200 },
      [ENTITIES]: [{ body: switched }, { body: fixture("entities") }],
    });
    await dw.switchActive(PID, NEW);
    const post = sent.find((s) => s.method === "POST")!;
    expect(post.body).toBe(NEW);
    // Still the old version afterwards: the switch did not take.
    await expect(dw.switchActive(PID, NEW)).rejects.toThrow(`its active version is ${TID}`);
  });
});

describe("map names", () => {
  it("are the same map in the UI's form and the gateway's tName form, in any case or spacing", () => {
    expect(
      sameMapName("CDS sales order headers (salesorders)", "salesorders - CDS sales order headers"),
    ).toBe(true);
    expect(
      sameMapName("cds SALES order headers ( salesorders )", "salesorders  -  CDS sales order headers"),
    ).toBe(true);
    expect(
      sameMapName(
        "CDS sales order lines (salesorderdetails)",
        "salesorderdetails - CDS sales order lines V2",
      ),
    ).toBe(false);
    expect(
      sameMapName("CDS sales order lines (saleorderdetails)", "salesorderdetails - CDS sales order lines"),
    ).toBe(false);
    expect(mapNameKey("Customers V3")).toBe("|customers v3");
    expect(uiMapName("salesorders - CDS sales order headers")).toBe("CDS sales order headers (salesorders)");
  });

  it("prefer an exact tName over a match by form", () => {
    const maps = (fixture("entities") as unknown[]).map((m) => parseGatewayMap(m)!);
    expect(mapsNamed(maps, "CDS sales order headers (salesorders)").map((m) => m.pid)).toEqual([PID]);
    expect(mapsNamed(maps, "salesorderdetails - CDS sales order lines V2")).toHaveLength(1);
    expect(mapsNamed(maps, "CDS sales order lines (salesorderdetails)")).toEqual([]);
  });
});
