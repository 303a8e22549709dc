// RetrieveMetadataChanges: one request for the definitions of many tables, their columns (each
// with the properties of its own type, option sets included) and their relationships, shaped by an
// EntityQueryExpression [C: PA:query-schema-definitions.md, "Create a query using
// EntityQueryExpression"]. The EntityDefinitions entity set cannot do this in one request: a query
// that expands Attributes can cast to one derived column type only, so option sets of Picklist and
// Boolean columns need separate requests [C: same page, "Evaluate other options"].
//
// What the emulator does not do, it refuses rather than answer wrongly: the change tracking
// parameters (ClientVersionStamp, DeletedMetadataFilters: the emulator's schema never changes while
// it runs, and it keeps no history to answer them from), AppModuleId and RetrieveAllSettings, the
// In and NotIn operators (the page does not say how a list travels in the Object complex type),
// and property names it does not model.
import type { Context } from "./context.js";
import { ApiError, ErrorCode } from "./errors.js";
import { entityMetadata, METADATA_TYPES, withOptionSet } from "./metadata.js";
import type { TableModel } from "./schema.js";

type Json = Record<string, unknown>;

interface PropertiesExpression {
  AllProperties?: boolean;
  PropertyNames?: string[];
}

interface ConditionExpression {
  ConditionOperator: string;
  PropertyName: string;
  Value?: { Type: string; Value: unknown } | null;
}

interface FilterExpression {
  FilterOperator?: string;
  Conditions?: ConditionExpression[];
  Filters?: FilterExpression[];
}

interface SubQuery {
  Properties?: PropertiesExpression;
  Criteria?: FilterExpression;
}

interface EntityQuery extends SubQuery {
  AttributeQuery?: SubQuery;
  RelationshipQuery?: SubQuery;
  KeyQuery?: SubQuery;
  LabelQuery?: { FilterLanguages?: number[]; MissingLabelBehavior?: number };
}

/** The function's parameters [C: PA:webapi/reference/retrievemetadatachanges]. */
const PARAMETERS = new Set([
  "Query",
  "DeletedMetadataFilters",
  "ClientVersionStamp",
  "AppModuleId",
  "RetrieveAllSettings",
]);

/** Each sub-query and the entity property that must be requested with it [C: PA:query-schema-definitions.md]. */
const SUB_QUERIES = {
  AttributeQuery: ["Attributes"],
  RelationshipQuery: ["OneToManyRelationships", "ManyToOneRelationships", "ManyToManyRelationships"],
  KeyQuery: ["Keys"],
} as const;

const QUERY_PROPERTIES = new Set([
  "Properties",
  "Criteria",
  "AttributeQuery",
  "RelationshipQuery",
  "KeyQuery",
  "LabelQuery",
]);

/** The six operators of MetadataConditionOperator [C: PA:query-schema-definitions.md]. */
const OPERATORS = new Set(["Equals", "NotEquals", "In", "NotIn", "GreaterThan", "LessThan"]);

/** The Type of an Object value for each kind of property [C: PA:query-schema-definitions.md]. */
const VALUE_TYPES = new Set([
  "Microsoft.Xrm.Sdk.Metadata.AttributeRequiredLevel",
  "Microsoft.Xrm.Sdk.Metadata.AttributeTypeCode",
  "Microsoft.Xrm.Sdk.Metadata.AttributeTypeDisplayName",
  "System.DateTime",
  "System.Guid",
  "Microsoft.Xrm.Sdk.Metadata.OwnershipTypes",
  "Microsoft.Xrm.Sdk.Metadata.RelationshipType",
  "System.String[]",
  "System.Boolean",
  "System.Int32",
  "System.String",
]);

/** Fixed for the emulator's life: its schema never changes while it runs. */
const SERVER_VERSION_STAMP = `1!${new Date().toISOString()}`;

const invalid = (message: string): ApiError => new ApiError(400, ErrorCode.invalidArgument, message);

