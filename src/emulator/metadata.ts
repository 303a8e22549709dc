// EntityDefinitions: the metadata of every served table, built from the registry, in the shapes
// the Web API returns (EntityMetadata, the AttributeMetadata types, OptionSet, Keys and
// relationships), with $select, $filter and $expand on them.
import type { AttributeDefinition } from "./tables.js";
import type { Context } from "./context.js";
import { ApiError, ErrorCode, badQuery, unknownSegment } from "./errors.js";
import { compileFilter, objectScope } from "./filter-eval.js";
import { stableId } from "./ids.js";
import { parseFilterText, readQueryOptions, splitTopLevel } from "./query.js";
import {
  cascadeDeleteOf,
  isLookup,
  relationshipName,
  schemaName,
  singleNavigationName,
  type TableModel,
} from "./schema.js";

type Json = Record<string, unknown>;

const label = (text: string): Json => {
  const localized = {
    Label: text,
    LanguageCode: 1033,
    IsManaged: true,
    MetadataId: stableId(`label:${text}`),
  };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
};

export const METADATA_TYPES: Record<AttributeDefinition["type"], string> = {
  String: "StringAttributeMetadata",
  Memo: "MemoAttributeMetadata",
  Integer: "IntegerAttributeMetadata",
  BigInt: "BigIntAttributeMetadata",
  Decimal: "DecimalAttributeMetadata",
  Double: "DoubleAttributeMetadata",
  Money: "MoneyAttributeMetadata",
  Boolean: "BooleanAttributeMetadata",
  DateTime: "DateTimeAttributeMetadata",
  Uniqueidentifier: "UniqueIdentifierAttributeMetadata",
  Lookup: "LookupAttributeMetadata",
  Customer: "LookupAttributeMetadata",
  Owner: "LookupAttributeMetadata",
  Picklist: "PicklistAttributeMetadata",
  MultiSelectPicklist: "MultiSelectPicklistAttributeMetadata",
  State: "StateAttributeMetadata",
  Status: "StatusAttributeMetadata",
};

function optionSet(model: TableModel, attribute: AttributeDefinition): Json | undefined {
  const options = attribute.options;
  if (!options) return undefined;
  const base = {
    MetadataId: stableId(`optionset:${model.logicalName}.${attribute.logicalName}`),
    Name: `${model.logicalName}_${attribute.logicalName}`,
    IsGlobal: false,
  };
  if (attribute.type === "Boolean") {
    const option = (value: number): Json => ({
      Value: value,
      Label: label(options.find((o) => o.value === value)?.label ?? String(value === 1)),
    });
    return { ...base, OptionSetType: "Boolean", TrueOption: option(1), FalseOption: option(0) };
  }
  const statuses = attribute.type === "State" ? (model.byName.get("statuscode")?.options ?? []) : [];
  return {
    ...base,
    // A multi-select choice has an option set like a Picklist's. [C: PA:multi-select-picklist.md]
    OptionSetType:
      attribute.type === "Picklist" || attribute.type === "MultiSelectPicklist" ? "Picklist" : attribute.type,
    Options: options.map((o) => {
      const option: Json = { Value: o.value, Label: label(o.label) };
      if (attribute.type === "Status" && o.state !== undefined) option.State = o.state;
      if (attribute.type === "State")
        option.DefaultStatus = statuses.find((s) => s.state === o.value)?.value ?? null;
      return option;
    }),
  };
}

