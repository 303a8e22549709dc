// Runs a stack's execution policies on an order and its lines, as an orchestration flow does (the
// undocumented parts are facts with their evidence in src/iom/evaluation-facts.ts):
// step by step, each step's execution policies in the order the step lists them, a policy on the
// order on the header and a policy on the order product on each line [I: IOM/set-up-finops-provider.md
// has the policies set Company and the rest before the order syncs, and does not say in which
// order a step runs its policies; the step's list is the order the designer shows].
// Within a policy every rule whose condition holds runs its set-value actions, in the rules' order,
// and a later rule sees what an earlier one set [I: IOM's docs describe rules as conditions with
// actions and do not say that the first match ends the policy]. The condition operators are the
// policy schema's (schemas/policy.schema.json), compared with Dataverse's rules for values
// (./values.ts): text without regard to case, a lookup by the name of the row it points to.
import type { Condition, Policy, PolicyRule } from "../generated/policy.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import { isLookup, resolveColumn } from "../config/metadata.js";
import type { PathSegment } from "../config/yaml-source.js";
import { evaluation } from "../iom/evaluation-facts.js";
import type { AttributeDefinition } from "../iom/tables/types.js";
import type { Cell, OrderRecordState } from "./values.js";
import { columnOf, compareCells, describeCell, parseValue, sameCell, valueOf } from "./values.js";

/** The record kinds a policy's associated entity names, for the two tables iom test models. */
const ENTITY_RECORD: Readonly<Partial<Record<Policy["entity"], "order" | "line">>> = {
  order: "order",
  "order product": "line",
};

export interface LocatedPolicy {
  value: Policy;
  /** Where it is declared, to point at a condition or action. */
  file: string;
  path: PathSegment[];
}

/** Why a condition has the value it has: the row that decided, with the value read. */
export interface ConditionTrace {
  holds: boolean;
  /** The condition's path inside the policy's rule (…, "when", "and", 0). */
  path: PathSegment[];
  /** The condition as the designer shows it: "Company does not contain data". */
  text: string;
  reason: string;
}

export interface AppliedRule {
  policy: string;
  rule: string;
  /** The policy and rule, to locate them. */
  located: LocatedPolicy;
  ruleIndex: number;
  record: OrderRecordState;
  set: Array<{ column: string; value: string }>;
  /** Why its condition holds; undefined for a rule without a condition. */
  why?: ConditionTrace;
}

/** A rule that did not apply, with the condition row that kept it from applying. */
export interface SkippedRule {
  policy: string;
  rule: string;
  located: LocatedPolicy;
  ruleIndex: number;
  record: OrderRecordState;
  why: ConditionTrace;
}

/** A problem with the policies that the run cannot get past (a value that does not fit, ...). */
export interface PolicyProblem {
  located: LocatedPolicy;
  path: PathSegment[];
  message: string;
}

export interface PolicyRun {
  applied: AppliedRule[];
  skipped: SkippedRule[];
  problems: PolicyProblem[];
  /** What the run could not model, for the report (a filter policy on lines, fulfillment orders). */
  notes: string[];
}

interface Context {
  located: LocatedPolicy;
  problems: PolicyProblem[];
  order: OrderRecordState;
}

function evaluate(
  condition: Condition,
  path: PathSegment[],
  record: OrderRecordState,
  ctx: Context,
): ConditionTrace {
  if ("and" in condition) {
    const reasons: string[] = [];
    for (const [i, c] of condition.and.entries()) {
      const trace = evaluate(c, [...path, "and", i], record, ctx);
      if (!trace.holds) return trace;
      reasons.push(trace.reason);
    }
    return { holds: true, path, text: conditionText(condition), reason: reasons.join("; ") };
  }
  if ("or" in condition) {
    const reasons: string[] = [];
    for (const [i, c] of condition.or.entries()) {
      const trace = evaluate(c, [...path, "or", i], record, ctx);
      if (trace.holds) return trace;
      reasons.push(trace.reason);
    }
    return {
      holds: false,
      path,
      text: conditionText(condition),
      reason: `none holds: ${reasons.join("; ")}`,
    };
  }
  if ("relatedEntity" in condition) {
    const related = relatedRecord(record, condition.relatedEntity, ctx);
    if (!related) {
      ctx.problems.push({
        located: ctx.located,
        path: [...path, "relatedEntity"],
        message: `iom test follows the related entity 'Order' from an order product only; '${condition.relatedEntity}' from ${record.table.displayName} is not modelled`,
      });
      return {
        holds: false,
        path,
        text: conditionText(condition),
        reason: `related entity '${condition.relatedEntity}' not modelled`,
      };
    }
    const trace = evaluate(condition.where, [...path, "where"], related, ctx);
    return {
      ...trace,
      text: `${condition.relatedEntity}: ${trace.text}`,
      reason: `${condition.relatedEntity}: ${trace.reason}`,
    };
  }
  const column = columnOf(record.table, condition.field);
  if (!column.ok) {
    ctx.problems.push({ located: ctx.located, path: [...path, "field"], message: column.reason });
    return { holds: false, path, text: conditionText(condition), reason: column.reason };
  }
  const attribute = column.attribute;
  const cell = valueOf(record, attribute.logicalName);
  const shown = `${condition.field} is ${describeCell(attribute, cell)}`;
  const text = conditionText(condition);
  const has = cell !== null && cell !== "";
  switch (condition.operator) {
    case "contains data":
      return { holds: has, path, text, reason: shown };
    case "does not contain data":
      return { holds: !has, path, text, reason: shown };
  }
  const expected = parseValue(attribute, condition.value);
  if (!expected.ok) {
    ctx.problems.push({ located: ctx.located, path: [...path, "value"], message: expected.reason });
    return { holds: false, path, text, reason: expected.reason };
  }
  return { holds: compare(condition.operator, attribute, cell, expected.cell), path, text, reason: shown };
}

