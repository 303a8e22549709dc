// The dual-write management gateway, as Microsoft's dual-write automation tool (DWA) calls it
// (contract and citations: ./gateway-contract.ts). The emulator serves it on a listener of its own,
// at the real path, so that a client written only from DWA's calls works against it unchanged.
//
// State: per map a project (PROJECTS_TABLE: pid, tName, active template, state as a string, its
// last requests), persisted with the rows and reset with them; the map's versions are the rows of
// msdyn_dualwriteentitymap whose name is the project's template name, each version its own row,
// which the Web API reads and writes like any table. An action (POST Start) is answered at once
// with a request id and stays "waiting" until the request's status has been read once: the next
// read (or the map's next action) carries it out, as a real gateway finishes it later.
import { randomUUID } from "node:crypto";

import type { Context, DeleteGuard, TableRules, WriteGuard } from "./context.js";
import { ApiError, ErrorCode, unknownSegment } from "./errors.js";
import {
  ACTION,
  ACTION_NAME,
  EMULATOR_FINOPS_HOST,
  LAST_REQUESTS_KEPT,
  MAP_STATE,
  MAP_STATE_LABEL,
  PROJECTS_TABLE,
  REQUEST_STATE,
  SYNC_DIRECTIONS,
  TARGET_TYPE,
  TRANSFORM_TYPES,
  VERSION_TABLE,
} from "./gateway-contract.js";
import { GUID_PATTERN, stableId } from "./ids.js";
import { json, type ApiRequest, type ApiResponse } from "./http-types.js";
import type { FieldValue, Row } from "./store.js";

/** One request in a project's history; `reads` counts Status reads while it waits. [E] */
interface StoredRequest {
  requestId: string;
  action: string;
  createdOn: string;
  modifiedOn: string;
  state: string;
  errorMessage?: string;
  reads: number;
}

export interface Project {
  pid: string;
  tName: string;
  templateName: string;
  financeEntity: string;
  dataverseEntity: string;
  template: string;
  state: string;
  requests: StoredRequest[];
}

/** States in which a map's versions may be switched and its active version edited. */
const EDITABLE: ReadonlySet<string> = new Set([MAP_STATE.stopped, MAP_STATE.notRunning]);

function label(state: string): string {
  return MAP_STATE_LABEL[state] ?? `state ${state}`;
}

function toProject(row: Row): Project {
  const v = row.values;
  let requests: StoredRequest[] = [];
  try {
    requests = JSON.parse(String(v.requests ?? "[]")) as StoredRequest[];
  } catch {
    /* a damaged history is an empty one */
  }
  return {
    pid: row.id,
    tName: String(v.tName),
    templateName: String(v.templateName),
    financeEntity: String(v.financeEntity ?? ""),
    dataverseEntity: String(v.dataverseEntity ?? ""),
    template: String(v.template),
    state: String(v.state),
    requests,
  };
}

/** Every map's project (also what the emulator's console lists). */
export function projects(ctx: Context): Project[] {
  return [...ctx.store.rows(PROJECTS_TABLE)].map(toProject);
}

function projectOfTemplate(ctx: Context, templateId: string): Project | undefined {
  return projects(ctx).find((p) => p.template.toLowerCase() === templateId.toLowerCase());
}

function sameName(a: unknown, b: string): boolean {
  return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}

/** The version rows of a project, oldest first. */
function versions(ctx: Context, project: Project): Row[] {
  return [...ctx.store.rows(VERSION_TABLE.table)]
    .filter((r) => sameName(r.values[VERSION_TABLE.name], project.templateName))
    .sort(
      (a, b) => String(a.values.createdon).localeCompare(String(b.values.createdon)) || a.version - b.version,
    );
}

function mappingCheck(text: unknown): void {
  if (text === null || text === undefined) return;
  let mapping: unknown;
  try {
    mapping = JSON.parse(String(text));
  } catch {
    throw new ApiError(400, ErrorCode.businessRule, `${VERSION_TABLE.mapping} must be a JSON document.`);
  }
  checkMapping(mapping);
}

