// Rule: one rule of a policy, with its serialized condition tree and actions. [C: table name and
// fields, alm.md] Column names and option values: ../inferred.ts.
import { associatedEntity, columns, entitySetNames, options } from "../inferred.js";
import { activeInactive, lookup, memo, picklist, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

const c = columns.rule;

export const msdyn_iomrule: TableDefinition = {
  logicalName: "msdyn_iomrule",
  entitySetName: entitySetNames.msdyn_iomrule,
  displayName: "Rule",
  primaryIdAttribute: "msdyn_iomruleid",
  primaryNameAttribute: "msdyn_name",
  attributes: [
    primaryId("msdyn_iomruleid", "Rule"),
    text("msdyn_name", "Rule Name", 200, true),
    // A rule belongs to one policy version and goes with it. [I]
    lookup(c.policy, "Policy", "msdyn_iompolicy", { required: true, cascadeDelete: "Cascade" }),
    memo(c.ruleDefinition, "Rule Definition"),
    picklist(c.associatedEntity, "Associated Entity", options(associatedEntity)),
    ...activeInactive(),
    ...timestamps(),
  ],
};
