// Policy: a filter or execution policy, published or not, with IOM's versioning (an archived copy
// per unpublish). [C: table name and versioning, alm.md; fields, policies-rules.md] Column names
// and option values: ../facts.ts.
import {
  associatedEntity,
  columns,
  criticality,
  entitySetNames,
  options,
  policyType,
  policyVersionState,
  primaryColumns,
  publishStatus,
} from "../facts.js";
import { activeInactive, integer, memo, picklist, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.policy;

export const msdyn_iompolicy: TableDefinition = {
  logicalName: "msdyn_iompolicy",
  entitySetName: entitySetNames.msdyn_iompolicy,
  displayName: "Policy",
  primaryIdAttribute: primaryColumns.msdyn_iompolicy.id,
  primaryNameAttribute: primaryColumns.msdyn_iompolicy.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iompolicy.id, "Policy"),
    text(primaryColumns.msdyn_iompolicy.name, "Name", 200, true),
    picklist(c.policyType, "Policy Type", options(policyType)),
    picklist(c.criticality, "Criticality", options(criticality)),
    picklist(c.associatedEntity, "Associated Entity", options(associatedEntity)),
    picklist(c.publishStatus, "Status", options(publishStatus)),
    { logicalName: c.versionId, displayName: "Policy Version Id", type: "Uniqueidentifier" },
    picklist(c.versionState, "Policy Version State", options(policyVersionState)),
    integer(c.versionNumber, "Policy Version Number"),
    memo(c.description, "Description", 4000),
    ...activeInactive(),
    ...timestamps(),
  ],
};