/**
 * Checks a version's mapping: one entity mapping task, `{ legs: [...] }` with the legs at the top
 * level [3P: MAPVIEWER], each leg's filters and field mappings as DWA reads them [C: DWA:Struct/DWFieldMapping.cs].
 */
export function checkMapping(mapping: unknown): void {
  const fail = (path: string, message: string): never => {
    throw new ApiError(400, ErrorCode.businessRule, `Invalid table map mapping at ${path}: ${message}.`);
  };
  if (typeof mapping !== "object" || mapping === null || Array.isArray(mapping))
    fail("(document)", "a JSON object with a legs array is required");
  const legs = (mapping as { legs?: unknown }).legs;
  if (!Array.isArray(legs))
    fail("legs", "an array is required at the top level (one entity mapping task per version row)");
  (legs as unknown[]).forEach((leg, l) => {
    const at = `legs[${l}]`;
    const o = (leg ?? {}) as Record<string, unknown>;
    for (const name of ["sourceFilter", "reversedSourceFilter"])
      if (o[name] !== undefined && o[name] !== null && typeof o[name] !== "string")
        fail(`${at}.${name}`, "a string is required");
    if (!Array.isArray(o.fieldMappings)) fail(`${at}.fieldMappings`, "an array is required");
    (o.fieldMappings as unknown[]).forEach((field, f) => {
      const fm = (field ?? {}) as Record<string, unknown>;
      const fat = `${at}.fieldMappings[${f}]`;
      if (!SYNC_DIRECTIONS.has(fm.syncDirection as number))
        fail(`${fat}.syncDirection`, "1 (F&O to Dataverse), 2 (Dataverse to F&O) or 3 (both) is required");
      if (typeof fm.destinationField !== "string" && typeof fm.sourceField !== "string")
        fail(fat, "sourceField or destinationField is required");
      if (fm.valueTransforms !== undefined && !Array.isArray(fm.valueTransforms))
        fail(`${fat}.valueTransforms`, "an array is required");
      ((fm.valueTransforms as unknown[] | undefined) ?? []).forEach((vt, v) => {
        const type = (vt as { transformType?: unknown } | null)?.transformType;
        if (typeof type !== "string" || !TRANSFORM_TYPES.has(type))
          fail(`${fat}.valueTransforms[${v}].transformType`, "'Default' or 'ValueMap' is required");
      });
    });
  });
}

function running(project: Project): ApiError {
  return new ApiError(
    409,
    ErrorCode.businessRule,
    `The table map '${project.tName}' is ${label(project.state)}: its active version can only be changed while it is stopped. Stop it first (POST Start with {"action":"${ACTION.stop}"}).`,
  );
}

/**
 * The Web API's rules for version rows: a mapping must have the shape the gateway reads, and the
 * active version of a map that is not stopped cannot be edited or deleted (new versions can be
 * written at any time: they take effect through SwitchActive).
 */
const beforeWrite: WriteGuard = (ctx, _model, before, after) => {
  const changed = (name: string) => before !== undefined && after.values[name] !== before.values[name];
  if (changed(VERSION_TABLE.mapping) || changed(VERSION_TABLE.name)) {
    const project = projectOfTemplate(ctx, after.id);
    if (project && !EDITABLE.has(project.state)) throw running(project);
  }
  if (!before || changed(VERSION_TABLE.mapping)) mappingCheck(after.values[VERSION_TABLE.mapping]);
};

const beforeDelete: DeleteGuard = (ctx, _model, row) => {
  const project = projectOfTemplate(ctx, row.id);
  if (project)
    throw new ApiError(
      409,
      ErrorCode.businessRule,
      `The row is the active version of the table map '${project.tName}'; switch the map to another version before deleting it.`,
    );
};

export const versionRowRules: readonly [string, TableRules] = [
  VERSION_TABLE.table,
  { beforeWrite, beforeDelete },
];

export class DualWriteGateway {
  /** The connection id of the emulator's one F&O environment. */
  readonly cid = stableId(`dualwrite-connection:${EMULATOR_FINOPS_HOST}`);

  constructor(private readonly ctx: Context) {}

