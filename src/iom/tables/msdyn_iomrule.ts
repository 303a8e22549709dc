// Rule: one rule of a policy, with its serialized condition tree and actions. [C: table name and
// fields, alm.md] Column names and option values: ../facts.ts.
import { associatedEntity, columns, entitySetNames, options, primaryColumns } from "../facts.js";
import { activeInactive, lookup, memo, picklist, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.rule;

export const msdyn_iomrule: TableDefinition = {
  logicalName: "msdyn_iomrule",
  entitySetName: entitySetNames.msdyn_iomrule,
  displayName: "Rule",
  primaryIdAttribute: primaryColumns.msdyn_iomrule.id,
  primaryNameAttribute: primaryColumns.msdyn_iomrule.name,
  attributes: [
    primaryId(primaryColumns.msdyn_iomrule.id, "Rule"),
    text(primaryColumns.msdyn_iomrule.name, "Rule Name", 200, true),
    // A rule belongs to one policy version and goes with it. [I]
    lookup(c.policy, "Policy", "msdyn_iompolicy", { required: true, cascadeDelete: "Cascade" }),
    memo(c.ruleDefinition, "Rule Definition"),
    picklist(c.associatedEntity, "Associated Entity", options(associatedEntity)),
    ...activeInactive(),
    ...timestamps(),
  ],
};
