// Reading rows: property resolution for $filter, $select and $orderby, and the JSON a row is
// returned as (etag, `_x_value` lookups, formatted-value annotations, expanded navigations).
import type { AttributeDefinition } from "./tables.js";
import type { Context } from "./context.js";
import { ApiError, ErrorCode, caseHint, unknownProperty } from "./errors.js";
import {
  compileFilter,
  type Edm,
  type Env,
  type Operand,
  type Primitive,
  type Scope,
} from "./filter-eval.js";
import {
  isLookup,
  navigationInOtherCase,
  propertyName,
  singleNavigationName,
  type Navigation,
  type TableModel,
} from "./schema.js";
import { indexKey, type FieldValue, type LookupValue, type Row } from "./store.js";

const NUMBER_TYPES: ReadonlySet<string> = new Set([
  "Integer",
  "BigInt",
  "Decimal",
  "Double",
  "Money",
  "Picklist",
  "State",
  "Status",
]);

export function edmOf(attribute: AttributeDefinition): Edm {
  if (NUMBER_TYPES.has(attribute.type)) return "number";
  switch (attribute.type) {
    case "String":
    case "Memo":
    case "MultiSelectPicklist": // read and compared as its comma-separated values
      return "string";
    case "Boolean":
      return "boolean";
    case "DateTime":
      return "datetime";
    default:
      return "guid";
  }
}

/** Reads an attribute of a row as the Web API shows it (lookups as their id). */
export function attributeValue(model: TableModel, attribute: AttributeDefinition, row: Row): Primitive {
  const name = attribute.logicalName;
  if (name === model.primaryId) return row.id;
  if (name === "versionnumber") return row.version;
  const value = row.values[name];
  if (value === undefined || value === null) return null;
  return typeof value === "object" ? value.id : value;
}

/** How messages name a row (also one still being written): its primary name, else its id. */
export function rowName(
  primaryName: string,
  row: { readonly id: string; readonly values: Readonly<Record<string, FieldValue>> },
): string {
  return String(row.values[primaryName] ?? row.id);
}

/** The row a single-valued navigation points at, if it exists. */
export function followLookup(
  ctx: Context,
  row: Row,
  navigation: Navigation & { kind: "single" },
): Row | undefined {
  const value = row.values[navigation.attribute.logicalName] as LookupValue | null | undefined;
  if (!value || value.table !== navigation.target || !ctx.schema.table(value.table)) return undefined;
  return ctx.store.get(value.table, value.id);
}

/** Rows of the referencing table whose lookup points at this row. */
export function children(ctx: Context, row: Row, navigation: Navigation & { kind: "collection" }): Row[] {
  return rowsReferencing(ctx, navigation.table, navigation.attribute, row.id);
}

/** Rows of `table` whose lookup `attribute` holds `id`. */
export function rowsReferencing(ctx: Context, table: string, attribute: string, id: string): Row[] {
  return ctx.store.byEquality(table, attribute, indexKey(id));
}

/** The navigation property with exactly this name ($expand, filter paths, lambdas). */
export function navigation(model: TableModel, name: string): Navigation {
  const nav = model.navigations.get(name);
  if (!nav)
    throw unknownProperty(name, model.logicalName, caseHint(navigationInOtherCase(model, name)?.name));
  return nav;
}

function resolveIn(
  ctx: Context,
  model: TableModel,
  path: string[],
  pick: (env: Env) => Row | undefined,
): Operand {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    const attribute = model.byProperty.get(head);
    if (!attribute) throw unknownProperty(head, model.logicalName);
    return {
      edm: edmOf(attribute),
      get(env) {
        const row = pick(env);
        return row ? attributeValue(model, attribute, row) : null;
      },
    };
  }
  const nav = navigation(model, head);
  if (nav.kind !== "single")
    throw new ApiError(
      400,
      ErrorCode.odata,
      `The navigation property '${head}' is a collection: use any() or all().`,
    );
  const target = ctx.schema.table(nav.target);
  if (!target) throw unknownProperty(head, model.logicalName);
  return resolveIn(ctx, target, rest, (env) => {
    const row = pick(env);
    return row ? followLookup(ctx, row, nav) : undefined;
  });
}

/** Filter scope over the rows of a table; lambda variables bind rows of related tables. */
export function rowScope(
  ctx: Context,
  model: TableModel,
  vars: ReadonlyMap<string, TableModel> = new Map(),
): Scope {
  return {
    resolve(path) {
      const head = path[0] as string;
      const bound = vars.get(head);
      if (bound && path.length > 1)
        return resolveIn(ctx, bound, path.slice(1), (env) => env.vars[head] as Row | undefined);
      return resolveIn(ctx, model, path, (env) => env.subject as Row);
    },
    lambda(node) {
      if (node.collection.length !== 1) throw unknownProperty(node.collection.join("/"), model.logicalName);
      const nav = navigation(model, node.collection[0] as string);
      if (nav.kind !== "collection")
        throw new ApiError(
          400,
          ErrorCode.odata,
          `'${nav.name}' is not a collection-valued navigation property.`,
        );
      const childModel = ctx.schema.table(nav.table) as TableModel;
      const predicate =
        node.predicate && node.variable
          ? compileFilter(
              node.predicate,
              rowScope(ctx, model, new Map([...vars, [node.variable, childModel]])),
            )
          : undefined;
      const variable = node.variable ?? "";
      return (env) => {
        const rows = children(ctx, env.subject as Row, nav);
        if (!predicate) return node.operator === "any" ? rows.length > 0 : true;
        const test = (child: Row): boolean =>
          predicate({ subject: env.subject, vars: { ...env.vars, [variable]: child } });
        return node.operator === "any" ? rows.some(test) : rows.every(test);
      };
    },
  };
}

