// Dual-write table map management, modelled on Microsoft's DualWriteManagement gateway (domain.md
// section 2) and served by the emulator under dualWrite.managementPath. Maps are rows of
// msdyn_dualwriteentitymap; their mappings can only change while the map is stopped, through this
// endpoint or through the Web API alike.
import { randomUUID } from "node:crypto";

import { dualWrite, mapAction, mapState } from "../iom/dual-write-facts.js";
import type { Context, WriteGuard } from "./context.js";
import { ApiError, ErrorCode } from "./errors.js";
import { GUID_PATTERN } from "./ids.js";
import { json, type ApiRequest, type ApiResponse } from "./http-types.js";
import type { TableModel } from "./schema.js";
import type { Row } from "./store.js";
import { saveRow } from "./write.js";

const EDITABLE: ReadonlySet<number> = new Set([mapState.stopped.value, mapState.notRunning.value]);
const STATE_LABELS = new Map<number, string>(Object.values(mapState).map((s) => [s.value, s.label]));

function stateOf(row: Row): number {
  const value = row.values[dualWrite.runState];
  return typeof value === "number" ? value : mapState.notRunning.value;
}

function mapName(row: Row): string {
  return String(row.values[dualWrite.name] ?? row.id);
}

function notStopped(row: Row): ApiError {
  return new ApiError(
    409,
    ErrorCode.businessRule,
    `The table map '${mapName(row)}' is ${STATE_LABELS.get(stateOf(row))}: its mappings can only be changed while it is stopped. Stop it first (POST ${dualWrite.managementPath}Start with {"action":${mapAction.stop}}), save the mappings, then start it again.`,
  );
}

/** Refuses Web API writes that change a running map's mapping, or its state (the endpoint owns it). */
export const mapGuard: WriteGuard = (_ctx, _model, before, after) => {
  if (after.values[dualWrite.runState] !== (before?.values[dualWrite.runState] ?? undefined))
    throw new ApiError(
      400,
      ErrorCode.businessRule,
      `${dualWrite.runState} is managed by the dual-write management endpoint (${dualWrite.managementPath}); it cannot be written.`,
    );
  if (
    before &&
    after.values[dualWrite.mapping] !== before.values[dualWrite.mapping] &&
    !EDITABLE.has(stateOf(before))
  )
    throw notStopped(before);
  const mapping = after.values[dualWrite.mapping];
  if (typeof mapping === "string") checkMapping(JSON.parse(mappingText(mapping)));
};

function mappingText(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    throw new ApiError(400, ErrorCode.businessRule, `${dualWrite.mapping} must be a JSON document.`);
  }
}

/** Checks the shape the gateway works with: entityMappingTasks[].legs[].fieldMappings[]. */
export function checkMapping(mapping: unknown): void {
  const fail = (path: string, message: string): never => {
    throw new ApiError(400, ErrorCode.businessRule, `Invalid table map mapping at ${path}: ${message}.`);
  };
  const tasks = (mapping as { entityMappingTasks?: unknown })?.entityMappingTasks;
  if (!Array.isArray(tasks)) fail("entityMappingTasks", "an array is required");
  (tasks as unknown[]).forEach((task, t) => {
    const legs = (task as { legs?: unknown })?.legs;
    if (!Array.isArray(legs)) fail(`entityMappingTasks[${t}].legs`, "an array is required");
    (legs as unknown[]).forEach((leg, l) => {
      const at = `entityMappingTasks[${t}].legs[${l}]`;
      const o = leg as Record<string, unknown>;
      for (const name of ["sourceFilter", "reversedSourceFilter"])
        if (o[name] !== undefined && o[name] !== null && typeof o[name] !== "string")
          fail(`${at}.${name}`, "a string is required");
      if (!Array.isArray(o.fieldMappings)) fail(`${at}.fieldMappings`, "an array is required");
      (o.fieldMappings as unknown[]).forEach((field, f) => {
        const fm = field as Record<string, unknown>;
        const fat = `${at}.fieldMappings[${f}]`;
        if (![1, 2, 3].includes(fm.syncDirection as number))
          fail(`${fat}.syncDirection`, "1 (F&O to Dataverse), 2 (Dataverse to F&O) or 3 (both) is required");
        if (typeof fm.destinationField !== "string" && typeof fm.sourceField !== "string")
          fail(fat, "sourceField or destinationField is required");
        if (fm.valueTransforms !== undefined && !Array.isArray(fm.valueTransforms))
          fail(`${fat}.valueTransforms`, "an array is required");
        ((fm.valueTransforms as unknown[] | undefined) ?? []).forEach((vt, v) => {
          const type = (vt as { transformType?: unknown })?.transformType;
          if (type !== "Default" && type !== "ValueMap")
            fail(`${fat}.valueTransforms[${v}].transformType`, "'Default' or 'ValueMap' is required");
        });
      });
    });
  });
}

interface StatusRecord {
  requestId: string;
  action: number;
  status: "Succeeded";
  results: Array<{ id: string; name: string; state: number; stateName: string }>;
}

