// The policy's Dataverse rows (msdyn_iompolicy and its msdyn_iomrule rows) and the YAML shape, and
// back: pure functions, given the option values the environment uses for our choices (resolved by
// label at run time, see ./api.ts), so that no IOM number is assumed here.
import type { DataverseRecord } from "../../dataverse/index.js";
import type { Policy, PolicyRule } from "../../generated/policy.js";
import { associatedEntity, columns, criticality, policyType, type Choice } from "../../iom/facts.js";
import { PolicyError } from "./errors.js";
import { NO_VALUE_OPERATORS } from "./rules.js";

/** The YAML's words for each inferred choice of the policy's option sets. */
export const TYPE_CHOICES: Readonly<Record<Policy["type"], Choice>> = {
  filter: policyType.filter,
  execution: policyType.execution,
};

export const CRITICALITY_CHOICES: Readonly<Record<Policy["criticality"], Choice>> = {
  information: criticality.information,
  critical: criticality.critical,
};

export const ENTITY_CHOICES: Readonly<Record<Policy["entity"], Choice>> = {
  order: associatedEntity.order,
  "order product": associatedEntity.orderProduct,
  "fulfillment order": associatedEntity.fulfillmentOrder,
  "fulfillment order product": associatedEntity.fulfillmentOrderProduct,
};

/** Option values as this environment numbers them, by the YAML's word. */
export interface PolicyOptionValues {
  type: Readonly<Record<Policy["type"], number>>;
  criticality: Readonly<Record<Policy["criticality"], number>>;
  /** msdyn_iompolicy's Associated Entity. */
  entity: Readonly<Record<Policy["entity"], number>>;
  /** msdyn_iomrule's Associated Entity: its own column, so its own numbers. */
  ruleEntity: Readonly<Record<Policy["entity"], number>>;
  published: number;
  unpublished: number;
  /** Policy version states. */
  current: number;
  archived: number;
}

/** The policy's own fields: everything but its rules. */
export type PolicyHeader = Omit<Policy, "rules">;

const p = columns.policy;
const r = columns.rule;

/** The msdyn_iompolicy columns that hold a policy's own fields (publish status aside). */
export function policyColumns(
  policy: PolicyHeader,
  values: PolicyOptionValues,
  nameColumn: string,
): DataverseRecord {
  return {
    [nameColumn]: policy.name,
    [p.description]: policy.description ? policy.description : null,
    [p.policyType]: values.type[policy.type],
    [p.criticality]: values.criticality[policy.criticality],
    [p.associatedEntity]: values.entity[policy.entity],
  };
}

/** The columns of `desired` whose value differs in `row` (an empty description equals none). */
export function changedColumns(row: DataverseRecord, desired: DataverseRecord): DataverseRecord {
  const same = (a: unknown, b: unknown): boolean =>
    (a === "" ? null : (a ?? null)) === (b === "" ? null : (b ?? null));
  return Object.fromEntries(Object.entries(desired).filter(([k, v]) => !same(row[k], v)));
}

function wordFor<K extends string>(
  values: Readonly<Record<K, number>>,
  value: unknown,
  what: string,
  policyName: string,
): K {
  const match = (Object.keys(values) as K[]).find((k) => values[k] === value);
  if (match !== undefined) return match;
  throw new PolicyError(
    "unknown-choice",
    "",
    `policy '${policyName}' has ${what} ${JSON.stringify(value)}, which is none of ${Object.keys(values).join(", ")}`,
    "set it in IOM to one of those, or correct src/iom/facts.ts if the environment names them differently",
  );
}

/** A policy row in the YAML's words, keys in the YAML's order. */
export function policyHeader(
  row: DataverseRecord,
  values: PolicyOptionValues,
  nameColumn: string,
  hint?: { description?: string },
): PolicyHeader {
  const name = String(row[nameColumn] ?? "");
  const description = typeof row[p.description] === "string" ? (row[p.description] as string) : "";
  return {
    name,
    // Dataverse stores an empty description as null: keep the YAML's "" when that is what it said.
    ...(description !== "" ? { description } : hint?.description === "" ? { description: "" } : {}),
    type: wordFor(values.type, row[p.policyType], "policy type", name),
    criticality: wordFor(values.criticality, row[p.criticality], "criticality", name),
    entity: wordFor(values.entity, row[p.associatedEntity], "associated entity", name),
    published: row[p.publishStatus] === values.published,
  };
}

