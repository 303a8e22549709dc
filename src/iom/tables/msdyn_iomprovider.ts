// Provider: an installed instance of a catalog definition, Installed or Activated. [C: table
// name, alm.md; lifecycle, work-providers.md] Column names and status values: ../facts.ts.
import { columns, entitySetNames, options, primaryColumns, providerStatus } from "../facts.js";
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

const c = columns.provider;

export const msdyn_iomprovider: TableDefinition = {
  logicalName: "msdyn_iomprovider",
  entitySetName: entitySetNames.msdyn_iomprovider,
  displayName: "Provider",
  primaryIdAttribute: primaryColumns.msdyn_iomprovider.id,
  primaryNameAttribute: primaryColumns.msdyn_iomprovider.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomprovider.id, "Provider"),
    text(primaryColumns.msdyn_iomprovider.name, "Name", 200, true),
    // A catalog entry cannot go while providers are installed from it: uninstall them first. [I]
    lookup(c.definition, "Provider Definition", "msdyn_iomproviderdefinition", {
      required: true,
      cascadeDelete: "Restrict",
      schemaName: iomSchemaName(c.definition, "Provider Definition"),
    }),
    picklist(c.status, "Provider Status", options(providerStatus)),
    ...activeInactive(),
    ...timestamps(),
  ],
};
