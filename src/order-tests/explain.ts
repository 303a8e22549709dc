// `iom explain` without the command line: one order of a live environment, its lines, the
// Dataverse filters as they stand on the environment's dual-write maps, and its published
// policies; for the header and each line, whether it would sync, clause by clause, with the values
// read. Only reads. The policies and flows are read by `iom import`'s reader (each resource kind's
// own read), the maps' filters from the dual-write gateway, and the order and lines with only the
// columns that the filters and rules name.
import { SALES_ORDER_LINES_MAPS } from "../config/checks/dual-write-maps.js";
import { isLookup } from "../config/metadata.js";
import type { DataverseClient, DataverseRecord } from "../dataverse/client.js";
import { DataverseError } from "../dataverse/errors.js";
import { DualWriteManagementClient, mapsNamed, sameMapName, uiMapName } from "../dataverse/dual-write.js";
import { eq, guid } from "../dataverse/odata.js";
import type { Condition, Policy } from "../generated/policy.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import { IOM_DUAL_WRITE_MAPS, READY_TO_SYNC, importConfiguration } from "../gitops/import.js";
import { filterProperties, parseFilter } from "../odata/filter.js";
import type { FilterNode } from "../odata/filter.js";
import { resolveFilterAttribute } from "../config/metadata.js";
import { describeSettings } from "../resources/dual-write-map/mapping.js";
import { salesorder } from "../iom/tables/salesorder.js";
import { salesorderdetail } from "../iom/tables/salesorderdetail.js";
import type { AttributeDefinition, TableDefinition } from "../iom/tables/types.js";
import { evaluateFilter, normaliseClause } from "./dual-write-filter.js";
import type { Truth } from "./dual-write-filter.js";
import type { LocatedPolicy } from "./policies.js";
import { runFlow } from "./policies.js";
import type { LoadedStack } from "./stack.js";
import type { Cell, OrderRecordState } from "./values.js";
import { columnOf, describeCell } from "./values.js";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";

/** The order is not there, or the environment lacks what an explanation needs: exit 1. */
export class ExplainError extends Error {
  override name = "ExplainError";
}

export interface ExplainedClause {
  text: string;
  truth: Truth;
  reason: string;
}

export interface ExplainedMap {
  /** The stack's name for the map when a stack is given, else the map's name. */
  name: string;
  map: string;
  filter: string;
  /** The stack's filter, when a stack is given and the environment's differs from it. */
  stackFilter?: string;
  syncs: boolean;
  /** The filter's top-level `and` clauses, each evaluated on its own. */
  clauses: ExplainedClause[];
  /** The clause that decided, when it does not sync. */
  decidedBy?: ExplainedClause;
}

export interface ExplainedRecord {
  label: string;
  id: string;
  /** The values read, only the columns the filters and rules name. */
  read: Array<{ column: string; value: string }>;
  rules: Array<{ policy: string; rule: string; sets: Array<{ column: string; value: string }> }>;
  maps: ExplainedMap[];
}

export interface Explanation {
  orderNumber: string;
  flow?: string;
  records: ExplainedRecord[];
  notes: string[];
}

interface MapFilter {
  name: string;
  map: string;
  table: string;
  filter: string;
  stackFilter?: string;
}

/** The top-level `and` chain of a filter, clause by clause. */
function conjuncts(node: FilterNode): FilterNode[] {
  return node.kind === "and" ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node];
}