function attributeMetadata(model: TableModel, attribute: AttributeDefinition): Json {
  const type = METADATA_TYPES[attribute.type];
  const system = ["createdon", "modifiedon", "versionnumber"].includes(attribute.logicalName);
  const json: Json = {
    "@odata.type": `#Microsoft.Dynamics.CRM.${type}`,
    MetadataId: stableId(`attribute:${model.logicalName}.${attribute.logicalName}`),
    LogicalName: attribute.logicalName,
    SchemaName: schemaName(attribute),
    EntityLogicalName: model.logicalName,
    // Dataverse publishes a multi-select choice as a Virtual attribute whose AttributeTypeName is
    // MultiSelectPicklistType. [C: PA:webapi/create-update-column-definitions-using-web-api.md]
    AttributeType: attribute.type === "MultiSelectPicklist" ? "Virtual" : attribute.type,
    AttributeTypeName: { Value: `${attribute.type}Type` },
    DisplayName: label(attribute.displayName),
    RequiredLevel: { Value: attribute.required ? "ApplicationRequired" : "None", CanBeChanged: true },
    IsPrimaryId: attribute.logicalName === model.primaryId,
    IsPrimaryName: attribute.logicalName === model.primaryName,
    IsValidForCreate: !system,
    IsValidForUpdate: !system && attribute.logicalName !== model.primaryId,
    IsValidForRead: true,
    IsCustomAttribute: attribute.logicalName.startsWith("msdyn_"),
  };
  if (attribute.maxLength !== undefined) json.MaxLength = attribute.maxLength;
  if (isLookup(attribute)) json.Targets = attribute.targets ?? [];
  return json;
}

/** Only Delete varies between the emulator's relationships; the other actions never cascade. */
function cascadeConfiguration(attribute: AttributeDefinition): Json {
  return {
    Assign: "NoCascade",
    Delete: cascadeDeleteOf(attribute),
    Merge: "NoCascade",
    Reparent: "NoCascade",
    Share: "NoCascade",
    Unshare: "NoCascade",
    RollupView: "NoCascade",
    Archive: "NoCascade",
  };
}

function manyToOne(model: TableModel): Json[] {
  return model.attributes.filter(isLookup).flatMap((attribute) =>
    (attribute.targets ?? []).map((target) => ({
      MetadataId: stableId(`relationship:${target}.${model.logicalName}.${attribute.logicalName}`),
      SchemaName: relationshipName(target, model.logicalName, attribute.logicalName),
      ReferencedEntity: target,
      ReferencedAttribute: `${target}id`,
      ReferencingEntity: model.logicalName,
      ReferencingAttribute: attribute.logicalName,
      ReferencingEntityNavigationPropertyName: singleNavigationName(attribute, target),
      ReferencedEntityNavigationPropertyName: relationshipName(
        target,
        model.logicalName,
        attribute.logicalName,
      ),
      CascadeConfiguration: cascadeConfiguration(attribute),
    })),
  );
}

export function entityMetadata(ctx: Context, model: TableModel): Json {
  return {
    MetadataId: stableId(`entity:${model.logicalName}`),
    LogicalName: model.logicalName,
    SchemaName: model.logicalName,
    EntitySetName: model.entitySetName,
    LogicalCollectionName: model.entitySetName,
    PrimaryIdAttribute: model.primaryId,
    PrimaryNameAttribute: model.primaryName,
    DisplayName: label(model.def.displayName),
    IsCustomEntity: model.logicalName.startsWith("msdyn_"),
    Attributes: model.attributes.map((a) => attributeMetadata(model, a)),
    Keys: model.keys.map((k) => ({
      MetadataId: stableId(`key:${model.logicalName}.${k.name}`),
      LogicalName: k.name,
      SchemaName: k.name,
      EntityLogicalName: model.logicalName,
      KeyAttributes: k.attributes,
      EntityKeyIndexStatus: "Active",
    })),
    ManyToOneRelationships: manyToOne(model),
    OneToManyRelationships: [...ctx.schema.tables].flatMap((other) =>
      manyToOne(other).filter((r) => r.ReferencedEntity === model.logicalName),
    ),
  };
}

/** Navigation-like properties: only returned when expanded, as in Dataverse. */
const ENTITY_COLLECTIONS = new Set([
  "Attributes",
  "Keys",
  "ManyToOneRelationships",
  "OneToManyRelationships",
]);
const ATTRIBUTE_EXPANDABLE = new Set(["OptionSet", "GlobalOptionSet"]);

