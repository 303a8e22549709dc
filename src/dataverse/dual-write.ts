// The dual-write management gateway: the undocumented API behind F&O's Data management > Dual-write
// page, on a host of its own (https://projectmanagementservice.<region>.gateway.prod.island.powerapps.com,
// path /api/DualWriteManagement/1.0/), as Microsoft's dual-write automation tool calls it
// (src/iom/dual-write-facts.ts; docs/dual-write-gateway.md). Calls go through the one HTTP client
// (service "dual-write": the gateway's root and token scope, the same retries, typed errors and
// redaction); this module builds the paths, names the statuses each call accepts and checks the
// shape of every answer before anything uses it.
//
// Contract: the F&O environment's host name gives the connection id (`cid`, Environments); the maps
// are listed per connection (Entities, each with its project id `pid`, its active version
// `template` and its state as a string); a map's mapping document is read by pid
// (<pid>/FieldMappings); actions go to Start with string codes and answer a request id, whose
// outcome shows in the map's `lastRequests` (Status/<requestId>); SwitchActive makes another saved
// version (template) the map's active one. A version is saved as a row of msdyn_dualwriteentitymap
// through the Web API (inferred: see saveVersion).
import type { DataverseClient } from "./client.js";
import { ConfigError, DualWriteRequestError, NotFoundError, UnexpectedResponseError } from "./errors.js";
import { dualWrite, mapAction, mapState, requestState } from "../iom/dual-write-facts.js";

/** The connection (F&O environment linked to Dataverse) the gateway knows this environment by. */
export interface GatewayEnvironment {
  cid: string;
  cname?: string;
  displayName?: string;
  powerAppsEnvironment?: string;
  isSolutionAware?: boolean;
}

/** One saved version of a map. */
export interface MapTemplate {
  id: string;
  name?: string;
  displayName?: string;
  author?: string;
  /** "major.minor.build.revision" */
  version?: string;
}

/** One request the gateway ran on a map, newest last or first as the gateway lists them. */
export interface MapRequest {
  requestId: string;
  action?: string;
  /** "1" waiting, "2" completed, "3" error (requestState). */
  state: string;
  errorMessage?: string;
}

/** A table map as the gateway lists it. */
export interface GatewayMap {
  /** The project id: stable across versions, what FieldMappings, Start and SwitchActive take. */
  pid: string | undefined;
  /** detail.tid: the template the map runs. */
  tid: string | undefined;
  /** detail.tName, e.g. "salesorders - CDS sales order headers". */
  name: string;
  /** A string of mapState, e.g. "4" (Running). */
  state: string;
  /** The active version. */
  template: MapTemplate | undefined;
  templates: MapTemplate[];
  lastRequests: MapRequest[];
  /** leftEntity.name (F&O) and rightEntity.name (Dataverse), when given. */
  financeEntity?: string;
  dataverseEntity?: string;
}

/** The seams a test may replace; production code passes none. */
export interface GatewayClientOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** @default the client's dualWriteWaitMs */
  waitMs?: number;
}

type Json = Record<string, unknown>;
type Action = (typeof mapAction)[keyof typeof mapAction];

const ACTION_NAMES = new Map<string, string>(Object.entries(mapAction).map(([name, value]) => [value, name]));
const STATE_LABELS = new Map<string, string>(Object.values(mapState).map((s) => [s.value, s.label]));
/** Polling starts fast (the emulator and short stops answer within a second) and backs off. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 5_000;

/** A map state's label ("Running"), or "state <value>" for one the enum does not have. */
export function stateLabel(state: string): string {
  return STATE_LABELS.get(state) ?? `state ${state}`;
}