const unknownProperty = (name: string, kind: Kind): ApiError =>
  new ApiError(
    400,
    ErrorCode.odata,
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${kind.type}'.`,
  );

/**
 * Answers `RetrieveMetadataChanges(Query=@p1)?@p1=<EntityQueryExpression as JSON>`; `segment` is
 * the path segment with the function's parameters, `params` the query string with the aliases.
 */
export function retrieveMetadataChanges(ctx: Context, segment: string, params: URLSearchParams): Json {
  const m = /^RetrieveMetadataChanges(?:\((.*)\))?$/.exec(segment);
  if (!m) throw invalid(`'${segment}' is not a call of RetrieveMetadataChanges.`);
  const args = new Map<string, string>();
  for (const part of (m[1] ?? "").split(",").filter((p) => p.trim() !== "")) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).trim();
    if (eq < 0 || !PARAMETERS.has(name))
      throw invalid(`RetrieveMetadataChanges has no parameter '${part.trim()}'.`);
    const raw = part.slice(eq + 1).trim();
    const value = raw.startsWith("@") ? params.get(raw) : raw;
    if (value === null) throw invalid(`The parameter alias ${raw} has no value in the query string.`);
    args.set(name, value);
  }
  for (const name of ["ClientVersionStamp", "DeletedMetadataFilters"])
    if (args.has(name))
      throw invalid(
        `The emulator does not track metadata changes: ${name} is not supported. Its schema never changes while it runs; ask again without it.`,
      );
  // An app module's metadata, and a parameter Microsoft reserves for internal use.
  for (const name of ["AppModuleId", "RetrieveAllSettings"])
    if (args.has(name)) throw invalid(`The emulator does not support the ${name} parameter.`);

  const query = parseQuery(args.get("Query"));
  const { all, known: names } = definitions(ctx);
  const entityNames = names.get("") as Set<string>;
  const entities = all.filter((entity) =>
    matches(entity, query.Criteria, { type: "ComplexEntityMetadata", known: entityNames }),
  );
  const languages = query.LabelQuery?.FilterLanguages;
  return {
    "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.RetrieveMetadataChangesResponse`,
    ServerVersionStamp: SERVER_VERSION_STAMP,
    DeletedMetadata: { Count: 0, IsReadOnly: false, Keys: [], Values: [] },
    EntityMetadata: entities.map((entity) => {
      const shaped = select(entity, query.Properties, { type: "ComplexEntityMetadata", known: entityNames });
      const sub = (name: string, subQuery: SubQuery | undefined, type: string): void => {
        const items = entity[name];
        if (!Array.isArray(items) || shaped[name] === null) return;
        const kind = { type, known: names.get(name) as Set<string> };
        shaped[name] = (items as Json[])
          .filter((item) => matches(item, subQuery?.Criteria, kind))
          .map((item) => select(item, subQuery?.Properties, kind));
      };
      sub("Attributes", query.AttributeQuery, "ComplexAttributeMetadata");
      for (const name of SUB_QUERIES.RelationshipQuery)
        sub(name, query.RelationshipQuery, "ComplexRelationshipMetadataBase");
      sub("Keys", query.KeyQuery, "ComplexEntityKeyMetadata");
      return languages ? (filterLabels(shaped, new Set(languages)) as Json) : shaped;
    }),
  };
}

/** The type an item is named by in errors, and every property name items of that kind carry. */
interface Kind {
  type: string;
  known: ReadonlySet<string>;
}

