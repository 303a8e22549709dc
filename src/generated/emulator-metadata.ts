/* eslint-disable */
/**
 * Generated from schemas/emulator-metadata.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * The tables an `iom emulator` serves (src/emulator/data/metadata.json, or a file given with --metadata), each fact with its evidence; `iom doctor --capture` writes a real environment's metadata in the same format.
 */
export interface EmulatorMetadata {
  /**
   * This schema's address, for editors.
   */
  $schema?: string;
  /**
   * The version of this file format; always 1.
   */
  formatVersion: 1;
  /**
   * What this file describes and where its facts come from.
   */
  description?: string;
  /**
   * Set by `iom doctor --capture`: the environment the metadata was read from.
   */
  captured?: {
    /**
     * The Dataverse environment read.
     */
    environmentUrl: string;
    /**
     * WhoAmI's OrganizationId of that environment.
     */
    organizationId: string;
    /**
     * When the metadata was read (ISO 8601).
     */
    capturedAt?: string;
    /**
     * Tables asked for that the environment does not have.
     */
    absentTables?: string[];
  };
  /**
   * Every table served, with its columns, lookups, choices and alternate keys.
   */
  tables: Table[];
  /**
   * Which column plays which part in the emulator's IOM lifecycle rules (src/emulator/roles.ts), by role name. A file without roles is served with the built-in file's roles; a rule whose table, column or choice the served tables lack is not enforced.
   */
  roles?: {
    [k: string]: Role;
  };
  /**
   * Set by `iom doctor --capture` when the dual-write gateway answered: its map list and one map's field mappings, string values redacted. The emulator does not serve this part.
   */
  dualWrite?: {
    /**
     * The gateway's map list, redacted.
     */
    maps?: unknown[];
    /**
     * One map's FieldMappings document, redacted.
     */
    fieldMappings?: {} | null;
    /**
     * Why the gateway part could not be read.
     */
    error?: string;
  };
  /**
   * Set by `iom doctor --capture`: per undocumented storage format, how many rows decode and re-encode to the same document, and redacted samples (structure kept, string values replaced). The emulator does not serve this part.
   */
  formats?: {
    [k: string]: FormatProbe;
  };
}
/**
 * One table: its names, primary columns, columns and alternate keys.
 */
export interface Table {
  /**
   * The table's logical name.
   */
  logicalName: string;
  /**
   * The label the UI shows.
   */
  displayName: string;
  /**
   * The Web API's collection name.
   */
  entitySetName: string;
  /**
   * The column holding the row's id.
   */
  primaryIdAttribute: string;
  /**
   * The column that names a row.
   */
  primaryNameAttribute: string;
  /**
   * The table's columns. The primary id, createdon, modifiedon and versionnumber are added when absent.
   */
  attributes: Attribute[];
  /**
   * The table's alternate keys.
   */
  alternateKeys?: AlternateKey[];
  /**
   * Set by `iom doctor --capture`: columns of types the emulator does not serve (Virtual, EntityName, ...), by logical name and AttributeType.
   */
  skippedAttributes?: string[];
  /**
   * The table's evidence, and that of its set name and primary columns when they differ.
   */
  evidence: {
    table: Evidence;
    entitySetName?: Evidence;
    primaryIdAttribute?: Evidence;
    primaryNameAttribute?: Evidence;
  };
}
/**
 * One column of a table.
 */
export interface Attribute {
  /**
   * The column's logical name (lower case).
   */
  logicalName: string;
  /**
   * The label the UI shows.
   */
  displayName: string;
  /**
   * The attribute type, as Dataverse's AttributeTypeName without 'Type' (MultiSelectPicklist is published with AttributeType Virtual).
   */
  type:
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
   * The SchemaName (the logical name in real case), when it differs from the logical name; a single-table lookup's navigation property is named after it.
   */
  schemaName?: string;
  /**
   * Lookup, Customer and Owner columns: the tables the value may point to.
   *
   * @minItems 1
   */
  targets?: [string, ...string[]];
  /**
   * Lookups: what deleting the referenced row does to this row. Default: Cascade for a required lookup, RemoveLink otherwise.
   */
  cascadeDelete?: "Cascade" | "RemoveLink" | "Restrict";
  cascadeDeleteEvidence?: Evidence;
  /**
   * The column's choices.
   */
  options?: Option[];
  /**
   * String and Memo columns: the longest value accepted.
   */
  maxLength?: number;
  /**
   * Whether a value is required on create.
   */
  required?: boolean;
  evidence: Evidence;
}
/**
 * Where a fact comes from: confirmed (a Microsoft source) or third-party with a citation (SOURCE:path, as in src/iom/evidence.ts), inferred with the reasoning, or captured from an environment.
 */
export interface Evidence {
  /**
   * confirmed, third-party, inferred or captured.
   */
  kind: "confirmed" | "third-party" | "inferred" | "captured";
  /**
   * SOURCE:path, e.g. SHOPIFY:solution.xml or IOM:alm.md. Required for confirmed and third-party.
   */
  cite?: string;
  /**
   * The reasoning behind an inferred fact. Required for inferred.
   */
  reason?: string;
  /**
   * What the citation shows, or what part of the fact it covers.
   */
  note?: string;
}
/**
 * One choice of a Picklist, MultiSelectPicklist, State, Status or Boolean column (Boolean: 0 false, 1 true).
 */
export interface Option {
  /**
   * The option's number.
   */
  value: number;
  /**
   * The label the UI shows.
   */
  label: string;
  /**
   * Status reasons: the statecode they belong to.
   */
  state?: number;
  evidence?: Evidence;
  labelEvidence?: Evidence;
}
/**
 * An alternate key: columns whose values identify a row.
 */
export interface AlternateKey {
  /**
   * The key's logical name.
   */
  name: string;
  /**
   * The key's columns, in URL order.
   *
   * @minItems 1
   */
  attributes: [string, ...string[]];
  evidence: Evidence;
}
/**
 * A table's part in the emulator's IOM rules: the table, the columns by the role they play, and choices by the label of each state the rules test.
 */
export interface Role {
  /**
   * The table's logical name.
   */
  table: string;
  /**
   * Column logical names by role (e.g. status: msdyn_providerstatus).
   */
  columns: {
    [k: string]: string;
  };
  /**
   * By column role, the labels of the choices the rules test, by meaning (e.g. status: {activated: Activated}).
   */
  choices?: {
    [k: string]: {
      [k: string]: string;
    };
  };
  evidence: Evidence;
}
/**
 * What `iom doctor` found of one undocumented storage format in an environment's rows.
 */
export interface FormatProbe {
  /**
   * The table read.
   */
  table: string;
  /**
   * The column holding the format.
   */
  column: string;
  /**
   * How many rows were read (those with a value in the column).
   */
  rows: number;
  /**
   * How many decode and re-encode to the same document.
   */
  roundTrips: number;
  /**
   * Why the others did not, by reason, with counts (no values).
   */
  failures?: {
    [k: string]: number;
  };
  /**
   * Redacted samples: the documents' structure with string values replaced.
   */
  samples?: unknown[];
}
