// What the console shows, read from the emulator's own state (never through the client's code):
// providers with their connections, dual-write maps with their filters, current policies with
// their rules in words, orchestration flows as their steps, and the latest writes. The columns
// that matter are found through the metadata's roles (roles.ts), as the IOM rules find them, so
// that a captured environment's metadata is shown as far as it allows. The same model is served
// as JSON (GET /_console/model) and rendered as HTML (render.ts).
import type { Context } from "../context.js";
import { projects } from "../dual-write.js";
import { readFlowSteps, FlowDefinitionError, type FlowStep } from "../flow-definition.js";
import { ACTION_NAME, MAP_STATE_LABEL, VERSION_TABLE } from "../gateway-contract.js";
import type { LoggedRequest } from "../request-log.js";
import type { IomRoles } from "../roles.js";
import type { FieldValue, Row } from "../store.js";
import { filterClauses, ruleInWords } from "./words.js";

export interface ConnectionView {
  name: string;
  /** The provider definition's connection this one fills ("… Dataverse (current environment) Connection"). */
  definitionConnection: string | null;
  status: string | null;
  connectionUrl: string | null;
}

export interface ProviderView {
  name: string;
  /** The catalog definition it was installed from. */
  definition: string | null;
  status: string | null;
  connections: ConnectionView[];
}

export interface FieldMappingView {
  field: string;
  /** "F&O to Dataverse", "Dataverse to F&O", "both ways". */
  direction: string;
  /** "Default true", "Value map": the field mapping's transforms. */
  transforms: string[];
}

export interface MapView {
  /** The gateway's name, "salesorders - CDS sales order headers". */
  name: string;
  dataverseTable: string;
  financeEntity: string;
  state: string;
  /** The Dataverse filter, one clause a line. */
  dataverseFilter: string[];
  /** The Finance and Operations filter, one clause a line (usually empty). */
  financeFilter: string[];
  /** Field mappings with a value transform (the article's msdyn_isreadytosync default). */
  transformedFields: FieldMappingView[];
}

export interface RuleView {
  name: string;
  /** "when Company does not contain data, set Company to usmf". */
  words: string;
}

export interface PolicyView {
  name: string;
  type: string | null;
  entity: string | null;
  criticality: string | null;
  status: string | null;
  version: number | null;
  rules: RuleView[];
}

export interface StepView {
  name: string;
  /** The designer tile ("validate order header", "custom"). */
  tile: string | null;
  policies: string[];
  /** The provider action the step calls. */
  action: { provider: string; action: string } | null;
}

export interface FlowView {
  name: string;
  status: string | null;
  /** The steps in order; null when the stored definition cannot be read (`problem` says why). */
  steps: StepView[] | null;
  problem?: string;
}

export interface WriteView {
  seq: number;
  method: string;
  path: string;
  /** The record written, as a person names it ("Policy 'FinOps sales order parameters'"), when known. */
  record: string | null;
}

export interface RecordView {
  /** The row version: higher is later. */
  version: number;
  table: string;
  name: string;
  modifiedOn: string | null;
}

export interface ConsoleModel {
  providers: ProviderView[];
  maps: MapView[];
  policies: PolicyView[];
  flows: FlowView[];
  /** Write requests since the emulator started, newest first (the request log is kept in memory). */
  writes: WriteView[];
  /** Records by their last change, newest first (persisted: survives a restart, unlike `writes`). */
  records: RecordView[];
}

/** What the model is read from. */
export interface ConsoleSource {
  ctx: Context;
  roles: IomRoles;
  requests: () => readonly LoggedRequest[];
}

const WRITES_SHOWN = 15;
const RECORDS_SHOWN = 10;

const DIRECTIONS: Readonly<Record<number, string>> = {
  1: "F&O to Dataverse",
  2: "Dataverse to F&O",
  3: "both ways",
};

function text(value: FieldValue | undefined): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function lookupId(value: FieldValue | undefined): string | null {
  return value !== null && typeof value === "object" ? value.id : null;
}

class Reader {
  constructor(private readonly source: ConsoleSource) {}

  private get ctx(): Context {
    return this.source.ctx;
  }

  rows(table: string | undefined): Row[] {
    if (table === undefined || !this.ctx.schema.table(table)) return [];
    return [...this.ctx.store.rows(table)];
  }

  /** A choice's label, as Dataverse formats it; a boolean by its option label. */
  label(table: string, column: string, value: FieldValue | undefined): string | null {
    if (value === undefined || value === null) return null;
    const options = this.ctx.schema.table(table)?.byName.get(column)?.options;
    const number = typeof value === "boolean" ? (value ? 1 : 0) : value;
    return options?.find((o) => o.value === number)?.label ?? String(number);
  }

