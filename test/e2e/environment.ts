// What the e2e tests need from an environment: an emulator, a plain view of its IOM rows (read
// over HTTP like any client would, independent of the resource code), and its request counters.
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/engine/engine.js";
import { columns, entitySetNames, policyVersionState } from "../../src/iom/facts.js";
import { dualWrite } from "../../src/iom/dual-write-facts.js";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator/index.js";

export type Row = Record<string, unknown>;

/** Every IOM table the resources write, and the dual-write maps. */
export const IOM_SETS = [...Object.values(entitySetNames), dualWrite.entitySetName] as const;

const VOLATILE = new Set(["createdon", "modifiedon", "versionnumber", "@odata.etag"]);

export class TestEnvironment {
  private constructor(readonly emulator: RunningEmulator) {}

  static async start(options: EmulatorOptions = {}): Promise<TestEnvironment> {
    return new TestEnvironment(await startEmulator({ port: 0, ...options }));
  }

  /** The variables that point the program and the providers at this environment. */
  get env(): Record<string, string> {
    return { IOM_DATAVERSE_URL: this.emulator.url, IOM_TOKEN: this.emulator.token };
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

  /** Every IOM row without the columns Dataverse maintains itself: comparable across runs. */
  async snapshot(): Promise<Record<string, Row[]>> {
    const out: Record<string, Row[]> = {};
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

  /** The run state of a dual-write map, from the management endpoint. */
  async mapState(id: string): Promise<string> {
    const map = await this.json<{ stateName: string }>("GET", `${dualWrite.managementPath}Entities/${id}`);
    return map.stateName;
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
