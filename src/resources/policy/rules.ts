// A rule as the YAML writes it (display names, labels) and as the rule definition stores it
// (logical names, option values; ../../iom/formats/rule-definition.ts), and back. Names and
// labels are resolved against the environment's metadata, given as a RuleMetadata: the same
// functions run against the emulator, a real environment or tables in memory.
//
// Reading back prefers the YAML's own spelling: where the rule last applied (`hint`) says the
// same thing as what is stored (same column, same option value), its words are kept, so that a
// refresh gives back exactly what the YAML says and only real changes show as a diff.
import { isDeepStrictEqual } from "node:util";
import type { Condition, ConditionRow, PolicyRule, SetValueAction } from "../../generated/policy.js";
import type {
  StoredAction,
  StoredCondition,
  StoredOperator,
  StoredRelation,
  StoredRule,
  StoredValue,
} from "../../iom/formats/rule-definition.js";
import { isLookup, resolveColumn } from "../../config/metadata.js";
import { UnknownOptionError } from "../../dataverse/index.js";
import type { AttributeDefinition, TableDefinition } from "../../iom/tables/types.js";
import { PolicyError } from "./errors.js";
import type { RuleMetadata } from "./metadata.js";

type Operator = ConditionRow["operator"];

const OPERATORS: Readonly<Record<Operator, StoredOperator>> = {
  equals: "eq",
  "does not equal": "ne",
  "greater than": "gt",
  "greater than or equal": "ge",
  "less than": "lt",
  "less than or equal": "le",
  "contains data": "not-null",
  "does not contain data": "null",
};

const YAML_OPERATORS = Object.fromEntries(
  Object.entries(OPERATORS).map(([yaml, stored]) => [stored, yaml]),
) as Record<StoredOperator, Operator>;

/** Operators that test for presence and ignore any value given. */
export const NO_VALUE_OPERATORS: ReadonlySet<Operator> = new Set(["contains data", "does not contain data"]);

/** Columns whose values are option values, written in the YAML as labels. */
const CHOICE_TYPES = new Set(["Picklist", "State", "Status"]);

/**
 * Where names are resolved: the table a condition or action is about, or none when the
 * associated entity has no published table (fulfillment orders): names are then kept as written.
 */
type Scope = TableDefinition | undefined;

function column(scope: TableDefinition, name: string, path: string): AttributeDefinition {
  const resolved = resolveColumn(scope, name);
  if (resolved.ok) return resolved.attribute;
  throw new PolicyError(
    "unknown-column",
    path,
    resolved.reason,
    resolved.suggestion
      ? `did you mean '${resolved.suggestion}'?`
      : "use the column's display or logical name",
  );
}

function attributeNamed(scope: TableDefinition, logicalName: string, path: string): AttributeDefinition {
  const attribute = scope.attributes.find((a) => a.logicalName === logicalName);
  if (attribute) return attribute;
  throw new PolicyError(
    "unknown-column",
    path,
    `the stored rule names column '${logicalName}', which '${scope.logicalName}' does not have`,
    "the column was removed from the environment, or the rule was edited outside iom-gitops",
  );
}

/** How the YAML names a column: its display name, unless that would resolve to another column. */
function columnName(scope: TableDefinition, attribute: AttributeDefinition): string {
  const back = resolveColumn(scope, attribute.displayName);
  return back.ok && back.attribute.logicalName === attribute.logicalName
    ? attribute.displayName
    : attribute.logicalName;
}

/** An option lookup whose failure names the place in the YAML (the message lists the labels). */
async function option<T>(lookup: Promise<T>, path: string): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof UnknownOptionError) throw new PolicyError("invalid-value", path, error.message);
    throw error;
  }
}

async function storeValue(
  md: RuleMetadata,
  scope: TableDefinition,
  attribute: AttributeDefinition,
  value: StoredValue,
  path: string,
): Promise<StoredValue> {
  const choice = CHOICE_TYPES.has(attribute.type);
  if (choice && typeof value === "string")
    return option(md.optionValue(scope.logicalName, attribute.logicalName, value.trim()), path);
  if (choice && typeof value === "number") {
    await option(md.optionLabel(scope.logicalName, attribute.logicalName, value), path); // refuses an unknown value
    return value;
  }
  if (choice)
    throw new PolicyError(
      "invalid-value",
      path,
      `'${attribute.displayName}' is a choice column; ${JSON.stringify(value)} is not one of its labels`,
      "write the option's label, as the designer shows it",
    );
  // Yes/No columns store true or false; the YAML may name the choice by its label instead.
  if (attribute.type === "Boolean" && typeof value === "string")
    return (await option(md.optionValue(scope.logicalName, attribute.logicalName, value.trim()), path)) === 1;
  return value;
}

async function yamlValue(
  md: RuleMetadata,
  scope: TableDefinition,
  attribute: AttributeDefinition,
  value: StoredValue,
  path: string,
): Promise<StoredValue> {
  if (CHOICE_TYPES.has(attribute.type) && typeof value === "number")
    return option(md.optionLabel(scope.logicalName, attribute.logicalName, value), path);
  return value;
}

