// The emulator's view of the table registry: per table, its attributes (with the system columns
// every Dataverse table has), the property names the Web API uses for them, and its navigation
// properties in both directions.
import type { AlternateKeyDefinition, AttributeDefinition, CascadeType, TableDefinition } from "./tables.js";

/**
 * A single-valued navigation property (a lookup) or a collection-valued one (its reverse, with
 * what deleting this row does to the rows it lists).
 */
export type Navigation =
  | { kind: "single"; name: string; attribute: AttributeDefinition; target: string }
  | { kind: "collection"; name: string; table: string; attribute: string; cascadeDelete: CascadeType };

export interface TableModel {
  readonly def: TableDefinition;
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly attributes: readonly AttributeDefinition[];
  /** By logical name. */
  readonly byName: ReadonlyMap<string, AttributeDefinition>;
  /** By the name a row carries in JSON: `_x_value` for lookups, the logical name otherwise. */
  readonly byProperty: ReadonlyMap<string, AttributeDefinition>;
  /** Navigation properties by name; Dataverse matches these names case-sensitively. */
  readonly navigations: ReadonlyMap<string, Navigation>;
  readonly keys: readonly AlternateKeyDefinition[];
}

export const LOOKUP_TYPES: ReadonlySet<string> = new Set(["Lookup", "Customer", "Owner"]);
/** Columns Dataverse maintains itself; writes to them are ignored, as Dataverse does. */
export const SYSTEM_COLUMNS: ReadonlySet<string> = new Set(["createdon", "modifiedon", "versionnumber"]);

export function isLookup(attribute: AttributeDefinition): boolean {
  return LOOKUP_TYPES.has(attribute.type);
}

/** The JSON property name of an attribute: `_x_value` for lookups. */
export function propertyName(attribute: AttributeDefinition): string {
  return isLookup(attribute) ? `_${attribute.logicalName}_value` : attribute.logicalName;
}

/** An attribute's SchemaName: its logical name in real case. */
export function schemaName(attribute: AttributeDefinition): string {
  return attribute.schemaName ?? attribute.logicalName;
}

/**
 * Navigation property name of a lookup to one target: a single-table lookup's is its schema name
 * (`msdyn_ProviderDefinition`), a multi-table lookup's is `<logical name>_<target>` for each target
 * (`customerid_account`), as Dataverse names them.
 */
export function singleNavigationName(attribute: AttributeDefinition, target: string): string {
  return (attribute.targets?.length ?? 0) > 1 ? `${attribute.logicalName}_${target}` : schemaName(attribute);
}

/** What deleting the referenced row does to the rows a lookup holds (see CascadeType). */
export function cascadeDeleteOf(attribute: AttributeDefinition): CascadeType {
  return attribute.cascadeDelete ?? (attribute.required ? "Cascade" : "RemoveLink");
}

/**
 * The navigation property whose name differs from `name` in case only: the likely meaning of a
 * name Dataverse would not match, for error messages.
 */
export function navigationInOtherCase(model: TableModel, name: string): Navigation | undefined {
  const lower = name.toLowerCase();
  for (const nav of model.navigations.values()) if (nav.name.toLowerCase() === lower) return nav;
  return undefined;
}

/**
 * Name of the one-to-many relationship (and collection-valued navigation property) behind a
 * lookup. Real environments have their own names; the emulator publishes these in
 * OneToManyRelationships so that clients read them instead of assuming.
 */
export function relationshipName(referenced: string, referencing: string, attribute: string): string {
  return `${referenced}_${referencing}_${attribute}`;
}

function withSystemColumns(def: TableDefinition): AttributeDefinition[] {
  const attributes = [...def.attributes];
  const has = (name: string): boolean => attributes.some((a) => a.logicalName === name);
  if (!has(def.primaryIdAttribute))
    attributes.unshift({
      logicalName: def.primaryIdAttribute,
      displayName: def.displayName,
      type: "Uniqueidentifier",
    });
  if (!has("createdon"))
    attributes.push({ logicalName: "createdon", displayName: "Created On", type: "DateTime" });
  if (!has("modifiedon"))
    attributes.push({ logicalName: "modifiedon", displayName: "Modified On", type: "DateTime" });
  if (!has("versionnumber"))
    attributes.push({ logicalName: "versionnumber", displayName: "Version Number", type: "BigInt" });
  return attributes;
}

export class Schema {
  private readonly byLogical = new Map<string, TableModel>();
  private readonly bySet = new Map<string, TableModel>();

  constructor(readonly definitions: readonly TableDefinition[]) {
    for (const def of definitions) {
      const attributes = withSystemColumns(def);
      const model: TableModel = {
        def,
        logicalName: def.logicalName,
        entitySetName: def.entitySetName,
        primaryId: def.primaryIdAttribute,
        primaryName: def.primaryNameAttribute,
        attributes,
        byName: new Map(attributes.map((a) => [a.logicalName, a])),
        byProperty: new Map(attributes.map((a) => [propertyName(a), a])),
        navigations: new Map(),
        keys: def.alternateKeys ?? [],
      };
      this.byLogical.set(def.logicalName, model);
      this.bySet.set(def.entitySetName, model);
    }
    for (const model of this.byLogical.values()) {
      const navigations = model.navigations as Map<string, Navigation>;
      for (const attribute of model.attributes) {
        if (!isLookup(attribute)) continue;
        for (const target of attribute.targets ?? []) {
          const name = singleNavigationName(attribute, target);
          navigations.set(name, { kind: "single", name, attribute, target });
          const referenced = this.byLogical.get(target);
          if (!referenced) continue;
          const collection = relationshipName(target, model.logicalName, attribute.logicalName);
          (referenced.navigations as Map<string, Navigation>).set(collection, {
            kind: "collection",
            name: collection,
            table: model.logicalName,
            attribute: attribute.logicalName,
            cascadeDelete: cascadeDeleteOf(attribute),
          });
        }
      }
    }
  }

  get tables(): IterableIterator<TableModel> {
    return this.byLogical.values();
  }

  table(logicalName: string): TableModel | undefined {
    return this.byLogical.get(logicalName);
  }

  tableBySet(entitySetName: string): TableModel | undefined {
    return this.bySet.get(entitySetName);
  }
}
