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

/** The related-entity conditions of a condition, at its own level (not inside their `where`). */
function relatedConditions(
  condition: Condition | undefined,
): Array<Extract<Condition, { relatedEntity: string }>> {
  if (!condition) return [];
  if ("and" in condition) return condition.and.flatMap(relatedConditions);
  if ("or" in condition) return condition.or.flatMap(relatedConditions);
  return "relatedEntity" in condition ? [condition] : [];
}

/**
 * Every table the policies' rules name, fetched side by side: the policies' own tables in one
 * round, then each level of related entities in one more (a related table is known only from the
 * lookup on the table before it). Online, a round is a round trip; the source is asked once per table.
 */
async function prefetchTables(
  policies: readonly Located<Policy>[],
  metadata: TableMetadataSource,
): Promise<Tables> {
  const pending = new Map<string, Promise<TableDefinition | undefined>>();
  const fetchTable = (name: string): Promise<TableDefinition | undefined> => {
    let table = pending.get(name);
    if (!table) pending.set(name, (table = metadata.getTable(name)));
    return table;
  };
  const related = async (
    conditions: ReturnType<typeof relatedConditions>,
    from: TableDefinition | undefined,
  ) => {
    await Promise.all(
      conditions.map(async (c) =>
        related(relatedConditions(c.where), await fetchTable(relatedTableName(from, c.relatedEntity))),
      ),
    );
  };
  await Promise.all(
    policies.map(async (policy) => {
      const tableName = ENTITY_TABLES[policy.value.entity];
      const table = tableName ? await fetchTable(tableName) : undefined;
      const conditions = policy.value.rules.flatMap((rule) => relatedConditions(rule.when));
      if (conditions.length > 0) await related(conditions, table);
    }),
  );
  const tables: Tables = new Map();
  for (const [name, table] of pending) tables.set(name, await table);
  return tables;
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
  const tables = await prefetchTables(config.policies, metadata);
  for (const policy of config.policies) {
    const tableName = ENTITY_TABLES[policy.value.entity];
    const table = tableName ? tables.get(tableName) : undefined;
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
