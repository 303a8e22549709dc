// Provider Parameter: an installed provider's value for a parameter its definition declares.
// [C: table name, alm.md] Column names: ../facts.ts.
import { columns, entitySetNames, primaryColumns } from "../facts.js";
import { activeInactive, lookup, memo, primaryId, text, timestamps, iomSchemaName } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.providerParameter;

export const msdyn_iomproviderparameter: TableDefinition = {
  logicalName: "msdyn_iomproviderparameter",
  entitySetName: entitySetNames.msdyn_iomproviderparameter,
  displayName: "Provider Parameter",
  primaryIdAttribute: primaryColumns.msdyn_iomproviderparameter.id,
  primaryNameAttribute: primaryColumns.msdyn_iomproviderparameter.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomproviderparameter.id, "Provider Parameter"),
    text(primaryColumns.msdyn_iomproviderparameter.name, "Name", 200, true),
    // Deleting a provider discards its customizations. [C: work-providers.md; cascade I]
    lookup(c.provider, "Provider", "msdyn_iomprovider", {
      required: true,
      cascadeDelete: "Cascade",
      schemaName: iomSchemaName(c.provider, "Provider"),
    }),
    lookup(c.definitionParameter, "Provider Definition Parameter", "msdyn_iomproviderdefinitionparameter", {
      schemaName: iomSchemaName(c.definitionParameter, "Provider Definition Parameter"),
    }),
    memo(c.value, "Value", 4000),
    ...activeInactive(),
    ...timestamps(),
  ],
};
