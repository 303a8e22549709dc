// Warehouse, synchronised from Finance + Operations; lines point at it through
// msdyn_shippingwarehouse. [C: Field Service msdyn_warehouse reference: set, id, msdyn_name;
// 3P: msdyn_warehouseidentifier, msdyn_operationalsite]
import { activeInactive, lookup, memo, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

export const msdyn_warehouse: TableDefinition = {
  logicalName: "msdyn_warehouse",
  entitySetName: "msdyn_warehouses",
  displayName: "Warehouse",
  primaryIdAttribute: "msdyn_warehouseid",
  primaryNameAttribute: "msdyn_name",
  attributes: [
    primaryId("msdyn_warehouseid", "Warehouse"),
    text("msdyn_name", "Name", 100, true),
    memo("msdyn_description", "Description", 2000),
    text("msdyn_warehouseidentifier", "Warehouse ID", 10),
    lookup("msdyn_operationalsite", "Operational Site", "msdyn_operationalsite"),
    lookup("msdyn_company", "Company", "cdm_company"),
    ...activeInactive(),
    ...timestamps(),
  ],
};