function parseQuery(text: string | undefined): EntityQuery {
  // Without a query the function is RetrieveAllEntities [C: PA:query-schema-definitions.md, note].
  if (text === undefined) return {};
  let query: unknown;
  try {
    query = JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      ErrorCode.querySyntax,
      "The Query parameter is not a JSON EntityQueryExpression.",
    );
  }
  if (typeof query !== "object" || query === null || Array.isArray(query))
    throw new ApiError(
      400,
      ErrorCode.querySyntax,
      "The Query parameter is not a JSON EntityQueryExpression.",
    );
  for (const key of Object.keys(query))
    if (!QUERY_PROPERTIES.has(key))
      throw new ApiError(
        400,
        ErrorCode.odata,
        `Could not find a property named '${key}' on type 'Microsoft.Dynamics.CRM.EntityQueryExpression'.`,
      );
  const q = query as EntityQuery;
  // "When you use AttributeQuery, Attributes must be one of the Properties requested", and the
  // same for relationships and keys [C: PA:query-schema-definitions.md].
  for (const [name, needs] of Object.entries(SUB_QUERIES)) {
    if (q[name as keyof typeof SUB_QUERIES] === undefined || q.Properties?.AllProperties === true) continue;
    const requested = q.Properties?.PropertyNames ?? [];
    if (!needs.some((n) => requested.includes(n)))
      throw invalid(`When ${name} is used, ${needs.join(" or ")} must be one of the Properties requested.`);
  }
  return q;
}

interface Definitions {
  /** Every table, as the function returns it before a query shapes it. */
  all: Json[];
  /**
   * Every property name the items of a kind carry, by collection ("" for the tables themselves):
   * a name none carries is one the emulator does not model, refused rather than answered null.
   */
  known: Map<string, Set<string>>;
}

/**
 * The served schema never changes while the emulator runs, so its definitions are built once:
 * building every table's (each listing the relationships of every other) took most of a request.
 */
const built = new WeakMap<Context["schema"], Definitions>();

function definitions(ctx: Context): Definitions {
  let found = built.get(ctx.schema);
  if (!found) {
    const all = [...ctx.schema.tables].map((model) => complexEntity(ctx, model));
    const names = (items: readonly Json[]) => new Set(items.flatMap((item) => Object.keys(item)));
    const known = new Map([["", names(all)]]);
    for (const collection of ["Attributes", "Keys", ...SUB_QUERIES.RelationshipQuery])
      known.set(collection, names(all.flatMap((e) => (e[collection] as Json[] | undefined) ?? [])));
    found = { all, known };
    built.set(ctx.schema, found);
  }
  return found;
}

/** An entity as RetrieveMetadataChanges returns it: columns with their option sets, typed. */
function complexEntity(ctx: Context, model: TableModel): Json {
  const entity = entityMetadata(ctx, model);
  return {
    ...entity,
    HasChanged: null,
    // Typed as the function's complex types, ComplexStringAttributeMetadata and the like, not
    // as the entity types of EntityDefinitions [C: PA:query-schema-definitions.md, the response].
    Attributes: model.attributes.map((a) => ({
      ...withOptionSet(model, a),
      "@odata.type": `#Microsoft.Dynamics.CRM.Complex${METADATA_TYPES[a.type]}`,
      HasChanged: null,
    })),
  };
}

// Properties not requested come back as null, except these, always included
// [C: PA:query-schema-definitions.md, the EntityQueryExpression table and the response's note].
const ALWAYS = new Set(["@odata.type", "MetadataId", "LogicalName", "HasChanged"]);

function select(item: Json, properties: PropertiesExpression | undefined, kind: Kind): Json {
  // Without Properties, everything: the emulator's reading of an expression that names none.
  if (properties === undefined || properties.AllProperties === true) return { ...item };
  const names = new Set(properties.PropertyNames ?? []);
  for (const name of names) if (!kind.known.has(name)) throw unknownProperty(name, kind);
  const out: Json = {};
  for (const [name, value] of Object.entries(item))
    out[name] = ALWAYS.has(name) || names.has(name) ? value : null;
  return out;
}

function matches(item: Json, filter: FilterExpression | undefined, kind: Kind): boolean {
  if (filter === undefined || filter === null) return true;
  const operator = filter.FilterOperator ?? "And";
  if (operator !== "And" && operator !== "Or")
    throw invalid(`FilterOperator must be And or Or, not '${String(operator)}'.`);
  const results = [
    ...(filter.Conditions ?? []).map((c) => condition(item, c, kind)),
    ...(filter.Filters ?? []).map((f) => matches(item, f, kind)),
  ];
  return operator === "And" ? results.every(Boolean) : results.length === 0 || results.some(Boolean);
}