  /** The primary name of the row a lookup points at. */
  nameOf(value: FieldValue | undefined): string | null {
    if (value === null || typeof value !== "object") return null;
    const model = this.ctx.schema.table(value.table);
    const row = this.ctx.store.get(value.table, value.id);
    return model && row ? text(row.values[model.primaryName]) : null;
  }

  rowName(table: string, row: Row): string {
    const model = this.ctx.schema.table(table);
    return (model && text(row.values[model.primaryName])) ?? row.id;
  }
}

function providerViews(read: Reader, roles: IomRoles): ProviderView[] {
  const provider = roles.provider;
  const connection = roles.providerConnection;
  if (!provider) return [];
  const connections = read.rows(connection?.table);
  return read
    .rows(provider.table)
    .map((row) => ({
      name: read.rowName(provider.table, row),
      definition: read.nameOf(row.values[provider.definition]),
      status: read.label(provider.table, provider.status, row.values[provider.status]),
      connections: connection
        ? connections
            .filter((c) => lookupId(c.values[connection.provider]) === row.id)
            .map((c) => ({
              name: read.rowName(connection.table, c),
              definitionConnection: read.nameOf(c.values[connection.definitionConnection]),
              status: read.label(connection.table, connection.status, c.values[connection.status]),
              connectionUrl: text(c.values[connection.connectionUrl]),
            }))
            .sort((a, b) => a.name.localeCompare(b.name))
        : [],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

interface Leg {
  sourceEnvironmentType?: unknown;
  sourceFilter?: unknown;
  reversedSourceFilter?: unknown;
  fieldMappings?: unknown;
}

function transformWords(transform: unknown): string {
  const t = transform as { transformType?: unknown; defaultValue?: unknown } | null;
  if (t?.transformType === "Default") return `Default ${String(t.defaultValue ?? "")}`.trim();
  if (t?.transformType === "ValueMap") return "Value map";
  return String(t?.transformType ?? "transform");
}

function mapViews(read: Reader, ctx: Context): MapView[] {
  return projects(ctx)
    .map((project) => {
      const version = ctx.store.get(VERSION_TABLE.table, project.template);
      let legs: Leg[] = [];
      try {
        const mapping = JSON.parse(String(version?.values[VERSION_TABLE.mapping] ?? "{}")) as {
          legs?: unknown;
        };
        if (Array.isArray(mapping.legs)) legs = mapping.legs as Leg[];
      } catch {
        /* the Web API refuses a mapping that is not JSON: only a damaged data directory has one */
      }
      // The Dataverse filter is the F&O-sourced leg's reversedSourceFilter (docs/dual-write-gateway.md).
      const leg = legs.find((l) => l.sourceEnvironmentType === "AX") ?? legs[0];
      const fields = Array.isArray(leg?.fieldMappings)
        ? (leg.fieldMappings as Array<Record<string, unknown>>)
        : [];
      return {
        name: project.tName,
        dataverseTable: project.dataverseEntity,
        financeEntity: project.financeEntity,
        state: MAP_STATE_LABEL[project.state] ?? `state ${project.state}`,
        dataverseFilter: filterClauses(
          typeof leg?.reversedSourceFilter === "string" ? leg.reversedSourceFilter : "",
        ),
        financeFilter: filterClauses(typeof leg?.sourceFilter === "string" ? leg.sourceFilter : ""),
        transformedFields: fields
          .filter((f) => Array.isArray(f.valueTransforms) && f.valueTransforms.length > 0)
          .map((f) => ({
            field: String(f.destinationField ?? f.sourceField),
            direction: DIRECTIONS[f.syncDirection as number] ?? `direction ${String(f.syncDirection)}`,
            transforms: (f.valueTransforms as unknown[]).map(transformWords),
          })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The table a policy's "associated entity" names: the served table whose display name is its label. */
function tableOfEntity(ctx: Context, label: string | null): string | undefined {
  if (label === null) return undefined;
  const wanted = label.toLowerCase();
  return ctx.schema.definitions.find((t) => t.displayName.toLowerCase() === wanted)?.logicalName;
}

function policyViews(read: Reader, ctx: Context, roles: IomRoles): PolicyView[] {
  const policy = roles.policy;
  if (!policy) return [];
  const rule = roles.rule;
  const rules = read.rows(rule?.table);
  return read
    .rows(policy.table)
    .filter((row) => row.values[policy.versionState] !== policy.archived.value)
    .map((row) => {
      const entity = read.label(policy.table, "msdyn_associatedentity", row.values.msdyn_associatedentity);
      const table = tableOfEntity(ctx, entity);
      const number = row.values[policy.versionNumber];
      return {
        name: read.rowName(policy.table, row),
        type: read.label(policy.table, "msdyn_policytype", row.values.msdyn_policytype),
        entity,
        criticality: read.label(policy.table, "msdyn_criticality", row.values.msdyn_criticality),
        status: read.label(policy.table, policy.publishStatus, row.values[policy.publishStatus]),
        version: typeof number === "number" ? number : null,
        rules: rule
          ? rules
              .filter((r) => lookupId(r.values[rule.policy]) === row.id)
              .map((r) => ({
                name: read.rowName(rule.table, r),
                words: ruleInWords(r.values.msdyn_ruledefinition, ctx.schema, table),
              }))
              .sort((a, b) => a.name.localeCompare(b.name))
          : [],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function stepView(read: Reader, ctx: Context, roles: IomRoles, step: FlowStep): StepView {
  const policyTable = roles.policy?.table;
  const name = (table: string | undefined, id: string) => {
    const row = table === undefined || !ctx.schema.table(table) ? undefined : ctx.store.get(table, id);
    return row && table !== undefined ? read.rowName(table, row) : `(missing ${id})`;
  };
  return {
    name: step.name,
    tile: step.tile ?? null,
    policies: step.policyIds.map((id) => name(policyTable, id)),
    action: step.providerAction
      ? {
          provider: name(roles.provider?.table, step.providerAction.providerId),
          action: name(roles.logicDefinition?.table, step.providerAction.logicDefinitionId),
        }
      : null,
  };
}

function flowViews(read: Reader, ctx: Context, roles: IomRoles): FlowView[] {
  const flow = roles.flow;
  if (!flow) return [];
  return read
    .rows(flow.table)
    .map((row): FlowView => {
      const view = {
        name: read.rowName(flow.table, row),
        status: read.label(flow.table, flow.publishStatus, row.values[flow.publishStatus]),
      };
      try {
        return {
          ...view,
          steps: readFlowSteps(row.values[flow.definition]).map((s) => stepView(read, ctx, roles, s)),
        };
      } catch (err) {
        if (err instanceof FlowDefinitionError) return { ...view, steps: null, problem: err.message };
        throw err;
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The record a write request was about, as a person names it: "Policy 'FinOps sales order
 * parameters'" for a Web API row (by its id, or by the name in the body of a create), "stop table
 * map 'salesorders - CDS sales order headers'" for a gateway action. Never the body itself: a
 * provider parameter's value may be a secret.
 */
function recordOf(read: Reader, ctx: Context, request: LoggedRequest): string | null {
  const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as Record<
    string,
    unknown
  >;
  const mapName = (pid: unknown, template?: string) =>
    projects(ctx).find((p) => p.pid === pid || (template !== undefined && p.template === template))?.tName;
  const gateway = /\/api\/DualWriteManagement\/1\.0\/(.*)$/.exec(request.path);
  if (gateway) {
    const route = gateway[1] ?? "";
    if (route === "Start") {
      const detail = Array.isArray(body.details)
        ? (body.details[0] as { pid?: unknown } | undefined)
        : undefined;
      const name = mapName(detail?.pid);
      const action = ACTION_NAME[String(body.action)] ?? `action ${String(body.action)}`;
      return name ? `${action} table map '${name}'` : action;
    }
    const switched = /SwitchActive\/([0-9a-fA-F-]{36})$/.exec(route);
    if (switched) {
      const name = mapName(undefined, switched[1]?.toLowerCase());
      return name ? `switch table map '${name}' to the saved version` : "switch a table map's version";
    }
    return null;
  }
  const m = /\/api\/data\/v9\.2\/([A-Za-z0-9_]+)(?:\(([0-9a-fA-F-]{36})\))?/.exec(request.path);
  if (!m) return null;
  const model = [...ctx.schema.tables].find((t) => t.entitySetName === m[1]);
  if (!model) return null;
  const row = m[2] === undefined ? undefined : ctx.store.get(model.logicalName, m[2]);
  const given = body[model.primaryName];
  const name = row ? read.rowName(model.logicalName, row) : typeof given === "string" ? given : undefined;
  return name === undefined ? model.def.displayName : `${model.def.displayName} '${name}'`;
}

export function buildModel(source: ConsoleSource): ConsoleModel {
  const { ctx, roles } = source;
  const read = new Reader(source);
  const requests = source.requests();
  const records: Array<RecordView> = [];
  for (const model of ctx.schema.tables)
    for (const row of ctx.store.rows(model.logicalName))
      records.push({
        version: row.version,
        table: model.def.displayName,
        name: read.rowName(model.logicalName, row),
        modifiedOn: text(row.values.modifiedon),
      });
  records.sort((a, b) => b.version - a.version);
  return {
    providers: providerViews(read, roles),
    maps: mapViews(read, ctx),
    policies: policyViews(read, ctx, roles),
    flows: flowViews(read, ctx, roles),
    writes: requests
      .slice(-WRITES_SHOWN)
      .reverse()
      .map((r) => ({ seq: r.seq, method: r.method, path: r.path, record: recordOf(read, ctx, r) })),
    records: records.slice(0, RECORDS_SHOWN),
  };
}
