// What the e2e tests need from an environment: an emulator, a plain view of its IOM rows (read
// over HTTP like any client would, independent of the resource code), and its request counters.
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/engine/engine.js";
import { columns, entitySetNames, policyVersionState } from "../../src/iom/facts.js";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator/index.js";

export type Row = Record<string, unknown>;

/**
 * Every IOM table the resources write. The dual-write maps are compared through the gateway
 * (snapshot's `dualWriteMaps`): a saved change is a new version row with an id of its own, so the
 * rows of msdyn_dualwriteentitymap differ from run to run where the maps do not.
 */
export const IOM_SETS = [...Object.values(entitySetNames)] as const;

/** The dual-write gateway's path on its own host [C: DWA:DWHttp.cs]. */
export const GATEWAY_PATH = "/api/DualWriteManagement/1.0/";

/** A map as the gateway lists it (the parts the tests read). */
export interface GatewayMapView {
  detail: { tName: string; pid: string; state: string; template: { id: string } | null };
}

const VOLATILE = new Set(["createdon", "modifiedon", "versionnumber", "@odata.etag"]);

export class TestEnvironment {
  private constructor(readonly emulator: RunningEmulator) {}

  static async start(options: EmulatorOptions = {}): Promise<TestEnvironment> {
    return new TestEnvironment(await startEmulator({ port: 0, ...options }));
  }

  /** The variables that point the program and the providers at this environment and its dual-write gateway. */
  get env(): Record<string, string> {
    return {
      IOM_DATAVERSE_URL: this.emulator.url,
      IOM_TOKEN: this.emulator.token,
      IOM_DUALWRITE_URL: this.emulator.dualWriteUrl,
      IOM_FINOPS_URL: this.emulator.financeAndOperationsUrl,
    };
  }

  /** The same as stack config (`iom:…`), for tests that configure the stack instead of the environment. */
  get stackConfig(): Record<string, { value: string; secret?: boolean }> {
    return {
      "iom:environmentUrl": { value: this.emulator.url },
      "iom:token": { value: this.emulator.token, secret: true },
      "iom:dualWriteUrl": { value: this.emulator.dualWriteUrl },
      "iom:financeAndOperationsUrl": { value: this.emulator.financeAndOperationsUrl },
    };
  }