async function readMapFilters(client: DataverseClient, stack: LoadedStack | undefined): Promise<MapFilter[]> {
  const wanted = stack
    ? stack.maps.map((m) => ({
        name: m.value.name,
        map: m.value.map,
        table: m.value.table ?? "",
        stackFilter: m.value.dataverseFilter,
      }))
    : IOM_DUAL_WRITE_MAPS.map((m) => ({ name: m.map, map: m.map, table: m.table, stackFilter: undefined }));
  const dw = new DualWriteManagementClient(client);
  let maps;
  try {
    maps = await dw.maps();
  } catch (err) {
    if (err instanceof DataverseError && (err.code === "not-found" || err.code === "invalid-config"))
      throw new ExplainError(
        `the dual-write gateway could not be asked for the maps' filters (${err.message}): set IOM_DUALWRITE_URL and IOM_FINOPS_URL (docs/dual-write-gateway.md)`,
      );
    throw err;
  }
  const out: MapFilter[] = [];
  for (const w of wanted) {
    let hits = mapsNamed(maps, w.map);
    // The lines map goes by two names (domain.md): an environment with only the V2 one uses it.
    if (hits.length === 0 && SALES_ORDER_LINES_MAPS.some((l) => sameMapName(l, w.map)))
      hits = SALES_ORDER_LINES_MAPS.flatMap((l) => mapsNamed(maps, l));
    const hit = hits[0];
    if (!hit?.pid) continue;
    const settings = describeSettings(await dw.fieldMappings(hit.pid), [READY_TO_SYNC]).settings;
    out.push({
      name: stack ? w.name : uiMapName(hit.name),
      map: uiMapName(hit.name),
      table: w.table,
      filter: settings.dataverseFilter,
      ...(w.stackFilter !== undefined &&
      normaliseClause(w.stackFilter) !== normaliseClause(settings.dataverseFilter)
        ? { stackFilter: w.stackFilter }
        : {}),
    });
  }
  return out;
}

/** The logical names of the columns a condition names on a table (related conditions on the order). */
function conditionColumns(
  condition: Condition | undefined,
  on: "order" | "line",
  out: Map<string, Set<string>>,
): void {
  if (!condition) return;
  if ("and" in condition) condition.and.forEach((c) => conditionColumns(c, on, out));
  else if ("or" in condition) condition.or.forEach((c) => conditionColumns(c, on, out));
  else if ("relatedEntity" in condition) conditionColumns(condition.where, "order", out);
  else out.get(on)?.add(condition.field);
}

/** Every column the filters and rules name, by logical name, per table. */
function columnsNamed(
  maps: readonly MapFilter[],
  policies: readonly Policy[],
  tables: { order: TableDefinition; line: TableDefinition },
): { order: AttributeDefinition[]; line: AttributeDefinition[] } {
  const names = new Map<"order" | "line", Set<string>>([
    ["order", new Set()],
    ["line", new Set()],
  ]);
  for (const map of maps) {
    const on =
      map.table === tables.order.logicalName
        ? "order"
        : map.table === tables.line.logicalName
          ? "line"
          : undefined;
    if (!on || map.filter.trim() === "") continue;
    try {
      for (const property of filterProperties(parseFilter(map.filter))) {
        const resolved = resolveFilterAttribute(tables[on], property.path);
        if (resolved.ok) names.get(on)?.add(resolved.attribute.logicalName);
      }
    } catch {
      // A filter that does not parse reads nothing; its evaluation says why.
    }
  }
  for (const policy of policies) {
    const on = policy.entity === "order" ? "order" : policy.entity === "order product" ? "line" : undefined;
    if (!on) continue;
    for (const rule of policy.rules) {
      conditionColumns(rule.when, on, names);
      for (const action of rule.actions ?? []) names.get(on)?.add(action.set);
    }
  }
  const resolve = (table: TableDefinition, set: Set<string>): AttributeDefinition[] => {
    const out = new Map<string, AttributeDefinition>();
    for (const name of set) {
      const column = columnOf(table, name);
      if (column.ok) out.set(column.attribute.logicalName, column.attribute);
    }
    return [...out.values()];
  };
  return {
    order: resolve(tables.order, names.get("order") as Set<string>),
    line: resolve(tables.line, names.get("line") as Set<string>),
  };
}

function selectOf(table: TableDefinition, columns: readonly AttributeDefinition[]): [string, ...string[]] {
  return [
    table.primaryIdAttribute,
    table.primaryNameAttribute,
    ...columns.map((a) => (isLookup(a) ? `_${a.logicalName}_value` : a.logicalName)),
  ];
}