  private save(project: Project): void {
    const values: Record<string, FieldValue> = {
      tName: project.tName,
      templateName: project.templateName,
      financeEntity: project.financeEntity,
      dataverseEntity: project.dataverseEntity,
      template: project.template,
      state: project.state,
      requests: JSON.stringify(project.requests.slice(-LAST_REQUESTS_KEPT)),
    };
    this.ctx.store.transaction(() =>
      this.ctx.store.put(PROJECTS_TABLE, { id: project.pid, version: this.ctx.store.nextVersion(), values }),
    );
  }

  private project(pid: string): Project {
    const row = GUID_PATTERN.test(pid) ? this.ctx.store.get(PROJECTS_TABLE, pid) : undefined;
    if (!row) throw new ApiError(404, ErrorCode.notFound, `No dual-write project has the id '${pid}'.`);
    return toProject(row);
  }

  private checkCid(cid: unknown): void {
    if (typeof cid !== "string" || cid.toLowerCase() !== this.cid)
      throw new ApiError(
        404,
        ErrorCode.notFound,
        `No dual-write connection has the id '${String(cid)}'; GET Environments?targetType=${TARGET_TYPE.finance}&identifier=<F&O host> gives it.`,
      );
  }

  private template(row: Row, index: number): Record<string, unknown> {
    return {
      id: row.id,
      name: row.values[VERSION_TABLE.name] ?? null,
      readOnly: false,
      displayName: row.values[VERSION_TABLE.displayName] ?? null,
      author: "iom-emulator",
      // The emulator numbers a map's versions in the order they were written. [E]
      version: { major: 1, minor: 0, build: 0, revision: index, majorRevision: 0, minorRevision: index },
      tags: [],
      description: "",
      createdDateTime: row.values.createdon ?? null,
    };
  }

  /** A map as Entities and Status list it [C: DWA:Struct/DWMaps.cs]. */
  private describe(project: Project): Record<string, unknown> {
    const rows = versions(this.ctx, project);
    const templates = rows.map((r, i) => this.template(r, i));
    const requests = project.requests.map(({ reads: _reads, ...r }) => ({
      errorMessage: null,
      errorUri: null,
      rootActivityId: null,
      ...r,
    }));
    return {
      leftEntity: {
        targetType: TARGET_TYPE.finance,
        name: project.financeEntity,
        displayName: project.financeEntity,
      },
      rightEntity: {
        targetType: TARGET_TYPE.dataverse,
        name: project.dataverseEntity,
        displayName: project.dataverseEntity,
      },
      detail: {
        tid: project.template,
        tName: project.tName,
        tags: [],
        templates,
        template: templates.find((t) => t.id === project.template) ?? null,
        pid: project.pid,
        lastRequest: requests[requests.length - 1] ?? null,
        state: project.state,
        actions: [],
        lastRequests: requests,
        isProjectDeleted: false,
      },
    };
  }

  /** `path` is relative to GATEWAY_PATH, still percent-encoded. */
  handle(req: ApiRequest, path: string): ApiResponse {
    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
    const query = new URLSearchParams(req.query);
    const route = `${req.method} ${segments.map((s, i) => (i === 0 ? s : "{}")).join("/")}`;
    if (route === "GET Environments") return this.environments(query);
    if (route === "GET Entities") return this.entities(query);
    if (route === "POST Start") return this.start(req.body);
    if (route === "GET Status/{}") return this.status(segments[1] as string);
    if (req.method === "GET" && segments.length === 2 && segments[1] === "FieldMappings")
      return this.fieldMappings(segments[0] as string);
    if (
      req.method === "POST" &&
      segments[0] === "SolutionAware" &&
      segments[2] === "SwitchActive" &&
      segments.length === 4
    )
      return this.switchActive(segments[1] as string, segments[3] as string, query.get("pid"), req.body);
    throw unknownSegment(`${req.method} ${path}`);
  }

  private requireTargetType(query: URLSearchParams): void {
    if (query.get("targetType") !== TARGET_TYPE.finance)
      throw new ApiError(400, ErrorCode.querySyntax, `targetType=${TARGET_TYPE.finance} is required.`);
  }