interface Options {
  select?: string[];
  filter?: string;
  expand: Map<string, Options>;
}

function parseOptions(
  select: string | undefined,
  filter: string | undefined,
  expand: string | undefined,
): Options {
  const options: Options = { expand: new Map() };
  if (select !== undefined) options.select = splitTopLevel(select, ",");
  if (filter !== undefined) options.filter = filter;
  for (const part of expand === undefined ? [] : splitTopLevel(expand, ",")) {
    const open = part.indexOf("(");
    const name = open < 0 ? part : part.slice(0, open);
    const inner: Record<string, string> = {};
    if (open >= 0)
      for (const o of splitTopLevel(part.slice(open + 1, -1), ";")) {
        const eq = o.indexOf("=");
        inner[o.slice(0, eq)] = o.slice(eq + 1);
      }
    options.expand.set(name, parseOptions(inner.$select, inner.$filter, inner.$expand));
  }
  return options;
}

/** Applies $select, $filter and $expand to metadata objects; `hidden` are only shown when expanded. */
function shape(
  items: Json[],
  options: Options,
  typeName: string,
  hidden: ReadonlySet<string>,
  full: (item: Json) => Json,
): Json[] {
  let list = items;
  if (options.filter !== undefined && list.length > 0) {
    const predicate = compileFilter(
      parseFilterText(options.filter),
      objectScope(typeName, full(list[0] as Json)),
    );
    list = list.filter((item) => predicate({ subject: full(item), vars: {} }));
  }
  return list.map((item) => shapeOne(full(item), options, typeName, hidden));
}

function shapeOne(item: Json, options: Options, typeName: string, hidden: ReadonlySet<string>): Json {
  for (const name of [...(options.select ?? []), ...options.expand.keys()])
    if (!(name in item))
      throw new ApiError(
        400,
        ErrorCode.odata,
        `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${typeName}'.`,
      );
  const out: Json = {};
  if (item["@odata.type"] !== undefined) out["@odata.type"] = item["@odata.type"];
  for (const [name, value] of Object.entries(item)) {
    if (hidden.has(name) && !options.expand.has(name)) continue;
    if (
      options.select &&
      !options.select.includes(name) &&
      name !== "MetadataId" &&
      !options.expand.has(name)
    )
      continue;
    out[name] = value;
  }
  for (const [name, inner] of options.expand) {
    const value = item[name];
    if (Array.isArray(value)) {
      const innerType =
        name === "Attributes"
          ? "AttributeMetadata"
          : name === "Keys"
            ? "EntityKeyMetadata"
            : "RelationshipMetadataBase";
      out[name] = shape(value as Json[], inner, innerType, ATTRIBUTE_EXPANDABLE, (x) => x);
    } else out[name] = value ?? null;
  }
  return out;
}

export function withOptionSet(model: TableModel, attribute: AttributeDefinition): Json {
  const json = attributeMetadata(model, attribute);
  const set = optionSet(model, attribute);
  if (set) {
    json.OptionSet = set;
    json.GlobalOptionSet = null;
  }
  return json;
}

function findTable(ctx: Context, key: string): TableModel {
  const m = /^LogicalName='([^']*)'$/.exec(key.trim());
  const model = m
    ? ctx.schema.table(m[1] as string)
    : [...ctx.schema.tables].find((t) => stableId(`entity:${t.logicalName}`) === key.trim().toLowerCase());
  if (!model) throw new ApiError(404, ErrorCode.notFound, `Could not find entity with key ${key}.`);
  return model;
}

function castType(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  if (!segment.startsWith("Microsoft.Dynamics.CRM.")) throw unknownSegment(segment);
  return segment.slice("Microsoft.Dynamics.CRM.".length);
}

/**
 * Answers `EntityDefinitions...` requests. `segments` are the path segments after the service
 * root, the first being `EntityDefinitions` or `EntityDefinitions(key)`.
 */
