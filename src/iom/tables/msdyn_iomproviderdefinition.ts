// Provider Definition: a catalog entry such as "Microsoft Finance and Operations apps". The
// columns are those of the exported Shopify definition record (SHOPIFY:
// msdyn_iomproviderdefinitions/msdyn_shopify/msdyn_iomproviderdefinition.xml): a localized display
// name, the logical name that is its solution key, a description, a multi-select service type.
// Every name and its evidence: ../facts.ts.
import { columns, entitySetNames, options, primaryColumns, serviceType } from "../facts.js";
import { activeInactive, memo, multiSelect, primaryId, text, timestamps, yesNo } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.providerDefinition;
const primary = primaryColumns.msdyn_iomproviderdefinition;

export const msdyn_iomproviderdefinition: TableDefinition = {
  logicalName: "msdyn_iomproviderdefinition",
  entitySetName: entitySetNames.msdyn_iomproviderdefinition,
  displayName: "Provider Definition",
  primaryIdAttribute: primary.id,
  primaryNameAttribute: primary.name,
  attributes: [
    primaryId(primary.id, "Provider Definition"),
    text(primary.name, "Display Name", 200, true),
    text(c.logicalName, "Logical Name", 200, true),
    memo(c.description, "Description", 4000),
    multiSelect(c.serviceType, "Service Type", options(serviceType)),
    yesNo(c.isActive, "Is Active"),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [{ name: "msdyn_iomproviderdefinition_logicalname", attributes: [c.logicalName] }],
};
