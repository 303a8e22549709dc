// Designer: an orchestration flow, published or not. [C: table name, alm.md; fields,
// orchestration-flows.md] The step storage format is unknown: the emulator keeps a JSON document.
import {
  columns,
  entitySetNames,
  options,
  orchestrationType,
  primaryColumns,
  publishStatus,
} from "../facts.js";
import { activeInactive, memo, picklist, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.designer;

export const msdyn_iomdesigner: TableDefinition = {
  logicalName: "msdyn_iomdesigner",
  entitySetName: entitySetNames.msdyn_iomdesigner,
  displayName: "Designer",
  primaryIdAttribute: primaryColumns.msdyn_iomdesigner.id,
  primaryNameAttribute: primaryColumns.msdyn_iomdesigner.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomdesigner.id, "Designer"),
    text(primaryColumns.msdyn_iomdesigner.name, "Name", 200, true),
    picklist(c.orchestrationType, "Orchestration Type", options(orchestrationType)),
    memo(c.description, "Description", 4000),
    picklist(c.publishStatus, "Status", options(publishStatus)),
    memo(c.definition, "Definition"),
    ...activeInactive(),
    ...timestamps(),
  ],
};