export function metadataResponse(ctx: Context, segments: string[], params: URLSearchParams): Json {
  const q = readQueryOptions(params, new Set(["$select", "$filter", "$expand"]));
  const options = parseOptions(q.$select, q.$filter, q.$expand);
  const root = `${ctx.serviceRoot}$metadata#EntityDefinitions`;
  const [first, second, third, fourth, ...extra] = segments as [string, ...Array<string | undefined>];
  if (extra.length > 0) throw unknownSegment(extra[0] as string);
  const open = first.indexOf("(");
  if (open < 0) {
    if (second !== undefined) throw unknownSegment(second);
    const all = [...ctx.schema.tables].map((t) => entityMetadata(ctx, t));
    return {
      "@odata.context": root,
      value: shape(all, options, "EntityMetadata", ENTITY_COLLECTIONS, (x) => x),
    };
  }
  if (!first.endsWith(")") || first.slice(0, open) !== "EntityDefinitions") throw unknownSegment(first);
  const model = findTable(ctx, first.slice(open + 1, -1));
  const entityContext = `${root}(${model.logicalName})`;
  if (second === undefined) {
    if (options.filter !== undefined) throw badQuery("$filter is not allowed on a single entity.");
    return {
      "@odata.context": `${root}/$entity`,
      ...shapeOne(entityMetadata(ctx, model), options, "EntityMetadata", ENTITY_COLLECTIONS),
    };
  }
  const attributeOpen = second.indexOf("(");
  const collection = attributeOpen < 0 ? second : second.slice(0, attributeOpen);
  if (collection !== "Attributes") {
    if (!ENTITY_COLLECTIONS.has(collection) || third !== undefined) throw unknownSegment(third ?? second);
    const items = entityMetadata(ctx, model)[collection] as Json[];
    return {
      "@odata.context": `${entityContext}/${collection}`,
      value: shape(items, options, "MetadataBase", new Set(), (x) => x),
    };
  }
  if (attributeOpen < 0) {
    // EntityDefinitions(...)/Attributes[/Microsoft.Dynamics.CRM.XAttributeMetadata]
    if (fourth !== undefined) throw unknownSegment(fourth);
    const cast = castType(third);
    const attributes = model.attributes.filter((a) => !cast || cast === METADATA_TYPES[a.type]);
    return {
      "@odata.context": `${entityContext}/Attributes${cast ? `/Microsoft.Dynamics.CRM.${cast}` : ""}`,
      value: shape(
        attributes.map((a) => withOptionSet(model, a)),
        options,
        cast ?? "AttributeMetadata",
        ATTRIBUTE_EXPANDABLE,
        (x) => x,
      ),
    };
  }
  if (!second.endsWith(")")) throw unknownSegment(second);
  const m = /^LogicalName='([^']*)'$/.exec(second.slice(attributeOpen + 1, -1).trim());
  const attribute = m ? model.byName.get(m[1] as string) : undefined;
  if (!attribute)
    throw new ApiError(
      404,
      ErrorCode.notFound,
      `Could not find attribute with key ${second.slice(attributeOpen)} on ${model.logicalName}.`,
    );
  if (fourth !== undefined) throw unknownSegment(fourth);
  const cast = castType(third);
  if (cast && cast !== METADATA_TYPES[attribute.type])
    throw new ApiError(
      404,
      ErrorCode.unknownSegment,
      `The attribute ${attribute.logicalName} is a ${METADATA_TYPES[attribute.type]}, not a ${cast}.`,
    );
  return {
    "@odata.context": `${entityContext}/Attributes(${attribute.logicalName})${cast ? `/Microsoft.Dynamics.CRM.${cast}` : ""}/$entity`,
    ...shapeOne(withOptionSet(model, attribute), options, cast ?? "AttributeMetadata", ATTRIBUTE_EXPANDABLE),
  };
}
