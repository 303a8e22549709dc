// Provider Definition Connection Reference: a connection a catalog provider needs, named by the
// connector it uses (SHOPIFY:msdyn_iomproviderdefinitionconnectionrefs/*: a display name, a logical
// name, the connector id, an optional connector hide key, the lookup to the definition; no lookup
// to a Dataverse connection reference). Every name and its evidence: ../facts.ts.
import { columns, entitySetNames, primaryColumns } from "../facts.js";
import { activeInactive, lookup, memo, primaryId, text, timestamps, iomSchemaName } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.definitionConnectionRef;
const primary = primaryColumns.msdyn_iomproviderdefinitionconnectionref;

export const msdyn_iomproviderdefinitionconnectionref: TableDefinition = {
  logicalName: "msdyn_iomproviderdefinitionconnectionref",
  entitySetName: entitySetNames.msdyn_iomproviderdefinitionconnectionref,
  displayName: "Provider Definition Connection Reference",
  primaryIdAttribute: primary.id,
  primaryNameAttribute: primary.name,
  attributes: [
    primaryId(primary.id, "Provider Definition Connection Reference"),
    text(primary.name, "Display Name", 200, true),
    text(c.logicalName, "Logical Name", 200, true),
    // Part of the catalog entry: goes with it. [I]
    lookup(c.definition, "Provider Definition", "msdyn_iomproviderdefinition", {
      required: true,
      cascadeDelete: "Cascade",
      schemaName: iomSchemaName(c.definition, "Provider Definition"),
    }),
    text(c.connectorId, "Connector Id", 400),
    text(c.connectorHideKey, "Connector Hide Key", 200),
    memo(c.description, "Description", 4000),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [
    { name: "msdyn_iomproviderdefinitionconnectionref_logicalname", attributes: [c.logicalName] },
  ],
};