function condition(item: Json, c: ConditionExpression, kind: Kind): boolean {
  if (!OPERATORS.has(c.ConditionOperator))
    throw invalid(`'${String(c.ConditionOperator)}' is not a MetadataConditionOperator.`);
  if (c.ConditionOperator === "In" || c.ConditionOperator === "NotIn")
    throw invalid(
      `The emulator does not support the ${c.ConditionOperator} operator: how its list of values is written is not documented. Use an Or of Equals conditions.`,
    );
  // "Filtering on AttributeMetadata.SourceType isn't supported" [C: PA:query-schema-definitions.md].
  if (kind.type === "ComplexAttributeMetadata" && c.PropertyName === "SourceType")
    throw invalid("Filtering on AttributeMetadata.SourceType is not supported.");
  if (!kind.known.has(c.PropertyName)) throw unknownProperty(c.PropertyName, kind);
  const raw = item[c.PropertyName];
  // "You can't set conditions on any properties that are collections or labels" [C: same].
  if (Array.isArray(raw) || (typeof raw === "object" && raw !== null && "LocalizedLabels" in raw))
    throw invalid(`${c.PropertyName} is a collection or a label: no condition can be set on it.`);
  // Of a BooleanManagedProperty or AttributeRequiredLevelManagedProperty only Value is evaluated.
  const actual = typeof raw === "object" && raw !== null ? (raw as Json).Value : raw;
  const value = c.Value;
  if (!value || typeof value.Type !== "string" || !VALUE_TYPES.has(value.Type))
    throw invalid(`The condition on ${c.PropertyName} has no Value with one of the documented Types.`);
  const expected = parseValue(value.Type, value.Value);
  const a = value.Type === "System.Guid" && typeof actual === "string" ? actual.toLowerCase() : actual;
  switch (c.ConditionOperator) {
    case "Equals":
      return a === expected;
    case "NotEquals":
      return a !== expected;
    case "GreaterThan":
      return typeof a === typeof expected && (a as number) > (expected as number);
    default:
      return typeof a === typeof expected && (a as number) < (expected as number);
  }
}

/** An Object's Value is a string whatever its Type [C: PA:query-schema-definitions.md]. */
function parseValue(type: string, value: unknown): unknown {
  const text = String(value);
  switch (type) {
    case "System.Boolean":
      if (!/^(true|false)$/i.test(text)) throw invalid(`'${text}' is not a System.Boolean.`);
      return text.toLowerCase() === "true";
    case "System.Int32":
      if (!/^-?\d+$/.test(text)) throw invalid(`'${text}' is not a System.Int32.`);
      return Number(text);
    case "System.Guid":
      return text.toLowerCase();
    case "System.DateTime":
      return Date.parse(text);
    case "System.String[]":
      throw invalid("A System.String[] value goes with In or NotIn, which the emulator does not support.");
    default:
      return text;
  }
}

/** LabelQuery.FilterLanguages: only the labels of those languages are returned. */
function filterLabels(value: unknown, languages: ReadonlySet<number>): unknown {
  if (Array.isArray(value)) return value.map((v) => filterLabels(v, languages));
  if (typeof value !== "object" || value === null) return value;
  const json = value as Json;
  if (Array.isArray(json.LocalizedLabels)) {
    const keep = (l: unknown) => languages.has(Number((l as Json | null)?.LanguageCode));
    const user = json.UserLocalizedLabel;
    return {
      ...json,
      LocalizedLabels: (json.LocalizedLabels as unknown[]).filter(keep),
      UserLocalizedLabel: user && keep(user) ? user : null,
    };
  }
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, filterLabels(v, languages)]));
}