/** A condition as the designer shows it, in one line. */
export function conditionText(condition: Condition): string {
  if ("and" in condition) return `all of (${condition.and.map(conditionText).join("; ")})`;
  if ("or" in condition) return `any of (${condition.or.map(conditionText).join("; ")})`;
  if ("relatedEntity" in condition) return `${condition.relatedEntity}: ${conditionText(condition.where)}`;
  return `${condition.field} ${condition.operator}${condition.value !== undefined ? ` ${JSON.stringify(condition.value)}` : ""}`;
}

/**
 * A row's comparison. An empty column equals nothing and differs from every value [I: the
 * condition builder's "does not equal" on a blank column; IOM does not document it]; ordering
 * needs two values.
 */
function compare(operator: string, attribute: AttributeDefinition, cell: Cell, value: Cell): boolean {
  if (operator === "equals") return sameCell(cell, value) === true;
  if (operator === "does not equal") return sameCell(cell, value) !== true;
  const order = compareCells(cell, value, attribute);
  if (order === undefined) return false;
  switch (operator) {
    case "greater than":
      return order > 0;
    case "greater than or equal":
      return order >= 0;
    case "less than":
      return order < 0;
    default:
      return order <= 0;
  }
}

/** The record a related-entity condition moves to: from a line, its order. */
function relatedRecord(record: OrderRecordState, name: string, ctx: Context): OrderRecordState | undefined {
  if (record.table.logicalName !== "salesorderdetail") return undefined;
  const resolved = resolveColumn(record.table, name);
  const target =
    resolved.ok && isLookup(resolved.attribute) ? resolved.attribute.targets?.[0] : name.toLowerCase();
  return target === "salesorder" || name.toLowerCase() === "order" ? ctx.order : undefined;
}

function runRule(
  located: LocatedPolicy,
  rule: PolicyRule,
  ruleIndex: number,
  record: OrderRecordState,
  order: OrderRecordState,
  run: PolicyRun,
): void {
  const ctx: Context = { located, problems: run.problems, order };
  const rulePath = [...located.path, "rules", ruleIndex];
  const why = rule.when ? evaluate(rule.when, [...rulePath, "when"], record, ctx) : undefined;
  if (why && !why.holds) {
    run.skipped.push({ policy: located.value.name, rule: rule.name, located, ruleIndex, record, why });
    return;
  }
  const set: AppliedRule["set"] = [];
  for (const [j, action] of (rule.actions ?? []).entries()) {
    const column = columnOf(record.table, action.set);
    if (!column.ok) {
      run.problems.push({ located, path: [...rulePath, "actions", j, "set"], message: column.reason });
      continue;
    }
    const value = parseValue(column.attribute, action.to);
    if (!value.ok) {
      run.problems.push({ located, path: [...rulePath, "actions", j, "to"], message: value.reason });
      continue;
    }
    record.values.set(column.attribute.logicalName, value.cell);
    set.push({ column: action.set, value: describeCell(column.attribute, value.cell) });
  }
  run.applied.push({
    policy: located.value.name,
    rule: rule.name,
    located,
    ruleIndex,
    record,
    set,
    ...(why ? { why } : {}),
  });
}

/** Whether a filter policy lets its step run for this order: one of its rules holds. [I] */
function filterHolds(located: LocatedPolicy, order: OrderRecordState, run: PolicyRun): boolean {
  const ctx: Context = { located, problems: run.problems, order };
  return located.value.rules.some(
    (rule, i) => !rule.when || evaluate(rule.when, [...located.path, "rules", i, "when"], order, ctx).holds,
  );
}

/**
 * Runs the flow's execution policies on the order and its lines, changing their values in place.
 * `policies` are the stack's, by name without regard to case.
 */
export function runFlow(
  flow: OrchestrationFlow,
  policies: ReadonlyMap<string, LocatedPolicy>,
  order: OrderRecordState,
  lines: readonly OrderRecordState[],
): PolicyRun {
  const run: PolicyRun = { applied: [], skipped: [], problems: [], notes: [] };
  for (const step of flow.steps) {
    let runs = true;
    for (const name of step.filterPolicies ?? []) {
      const policy = policies.get(name.toLowerCase());
      if (!policy || !policy.value.published) continue;
      if (policy.value.entity !== "order") {
        run.notes.push(
          `step '${step.name}': filter policy '${policy.value.name}' on '${policy.value.entity}' is not evaluated`,
        );
        continue;
      }
      if (!filterHolds(policy, order, run)) runs = false;
    }
    if (!runs) {
      run.notes.push(`step '${step.name}' does not run: its filter policies do not hold for the order`);
      continue;
    }
    for (const name of step.executionPolicies ?? []) {
      const policy = policies.get(name.toLowerCase());
      // A published flow uses published policies only (iom validate and IOM refuse anything else).
      if (!policy || !policy.value.published || policy.value.type !== "execution") continue;
      const kind = ENTITY_RECORD[policy.value.entity];
      if (!kind) {
        run.notes.push(
          `policy '${policy.value.name}' is on '${policy.value.entity}', which iom test does not model`,
        );
        continue;
      }
      const records = kind === "order" ? [order] : lines;
      const firstMatch = evaluation.policies.ruleSelection === "first-match";
      for (const record of records)
        for (const [i, rule] of policy.value.rules.entries()) {
          const before = run.applied.length;
          runRule(policy, rule, i, record, order, run);
          if (firstMatch && run.applied.length > before) break;
        }
    }
  }
  return run;
}
