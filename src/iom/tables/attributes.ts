// Builders for the attribute shapes every table repeats, so each table file reads as a list of
// columns. Not a table itself: the registry is index.ts.
import type { AttributeDefinition, CascadeType, OptionDefinition } from "./types.js";

export function primaryId(logicalName: string, displayName: string): AttributeDefinition {
  return { logicalName, displayName, type: "Uniqueidentifier" };
}

export function text(
  logicalName: string,
  displayName: string,
  maxLength = 100,
  required = false,
): AttributeDefinition {
  return required
    ? { logicalName, displayName, type: "String", maxLength, required }
    : { logicalName, displayName, type: "String", maxLength };
}

export function memo(logicalName: string, displayName: string, maxLength = 1_048_576): AttributeDefinition {
  return { logicalName, displayName, type: "Memo", maxLength };
}

export function integer(logicalName: string, displayName: string): AttributeDefinition {
  return { logicalName, displayName, type: "Integer" };
}

export interface LookupOptions {
  /** Whether a value is required on create (a parental lookup). @default false */
  required?: boolean;
  /** What deleting the referenced row does. @default "Cascade" when required, else "RemoveLink" */
  cascadeDelete?: CascadeType;
  /** The SchemaName, where schemaNameOf cannot derive it from the display name. */
  schemaName?: string;
}

/**
 * The SchemaName of a lookup named after an IOM table (msdyn_iomprovider...): Microsoft writes
 * IOM in capitals in its names (its solution msdyn_IOMApplication, SHOPIFY:solution.xml), so
 * msdyn_iomproviderdefinition is taken to be msdyn_IOMProviderDefinition. [I] The client reads
 * the real navigation property from the metadata; this only shapes what offline checks expect.
 */
export function iomSchemaName(logicalName: string, displayName: string): string {
  const rest = logicalName.replace(/^msdyn_iom/, "msdyn_");
  return (schemaNameOf(rest, displayName) ?? rest).replace(/^msdyn_/, "msdyn_IOM");
}

/** A lookup to one table; a custom one (publisher-prefixed) gets its schema name, see schemaNameOf. */
export function lookup(
  logicalName: string,
  displayName: string,
  target: string,
  options: LookupOptions = {},
): AttributeDefinition {
  const attribute: AttributeDefinition = { logicalName, displayName, type: "Lookup", targets: [target] };
  const schemaName = options.schemaName ?? schemaNameOf(logicalName, displayName);
  if (schemaName !== undefined) attribute.schemaName = schemaName;
  if (options.required) attribute.required = true;
  if (options.cascadeDelete !== undefined) attribute.cascadeDelete = options.cascadeDelete;
  return attribute;
}

/**
 * The SchemaName of a custom (publisher-prefixed) column: its logical name with each word of its
 * display name capitalised where the word starts, "msdyn_providerdefinition" + "Provider
 * Definition" -> "msdyn_ProviderDefinition". A word may be shortened in the logical name
 * ("msdyn_providerdefinitionconnectionref" + "... Connection Reference" -> "...ConnectionRef").
 * Lower-cased, the result is the logical name again, as Dataverse requires of schema names. Real
 * schema names of IOM's columns are not published; Microsoft's custom columns are cased this way.
 * [I] Columns without a prefix (system columns) get undefined: they keep their logical name.
 */
export function schemaNameOf(logicalName: string, displayName: string): string | undefined {
  const m = /^([a-z0-9]+_)(.+)$/.exec(logicalName);
  if (!m) return undefined;
  let schemaName = m[1] as string;
  let rest = m[2] as string;
  for (const word of displayName.toLowerCase().split(/[^a-z0-9]+/)) {
    let matched = 0;
    while (matched < word.length && word[matched] === rest[matched]) matched++;
    if (matched === 0) continue;
    schemaName += rest.charAt(0).toUpperCase() + rest.slice(1, matched);
    rest = rest.slice(matched);
  }
  return schemaName + rest;
}

export function picklist(
  logicalName: string,
  displayName: string,
  options: OptionDefinition[],
): AttributeDefinition {
  return { logicalName, displayName, type: "Picklist", options };
}

/** A multi-select choice: the Web API reads and writes its value as "v1,v2" text. */
export function multiSelect(
  logicalName: string,
  displayName: string,
  options: OptionDefinition[],
): AttributeDefinition {
  return { logicalName, displayName, type: "MultiSelectPicklist", options };
}

export function yesNo(logicalName: string, displayName: string): AttributeDefinition {
  return {
    logicalName,
    displayName,
    type: "Boolean",
    options: [
      { value: 0, label: "No" },
      { value: 1, label: "Yes" },
    ],
  };
}

/** The standard Active/Inactive statecode and statuscode pair most tables have. */
export function activeInactive(): AttributeDefinition[] {
  return [
    {
      logicalName: "statecode",
      displayName: "Status",
      type: "State",
      required: true,
      options: [
        { value: 0, label: "Active" },
        { value: 1, label: "Inactive" },
      ],
    },
    {
      logicalName: "statuscode",
      displayName: "Status Reason",
      type: "Status",
      options: [
        { value: 1, label: "Active", state: 0 },
        { value: 2, label: "Inactive", state: 1 },
      ],
    },
  ];
}

/** When the row was created and last changed; Dataverse sets both, they cannot be written. */
export function timestamps(): AttributeDefinition[] {
  return [
    { logicalName: "createdon", displayName: "Created On", type: "DateTime" },
    { logicalName: "modifiedon", displayName: "Modified On", type: "DateTime" },
  ];
}