/** The table a related-entity condition moves to, and the lookup it follows. */
async function relation(
  md: RuleMetadata,
  scope: Scope,
  name: string,
  path: string,
): Promise<{ related: StoredRelation; table: Scope }> {
  if (!scope) return { related: { table: name }, table: undefined };
  const resolved = resolveColumn(scope, name);
  if (resolved.ok && isLookup(resolved.attribute)) {
    const targets = resolved.attribute.targets ?? [];
    if (targets.length !== 1)
      throw new PolicyError(
        "ambiguous-relation",
        path,
        `lookup '${name}' of '${scope.logicalName}' can point to ${targets.join(", ") || "no table"}`,
        "name the related table by its logical name instead",
      );
    const target = targets[0] as string;
    return {
      related: { table: target, lookup: resolved.attribute.logicalName },
      table: await relatedTable(md, target, path),
    };
  }
  // One-to-many relations (and tables named directly) are written as the related table's name;
  // only a name that can be a logical name is looked up.
  const logicalName = name.trim().toLowerCase();
  const table = /^[a-z_][a-z0-9_]*$/.test(logicalName) ? await md.table(logicalName) : undefined;
  if (table) return { related: { table: table.logicalName }, table };
  throw new PolicyError(
    "unknown-related-entity",
    path,
    `'${name}' is neither a lookup of '${scope.logicalName}' nor a table of the environment`,
    resolved.ok
      ? "name a lookup column (e.g. 'Order') or a table's logical name"
      : resolved.suggestion
        ? `did you mean '${resolved.suggestion}'?`
        : "name a lookup column (e.g. 'Order') or a table's logical name",
  );
}

async function relatedTable(md: RuleMetadata, logicalName: string, path: string): Promise<TableDefinition> {
  const table = await md.table(logicalName);
  if (table) return table;
  throw new PolicyError(
    "unknown-table",
    path,
    `the environment has no table '${logicalName}'`,
    "check the relation against the environment's tables",
  );
}

async function storeCondition(
  md: RuleMetadata,
  scope: Scope,
  condition: Condition,
  path: string,
): Promise<StoredCondition> {
  if ("and" in condition)
    return {
      and: await Promise.all(condition.and.map((c, i) => storeCondition(md, scope, c, `${path}.and[${i}]`))),
    };
  if ("or" in condition)
    return {
      or: await Promise.all(condition.or.map((c, i) => storeCondition(md, scope, c, `${path}.or[${i}]`))),
    };
  if ("relatedEntity" in condition) {
    const { related, table } = await relation(md, scope, condition.relatedEntity, `${path}.relatedEntity`);
    return { related, where: await storeCondition(md, table, condition.where, `${path}.where`) };
  }
  const attribute = scope ? column(scope, condition.field, `${path}.field`) : undefined;
  const row: StoredCondition = {
    column: attribute ? attribute.logicalName : condition.field,
    operator: OPERATORS[condition.operator],
  };
  if (NO_VALUE_OPERATORS.has(condition.operator)) return row;
  if (condition.value === undefined)
    throw new PolicyError(
      "invalid-value",
      `${path}.value`,
      `operator '${condition.operator}' needs a value`,
      "add 'value', or use 'contains data' / 'does not contain data'",
    );
  const value =
    scope && attribute
      ? await storeValue(md, scope, attribute, condition.value, `${path}.value`)
      : condition.value;
  return { ...row, value };
}

async function storeAction(
  md: RuleMetadata,
  scope: Scope,
  action: SetValueAction,
  path: string,
): Promise<StoredAction> {
  if (!scope) return { column: action.set, value: action.to };
  const attribute = column(scope, action.set, `${path}.set`);
  return {
    column: attribute.logicalName,
    value: await storeValue(md, scope, attribute, action.to, `${path}.to`),
  };
}

/**
 * A YAML rule in stored form. `table` is the associated entity's table (undefined when it has
 * none); `path` names the rule in errors, e.g. "rules[0]".
 */
export async function storeRule(
  md: RuleMetadata,
  table: Scope,
  rule: PolicyRule,
  path: string,
): Promise<StoredRule> {
  return {
    ...(rule.description ? { description: rule.description } : {}),
    ...(rule.when ? { condition: await storeCondition(md, table, rule.when, `${path}.when`) } : {}),
    actions: await Promise.all(
      (rule.actions ?? []).map((a, i) => storeAction(md, table, a, `${path}.actions[${i}]`)),
    ),
  };
}

/**
 * Runs a comparison of a YAML fragment with what is stored. A fragment that no longer resolves (a
 * column removed since) simply does not match; failures to reach the environment do propagate.
 */
async function matches(test: () => Promise<boolean>): Promise<boolean> {
  try {
    return await test();
  } catch (error) {
    if (error instanceof PolicyError) return false;
    throw error;
  }
}

/** Whether a YAML fragment stores as exactly `stored`. */
function storesAs<T>(store: () => Promise<T>, stored: T): Promise<boolean> {
  return matches(async () => isDeepStrictEqual(await store(), stored));
}

