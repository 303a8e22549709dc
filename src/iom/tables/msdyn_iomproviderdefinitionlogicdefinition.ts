// Provider Definition Logic Definition: a provider's flows (provider actions, message handlers,
// child flows, message pullers). The columns are those of the exported Shopify logic definitions
// (SHOPIFY:msdyn_iomproviderdefinitionlogicdefinitions/*): the flow by its workflow id (a GUID, not
// a name), the action type as a lookup to msdyn_iomactiontype (not text), the Logic Type choice.
// Every name and its evidence: ../facts.ts.
import { columns, entitySetNames, logicType, options, primaryColumns } from "../facts.js";
import {
  activeInactive,
  integer,
  lookup,
  memo,
  picklist,
  primaryId,
  text,
  timestamps,
  iomSchemaName,
} from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.logicDefinition;

export const msdyn_iomproviderdefinitionlogicdefinition: TableDefinition = {
  logicalName: "msdyn_iomproviderdefinitionlogicdefinition",
  entitySetName: entitySetNames.msdyn_iomproviderdefinitionlogicdefinition,
  displayName: "Provider Definition Logic Definition",
  primaryIdAttribute: primaryColumns.msdyn_iomproviderdefinitionlogicdefinition.id,
  primaryNameAttribute: primaryColumns.msdyn_iomproviderdefinitionlogicdefinition.name,
  attributes: [
    primaryId(
      primaryColumns.msdyn_iomproviderdefinitionlogicdefinition.id,
      "Provider Definition Logic Definition",
    ),
    text(primaryColumns.msdyn_iomproviderdefinitionlogicdefinition.name, "Display Name", 200, true),
    text(c.logicalName, "Logical Name", 200, true),
    // Part of the catalog entry: goes with it. [I]
    lookup(c.definition, "Provider Definition", "msdyn_iomproviderdefinition", {
      required: true,
      cascadeDelete: "Cascade",
      schemaName: iomSchemaName(c.definition, "Provider Definition"),
    }),
    picklist(c.logicType, "Logic Type", options(logicType)),
    // A GUID as text: whether the column is a Uniqueidentifier or a String is not exported. [I]
    text(c.workflowId, "Workflow Id", 100),
    integer(c.timeoutMinutes, "Timeout Minutes"),
    integer(c.maxRetryAttempts, "Max Retry Attempts"),
    memo(c.description, "Description", 4000),
    // Only provider actions have one (the Shopify puller has none).
    lookup(c.actionType, "Action Type", "msdyn_iomactiontype", {
      schemaName: iomSchemaName(c.actionType, "Action Type"),
    }),
    memo(c.clientData, "Client Data"),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [
    { name: "msdyn_iomproviderdefinitionlogicdefinition_logicalname", attributes: [c.logicalName] },
  ],
};