function describe(row: Row): Record<string, unknown> {
  const state = stateOf(row);
  return {
    id: row.id,
    name: row.values[dualWrite.name],
    displayName: row.values[dualWrite.displayName] ?? null,
    state,
    stateName: STATE_LABELS.get(state),
    version: row.version,
  };
}

function transition(row: Row, action: number): number {
  const state = stateOf(row);
  const fail = (what: string): never => {
    throw new ApiError(
      409,
      ErrorCode.businessRule,
      `Cannot ${what} the table map '${mapName(row)}': it is ${STATE_LABELS.get(state)}.`,
    );
  };
  switch (action) {
    case mapAction.start:
    case mapAction.initialSync:
      // The emulator has no Finance + Operations side: initial sync completes at once.
      return EDITABLE.has(state) ? mapState.running.value : fail("start");
    case mapAction.stop:
      return mapState.stopped.value;
    case mapAction.pause:
      return state === mapState.running.value ? mapState.paused.value : fail("pause");
    case mapAction.resume:
      return state === mapState.paused.value ? mapState.running.value : fail("resume");
    default:
      throw new ApiError(
        400,
        ErrorCode.businessRule,
        `Unknown action ${action}: use ${Object.entries(mapAction)
          .map(([k, v]) => `${v} (${k})`)
          .join(", ")}.`,
      );
  }
}

export class DualWriteManagement {
  private readonly requests = new Map<string, StatusRecord>();

  constructor(private readonly ctx: Context) {}

  private get model(): TableModel {
    return this.ctx.schema.table(dualWrite.table) as TableModel;
  }

  private map(id: string): Row {
    const row = GUID_PATTERN.test(id) ? this.ctx.store.get(dualWrite.table, id) : undefined;
    if (!row) throw new ApiError(404, ErrorCode.notFound, `No table map has the id '${id}'.`);
    return row;
  }

  /** Writes a map as the service itself: the Web API's guard does not apply. */
  private save(before: Row, changes: Record<string, string | number>): Row {
    return this.ctx.store.transaction(() => saveRow(this.ctx, this.model, before, before.id, changes, false));
  }

  clearRequests(): void {
    this.requests.clear();
  }

  /** `path` is relative to the management prefix. */
  handle(req: ApiRequest, path: string): ApiResponse {
    const segments = path.split("/").filter(Boolean);
    const [first, second, ...rest] = segments;
    if (rest.length > 0)
      throw new ApiError(404, ErrorCode.unknownSegment, `Unknown dual-write management path '${path}'.`);
    if (first === "Entities" && second === undefined && req.method === "GET") {
      return json(200, { value: [...this.ctx.store.rows(dualWrite.table)].map(describe) });
    }
    if (first === "Entities" && second !== undefined && req.method === "GET")
      return json(200, describe(this.map(second)));
    if (first === "Start" && second === undefined && req.method === "POST") return this.start(req);
    if (first === "Status" && second !== undefined && req.method === "GET") {
      const record = this.requests.get(second);
      if (!record) throw new ApiError(404, ErrorCode.notFound, `No request has the id '${second}'.`);
      return json(200, record);
    }
    if (first !== undefined && second === "FieldMappings") {
      const row = this.map(first);
      if (req.method === "GET")
        return json(200, JSON.parse(String(row.values[dualWrite.mapping] ?? '{"entityMappingTasks":[]}')));
      if (req.method === "PUT") {
        let body: unknown;
        try {
          body = JSON.parse(req.body);
        } catch {
          throw new ApiError(400, ErrorCode.payload, "The mapping must be a JSON document.");
        }
        checkMapping(body);
        if (!EDITABLE.has(stateOf(row))) throw notStopped(row);
        const saved = this.save(row, { [dualWrite.mapping]: JSON.stringify(body) });
        return json(200, describe(saved));
      }
    }
    throw new ApiError(
      404,
      ErrorCode.unknownSegment,
      `Unknown dual-write management request '${req.method} ${path}'.`,
    );
  }

  private start(req: ApiRequest): ApiResponse {
    let body: { action?: unknown; entityIds?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      throw new ApiError(
        400,
        ErrorCode.payload,
        'The body must be JSON: {"action": 1|4|5|6|8, "entityIds": ["<map id>"]}.',
      );
    }
    const action = body.action;
    const ids = body.entityIds;
    if (
      typeof action !== "number" ||
      !Array.isArray(ids) ||
      ids.length === 0 ||
      !ids.every((i) => typeof i === "string")
    )
      throw new ApiError(
        400,
        ErrorCode.payload,
        'The body must be {"action": 1|4|5|6|8, "entityIds": ["<map id>", ...]}.',
      );
    // Check every map first so that a refused transition changes none of them.
    const rows = (ids as string[]).map((id) => this.map(id));
    const next = rows.map((row) => transition(row, action));
    const results = this.ctx.store.transaction(() =>
      rows.map((row, i) => {
        const saved = this.save(row, { [dualWrite.runState]: next[i] as number });
        const state = stateOf(saved);
        return { id: saved.id, name: mapName(saved), state, stateName: STATE_LABELS.get(state) as string };
      }),
    );
    const record: StatusRecord = { requestId: randomUUID(), action, status: "Succeeded", results };
    this.requests.set(record.requestId, record);
    return json(202, record);
  }
}
