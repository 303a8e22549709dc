// OData URL building. Every value that ends up in a URL goes through a literal writer, so a quote
// in a name can never change the meaning of a filter or a key, and every name goes through an
// identifier check, so a "property" can never smuggle in an operator.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A property path: nav/prop, or a lambda variable's path o/prop.
const PROPERTY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A qualified name such as Microsoft.Dynamics.CRM.PicklistAttributeMetadata.
const QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class ODataBuildError extends Error {
  override readonly name = "ODataBuildError";
}

/** A GUID literal: written bare in filters and keys, unlike strings. */
export class Guid {
  readonly value: string;
  constructor(value: string) {
    if (!GUID.test(value)) throw new ODataBuildError(`not a GUID: ${JSON.stringify(value)}`);
    this.value = value.toLowerCase();
  }
  toString(): string {
    return this.value;
  }
}

export function guid(value: string): Guid {
  return new Guid(value);
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export type ODataValue = string | number | boolean | null | Date | Guid;

/** A filter expression whose values were all written as literals. Build with {@link filter}. */
export class Filter {
  readonly #text: string;
  private constructor(text: string) {
    this.#text = text;
  }
  /** @internal the only door in: used by the builders below after escaping. */
  static trusted(text: string): Filter {
    return new Filter(text);
  }
  toString(): string {
    return this.#text;
  }
}

/** Write a value as an OData literal: strings single-quoted with '' for a quote. */
export function literal(value: ODataValue): string {
  if (value === null) return "null";
  if (value instanceof Guid) return value.value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ODataBuildError("invalid Date in an OData literal");
    return value.toISOString();
  }
  switch (typeof value) {
    case "string":
      // Half of a surrogate pair has no UTF-8 form: percent-encoding it would fail later with an
      // untyped URIError, so it is refused here, where the value is named.
      if (LONE_SURROGATE.test(value))
        throw new ODataBuildError(`a string with half a surrogate pair: ${JSON.stringify(value)}`);
      return `'${value.replaceAll("'", "''")}'`;
    case "number":
      if (!Number.isFinite(value)) throw new ODataBuildError(`not a finite number: ${value}`);
      return String(value);
    case "boolean":
      return value ? "true" : "false";
  }
  throw new ODataBuildError(`cannot write ${typeof value} as an OData literal`);
}

export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new ODataBuildError(`not an OData identifier: ${JSON.stringify(name)}`);
  return name;
}

export function propertyPath(path: string): string {
  if (!PROPERTY_PATH.test(path)) throw new ODataBuildError(`not a property path: ${JSON.stringify(path)}`);
  return path;
}

/**
 * Tagged template for filters: interpolated values become literals, interpolated Filters are
 * inserted as they are (parenthesised). The template text itself is trusted code.
 *
 *   filter`msdyn_name eq ${name} and statecode eq ${0}`
 */
export function filter(strings: TemplateStringsArray, ...values: Array<ODataValue | Filter>): Filter {
  let text = strings[0] ?? "";
  values.forEach((value, i) => {
    text += value instanceof Filter ? `(${value.toString()})` : literal(value);
    text += strings[i + 1] ?? "";
  });
  return Filter.trusted(text);
}

type Comparison = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

export function compare(property: string, op: Comparison, value: ODataValue): Filter {
  return Filter.trusted(`${propertyPath(property)} ${op} ${literal(value)}`);
}
export const eq = (property: string, value: ODataValue): Filter => compare(property, "eq", value);
export const ne = (property: string, value: ODataValue): Filter => compare(property, "ne", value);

export function contains(property: string, value: string): Filter {
  return Filter.trusted(`contains(${propertyPath(property)},${literal(value)})`);
}
export function startsWith(property: string, value: string): Filter {
  return Filter.trusted(`startswith(${propertyPath(property)},${literal(value)})`);
}

export function and(...parts: Filter[]): Filter {
  return join("and", parts);
}
export function or(...parts: Filter[]): Filter {
  return join("or", parts);
}
export function not(part: Filter): Filter {
  return Filter.trusted(`not (${part.toString()})`);
}
/** Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=['a','b']). */
export function isIn(property: string, values: readonly ODataValue[]): Filter {
  const list = values.map((v) =>
    literal(typeof v === "string" ? v : String(v instanceof Guid ? v.value : v)),
  );
  return Filter.trusted(
    `Microsoft.Dynamics.CRM.In(PropertyName=${literal(identifier(property))},PropertyValues=[${list.join(",")}])`,
  );
}