/** An action's name ("stop"), for messages. */
export function actionName(action: string): string {
  return ACTION_NAMES.get(action) ?? `action ${action}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function template(value: unknown): MapTemplate | undefined {
  if (!isObject(value) || typeof value.id !== "string" || value.id === "") return undefined;
  const v = value.version;
  const version = isObject(v)
    ? [v.major, v.minor, v.build, v.revision].map((n) => (typeof n === "number" ? n : 0)).join(".")
    : undefined;
  return {
    id: value.id,
    ...(optionalString(value.name) ? { name: value.name as string } : {}),
    ...(optionalString(value.displayName) ? { displayName: value.displayName as string } : {}),
    ...(optionalString(value.author) ? { author: value.author as string } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

function requests(value: unknown): MapRequest[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((r) =>
    isObject(r) && typeof r.requestId === "string"
      ? [
          {
            requestId: r.requestId,
            // DWA reads these as strings; a number is taken as the same code written as a number.
            state: String(r.state ?? ""),
            ...(r.action != null ? { action: String(r.action) } : {}),
            ...(optionalString(r.errorMessage) ? { errorMessage: r.errorMessage as string } : {}),
          },
        ]
      : [],
  );
}

/**
 * A map of an Entities or Status answer; undefined when it is not one (no detail.tName or state),
 * which the callers turn into an UnexpectedResponseError naming the answer.
 */
export function parseGatewayMap(value: unknown): GatewayMap | undefined {
  if (!isObject(value) || !isObject(value.detail)) return undefined;
  const d = value.detail;
  if (typeof d.tName !== "string" || (typeof d.state !== "string" && typeof d.state !== "number"))
    return undefined;
  const left = isObject(value.leftEntity) ? optionalString(value.leftEntity.name) : undefined;
  const right = isObject(value.rightEntity) ? optionalString(value.rightEntity.name) : undefined;
  const active = template(d.template);
  return {
    pid: optionalString(d.pid),
    tid: optionalString(d.tid) ?? active?.id,
    name: d.tName,
    state: String(d.state),
    template: active,
    templates: Array.isArray(d.templates) ? d.templates.flatMap((t) => template(t) ?? []) : [],
    lastRequests: requests(d.lastRequests),
    ...(left ? { financeEntity: left } : {}),
    ...(right ? { dataverseEntity: right } : {}),
  };
}

function mapList(body: unknown, method: string, path: string, what: string): GatewayMap[] {
  if (!Array.isArray(body))
    throw new UnexpectedResponseError(`${what} is not a JSON array of maps`, {
      method,
      path,
      hint: "Check that iom:dualWriteUrl (IOM_DUALWRITE_URL) is the dual-write gateway; report the answer if it is.",
    });
  return body.map((entry, i) => {
    const map = parseGatewayMap(entry);
    if (!map)
      throw new UnexpectedResponseError(`${what}: entry ${i} has no detail.tName or detail.state`, {
        method,
        path,
      });
    return map;
  });
}

// ---------------------------------------------------------------------------------------------
// Map names. The F&O UI and IOM's docs say "CDS sales order headers (salesorders)"; the gateway's
// tName is "salesorders - CDS sales order headers" [I: DWA's sample config, dualWrite.tNameSeparator].
// ---------------------------------------------------------------------------------------------

const UI_FORM = /^(.*\S)\s*\(\s*([^()\s]+)\s*\)$/;
const SEPARATOR = dualWrite.tNameSeparator.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** "<entity set> - <label>": an entity set name has no spaces. */
const GATEWAY_FORM = new RegExp(`^(\\S+)\\s+${SEPARATOR}\\s+(.+)$`);

/** A map name split into its Dataverse entity set and its label, when it has one of the two forms. */
export function mapNameParts(name: string): { entitySet?: string; label: string } {
  const text = name.trim().replace(/\s+/g, " ");
  const ui = UI_FORM.exec(text);
  if (ui) return { entitySet: ui[2] as string, label: (ui[1] as string).trim() };
  const gateway = GATEWAY_FORM.exec(text);
  if (gateway) return { entitySet: gateway[1] as string, label: (gateway[2] as string).trim() };
  return { label: text };
}

/** The comparable form of a map name: "Label (set)" and "set - Label" give the same key. */
export function mapNameKey(name: string): string {
  const { entitySet, label } = mapNameParts(name);
  return `${(entitySet ?? "").toLowerCase()}|${label.toLowerCase()}`;
}

/** Whether two names name the same map, in either form, without regard to case or spacing. */
export function sameMapName(a: string, b: string): boolean {
  return mapNameKey(a) === mapNameKey(b);
}

/** A name as the F&O UI writes it, "CDS sales order headers (salesorders)", for messages. */
export function uiMapName(name: string): string {
  const { entitySet, label } = mapNameParts(name);
  return entitySet ? `${label} (${entitySet})` : label;
}

/** The maps a name names (either form); an exact tName match wins over a match by form. */
export function mapsNamed(maps: readonly GatewayMap[], name: string): GatewayMap[] {
  const exact = maps.filter((m) => m.name.trim().toLowerCase() === name.trim().toLowerCase());
  return exact.length > 0 ? exact : maps.filter((m) => sameMapName(m.name, name));
}

export class DualWriteManagementClient {
  #environment: Promise<GatewayEnvironment> | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #waitMs: number;

  constructor(
    private readonly client: DataverseClient,
    options: GatewayClientOptions = {},
  ) {
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
    this.#waitMs = options.waitMs ?? client.dualWriteWaitMs;
  }

  /**
   * The connection of the configured F&O environment: `GET Environments?targetType=AX&identifier=<host>`,
   * the first entry [C: DWA:DWEnvCalls.cs]. Read once per client.
   */
  environment(): Promise<GatewayEnvironment> {
    this.#environment ??= this.#readEnvironment();
    // A failed read is not kept: the next call asks again.
    this.#environment.catch(() => (this.#environment = undefined));
    return this.#environment;
  }

  async #readEnvironment(): Promise<GatewayEnvironment> {
    const host = this.client.financeAndOperationsHost;
    if (host === undefined)
      throw new ConfigError("the Finance and Operations environment of the dual-write maps is not set", {
        hint: "Set iom:financeAndOperationsUrl (or IOM_FINOPS_URL) to the F&O environment dual-write links to this Dataverse environment, e.g. https://contoso.operations.dynamics.com: the gateway finds the maps by its host name, as Microsoft's dual-write tool does (its -e argument). For the emulator, the host `iom emulator` prints.",
      });
    const path = `Environments?targetType=${dualWrite.financeTargetType}&identifier=${encodeURIComponent(host)}`;
    const response = await this.client.request({ service: "dual-write", method: "GET", path, accept: [200] });
    if (!Array.isArray(response.body))
      throw new UnexpectedResponseError("the gateway's environment list is not a JSON array", {
        method: "GET",
        path,
        status: response.status,
        requestId: response.requestId,
      });
    const [first] = response.body as unknown[];
    if (first === undefined)
      throw new NotFoundError(
        `the dual-write gateway knows no Finance and Operations environment '${host}'`,
        {
          method: "GET",
          path,
          hint: "Check iom:financeAndOperationsUrl (IOM_FINOPS_URL): it must be the F&O environment linked to this Dataverse environment in Data management > Dual-write, and iom:dualWriteUrl the gateway of its region.",
        },
      );
    if (!isObject(first) || typeof first.cid !== "string" || first.cid === "")
      throw new UnexpectedResponseError("the gateway's environment has no cid", {
        method: "GET",
        path,
        requestId: response.requestId,
      });
    const detail = isObject(first.detail) ? first.detail : {};
    return {
      cid: first.cid,
      ...(optionalString(first.cname) ? { cname: first.cname as string } : {}),
      ...(optionalString(first.displayName) ? { displayName: first.displayName as string } : {}),
      ...(optionalString(first.powerAppsEnvironment)
        ? { powerAppsEnvironment: first.powerAppsEnvironment as string }
        : {}),
      ...(typeof detail.isSolutionAware === "boolean" ? { isSolutionAware: detail.isSolutionAware } : {}),
    };
  }

  /** Every map of the connection: `GET Entities?targetType=AX&cid=<cid>`, a bare array. */
  async maps(): Promise<GatewayMap[]> {
    const { cid } = await this.environment();
    const path = `Entities?targetType=${dualWrite.financeTargetType}&cid=${encodeURIComponent(cid)}`;
    const response = await this.client.request({ service: "dual-write", method: "GET", path, accept: [200] });
    return mapList(response.body, "GET", path, "the gateway's map list");
  }

  /**
   * The map with this project id, once no request on it is still waiting: a stop or start that an
   * earlier run (killed, or whose answer was lost) or someone in F&O left under way is awaited
   * first, whatever its outcome, so that the state read is the one the map settles in. NotFoundError
   * when the connection has no such map.
   */
  async map(pid: string): Promise<GatewayMap> {
    const found = await this.#map(pid);
    const waiting = found.lastRequests.filter((r) => r.state === requestState.waiting);
    if (waiting.length === 0) return found;
    for (const request of waiting) await this.#await(request.requestId, request.action ?? "", found, false);
    return this.#map(pid);
  }

  async #map(pid: string): Promise<GatewayMap> {
    const found = (await this.maps()).find((m) => m.pid?.toLowerCase() === pid.toLowerCase());
    if (!found)
      throw new NotFoundError(`no dual-write table map has the project id '${pid}'`, {
        method: "GET",
        path: "Entities",
      });
    return found;
  }

  /** The active version's document: `{ entityMappingTasks: [{ legs: [...] }], ... }`. */
  async fieldMappings(pid: string): Promise<Json> {
    const path = `${encodeURIComponent(pid)}/FieldMappings`;
    const response = await this.client.request({ service: "dual-write", method: "GET", path, accept: [200] });
    if (!isObject(response.body) || !Array.isArray(response.body.entityMappingTasks))
      throw new UnexpectedResponseError("the field mappings have no entityMappingTasks array", {
        method: "GET",
        path,
        status: response.status,
        requestId: response.requestId,
      });
    return response.body;
  }

  /**
   * Runs an action on a map and waits for the gateway to finish it: `POST Start` answers a request
   * id, whose state shows in `GET Status/<id>` (the maps' lastRequests) [C: DWA:Engines/DWMapEngine.cs].
   * Throws DualWriteRequestError when the gateway reports it failed ("3") or it does not finish
   * within the wait; the message names the map, the action, the request id and the gateway's words.
   */
  async run(action: Action, pid: string): Promise<void> {
    const [map, { cid }] = await Promise.all([this.map(pid), this.environment()]);
    const tid = map.template?.id ?? map.tid;
    if (!tid)
      throw new UnexpectedResponseError(
        `the table map '${map.name}' lists no active template (detail.template.id)`,
        {
          method: "GET",
          path: "Entities",
        },
      );
    // DWA sends its start parameters with start and stop, none with pause and resume.
    const withParameters = action === mapAction.start || action === mapAction.stop;
    const p = dualWrite.startParameters;
    const body = {
      action,
      details: [
        {
          tid,
          pid,
          cid,
          ...(withParameters
            ? {
                parameters: {
                  skipInitialSync: p.skipInitialSync,
                  conflictResolution: { option: p.conflictOption, master: p.master },
                },
              }
            : {}),
        },
      ],
    };
    const response = await this.client.request<unknown>({
      service: "dual-write",
      method: "POST",
      path: "Start",
      accept: [200, 201, 202],
      body,
    });
    const requestId = isObject(response.body) ? optionalString(response.body.requestId) : undefined;
    if (!requestId)
      throw new UnexpectedResponseError(
        `the gateway answered the ${actionName(action)} of '${map.name}' without a requestId`,
        {
          method: "POST",
          path: "Start",
          status: response.status,
          requestId: response.requestId,
        },
      );
    await this.#await(requestId, action, map);
  }

  /** Polls the request until it is done; `failOnError` false: an earlier request's failure is history. */
  async #await(requestId: string, action: string, map: GatewayMap, failOnError = true): Promise<void> {
    const path = `Status/${encodeURIComponent(requestId)}`;
    const deadline = this.#now() + this.#waitMs;
    const what = `the ${actionName(action)} of the table map '${map.name}' (gateway request ${requestId})`;
    for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
      const response = await this.client.request({
        service: "dual-write",
        method: "GET",
        path,
        accept: [200],
      });
      const maps = mapList(response.body, "GET", path, "the gateway's request status");
      // DWA reads the first map; the request is looked for in every map the answer lists.
      const request = maps.flatMap((m) => m.lastRequests).find((r) => r.requestId === requestId);
      if (request?.state === requestState.completed) return;
      if (request?.state === requestState.error && !failOnError) return;
      if (request?.state === requestState.error)
        throw new DualWriteRequestError(
          `${what} failed: ${request.errorMessage ?? "the gateway gave no message"}`,
          { method: "GET", path, gatewayRequestId: requestId, outcome: "failed" },
        );
      const left = deadline - this.#now();
      if (left <= 0)
        throw new DualWriteRequestError(
          `${what} did not finish within ${this.#waitMs} ms (last state ${request ? JSON.stringify(request.state) : "not listed yet"}); it may still finish`,
          {
            method: "GET",
            path,
            gatewayRequestId: requestId,
            outcome: "timed-out",
            hint: "Look at the map in Finance and Operations (Data management > Dual-write); raise iom:dualWriteWaitMs (IOM_DUALWRITE_WAIT_MS) if its queue is long, then apply again.",
          },
        );
      await this.#sleep(Math.min(delay, left));
    }
  }

  /**
   * Makes a saved version the map's active one: `POST SolutionAware/<cid>/SwitchActive/<id>?pid=<pid>`
   * with the template id as the body, sent as DWA sends it (the bare id) [C: DWA:Engines/DWMapEngine.cs].
   * The map is read again to be sure the switch took.
   */
  async switchActive(pid: string, templateId: string): Promise<void> {
    const { cid } = await this.environment();
    const path = `SolutionAware/${encodeURIComponent(cid)}/SwitchActive/${encodeURIComponent(templateId)}?pid=${encodeURIComponent(pid)}`;
    await this.client.request({
      service: "dual-write",
      method: "POST",
      path,
      accept: [200, 202, 204],
      rawBody: { contentType: "application/json", text: templateId },
      // Switching to the same version twice is the same as once.
      idempotent: true,
    });
    const map = await this.map(pid);
    if (map.template?.id?.toLowerCase() !== templateId.toLowerCase())
      throw new UnexpectedResponseError(
        `the gateway accepted switching the table map '${map.name}' to version ${templateId}, but its active version is ${map.template?.id ?? "none"}`,
        { method: "POST", path: "SwitchActive" },
      );
  }

  /**
   * Saves `task` (one entity mapping task: `{ legs: [...] }`) as a new version of the map: a row of
   * msdyn_dualwriteentitymap written through the Web API, named after the active version, whose id
   * is the new template id [I: dualWriteGatewayFacts.templateIsVersionRow; unverified, see
   * docs/dual-write-gateway.md]. The map is not switched to it: switchActive does that.
   */
  async saveVersion(map: GatewayMap, task: Json): Promise<string> {
    const entitySet = await this.client.metadata.entitySetName(dualWrite.table);
    const { id } = await this.client.create(
      entitySet,
      {
        [dualWrite.name]: map.template?.name ?? map.name,
        [dualWrite.displayName]: map.template?.displayName ?? uiMapName(map.name),
        [dualWrite.mapping]: JSON.stringify(task),
      },
      { primaryIdAttribute: dualWrite.primaryId },
    );
    return id;
  }
}
