// The shape of a Dataverse table as iom-gitops knows it: what the emulator publishes under
// `EntityDefinitions`, and what `iom validate` checks filters against when it is offline.
// Each table lives in its own file beside this one, named after its logical name.

/**
 * Dataverse attribute types, named as `AttributeType` values in the Web API metadata; a multi-select
 * choice (published as Virtual, AttributeTypeName MultiSelectPicklistType) is MultiSelectPicklist.
 */
export const ATTRIBUTE_TYPES = [
  "String",
  "Memo",
  "Integer",
  "BigInt",
  "Decimal",
  "Double",
  "Money",
  "Boolean",
  "DateTime",
  "Uniqueidentifier",
  "Lookup",
  "Customer",
  "Owner",
  "Picklist",
  "MultiSelectPicklist",
  "State",
  "Status",
] as const;

export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/**
 * What deleting a referenced row does to the rows whose lookup points at it (Dataverse's
 * CascadeConfiguration.Delete): delete them too, clear their lookup, or refuse the delete.
 */
export type CascadeType = "Cascade" | "RemoveLink" | "Restrict";

/** One choice of an option set, as the UI labels it. */
export interface OptionDefinition {
  value: number;
  label: string;
  /** Status attributes: the statecode this status reason belongs to (Dataverse checks the pair). */
  state?: number;
}

export interface AttributeDefinition {
  logicalName: string;
  displayName: string;
  type: AttributeType;
  /**
   * Lookup, Customer and Owner attributes: the tables the value may point to. The Web API reads
   * such a value back as `_<logicalName>_value` and writes it as `<navigation>@odata.bind`.
   */
  targets?: string[];
  /**
   * Lookup attributes: the SchemaName, the logical name in its real case. Dataverse names a
   * single-table lookup's navigation property after it (`msdyn_ProviderDefinition@odata.bind`) and
   * matches that name case-sensitively. @default the logical name
   */
  schemaName?: string;
  /**
   * Lookup attributes: what deleting the referenced row does to this row.
   * @default "Cascade" for a required (parental) lookup, "RemoveLink" otherwise
   */
  cascadeDelete?: CascadeType;
  /** Picklist, State, Status and Boolean attributes: their choices (Boolean: 0 = false, 1 = true). */
  options?: OptionDefinition[];
  /** String and Memo attributes: the longest value accepted. */
  maxLength?: number;
  /** Whether Dataverse requires a value on create (RequiredLevel ApplicationRequired/SystemRequired). */
  required?: boolean;
}

export interface AlternateKeyDefinition {
  /** The key's logical name. */
  name: string;
  /** The attributes whose values identify a row, in URL order: `set(a='x',b='y')`. */
  attributes: string[];
}

export interface TableDefinition {
  logicalName: string;
  entitySetName: string;
  displayName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  attributes: AttributeDefinition[];
  alternateKeys?: AlternateKeyDefinition[];
}
