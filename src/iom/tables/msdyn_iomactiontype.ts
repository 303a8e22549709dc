// Action Type: what an orchestration step does ("Send to Fulfillment", …), pointed at by a
// provider action's logic definition. The table and its id column are confirmed by the Shopify
// solution, which requires an action type row from IOM's own solution (SHOPIFY:solution.xml) and
// exports the lookup as msdyn_iomactiontype/msdyn_iomactiontypeid; its other columns are not
// published. Every name and its evidence: ../facts.ts.
import { entitySetNames, primaryColumns } from "../facts.js";
import { activeInactive, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const primary = primaryColumns.msdyn_iomactiontype;

export const msdyn_iomactiontype: TableDefinition = {
  logicalName: "msdyn_iomactiontype",
  entitySetName: entitySetNames.msdyn_iomactiontype,
  displayName: "Action Type",
  primaryIdAttribute: primary.id,
  primaryNameAttribute: primary.name,
  attributes: [
    primaryId(primary.id, "Action Type"),
    text(primary.name, "Name", 200, true),
    ...activeInactive(),
    ...timestamps(),
  ],
};
