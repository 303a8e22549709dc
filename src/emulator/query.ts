// OData query options on entity sets: $select, $filter, $orderby, $top, $count, $expand and
// server-driven paging with Prefer: odata.maxpagesize and @odata.nextLink.
import { FilterSyntaxError, type FilterNode } from "../odata/filter.js";
import { FilterTooComplexError, parseBoundedFilter } from "../odata/limits.js";
import type { AttributeDefinition } from "./tables.js";
import type { Context } from "./context.js";
import { ApiError, ErrorCode, badQuery, unknownProperty } from "./errors.js";
import { compileFilter, requiredEqualities, type Predicate } from "./filter-eval.js";
import {
  attributeValue,
  edmOf,
  formatRow,
  navigation,
  rowScope,
  type AnnotationFilter,
  type ExpandItem,
  type Shape,
} from "./rows.js";
import type { TableModel } from "./schema.js";
import type { Row } from "./store.js";

/** Dataverse's default and largest page. */
export const MAX_PAGE_SIZE = 5000;
const SUPPORTED = new Set(["$select", "$filter", "$orderby", "$top", "$count", "$expand", "$skiptoken"]);

export type QueryOptions = Partial<
  Record<"$select" | "$filter" | "$orderby" | "$top" | "$count" | "$expand" | "$skiptoken", string>
>;

export function readQueryOptions(
  params: URLSearchParams,
  allowed: ReadonlySet<string> = SUPPORTED,
): QueryOptions {
  const options: Record<string, string> = {};
  // forEach rather than for...of: the iterator makes an array per parameter, on every query.
  params.forEach((value, name) => {
    if (!name.startsWith("$")) return; // parameter aliases (@p1) and others pass through
    if (name === "$skip") throw badQuery("The query parameter $skip is not supported.");
    if (!allowed.has(name)) throw badQuery(`The query parameter ${name} is not supported.`);
    if (name in options) throw badQuery(`The query parameter ${name} is specified more than once.`);
    options[name] = value;
  });
  return options;
}

/** Splits on a separator outside parentheses and quoted strings. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === "(") depth++;
    else if (!quoted && ch === ")") depth--;
    else if (!quoted && depth === 0 && ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

export function parseSelect(model: TableModel, text: string | undefined): AttributeDefinition[] | undefined {
  if (text === undefined) return undefined;
  return splitTopLevel(text, ",").map((name) => {
    const attribute = model.byProperty.get(name);
    if (!attribute) throw unknownProperty(name, model.logicalName);
    return attribute;
  });
}

export function parseFilterText(text: string): FilterNode {
  try {
    // Bounded first: the parser recurses per level, and a hostile query must get a 400, not
    // exhaust the emulator's stack.
    return parseBoundedFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError)
      throw badQuery(`Syntax error at position ${err.position} in '${text}': ${err.message}.`);
    if (err instanceof FilterTooComplexError)
      throw badQuery(`The $filter ${err.message} (at position ${err.position}); simplify the query.`);
    throw err;
  }
}

export function compileRowFilter(
  ctx: Context,
  model: TableModel,
  text: string,
): { node: FilterNode; predicate: Predicate } {
  const node = parseFilterText(text);
  return { node, predicate: compileFilter(node, rowScope(ctx, model)) };
}

function parseTop(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw badQuery(
      `Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  return Number(text);
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return -1; // nulls first, as SQL Server sorts them
  if (b === null) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

export function compileOrderBy(model: TableModel, text: string): (a: Row, b: Row) => number {
  const keys = splitTopLevel(text, ",").map((part) => {
    const [name, direction, extra] = part.split(/\s+/);
    if (extra !== undefined || (direction !== undefined && direction !== "asc" && direction !== "desc"))
      throw badQuery(`Syntax error in $orderby '${text}': expected 'property [asc|desc]'.`);
    const attribute = model.byProperty.get(name as string);
    if (!attribute) throw unknownProperty(name as string, model.logicalName);
    const edm = edmOf(attribute);
    const value = (row: Row): unknown => {
      const v = attributeValue(model, attribute, row);
      if (v === null) return null;
      if (edm === "datetime") return Date.parse(v as string);
      return typeof v === "string" ? v.toLowerCase() : v;
    };
    return { value, sign: direction === "desc" ? -1 : 1 };
  });
  return (a, b) => {
    for (const key of keys) {
      const c = compare(key.value(a), key.value(b));
      if (c !== 0) return c * key.sign;
    }
    return 0;
  };
}

function expandOptions(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const part of splitTopLevel(text, ";")) {
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq).trim();
    if (!["$select", "$filter", "$orderby", "$top", "$expand"].includes(name))
      throw badQuery(`The query option '${name}' is not supported inside $expand.`);
    options[name] = part.slice(eq + 1).trim();
  }
  return options;
}

export function parseExpand(ctx: Context, model: TableModel, text: string | undefined): ExpandItem[] {
  if (text === undefined) return [];
  return splitTopLevel(text, ",").map((part) => {
    const open = part.indexOf("(");
    const name = (open < 0 ? part : part.slice(0, open)).trim();
    if (open >= 0 && !part.endsWith(")")) throw badQuery(`Syntax error in $expand '${text}': missing ')'.`);
    const options = open < 0 ? {} : expandOptions(part.slice(open + 1, -1));
    const nav = navigation(model, name);
    const target = ctx.schema.table(nav.kind === "single" ? nav.target : nav.table);
    if (!target) throw unknownProperty(name, model.logicalName);
    const item: ExpandItem = {
      navigation: nav,
      select: parseSelect(target, options.$select),
      expand: parseExpand(ctx, target, options.$expand),
    };
    if (nav.kind === "single" && (options.$filter || options.$orderby || options.$top))
      throw badQuery(
        `$filter, $orderby and $top are only allowed when expanding a collection; '${nav.name}' is single-valued.`,
      );
    if (options.$filter) {
      const { predicate } = compileRowFilter(ctx, target, options.$filter);
      item.filter = (row) => predicate({ subject: row, vars: {} });
    }
    if (options.$orderby) item.orderBy = compileOrderBy(target, options.$orderby);
    const top = parseTop(options.$top);
    if (top !== undefined) item.top = top;
    return item;
  });
}

export function shapeOf(
  ctx: Context,
  model: TableModel,
  options: QueryOptions,
  annotations: AnnotationFilter,
): Shape {
  return {
    select: parseSelect(model, options.$select),
    expand: parseExpand(ctx, model, options.$expand),
    annotations,
  };
}

function literalKey(value: unknown, type: string): string {
  if (type === "number") return `n${String(value)}`;
  if (type === "boolean") return `b${String(value)}`;
  return `s${String(value).toLowerCase()}`;
}

/** The rows that can match: from an index when the filter pins an indexed column, else all. */
function candidates(ctx: Context, model: TableModel, node: FilterNode | undefined): Iterable<Row> {
  if (node) {
    for (const eq of requiredEqualities(node)) {
      if (eq.path.length !== 1) continue;
      const attribute = model.byProperty.get(eq.path[0] as string);
      if (!attribute || attribute.logicalName === "versionnumber") continue;
      if (attribute.logicalName === model.primaryId) {
        const row = typeof eq.value === "string" ? ctx.store.get(model.logicalName, eq.value) : undefined;
        return row ? [row] : [];
      }
      return ctx.store.byEquality(model.logicalName, attribute.logicalName, literalKey(eq.value, eq.type));
    }
  }
  return ctx.store.rows(model.logicalName);
}

