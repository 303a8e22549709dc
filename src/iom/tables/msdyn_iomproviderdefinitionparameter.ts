// Provider Definition Parameter: a parameter a catalog provider declares, such as "Disable Status
// Update Handlers". [C: table name, alm.md; parameter, whats-new-home-page.md]
import { columns, entitySetNames, primaryColumns } from "../facts.js";
import { activeInactive, lookup, memo, primaryId, text, timestamps, iomSchemaName } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.definitionParameter;

export const msdyn_iomproviderdefinitionparameter: TableDefinition = {
  logicalName: "msdyn_iomproviderdefinitionparameter",
  entitySetName: entitySetNames.msdyn_iomproviderdefinitionparameter,
  displayName: "Provider Definition Parameter",
  primaryIdAttribute: primaryColumns.msdyn_iomproviderdefinitionparameter.id,
  primaryNameAttribute: primaryColumns.msdyn_iomproviderdefinitionparameter.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomproviderdefinitionparameter.id, "Provider Definition Parameter"),
    text(primaryColumns.msdyn_iomproviderdefinitionparameter.name, "Display Name", 200, true),
    // Part of the catalog entry: goes with it. [I]
    lookup(c.definition, "Provider Definition", "msdyn_iomproviderdefinition", {
      required: true,
      cascadeDelete: "Cascade",
      schemaName: iomSchemaName(c.definition, "Provider Definition"),
    }),
    text(c.logicalName, "Logical Name", 200),
    memo(c.defaultValue, "Default Value", 4000),
    memo(c.description, "Description", 4000),
    ...activeInactive(),
    ...timestamps(),
  ],
};