/** A rule row's columns (the policy lookup is bound separately, by its navigation property). */
export function ruleColumns(
  name: string,
  definition: string,
  entity: Policy["entity"],
  values: PolicyOptionValues,
  nameColumn: string,
): DataverseRecord {
  return {
    [nameColumn]: name,
    [r.ruleDefinition]: definition,
    [r.associatedEntity]: values.ruleEntity[entity],
  };
}

/** Rule names compare as IOM's designer shows them: without regard to case or edge spaces. */
export function ruleKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A rule as it exists: its row id and the columns the plan compares. */
export interface ExistingRule {
  id: string;
  columns: DataverseRecord;
}

/** A rule as the YAML wants it. */
export interface DesiredRule {
  name: string;
  columns: DataverseRecord;
}

export interface RulePlan {
  create: DesiredRule[];
  update: Array<{ id: string; changes: DataverseRecord }>;
  delete: string[];
}

/**
 * What to write so that the policy's rules are exactly the desired ones: rules are matched by
 * name; a rule of another name, or a second rule of a name, is deleted.
 */
export function planRules(
  existing: readonly ExistingRule[],
  desired: readonly DesiredRule[],
  nameColumn: string,
): RulePlan {
  const plan: RulePlan = { create: [], update: [], delete: [] };
  const byName = new Map<string, ExistingRule>();
  for (const rule of existing) {
    const key = ruleKey(String(rule.columns[nameColumn] ?? ""));
    if (byName.has(key)) plan.delete.push(rule.id);
    else byName.set(key, rule);
  }
  const wanted = new Set<string>();
  for (const rule of desired) {
    const key = ruleKey(rule.name);
    if (wanted.has(key))
      throw new PolicyError(
        "duplicate-rule",
        "rules",
        `two rules are named '${rule.name}'`,
        "give every rule of a policy its own name",
      );
    wanted.add(key);
    const match = byName.get(key);
    if (!match) {
      plan.create.push(rule);
      continue;
    }
    const changes = changedColumns(match.columns, rule.columns);
    if (Object.keys(changes).length > 0) plan.update.push({ id: match.id, changes });
  }
  for (const [key, rule] of byName) if (!wanted.has(key)) plan.delete.push(rule.id);
  return plan;
}

/**
 * Rules in the order the YAML last had them (IOM keeps no order of its own), then any others by
 * name: a refresh reorders nothing.
 */
export function inYamlOrder<T extends { name: string }>(
  rules: readonly T[],
  order: readonly { name: string }[],
): T[] {
  const position = new Map(order.map((rule, i) => [ruleKey(rule.name), i]));
  const rank = (rule: T): number => position.get(ruleKey(rule.name)) ?? Number.MAX_SAFE_INTEGER;
  return [...rules].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

// ---- The comparable form (KindImplementation.canonical) ----

/** Display names and labels: case and spacing mean nothing to IOM's designer. */
const word = (name: string): string => name.trim().replace(/\s+/g, " ").toLowerCase();

/** Comparisons in conditions ignore case (Dataverse compares text so); set values are written as they are. */
const compared = (value: unknown): unknown => (typeof value === "string" ? word(value) : value);

function canonicalCondition(condition: NonNullable<PolicyRule["when"]>): unknown {
  if ("and" in condition) return { and: condition.and.map(canonicalCondition) };
  if ("or" in condition) return { or: condition.or.map(canonicalCondition) };
  if ("relatedEntity" in condition)
    return { relatedEntity: word(condition.relatedEntity), where: canonicalCondition(condition.where) };
  return {
    field: word(condition.field),
    operator: condition.operator,
    value: NO_VALUE_OPERATORS.has(condition.operator) ? null : compared(condition.value ?? null),
  };
}

function canonicalRule(rule: PolicyRule): unknown {
  return {
    name: rule.name.trim(),
    description: rule.description?.trim() || null,
    when: rule.when ? canonicalCondition(rule.when) : null,
    actions: (rule.actions ?? []).map((a) => ({ set: word(a.set), to: a.to })),
  };
}

/**
 * The comparable form of a policy: rules as a set keyed by name (their order means nothing to
 * IOM), absent and empty descriptions and action lists alike, names and labels without case.
 */
export function canonicalPolicy(policy: Policy): Record<string, unknown> {
  const rules = [...policy.rules]
    .map((rule) => [ruleKey(rule.name), canonicalRule(rule)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    name: policy.name.trim(),
    description: policy.description?.trim() || null,
    type: policy.type,
    criticality: policy.criticality,
    entity: policy.entity,
    published: policy.published,
    rules: Object.fromEntries(rules),
  };
}