  private environments(query: URLSearchParams): ApiResponse {
    this.requireTargetType(query);
    const identifier = query.get("identifier");
    if (!identifier)
      throw new ApiError(
        400,
        ErrorCode.querySyntax,
        "identifier (the Finance and Operations environment's host name) is required.",
      );
    // An environment the gateway does not know is an empty list, which DWA cannot use either. [E]
    if (identifier.toLowerCase() !== EMULATOR_FINOPS_HOST) return json(200, []);
    return json(200, [
      {
        cid: this.cid,
        cname: `iom-emulator-${EMULATOR_FINOPS_HOST}`,
        targetType: TARGET_TYPE.finance,
        displayName: EMULATOR_FINOPS_HOST,
        detail: { isSolutionAware: true },
        powerAppsEnvironment: this.ctx.identity.organizationId,
      },
    ]);
  }

  private entities(query: URLSearchParams): ApiResponse {
    this.requireTargetType(query);
    this.checkCid(query.get("cid"));
    const list = projects(this.ctx).sort((a, b) => a.tName.localeCompare(b.tName));
    return json(
      200,
      list.map((p) => this.describe(p)),
    );
  }

  private fieldMappings(pid: string): ApiResponse {
    const project = this.project(pid);
    const row = this.ctx.store.get(VERSION_TABLE.table, project.template);
    if (!row)
      throw new ApiError(
        404,
        ErrorCode.notFound,
        `The active version of '${project.tName}' (${project.template}) no longer exists.`,
      );
    const task = JSON.parse(String(row.values[VERSION_TABLE.mapping] ?? '{"legs":[]}')) as Record<
      string,
      unknown
    >;
    const index = versions(this.ctx, project).findIndex((r) => r.id === row.id);
    const template = this.template(row, index);
    return json(200, {
      id: project.pid,
      name: project.templateName,
      displayName: row.values[VERSION_TABLE.displayName] ?? null,
      entityMappingTasks: [task],
      templateIdentifier: {
        name: template.name,
        version: template.version,
        id: row.id,
        displayName: template.displayName,
      },
      isDualWriteProject: true,
      isDualWriteEnabled: true,
    });
  }

  /** What an action does to a map in `state`: the new state, or why it cannot. */
  private transition(project: Project, action: string): { state: string } | { error: string } {
    const state = project.state;
    const refuse = (what: string) => ({
      error: `Cannot ${what} the table map '${project.tName}': it is ${label(state)}.`,
    });
    switch (action) {
      case ACTION.start:
      case ACTION.initialSync:
        // No F&O side: an initial sync completes at once.
        return EDITABLE.has(state) ? { state: MAP_STATE.running } : refuse("start");
      case ACTION.stop:
        return { state: MAP_STATE.stopped };
      case ACTION.pause:
        return state === MAP_STATE.running ? { state: MAP_STATE.paused } : refuse("pause");
      case ACTION.resume:
        return state === MAP_STATE.paused ? { state: MAP_STATE.running } : refuse("resume");
      default:
        return { error: `Unknown action '${action}'.` };
    }
  }

  /** Carries out the project's waiting request, if any (in memory: the caller saves). */
  private settle(project: Project): void {
    for (const request of project.requests) {
      if (request.state !== REQUEST_STATE.waiting) continue;
      const outcome = this.transition(project, request.action);
      request.modifiedOn = new Date().toISOString();
      if ("error" in outcome) {
        request.state = REQUEST_STATE.error;
        request.errorMessage = outcome.error;
      } else {
        project.state = outcome.state;
        request.state = REQUEST_STATE.completed;
      }
    }
  }