/** The hint's words when they mean the same as the fallback's, else the fallback. */
async function spelling<T>(
  hint: T | undefined,
  fallback: T,
  same: (hint: T) => Promise<boolean>,
): Promise<T> {
  if (hint === undefined) return fallback;
  return (await matches(() => same(hint))) ? hint : fallback;
}

async function yamlCondition(
  md: RuleMetadata,
  scope: Scope,
  stored: StoredCondition,
  path: string,
  hint: Condition | undefined,
): Promise<Condition> {
  if (hint && (await storesAs(() => storeCondition(md, scope, hint, path), stored))) return hint;
  if ("and" in stored) {
    const hints = hint && "and" in hint ? hint.and : [];
    const and = await Promise.all(
      stored.and.map((c, i) => yamlCondition(md, scope, c, `${path}.and[${i}]`, hints[i])),
    );
    return { and: and as [Condition, ...Condition[]] };
  }
  if ("or" in stored) {
    const hints = hint && "or" in hint ? hint.or : [];
    const or = await Promise.all(
      stored.or.map((c, i) => yamlCondition(md, scope, c, `${path}.or[${i}]`, hints[i])),
    );
    return { or: or as [Condition, ...Condition[]] };
  }
  if ("related" in stored) {
    const relatedHint = hint && "relatedEntity" in hint ? hint : undefined;
    const { name, table } = await relatedName(
      md,
      scope,
      stored.related,
      `${path}.relatedEntity`,
      relatedHint,
    );
    return {
      relatedEntity: name,
      where: await yamlCondition(md, table, stored.where, `${path}.where`, relatedHint?.where),
    };
  }
  const rowHint = hint && "field" in hint ? hint : undefined;
  const operator = YAML_OPERATORS[stored.operator];
  if (!scope) {
    const row: ConditionRow = { field: stored.column, operator };
    return stored.value === undefined ? row : { ...row, value: stored.value };
  }
  const attribute = attributeNamed(scope, stored.column, `${path}.field`);
  const field = await spelling(
    rowHint?.field,
    columnName(scope, attribute),
    async (name) => column(scope, name, `${path}.field`).logicalName === attribute.logicalName,
  );
  const row: ConditionRow = { field, operator };
  if (stored.value === undefined) return row;
  const storedValue = stored.value;
  const value = await spelling(
    rowHint?.value,
    await yamlValue(md, scope, attribute, storedValue, `${path}.value`),
    async (v) => (await storeValue(md, scope, attribute, v, `${path}.value`)) === storedValue,
  );
  return { ...row, value };
}

async function relatedName(
  md: RuleMetadata,
  scope: Scope,
  related: { table: string; lookup?: string },
  path: string,
  hint: { relatedEntity: string } | undefined,
): Promise<{ name: string; table: Scope }> {
  if (!scope) return { name: related.table, table: undefined };
  const table = await relatedTable(md, related.table, path);
  const fallback = related.lookup
    ? columnName(scope, attributeNamed(scope, related.lookup, path))
    : related.table;
  const name = await spelling(hint?.relatedEntity, fallback, async (n) =>
    isDeepStrictEqual((await relation(md, scope, n, path)).related, related),
  );
  return { name, table };
}

async function yamlAction(
  md: RuleMetadata,
  scope: Scope,
  stored: StoredAction,
  path: string,
  hint: SetValueAction | undefined,
): Promise<SetValueAction> {
  if (hint && (await storesAs(() => storeAction(md, scope, hint, path), stored))) return hint;
  if (!scope) return { set: stored.column, to: stored.value };
  const attribute = attributeNamed(scope, stored.column, `${path}.set`);
  const set = await spelling(
    hint?.set,
    columnName(scope, attribute),
    async (name) => column(scope, name, `${path}.set`).logicalName === attribute.logicalName,
  );
  const to = await spelling(
    hint?.to,
    await yamlValue(md, scope, attribute, stored.value, `${path}.to`),
    async (v) => (await storeValue(md, scope, attribute, v, `${path}.to`)) === stored.value,
  );
  return { set, to };
}

/**
 * A stored rule in the YAML's words. `hint` is the rule as last applied (same name), whose
 * spelling is kept wherever it still says the same thing.
 */
export async function yamlRule(
  md: RuleMetadata,
  table: Scope,
  name: string,
  stored: StoredRule,
  path: string,
  hint?: PolicyRule,
): Promise<PolicyRule> {
  if (hint && hint.name === name && (await storesAs(() => storeRule(md, table, hint, path), stored)))
    return hint;
  const rule: PolicyRule = { name };
  if (stored.description !== undefined) rule.description = stored.description;
  if (stored.condition)
    rule.when = await yamlCondition(md, table, stored.condition, `${path}.when`, hint?.when);
  if (stored.actions.length > 0 || (hint?.actions && hint.actions.length === 0)) {
    const hints = hint?.actions ?? [];
    rule.actions = await Promise.all(
      stored.actions.map((a, i) => yamlAction(md, table, a, `${path}.actions[${i}]`, hints[i])),
    );
  }
  return rule;
}
