// The emulator's own shape of a Dataverse table: what it serves, publishes under EntityDefinitions
// and checks writes against. Its tables come from a metadata file (src/emulator/data/metadata.json
// by default, docs/emulator.md), never from the client's table registry in src/iom: an emulator
// that shared the client's guesses could not catch a wrong one.

/**
 * Attribute types, named as Dataverse's AttributeTypeName without "Type". A MultiSelectPicklist
 * (a "choices" column) is published with AttributeType "Virtual", as Dataverse does.
 */
export type AttributeType =
  | "String"
  | "Memo"
  | "Integer"
  | "BigInt"
  | "Decimal"
  | "Double"
  | "Money"
  | "Boolean"
  | "DateTime"
  | "Uniqueidentifier"
  | "Lookup"
  | "Customer"
  | "Owner"
  | "Picklist"
  | "MultiSelectPicklist"
  | "State"
  | "Status";

/**
 * What deleting a referenced row does to the rows whose lookup points at it (Dataverse's
 * CascadeConfiguration.Delete): delete them too, clear their lookup, or refuse the delete.
 */
export type CascadeType = "Cascade" | "RemoveLink" | "Restrict";

/** Where a fact of the metadata comes from (schemas/emulator-metadata.schema.json, evidence). */
export interface Evidence {
  kind: "confirmed" | "third-party" | "inferred" | "captured";
  cite?: string;
  reason?: string;
  note?: string;
}

/** One choice of an option set, as the UI labels it. */
export interface OptionDefinition {
  value: number;
  label: string;
  /** Status attributes: the statecode this status reason belongs to (Dataverse checks the pair). */
  state?: number;
  evidence?: Evidence;
  labelEvidence?: Evidence;
}

export interface AttributeDefinition {
  logicalName: string;
  displayName: string;
  type: AttributeType;
  /** Lookup, Customer and Owner attributes: the tables the value may point to. */
  targets?: string[];
  /**
   * The SchemaName, the logical name in its real case. Dataverse names a single-table lookup's
   * navigation property after it and matches that name case-sensitively. @default the logical name
   */
  schemaName?: string;
  /** Lookups: what deleting the referenced row does to this row. @default Cascade if required, else RemoveLink */
  cascadeDelete?: CascadeType;
  /** Picklist, MultiSelectPicklist, State, Status and Boolean attributes (Boolean: 0 false, 1 true). */
  options?: OptionDefinition[];
  /** String and Memo attributes: the longest value accepted. */
  maxLength?: number;
  /** Whether Dataverse requires a value on create (RequiredLevel ApplicationRequired/SystemRequired). */
  required?: boolean;
  evidence?: Evidence;
  cascadeDeleteEvidence?: Evidence;
}

export interface AlternateKeyDefinition {
  /** The key's logical name. */
  name: string;
  /** The attributes whose values identify a row, in URL order: `set(a='x',b='y')`. */
  attributes: string[];
  evidence?: Evidence;
}

export interface TableDefinition {
  logicalName: string;
  entitySetName: string;
  displayName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  attributes: AttributeDefinition[];
  alternateKeys?: AlternateKeyDefinition[];
  evidence?: {
    table: Evidence;
    entitySetName?: Evidence;
    primaryIdAttribute?: Evidence;
    primaryNameAttribute?: Evidence;
  };
}