/** A row as the record iom test evaluates: lookups with their id and the referenced row's name. */
function recordOf(
  table: TableDefinition,
  label: string,
  row: DataverseRecord,
  columns: readonly AttributeDefinition[],
): OrderRecordState {
  const values = new Map<string, Cell>();
  for (const a of columns) {
    if (isLookup(a)) {
      const id = row[`_${a.logicalName}_value`];
      const name = row[`_${a.logicalName}_value@${FORMATTED}`];
      values.set(
        a.logicalName,
        typeof id === "string"
          ? { lookup: { id: id.toLowerCase(), ...(typeof name === "string" ? { name } : {}) } }
          : null,
      );
    } else {
      const value = row[a.logicalName];
      values.set(
        a.logicalName,
        typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : null,
      );
    }
  }
  return { table, label, values };
}

function explainMap(map: MapFilter, record: OrderRecordState): ExplainedMap {
  const outcome = evaluateFilter(map.filter, record);
  let clauses: ExplainedClause[] = [];
  if (map.filter.trim() !== "") {
    try {
      clauses = conjuncts(parseFilter(map.filter)).map((node) => {
        const text = map.filter.slice(node.start, node.end);
        const one = evaluateFilter(text, record);
        return {
          text: normaliseClause(text),
          truth: one.passes ? "true" : (one.decidedBy?.truth ?? "false"),
          reason: one.passes
            ? one.read.map((r) => `${r.column} is ${r.value}`).join(", ")
            : (one.decidedBy?.reason ?? ""),
        };
      });
    } catch {
      clauses = [];
    }
  }
  return {
    name: map.name,
    map: map.map,
    filter: map.filter,
    ...(map.stackFilter !== undefined ? { stackFilter: map.stackFilter } : {}),
    syncs: map.filter.trim() === "" ? true : outcome.passes,
    clauses,
    ...(outcome.decidedBy && map.filter.trim() !== ""
      ? {
          decidedBy: {
            text: outcome.decidedBy.text,
            truth: outcome.decidedBy.truth,
            reason: outcome.decidedBy.reason,
          },
        }
      : {}),
  };
}

