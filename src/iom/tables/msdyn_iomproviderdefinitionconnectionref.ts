// Provider Definition Connection Reference: a connection a catalog provider needs, pointing at a
// Dataverse connection reference. [C: table name, alm.md; link, create-new-provider.md]
import { columns, entitySetNames, primaryColumns } from "../facts.js";
import { activeInactive, lookup, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.definitionConnectionRef;

export const msdyn_iomproviderdefinitionconnectionref: TableDefinition = {
  logicalName: "msdyn_iomproviderdefinitionconnectionref",
  entitySetName: entitySetNames.msdyn_iomproviderdefinitionconnectionref,
  displayName: "Provider Definition Connection Reference",
  primaryIdAttribute: primaryColumns.msdyn_iomproviderdefinitionconnectionref.id,
  primaryNameAttribute: primaryColumns.msdyn_iomproviderdefinitionconnectionref.name,
  attributes: [
    primaryId(
      primaryColumns.msdyn_iomproviderdefinitionconnectionref.id,
      "Provider Definition Connection Reference",
    ),
    text(primaryColumns.msdyn_iomproviderdefinitionconnectionref.name, "Name", 200, true),
    // Part of the catalog entry: goes with it. [I]
    lookup(c.definition, "Provider Definition", "msdyn_iomproviderdefinition", {
      required: true,
      cascadeDelete: "Cascade",
    }),
    lookup(c.connectionReference, "Connection Reference", "connectionreference"),
    ...activeInactive(),
    ...timestamps(),
  ],
};
