// Dual Write table map: one row per saved version of a map, its mapping (one entity mapping task,
// legs at the top level) as JSON [3P: table, columns and shape, see ../dual-write-facts.ts]. A map's
// run state is the dual-write gateway's, not a column here.
import { dualWrite } from "../dual-write-facts.js";
import { activeInactive, memo, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

export const msdyn_dualwriteentitymap: TableDefinition = {
  logicalName: dualWrite.table,
  entitySetName: dualWrite.entitySetName,
  displayName: "Dual Write table map",
  primaryIdAttribute: dualWrite.primaryId,
  primaryNameAttribute: dualWrite.name,
  attributes: [
    primaryId(dualWrite.primaryId, "Dual Write table map"),
    text(dualWrite.name, "Name", 200, true),
    text(dualWrite.displayName, "Display Name", 200),
    memo(dualWrite.mapping, "Mapping"),
    { logicalName: dualWrite.solutionId, displayName: "Solution", type: "Uniqueidentifier" },
    ...activeInactive(),
    ...timestamps(),
  ],
};