function join(op: "and" | "or", parts: Filter[]): Filter {
  if (parts.length === 0) throw new ODataBuildError(`${op}() needs at least one filter`);
  if (parts.length === 1) return parts[0] as Filter;
  return Filter.trusted(parts.map((p) => `(${p.toString()})`).join(` ${op} `));
}

/** A row key: its primary id, or the values of an alternate key. */
export type RecordKey = string | Guid | Readonly<Record<string, Exclude<ODataValue, null | Date>>>;

/**
 * The key segment after an entity set: `(00000000-…)` or `(k1='a',k2=2)`. Values are literals,
 * then percent-encoded so that `/`, `#`, `?`, `&` and `%` in a key cannot break the URL.
 */
export function keySegment(key: RecordKey): string {
  if (key instanceof Guid) return `(${key.value})`;
  if (typeof key === "string") return `(${new Guid(key).value})`;
  const entries = Object.entries(key);
  if (entries.length === 0) throw new ODataBuildError("an alternate key needs at least one attribute");
  const parts = entries.map(([name, value]) => `${identifier(name)}=${encodeLiteral(literal(value))}`);
  return `(${parts.join(",")})`;
}

/** `entityset(key)`, relative to the Web API root. */
export function recordPath(entitySet: string, key: RecordKey): string {
  return `${identifier(entitySet)}${keySegment(key)}`;
}

function encodeLiteral(text: string): string {
  // encodeURIComponent leaves ' ( ) unescaped, which keeps the literal readable to OData.
  return encodeURIComponent(text);
}

export interface QueryOptions {
  /** Columns to return. Always explicit: a query without $select returns every column. */
  select: readonly [string, ...string[]];
  filter?: Filter;
  orderBy?: ReadonlyArray<string | { property: string; descending?: boolean }>;
  /** Most rows in total (OData $top); Dataverse ignores it together with odata.maxpagesize. */
  top?: number;
  /** Navigation properties to expand, each with its own explicit $select. */
  expand?: ReadonlyArray<{ property: string; select: readonly [string, ...string[]]; filter?: Filter }>;
  count?: boolean;
}

/** `entityset?$select=…&$filter=…`, each option value percent-encoded. */
export function queryPath(resource: string, options: QueryOptions): string {
  return `${resource}?${queryString(options)}`;
}

export function queryString(options: QueryOptions): string {
  if (options.select.length === 0) throw new ODataBuildError("$select needs at least one column");
  const params: Array<[string, string]> = [["$select", options.select.map(identifier).join(",")]];
  if (options.filter) params.push(["$filter", options.filter.toString()]);
  if (options.orderBy && options.orderBy.length > 0) {
    const order = options.orderBy.map((o) =>
      typeof o === "string"
        ? propertyPath(o)
        : `${propertyPath(o.property)}${o.descending ? " desc" : " asc"}`,
    );
    params.push(["$orderby", order.join(",")]);
  }
  if (options.expand && options.expand.length > 0) {
    const expand = options.expand.map((e) => {
      const inner = [`$select=${e.select.map(identifier).join(",")}`];
      if (e.filter) inner.push(`$filter=${e.filter.toString()}`);
      return `${identifier(e.property)}(${inner.join(";")})`;
    });
    params.push(["$expand", expand.join(",")]);
  }
  if (options.top !== undefined) {
    if (!Number.isInteger(options.top) || options.top < 1) {
      throw new ODataBuildError(`$top must be a positive integer, got ${options.top}`);
    }
    params.push(["$top", String(options.top)]);
  }
  if (options.count) params.push(["$count", "true"]);
  return params.map(([name, value]) => `${name}=${encodeQueryValue(value)}`).join("&");
}

function encodeQueryValue(value: string): string {
  return encodeURIComponent(value);
}

/** A function or action name such as Microsoft.Dynamics.CRM.PicklistAttributeMetadata. */
export function qualifiedName(name: string): string {
  if (!QUALIFIED_NAME.test(name)) throw new ODataBuildError(`not a qualified name: ${JSON.stringify(name)}`);
  return name;
}

/** The id in an OData-EntityId header: `…/accounts(00000000-…)`. */
export function idFromEntityIdHeader(value: string | null): string | undefined {
  if (!value) return undefined;
  const match = /\(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)\s*$/.exec(
    value,
  );
  return match?.[1]?.toLowerCase();
}