  /** A request to the dual-write gateway (its own listener), with the bearer token. */
  async gateway<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.emulator.dualWriteUrl}${GATEWAY_PATH}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.emulator.token}`,
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The gateway's connection id for the emulator's F&O environment. */
  async cid(): Promise<string> {
    const host = new URL(this.emulator.financeAndOperationsUrl).host;
    const [env] = await this.gateway<Array<{ cid: string }>>(
      "GET",
      `Environments?targetType=AX&identifier=${host}`,
    );
    if (!env) throw new Error("the gateway knows no F&O environment");
    return env.cid;
  }

  /** Every map the gateway lists. */
  async gatewayMaps(): Promise<GatewayMapView[]> {
    return this.gateway<GatewayMapView[]>("GET", `Entities?targetType=AX&cid=${await this.cid()}`);
  }

  /** The map with this tName ("salesorders - CDS sales order headers"). */
  async gatewayMap(tName: string): Promise<GatewayMapView["detail"]> {
    const map = (await this.gatewayMaps()).find((m) => m.detail.tName === tName);
    if (!map) throw new Error(`the gateway has no map '${tName}'`);
    return map.detail;
  }

  /** A map's active version's first leg (its Dataverse filter and field mappings). */
  async activeLeg(pid: string): Promise<{
    reversedSourceFilter?: string;
    fieldMappings: Array<{ destinationField?: string; syncDirection: number; valueTransforms?: unknown[] }>;
  }> {
    const document = await this.gateway<{ entityMappingTasks: Array<{ legs: unknown[] }> }>(
      "GET",
      `${pid}/FieldMappings`,
    );
    return document.entityMappingTasks[0]!.legs[0] as never;
  }

  /** Runs a gateway action on a map and waits for it, as DWA does. */
  async runMap(action: string, pid: string): Promise<void> {
    const cid = await this.cid();
    const map = (await this.gatewayMaps()).find((m) => m.detail.pid === pid)!.detail;
    const { requestId } = await this.gateway<{ requestId: string }>("POST", "Start", {
      action,
      details: [{ tid: map.template!.id, pid, cid }],
    });
    for (let i = 0; i < 20; i++) {
      const [status] = await this.gateway<
        Array<{ detail: { lastRequests: Array<{ requestId: string; state: string }> } }>
      >("GET", `Status/${requestId}`);
      const request = status!.detail.lastRequests.find((r) => r.requestId === requestId);
      if (request?.state === "2") return;
      if (request?.state === "3") throw new Error(`action ${action} on ${pid} failed`);
    }
    throw new Error(`action ${action} on ${pid} never finished`);
  }

  /** Saves `edit` of a stopped map's active version as a new version row and makes it active. */
  async saveMapVersion(
    pid: string,
    edit: (task: { legs: Array<Record<string, unknown>> }) => void,
  ): Promise<void> {
    const document = await this.gateway<{
      name: string;
      entityMappingTasks: Array<{ legs: Array<Record<string, unknown>> }>;
    }>("GET", `${pid}/FieldMappings`);
    const task = structuredClone(document.entityMappingTasks[0]!);
    edit(task);
    const created = await this.request("POST", "/api/data/v9.2/msdyn_dualwriteentitymaps", {
      msdyn_name: document.name,
      msdyn_mapping: JSON.stringify(task),
    });
    if (created.status !== 204)
      throw new Error(`saving a version: ${created.status} ${await created.text()}`);
    const id = /\(([^)]+)\)$/.exec(created.headers.get("OData-EntityId") ?? "")![1]!;
    await this.gateway("POST", `SolutionAware/${await this.cid()}/SwitchActive/${id}?pid=${pid}`, id);
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.emulator.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.emulator.token}`,
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** All rows of an entity set (every column the emulator holds). */
  async rows(set: string): Promise<Row[]> {
    return (await this.json<{ value: Row[] }>("GET", `/api/data/v9.2/${set}`)).value;
  }

  /**
   * Every IOM row without the columns Dataverse maintains itself, and every dual-write map as the
   * gateway has it (state and active mapping): comparable across runs.
   */
  async snapshot(): Promise<Record<string, Row[]>> {
    const out: Record<string, Row[]> = {};
    const maps = await this.gatewayMaps();
    out.dualWriteMaps = await Promise.all(
      maps
        .map((m) => m.detail)
        .sort((a, b) => a.tName.localeCompare(b.tName))
        .map(async (m) => ({
          tName: m.tName,
          state: m.state,
          mapping: (await this.gateway<{ entityMappingTasks: unknown[] }>("GET", `${m.pid}/FieldMappings`))
            .entityMappingTasks,
        })),
    );
    for (const set of IOM_SETS) {
      const rows = (await this.rows(set)).map((row) =>
        Object.fromEntries(Object.entries(row).filter(([k]) => !VOLATILE.has(k))),
      );
      out[set] = rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return out;
  }

  /** Current (not archived) policies. */
  async currentPolicies(): Promise<Row[]> {
    const policies = await this.rows(entitySetNames.msdyn_iompolicy);
    return policies.filter((p) => p[columns.policy.versionState] !== policyVersionState.archived.value);
  }

  /** The navigation property of a lookup, as the environment publishes it (case matters). */
  async navigation(table: string, lookup: string): Promise<string> {
    const relationships = await this.json<{
      value: Array<{ ReferencingAttribute: string; ReferencingEntityNavigationPropertyName: string }>;
    }>(
      "GET",
      `/api/data/v9.2/EntityDefinitions(LogicalName='${table}')/ManyToOneRelationships?$select=ReferencingAttribute,ReferencingEntityNavigationPropertyName`,
    );
    const match = relationships.value.find((r) => r.ReferencingAttribute === lookup);
    if (!match) throw new Error(`${table} has no lookup ${lookup}`);
    return match.ReferencingEntityNavigationPropertyName;
  }

  async counters(): Promise<{
    total: number;
    byMethod: Record<string, number>;
    byRoute: Record<string, number>;
  }> {
    return this.json("GET", "/_emulator/counters");
  }

  async resetCounters(): Promise<void> {
    await this.request("DELETE", "/_emulator/counters");
  }

  /** The run state of a dual-write map (a string of DWA's MapStatus: "4" is Running), from the gateway. */
  async mapState(pid: string): Promise<string> {
    const map = (await this.gatewayMaps()).find((m) => m.detail.pid === pid);
    if (!map) throw new Error(`the gateway has no map with project id ${pid}`);
    return map.detail.state;
  }

  close(): Promise<void> {
    return this.emulator.close();
  }
}

/** The repository's local stack and the policy files it includes, as project files. */
export function articleFiles(stackName = "test"): Record<string, string> {
  const read = (relative: string) => readFileSync(path.join(projectRoot, relative), "utf8");
  return {
    [`stacks/${stackName}.iom.yaml`]: read("stacks/local.iom.yaml"),
    "policies/finops-sales-order.policy.yaml": read("policies/finops-sales-order.policy.yaml"),
    "policies/finops-order-product.policy.yaml": read("policies/finops-order-product.policy.yaml"),
  };
}
