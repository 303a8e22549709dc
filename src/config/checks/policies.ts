// Policy rules as IOM's condition builder allows them: actions only on execution policies,
// operators that fit the column, values where the operator needs one, and columns that exist on
// the associated entity's table.
import type { Condition, Policy } from "../../generated/policy.js";
import type { TableDefinition } from "../../iom/tables/types.js";
import type { Finding } from "../findings.js";
import type { TableMetadataSource } from "../metadata.js";
import { isLookup, resolveColumn } from "../metadata.js";
import type { Configuration, Located } from "../model.js";
import { findingAt } from "../model.js";
import type { PathSegment } from "../yaml-source.js";

/** The Dataverse table behind each associated entity, where the project ships its metadata. */
export const ENTITY_TABLES: Readonly<Record<Policy["entity"], string | undefined>> = {
  order: "salesorder",
  "order product": "salesorderdetail",
  // Fulfillment order tables are IOM's own and unpublished: their columns are not checked.
  "fulfillment order": undefined,
  "fulfillment order product": undefined,
};

const NO_VALUE_OPERATORS = new Set(["contains data", "does not contain data"]);
const ORDERING_OPERATORS = new Set([
  "greater than",
  "greater than or equal",
  "less than",
  "less than or equal",
]);

/** The table a related-entity condition moves to: the lookup's target, or a table by name. */
function relatedTableName(from: TableDefinition | undefined, name: string): string {
  if (from) {
    const resolved = resolveColumn(from, name);
    if (resolved.ok && isLookup(resolved.attribute) && resolved.attribute.targets?.length === 1) {
      return resolved.attribute.targets[0] as string;
    }
  }
  return name.toLowerCase();
}

/**
 * Tables by logical name, fetched before the (synchronous) walk over the rules: thousands of
 * rules must not mean thousands of awaits, and an online source must not be asked twice.
 */
type Tables = Map<string, TableDefinition | undefined>;

async function fetchTable(
  tables: Tables,
  metadata: TableMetadataSource,
  name: string,
): Promise<TableDefinition | undefined> {
  if (!tables.has(name)) tables.set(name, await metadata.getTable(name));
  return tables.get(name);
}

async function prefetchRelated(
  condition: Condition | undefined,
  from: TableDefinition | undefined,
  tables: Tables,
  metadata: TableMetadataSource,
): Promise<void> {
  if (!condition) return;
  if ("and" in condition) for (const c of condition.and) await prefetchRelated(c, from, tables, metadata);
  else if ("or" in condition) for (const c of condition.or) await prefetchRelated(c, from, tables, metadata);
  else if ("relatedEntity" in condition) {
    const related = await fetchTable(tables, metadata, relatedTableName(from, condition.relatedEntity));
    await prefetchRelated(condition.where, related, tables, metadata);
  }
}

function checkCondition(
  policy: Located<Policy>,
  condition: Condition,
  path: PathSegment[],
  table: TableDefinition | undefined,
  tables: Tables,
  findings: Finding[],
): void {
  if ("and" in condition) {
    condition.and.forEach((c, i) => checkCondition(policy, c, [...path, "and", i], table, tables, findings));
    return;
  }
  if ("or" in condition) {
    condition.or.forEach((c, i) => checkCondition(policy, c, [...path, "or", i], table, tables, findings));
    return;
  }
  if ("relatedEntity" in condition) {
    const related = tables.get(relatedTableName(table, condition.relatedEntity));
    checkCondition(policy, condition.where, [...path, "where"], related, tables, findings);
    return;
  }
  const { field, operator } = condition;
  const needsValue = !NO_VALUE_OPERATORS.has(operator);
  if (needsValue && condition.value === undefined) {
    findings.push(
      findingAt(policy.source, [...path, "operator"], {
        code: "missing-value",
        message: `the condition on '${field}' with operator '${operator}' has no value`,
        hint: "add 'value', or use 'contains data' / 'does not contain data' to test for presence",
      }),
    );
  }
  if (!needsValue && condition.value !== undefined) {
    findings.push(
      findingAt(policy.source, [...path, "value"], {
        code: "unexpected-value",
        severity: "warning",
        message: `operator '${operator}' ignores the value given for '${field}'`,
        hint: "remove 'value'",
      }),
    );
  }
  if (!table) return;
  const column = resolveColumn(table, field);
  if (!column.ok) {
    findings.push(
      findingAt(policy.source, [...path, "field"], {
        code: "unknown-column",
        message: column.reason,
        hint: column.suggestion
          ? `did you mean '${column.suggestion}'?`
          : "use the column's display or logical name",
      }),
    );
    return;
  }
  if (ORDERING_OPERATORS.has(operator) && isLookup(column.attribute)) {
    findings.push(
      findingAt(policy.source, [...path, "operator"], {
        code: "operator-not-allowed",
        message: `operator '${operator}' cannot be used on lookup column '${field}'`,
        hint: "compare lookups with 'equals', 'does not equal', 'contains data' or 'does not contain data'",
      }),
    );
  }
}

export async function checkPolicies(
  config: Configuration,
  metadata: TableMetadataSource,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const tables: Tables = new Map();
  for (const policy of config.policies) {
    const tableName = ENTITY_TABLES[policy.value.entity];
    const table = tableName ? await fetchTable(tables, metadata, tableName) : undefined;
    for (const rule of policy.value.rules) await prefetchRelated(rule.when, table, tables, metadata);
    for (const [i, rule] of policy.value.rules.entries()) {
      const rulePath = [...policy.path, "rules", i];
      if (rule.when) checkCondition(policy, rule.when, [...rulePath, "when"], table, tables, findings);
      const actions = rule.actions ?? [];
      if (actions.length > 0 && policy.value.type !== "execution") {
        findings.push(
          findingAt(policy.source, [...rulePath, "actions"], {
            code: "action-on-filter-policy",
            message: `rule '${rule.name}' has actions, but policy '${policy.value.name}' is a filter policy`,
            hint: "set the policy's type to 'execution', or move the actions to an execution policy",
          }),
        );
      }
      if (!table) continue;
      for (const [j, action] of actions.entries()) {
        const column = resolveColumn(table, action.set);
        if (!column.ok) {
          findings.push(
            findingAt(policy.source, [...rulePath, "actions", j, "set"], {
              code: "unknown-column",
              message: column.reason,
              hint: column.suggestion
                ? `did you mean '${column.suggestion}'?`
                : "use the column's display or logical name",
            }),
          );
        }
      }
    }
  }
  return findings;
}