  private start(text: string): ApiResponse {
    const usage = `The body must be {"action": "1"|"4"|"5"|"6"|"8", "details": [{"tid", "pid", "cid", "parameters"?}]}`;
    let body: { action?: unknown; details?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ApiError(400, ErrorCode.payload, `${usage}: it is not JSON.`);
    }
    const action = body?.action;
    if (typeof action !== "string" || !(action in ACTION_NAME))
      throw new ApiError(
        400,
        ErrorCode.payload,
        `${usage}: action ${JSON.stringify(action)} is not one of them (a string).`,
      );
    const details = body.details;
    if (!Array.isArray(details) || details.length === 0)
      throw new ApiError(400, ErrorCode.payload, `${usage}: details is missing or empty.`);
    // Every detail is checked before any map is touched.
    const targets = details.map((detail: unknown, i) => {
      const d = (detail ?? {}) as Record<string, unknown>;
      this.checkCid(d.cid);
      if (typeof d.tid !== "string")
        throw new ApiError(400, ErrorCode.payload, `${usage}: details[${i}].tid is missing.`);
      let project: Project;
      if (typeof d.pid === "string") project = this.project(d.pid);
      else if (action === ACTION.initialSync) {
        const row = this.ctx.store.get(VERSION_TABLE.table, d.tid);
        const owner =
          row && projects(this.ctx).find((p) => sameName(row.values[VERSION_TABLE.name], p.templateName));
        if (!owner) throw new ApiError(404, ErrorCode.notFound, `No table map has the template '${d.tid}'.`);
        project = owner;
      } else throw new ApiError(400, ErrorCode.payload, `${usage}: details[${i}].pid is missing.`);
      const row = this.ctx.store.get(VERSION_TABLE.table, d.tid);
      if (!row || !sameName(row.values[VERSION_TABLE.name], project.templateName))
        throw new ApiError(
          400,
          ErrorCode.payload,
          `details[${i}].tid '${d.tid}' is not a version of the table map '${project.tName}'.`,
        );
      return project;
    });
    const requestId = randomUUID();
    const now = new Date().toISOString();
    for (const project of targets) {
      // A map's earlier request is carried out before a new one is queued behind it.
      this.settle(project);
      project.requests.push({
        requestId,
        action,
        createdOn: now,
        modifiedOn: now,
        state: REQUEST_STATE.waiting,
        reads: 0,
      });
      this.save(project);
    }
    return json(200, { requestId });
  }

  private status(requestId: string): ApiResponse {
    const owners = projects(this.ctx).filter((p) => p.requests.some((r) => r.requestId === requestId));
    if (owners.length === 0)
      throw new ApiError(404, ErrorCode.notFound, `No request has the id '${requestId}'.`);
    for (const project of owners) {
      const request = project.requests.find((r) => r.requestId === requestId) as StoredRequest;
      if (request.state !== REQUEST_STATE.waiting) continue;
      // Waiting at the first read, carried out at the next: a client must really poll.
      if (request.reads >= 1) this.settle(project);
      else request.reads++;
      this.save(project);
    }
    return json(
      200,
      owners.map((p) => this.describe(p)),
    );
  }

  private switchActive(cid: string, templateId: string, pid: string | null, body: string): ApiResponse {
    this.checkCid(cid);
    if (!pid) throw new ApiError(400, ErrorCode.querySyntax, "pid (the map's project id) is required.");
    // DWA sends the template id as the body, bare; a JSON string of it is taken too. [E]
    const given = body.trim();
    if (given !== "" && given !== templateId && given !== JSON.stringify(templateId))
      throw new ApiError(400, ErrorCode.payload, `The body must be the template id '${templateId}'.`);
    const project = this.project(pid);
    const row = GUID_PATTERN.test(templateId)
      ? this.ctx.store.get(VERSION_TABLE.table, templateId)
      : undefined;
    if (!row)
      throw new ApiError(404, ErrorCode.notFound, `No version of a table map has the id '${templateId}'.`);
    if (!sameName(row.values[VERSION_TABLE.name], project.templateName))
      throw new ApiError(
        400,
        ErrorCode.businessRule,
        `The version '${templateId}' belongs to '${String(row.values[VERSION_TABLE.name])}', not to the table map '${project.tName}'.`,
      );
    this.settle(project);
    if (!EDITABLE.has(project.state)) {
      this.save(project);
      throw running(project);
    }
    project.template = row.id;
    this.save(project);
    return json(200, this.describe(project));
  }
}