/** Which instance annotations the client asked for with Prefer: odata.include-annotations. */
export type AnnotationFilter = (name: string) => boolean;
export const noAnnotations: AnnotationFilter = () => false;

export function annotationFilter(patterns: string | undefined): AnnotationFilter {
  if (!patterns) return noAnnotations;
  const list = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return (name) =>
    list.some((p) => (p === "*" ? true : p.endsWith(".*") ? name.startsWith(p.slice(0, -1)) : p === name));
}

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const LOOKUP_TABLE = "Microsoft.Dynamics.CRM.lookuplogicalname";
const LOOKUP_NAV = "Microsoft.Dynamics.CRM.associatednavigationproperty";

export interface ExpandItem {
  navigation: Navigation;
  select: AttributeDefinition[] | undefined;
  filter?: (row: Row) => boolean;
  orderBy?: (a: Row, b: Row) => number;
  top?: number;
  expand: ExpandItem[];
}

export interface Shape {
  select: AttributeDefinition[] | undefined;
  expand: ExpandItem[];
  annotations: AnnotationFilter;
}

function formattedValue(attribute: AttributeDefinition, value: Primitive): string | undefined {
  if (value === null || !attribute.options) return undefined;
  if (attribute.type === "MultiSelectPicklist") {
    // The selected options' labels, separated by semicolons. [C: PA:multi-select-picklist.md]
    const options = attribute.options;
    return String(value)
      .split(",")
      .map((v) => options.find((o) => o.value === Number(v))?.label ?? v)
      .join("; ");
  }
  const numeric = typeof value === "boolean" ? (value ? 1 : 0) : value;
  return attribute.options.find((o) => o.value === numeric)?.label;
}

/**
 * The JSON object of a row, as the Web API returns it; `context`, when given, is its
 * `@odata.context`, first (a single row's answer), which spares copying the object to put it there.
 */
export function formatRow(
  ctx: Context,
  model: TableModel,
  row: Row,
  shape: Shape,
  context?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> =
    context === undefined
      ? { "@odata.etag": `W/"${row.version}"` }
      : { "@odata.context": context, "@odata.etag": `W/"${row.version}"` };
  const attributes = shape.select ?? model.attributes;
  let hasId = false;
  for (const attribute of attributes) {
    if (attribute.logicalName === model.primaryId) hasId = true;
    const name = propertyName(attribute);
    const value = attributeValue(model, attribute, row);
    if (shape.annotations !== noAnnotations && value !== null)
      annotate(ctx, out, name, attribute, row, value, shape.annotations);
    out[name] = value;
  }
  if (!hasId) out[model.primaryId] = row.id;
  for (const item of shape.expand) out[item.navigation.name] = expandValue(ctx, row, item, shape.annotations);
  return out;
}

function annotate(
  ctx: Context,
  out: Record<string, unknown>,
  name: string,
  attribute: AttributeDefinition,
  row: Row,
  value: Primitive,
  wanted: AnnotationFilter,
): void {
  if (isLookup(attribute)) {
    const ref = row.values[attribute.logicalName] as LookupValue;
    const target = ctx.schema.table(ref.table);
    const targetRow = target ? ctx.store.get(ref.table, ref.id) : undefined;
    if (wanted(FORMATTED) && target && targetRow) {
      const label = attributeValue(
        target,
        target.byName.get(target.primaryName) as AttributeDefinition,
        targetRow,
      );
      if (label !== null) out[`${name}@${FORMATTED}`] = String(label);
    }
    if (wanted(LOOKUP_NAV)) {
      out[`${name}@${LOOKUP_NAV}`] = singleNavigationName(attribute, ref.table);
    }
    if (wanted(LOOKUP_TABLE)) out[`${name}@${LOOKUP_TABLE}`] = ref.table;
    return;
  }
  if (wanted(FORMATTED)) {
    const label = formattedValue(attribute, value);
    if (label !== undefined) out[`${name}@${FORMATTED}`] = label;
  }
}

function expandValue(ctx: Context, row: Row, item: ExpandItem, annotations: AnnotationFilter): unknown {
  const nav = item.navigation;
  if (nav.kind === "single") {
    const target = followLookup(ctx, row, nav);
    const model = ctx.schema.table(nav.target) as TableModel;
    return target
      ? formatRow(ctx, model, target, { select: item.select, expand: item.expand, annotations })
      : null;
  }
  const model = ctx.schema.table(nav.table) as TableModel;
  let rows = children(ctx, row, nav);
  if (item.filter) rows = rows.filter(item.filter);
  if (item.orderBy) rows.sort(item.orderBy);
  if (item.top !== undefined) rows = rows.slice(0, item.top);
  return rows.map((r) => formatRow(ctx, model, r, { select: item.select, expand: item.expand, annotations }));
}
