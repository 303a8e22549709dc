// Provider Definition: a catalog entry such as "Microsoft Finance and Operations apps". [C: table
// name, alm.md; fields, create-new-provider.md] Column names are inferred, see ../facts.ts.
import { columns, entitySetNames, primaryColumns } from "../facts.js";
import { activeInactive, memo, primaryId, text, timestamps, yesNo } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.providerDefinition;

export const msdyn_iomproviderdefinition: TableDefinition = {
  logicalName: "msdyn_iomproviderdefinition",
  entitySetName: entitySetNames.msdyn_iomproviderdefinition,
  displayName: "Provider Definition",
  primaryIdAttribute: primaryColumns.msdyn_iomproviderdefinition.id,
  primaryNameAttribute: primaryColumns.msdyn_iomproviderdefinition.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomproviderdefinition.id, "Provider Definition"),
    text(primaryColumns.msdyn_iomproviderdefinition.name, "Display Name", 200, true),
    text(c.logicalName, "Logical Name", 200, true),
    memo(c.description, "Description", 4000),
    yesNo(c.isActive, "Is Active"),
    text(c.serviceType, "Service Type", 100),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [{ name: "msdyn_iomproviderdefinition_logicalname", attributes: [c.logicalName] }],
};
