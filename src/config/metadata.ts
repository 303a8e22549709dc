// Where table metadata comes from when checking filters and columns. Offline, the snapshot
// shipped in src/iom/tables; online, an environment's EntityDefinitions through the Dataverse
// client (any object with this interface will do).
import { didYouMean } from "./did-you-mean.js";
import { salesorder } from "../iom/tables/salesorder.js";
import { salesorderdetail } from "../iom/tables/salesorderdetail.js";
import type { AttributeDefinition, TableDefinition } from "../iom/tables/types.js";

export interface TableMetadataSource {
  /** A short description for messages, e.g. "the offline metadata snapshot". */
  readonly description: string;
  /** The table's definition, or undefined when the source does not know the table. */
  getTable(logicalName: string): Promise<TableDefinition | undefined>;
  /**
   * The names (tName) of the dual-write maps the environment's gateway lists; undefined when the
   * source has no gateway to ask (offline, or no dual-write settings): maps are then not checked.
   */
  dualWriteMaps?(): Promise<readonly string[] | undefined>;
}

/** Metadata from table definitions in memory: by default the snapshot shipped with the project. */
export class OfflineMetadataSource implements TableMetadataSource {
  readonly description = "the offline metadata snapshot (src/iom/tables)";
  private readonly byName: Map<string, TableDefinition>;

  constructor(tables: readonly TableDefinition[] = [salesorder, salesorderdetail]) {
    this.byName = new Map(tables.map((t) => [t.logicalName, t]));
  }

  getTable(logicalName: string): Promise<TableDefinition | undefined> {
    return Promise.resolve(this.byName.get(logicalName));
  }
}

const LOOKUP_TYPES = new Set(["Lookup", "Customer", "Owner"]);

export function isLookup(attribute: AttributeDefinition): boolean {
  return LOOKUP_TYPES.has(attribute.type);
}

export type AttributeResolution =
  { ok: true; attribute: AttributeDefinition } | { ok: false; suggestion?: string; reason: string };

/**
 * Resolves a $filter property of the table itself (one segment). The Web API names a lookup's
 * value `_<lookup>_value`. Paths through a lookup (`<navigation>/<column>`) are not resolved here:
 * dual-write filters cannot follow lookups, which the dual-write check reports on its own.
 */
export function resolveFilterAttribute(table: TableDefinition, path: readonly string[]): AttributeResolution {
  const name = path[0] ?? "";
  const byLogical = new Map(table.attributes.map((a) => [a.logicalName, a]));
  const lookupValue = /^_(.+)_value$/.exec(name);
  if (lookupValue) {
    const attribute = byLogical.get(lookupValue[1] as string);
    if (attribute && isLookup(attribute)) return { ok: true, attribute };
    if (attribute) {
      return {
        ok: false,
        suggestion: attribute.logicalName,
        reason: `'${attribute.logicalName}' is not a lookup`,
      };
    }
  } else {
    const attribute = byLogical.get(name);
    if (attribute && !isLookup(attribute)) return { ok: true, attribute };
    if (attribute) {
      return {
        ok: false,
        suggestion: `_${attribute.logicalName}_value`,
        reason: `'${name}' is a lookup, which the Web API filters on as '_${attribute.logicalName}_value'`,
      };
    }
    const withoutSuffix = /^(.+)_value$/.exec(name);
    const lookup = withoutSuffix ? byLogical.get(withoutSuffix[1] as string) : undefined;
    if (lookup && isLookup(lookup)) {
      return {
        ok: false,
        suggestion: `_${lookup.logicalName}_value`,
        reason: `lookup values are written with a leading underscore: '_${lookup.logicalName}_value'`,
      };
    }
  }
  const names = table.attributes.map((a) => (isLookup(a) ? `_${a.logicalName}_value` : a.logicalName));
  const suggestion = didYouMean(name, names);
  return {
    ok: false,
    reason: `'${table.logicalName}' has no attribute '${name}'`,
    ...(suggestion ? { suggestion } : {}),
  };
}

/** Resolves a column named in a policy by logical name or display name (case-insensitive). */
export function resolveColumn(table: TableDefinition, name: string): AttributeResolution {
  const lower = name.toLowerCase();
  const attribute =
    table.attributes.find((a) => a.logicalName === lower) ??
    table.attributes.find((a) => a.displayName.toLowerCase() === lower);
  if (attribute) return { ok: true, attribute };
  const suggestion = didYouMean(name, [
    ...table.attributes.map((a) => a.displayName),
    ...table.attributes.map((a) => a.logicalName),
  ]);
  return {
    ok: false,
    reason: `'${table.displayName}' (${table.logicalName}) has no column '${name}'`,
    ...(suggestion ? { suggestion } : {}),
  };
}
