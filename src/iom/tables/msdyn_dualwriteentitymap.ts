// Dual Write table map: the solution component that holds a map's legs, filters and field
// mappings as JSON. [3P: table and columns; C: JSON shape, DWA DWFieldMapping.cs] The running
// state is the emulator's own column, see dualWrite in ../facts.ts.
import { dualWrite, mapState } from "../dual-write-facts.js";
import { activeInactive, memo, picklist, primaryId, text, timestamps } from "./attributes.js";
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
    picklist(dualWrite.runState, "Run State", Object.values(mapState)),
    ...activeInactive(),
    ...timestamps(),
  ],
};
