/* eslint-disable */
/**
 * Generated from schemas/policy.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * A condition row (field, operator, value), an "and" or "or" group, or a condition on a related entity.
 */
export type Condition = AndGroup | OrGroup | RelatedEntityCondition | ConditionRow;

/**
 * An IOM policy and its rules, as the policy designer shows them: conditions built from rows, and/or groups and related entities, and (on execution policies) set-value actions.
 */
export interface Policy {
  /**
   * The policy's name, unique in the environment; orchestration steps refer to the policy by it.
   */
  name: string;
  /**
   * What the policy is for.
   */
  description?: string;
  /**
   * "filter" (decides whether an orchestration step runs) or "execution" (changes the record; only execution policies have actions).
   */
  type: "filter" | "execution";
  /**
   * "information" (a failure does not stop the flow) or "critical" (a failure stops it).
   */
  criticality: "information" | "critical";
  /**
   * The record the policy applies to: "order", "order product", "fulfillment order" or "fulfillment order product".
   */
  entity: "order" | "order product" | "fulfillment order" | "fulfillment order product";
  /**
   * Whether the policy is published; only published policies can be chosen in orchestration flows.
   */
  published: boolean;
  /**
   * The policy's rules, in order.
   *
   * @minItems 1
   */
  rules: [PolicyRule, ...PolicyRule[]];
}
/**
 * One rule: when the condition holds, the actions run.
 */
export interface PolicyRule {
  /**
   * The rule's name, unique within the policy.
   */
  name: string;
  /**
   * What the rule does.
   */
  description?: string;
  when?: Condition;
  /**
   * Set-value actions, run when the condition holds. Execution policies only.
   */
  actions?: SetValueAction[];
}
/**
 * Holds when every condition in it holds.
 */
export interface AndGroup {
  /**
   * The conditions that must all hold.
   *
   * @minItems 1
   */
  and: [Condition, ...Condition[]];
}
/**
 * Holds when at least one condition in it holds.
 */
export interface OrGroup {
  /**
   * The conditions of which one must hold.
   *
   * @minItems 1
   */
  or: [Condition, ...Condition[]];
}
/**
 * A condition on a related entity (many-to-one or one-to-many), as the condition builder's related-entity rows.
 */
export interface RelatedEntityCondition {
  /**
   * The relationship to follow, by the related table's display or logical name, for example "Order" from an order product.
   */
  relatedEntity: string;
  where: Condition;
}
/**
 * One row of the condition builder: a column, an operator and (except for "contains data" and "does not contain data") a value.
 */
export interface ConditionRow {
  /**
   * The column, by display name ("Company") or logical name ("msdyn_company").
   */
  field: string;
  /**
   * How the column is compared. Greater and less than apply to plain columns, not lookups.
   */
  operator:
    | "equals"
    | "does not equal"
    | "greater than"
    | "greater than or equal"
    | "less than"
    | "less than or equal"
    | "contains data"
    | "does not contain data";
  /**
   * The value to compare with: text, a number, true or false, or for a lookup the referenced row's name ("usmf").
   */
  value?: string | number | boolean;
}
/**
 * A "Set Value" action: writes a value into a column of the record.
 */
export interface SetValueAction {
  /**
   * The column to set, by display name ("Company") or logical name ("msdyn_company").
   */
  set: string;
  /**
   * The value to write: text, a number, true or false, or for a lookup the referenced row's readable name, for example company "usmf" or warehouse "11".
   */
  to: string | number | boolean;
}
