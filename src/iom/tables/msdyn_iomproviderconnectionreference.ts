// Provider Connection Reference: an installed provider's connection, with the Power Automate
// connection URL; saved, then activated. [C: table name, alm.md; fields, lab-onboard-provider.md]
import { columns, connectionStatus, entitySetNames, options } from "../inferred.js";
import { activeInactive, lookup, picklist, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.providerConnectionRef;

export const msdyn_iomproviderconnectionreference: TableDefinition = {
  logicalName: "msdyn_iomproviderconnectionreference",
  entitySetName: entitySetNames.msdyn_iomproviderconnectionreference,
  displayName: "Provider Connection Reference",
  primaryIdAttribute: "msdyn_iomproviderconnectionreferenceid",
  primaryNameAttribute: "msdyn_name",
  attributes: [
    primaryId("msdyn_iomproviderconnectionreferenceid", "Provider Connection Reference"),
    text("msdyn_name", "Name", 200, true),
    lookup(c.provider, "Provider", "msdyn_iomprovider", true),
    lookup(
      c.definitionConnectionRef,
      "Provider Definition Connection Reference",
      "msdyn_iomproviderdefinitionconnectionref",
    ),
    text(c.connectionUrl, "Connection URL", 2000),
    picklist(c.status, "Connection Status", options(connectionStatus)),
    ...activeInactive(),
    ...timestamps(),
  ],
};