const SKIPTOKEN = /^<cookie pagenumber="(\d+)" position="(\d+)" \/>$/;

export interface CollectionResult {
  body: Record<string, unknown>;
  pageSizeApplied: number | undefined;
}

/**
 * Runs a query on an entity set. `requestPath` is the set's path with its query string as the
 * client sent it: @odata.nextLink repeats it with a $skiptoken.
 */
export function queryCollection(
  ctx: Context,
  model: TableModel,
  options: QueryOptions,
  maxPageSize: number | undefined,
  annotations: AnnotationFilter,
  rawQuery: string,
): CollectionResult {
  const shape = shapeOf(ctx, model, options, annotations);
  const filter = options.$filter !== undefined ? compileRowFilter(ctx, model, options.$filter) : undefined;
  const orderBy = options.$orderby !== undefined ? compileOrderBy(model, options.$orderby) : undefined;
  const top = parseTop(options.$top);
  if (options.$count !== undefined && options.$count !== "true" && options.$count !== "false")
    throw badQuery(`Invalid value '${options.$count}' for $count: use true or false.`);
  let offset = 0;
  let page = 1;
  if (options.$skiptoken !== undefined) {
    const m = SKIPTOKEN.exec(options.$skiptoken);
    if (!m) throw badQuery("The $skiptoken is not valid: use @odata.nextLink as it was returned.");
    page = Number(m[1]);
    offset = Number(m[2]);
  }

  const matches: Row[] = [];
  const env = { subject: undefined as unknown, vars: {} };
  for (const row of candidates(ctx, model, filter?.node)) {
    env.subject = row;
    if (!filter || filter.predicate(env)) matches.push(row);
  }
  if (orderBy) matches.sort(orderBy);

  // Dataverse documents that $top is ignored when odata.maxpagesize is given (domain.md 3).
  const pageSize = maxPageSize ?? (top !== undefined ? Math.min(top, MAX_PAGE_SIZE) : MAX_PAGE_SIZE);
  const limit =
    maxPageSize === undefined && top !== undefined ? Math.min(top, matches.length) : matches.length;
  const pageRows = matches.slice(offset, Math.min(offset + pageSize, limit));

  const body: Record<string, unknown> = {
    "@odata.context": `${ctx.serviceRoot}$metadata#${model.entitySetName}${shape.select ? `(${options.$select})` : ""}`,
  };
  if (options.$count === "true") body["@odata.count"] = Math.min(matches.length, MAX_PAGE_SIZE);
  body.value = pageRows.map((row) => formatRow(ctx, model, row, shape));
  if (offset + pageSize < limit) {
    const token = `<cookie pagenumber="${page + 1}" position="${offset + pageSize}" />`;
    const rest = rawQuery
      .split("&")
      .filter((p) => p !== "" && !p.startsWith("$skiptoken=") && !p.startsWith("%24skiptoken="));
    rest.push(`$skiptoken=${encodeURIComponent(token)}`);
    body["@odata.nextLink"] = `${ctx.serviceRoot}${model.entitySetName}?${rest.join("&")}`;
  }
  return { body, pageSizeApplied: maxPageSize };
}

export function checkMaxPageSize(value: number): number | undefined {
  if (!Number.isInteger(value) || value <= 0)
    throw new ApiError(400, ErrorCode.querySyntax, "odata.maxpagesize must be a positive integer.");
  // Dataverse ignores larger requests and pages at 5000.
  return value > MAX_PAGE_SIZE ? undefined : value;
}
