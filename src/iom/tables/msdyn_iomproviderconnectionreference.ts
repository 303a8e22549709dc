// Provider Connection Reference: an installed provider's connection, with the Power Automate
// connection URL; saved, then activated. [C: table name, alm.md; fields, lab-onboard-provider.md]
import { columns, connectionStatus, entitySetNames, options, primaryColumns } from "../facts.js";
import {
  activeInactive,
  lookup,
  picklist,
  primaryId,
  text,
  timestamps,
  iomSchemaName,
} from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.providerConnectionRef;

export const msdyn_iomproviderconnectionreference: TableDefinition = {
  logicalName: "msdyn_iomproviderconnectionreference",
  entitySetName: entitySetNames.msdyn_iomproviderconnectionreference,
  displayName: "Provider Connection Reference",
  primaryIdAttribute: primaryColumns.msdyn_iomproviderconnectionreference.id,
  primaryNameAttribute: primaryColumns.msdyn_iomproviderconnectionreference.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomproviderconnectionreference.id, "Provider Connection Reference"),
    text(primaryColumns.msdyn_iomproviderconnectionreference.name, "Name", 200, true),
    // Deleting a provider discards its connections. [C: work-providers.md; cascade I]
    lookup(c.provider, "Provider", "msdyn_iomprovider", {
      required: true,
      cascadeDelete: "Cascade",
      schemaName: iomSchemaName(c.provider, "Provider"),
    }),
    // A catalog connection cannot go while installed providers use it. [I]
    lookup(
      c.definitionConnectionRef,
      "Provider Definition Connection Reference",
      "msdyn_iomproviderdefinitionconnectionref",
      {
        cascadeDelete: "Restrict",
        schemaName: iomSchemaName(c.definitionConnectionRef, "Provider Definition Connection Reference"),
      },
    ),
    text(c.connectionUrl, "Connection URL", 2000),
    picklist(c.status, "Connection Status", options(connectionStatus)),
    ...activeInactive(),
    ...timestamps(),
  ],
};
