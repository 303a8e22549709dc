// Builders for the attribute shapes every table repeats, so each table file reads as a list of
// columns. Not a table itself: the registry is index.ts.
import type { AttributeDefinition, OptionDefinition } from "./types.js";

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

export function lookup(
  logicalName: string,
  displayName: string,
  target: string,
  required = false,
): AttributeDefinition {
  return required
    ? { logicalName, displayName, type: "Lookup", targets: [target], required }
    : { logicalName, displayName, type: "Lookup", targets: [target] };
}

export function picklist(
  logicalName: string,
  displayName: string,
  options: OptionDefinition[],
): AttributeDefinition {
  return { logicalName, displayName, type: "Picklist", options };
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