/** Explains one order, found by its Order ID (ordernumber). */
export async function explainOrder(
  client: DataverseClient,
  orderNumber: string,
  stack?: LoadedStack,
): Promise<Explanation> {
  const notes: string[] = [];
  // Column names and choice labels as iom test knows them (src/iom/tables): the rules name columns
  // by display name and choices by label, which the offline metadata resolves the same way offline
  // and online; only columns it knows are read.
  const tables = { order: salesorder, line: salesorderdetail };
  const maps = await readMapFilters(client, stack);
  if (maps.length === 0) throw new ExplainError("the environment has none of the dual-write maps to explain");
  const imported = await importConfiguration(client);
  for (const f of imported.findings)
    if (f.severity === "error" && f.record.table !== "dual-write map")
      notes.push(`${f.record.table} '${f.record.name}': ${f.message}`);
  const { policies, orchestrationFlows } = imported.configuration;
  const flows = orchestrationFlows.filter(
    (f: OrchestrationFlow) => f.published && f.type === "order orchestration",
  );
  const flow = flows[0];
  if (flows.length > 1)
    notes.push(
      `the environment has ${flows.length} published order orchestration flows: '${flow?.name}' is used`,
    );
  if (!flow) notes.push("the environment has no published order orchestration flow: no policy runs");
  const located = new Map<string, LocatedPolicy>(
    policies.map((p, i) => [p.name.toLowerCase(), { value: p, file: "environment", path: ["policies", i] }]),
  );
  const columns = columnsNamed(maps, flow ? policies.filter((p) => p.published) : [], tables);

  const orderSet = await client.metadata.entitySetName("salesorder");
  const orders = await client.list(
    orderSet,
    { select: selectOf(tables.order, columns.order), filter: eq("ordernumber", orderNumber) },
    { includeAnnotations: FORMATTED },
  );
  const row = orders[0];
  if (!row)
    throw new ExplainError(`the environment has no order with Order ID (ordernumber) '${orderNumber}'`);
  if (orders.length > 1)
    notes.push(`${orders.length} orders have Order ID '${orderNumber}': the first is explained`);
  const orderId = String(row[tables.order.primaryIdAttribute]);
  const order = recordOf(tables.order, "the order", row, columns.order);
  const lineSet = await client.metadata.entitySetName("salesorderdetail");
  const lineRows = await client.list(
    lineSet,
    { select: selectOf(tables.line, columns.line), filter: eq("_salesorderid_value", guid(orderId)) },
    { includeAnnotations: FORMATTED },
  );
  const lines = lineRows.map((r, i) => {
    const name = r[tables.line.primaryNameAttribute];
    return recordOf(
      tables.line,
      typeof name === "string" && name !== "" ? `line ${i + 1} (${name})` : `line ${i + 1}`,
      r,
      columns.line,
    );
  });
  const read = (record: OrderRecordState, cols: readonly AttributeDefinition[]) =>
    cols.map((a) => ({
      column: isLookup(a) ? `_${a.logicalName}_value` : a.logicalName,
      value: describeCell(a, record.values.get(a.logicalName) ?? null),
    }));
  // The values read, before the policies change them.
  const readValues = [read(order, columns.order), ...lines.map((l) => read(l, columns.line))];
  const run = flow
    ? runFlow(flow, located, order, lines)
    : { applied: [], skipped: [], problems: [], notes: [] };
  notes.push(...run.notes, ...run.problems.map((p) => `policy '${p.located.value.name}': ${p.message}`));
  const records = [order, ...lines].map((record, i): ExplainedRecord => {
    const rowId = i === 0 ? orderId : String(lineRows[i - 1]?.[tables.line.primaryIdAttribute]);
    return {
      label: record.label,
      id: rowId,
      read: readValues[i] ?? [],
      rules: run.applied
        .filter((a) => a.record === record)
        .map((a) => ({ policy: a.policy, rule: a.rule, sets: a.set })),
      maps: maps.filter((m) => m.table === record.table.logicalName).map((m) => explainMap(m, record)),
    };
  });
  return { orderNumber, ...(flow ? { flow: flow.name } : {}), records, notes };
}

const MARK: Record<Truth, string> = { true: "✓", false: "✗", unknown: "✗", refused: "!" };

export function formatExplanation(e: Explanation): string {
  const out = [`Order ${e.orderNumber}${e.flow ? `, orchestration flow '${e.flow}'` : ""}`];
  for (const r of e.records) {
    out.push("", `${r.label} (${r.id}):`);
    out.push(`  values read: ${r.read.map((v) => `${v.column} = ${v.value}`).join(", ") || "none"}`);
    for (const rule of r.rules)
      out.push(
        `  rule applies: ${rule.policy} › ${rule.rule}${rule.sets.length > 0 ? ` (sets ${rule.sets.map((s) => `${s.column} = ${s.value}`).join(", ")})` : ""}`,
      );
    if (r.rules.length === 0) out.push("  no rule of the published policies applies");
    for (const m of r.maps) {
      out.push(
        `  ${m.syncs ? "syncs" : "held back"} through '${m.name}'${m.decidedBy ? ` by \`${m.decidedBy.text}\`` : ""}:`,
      );
      if (m.stackFilter !== undefined)
        out.push(
          `    note: the environment's filter differs from the stack's (${normaliseClause(m.stackFilter)})`,
        );
      if (m.filter.trim() === "") out.push("    the map has no Dataverse filter: everything syncs");
      for (const c of m.clauses) out.push(`    ${MARK[c.truth]} ${c.text}: ${c.reason}`);
    }
  }
  for (const note of e.notes) out.push(`note: ${note}`);
  return out.join("\n") + "\n";
}
