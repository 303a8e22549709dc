// Operational Site, synchronised from Finance + Operations sites; lines point at it through
// msdyn_shippingsite. [C: dual-write "Sites to msdyn_operationalsites" map: msdyn_siteid,
// msdyn_sitename; 3P: set msdyn_operationalsites, id msdyn_operationalsiteid, msdyn_company]
// Dual-write identifies a site by site id within a company, hence the two-column key. [I]
import { activeInactive, lookup, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

export const msdyn_operationalsite: TableDefinition = {
  logicalName: "msdyn_operationalsite",
  entitySetName: "msdyn_operationalsites",
  displayName: "Operational Site",
  primaryIdAttribute: "msdyn_operationalsiteid",
  primaryNameAttribute: "msdyn_siteid",
  attributes: [
    primaryId("msdyn_operationalsiteid", "Operational Site"),
    text("msdyn_siteid", "Site ID", 10, true),
    text("msdyn_sitename", "Site Name", 60),
    lookup("msdyn_company", "Company", "cdm_company", { required: true }),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [
    { name: "msdyn_operationalsite_siteid_company", attributes: ["msdyn_siteid", "msdyn_company"] },
  ],
};
