// What the console says about a policy rule and a dual-write filter, in the words a person reads
// in IOM's own pages: a rule as "when Company does not contain data, set Company to usmf" (the
// condition builder's operator words, columns by display name, choices by label), a Dataverse
// filter one clause per line.
//
// UNVERIFIED, like flow-definition.ts: IOM does not publish how a rule's conditions and actions are
// stored. This reads the JSON document iom-gitops writes in msdyn_ruledefinition today ({condition?,
// actions: [{column, value}]}, a condition being {and}, {or}, {related: {table}, where} or {column,
// operator, value?}) with the emulator's own reader, never the client's codec (src/iom/formats), so
// that a change to one is not silently a change to the other. A document it cannot read is said so
// in words, not hidden.
import type { Schema } from "../schema.js";
import type { AttributeDefinition } from "../tables.js";

/** The condition builder's operator words (what stacks write in `operator:`). */
const OPERATOR_WORDS: Readonly<Record<string, string>> = {
  eq: "equals",
  ne: "does not equal",
  gt: "greater than",
  ge: "greater than or equal",
  lt: "less than",
  le: "less than or equal",
  "not-null": "contains data",
  null: "does not contain data",
};

type Value = string | number | boolean;

type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { related: { table: string }; where: Condition }
  | { column: string; operator: string; value?: Value };

interface RuleDocument {
  condition?: Condition;
  actions: Array<{ column: string; value: Value }>;
}

class Unreadable extends Error {}

function isValue(v: unknown): v is Value {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function readCondition(raw: unknown, at: string): Condition {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Unreadable(`${at} is not a condition`);
  const node = raw as Record<string, unknown>;
  for (const group of ["and", "or"] as const) {
    if (node[group] === undefined) continue;
    const list = node[group];
    if (!Array.isArray(list) || list.length === 0) throw new Unreadable(`${at}.${group} is not a list`);
    const items = list.map((c, i) => readCondition(c, `${at}.${group}[${i}]`));
    return group === "and" ? { and: items } : { or: items };
  }
  if (node.related !== undefined) {
    const table = (node.related as { table?: unknown } | null)?.table;
    if (typeof table !== "string") throw new Unreadable(`${at}.related has no table`);
    return { related: { table }, where: readCondition(node.where, `${at}.where`) };
  }
  if (typeof node.column !== "string" || typeof node.operator !== "string")
    throw new Unreadable(`${at} has no column and operator`);
  if (node.value !== undefined && !isValue(node.value)) throw new Unreadable(`${at}.value is not a value`);
  return {
    column: node.column,
    operator: node.operator,
    ...(node.value !== undefined ? { value: node.value } : {}),
  };
}

function readRule(text: unknown): RuleDocument {
  if (typeof text !== "string" || text.trim() === "") throw new Unreadable("the rule has no definition");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Unreadable("the rule definition is not JSON");
  }
  const root = doc as { condition?: unknown; actions?: unknown } | null;
  if (typeof root !== "object" || root === null || !Array.isArray(root.actions))
    throw new Unreadable("the rule definition has no list of actions");
  const actions = root.actions.map((raw, i) => {
    const a = raw as { column?: unknown; value?: unknown } | null;
    if (typeof a?.column !== "string" || !isValue(a.value))
      throw new Unreadable(`actions[${i}] is not {column, value}`);
    return { column: a.column, value: a.value };
  });
  return {
    ...(root.condition !== undefined ? { condition: readCondition(root.condition, "condition") } : {}),
    actions,
  };
}

/** How a column and its values read: its display name, choices by label. */
class Columns {
  constructor(
    private readonly schema: Schema,
    private readonly table: string | undefined,
  ) {}

  private attribute(column: string): AttributeDefinition | undefined {
    return this.table === undefined ? undefined : this.schema.table(this.table)?.byName.get(column);
  }

  name(column: string): string {
    return this.attribute(column)?.displayName ?? column;
  }

  value(column: string, value: Value): string {
    const options = this.attribute(column)?.options;
    const number = typeof value === "boolean" ? (value ? 1 : 0) : value;
    const option = options?.find((o) => o.value === number);
    // A lookup's value is the referenced row's name as the stack wrote it ("usmf"): shown as it is.
    return option ? option.label : String(value);
  }

  /** The same words for a related table's columns. */
  related(table: string): Columns {
    return new Columns(this.schema, table);
  }

  tableName(table: string): string {
    return this.schema.table(table)?.def.displayName ?? table;
  }
}

function conditionWords(condition: Condition, columns: Columns, nested: boolean): string {
  if ("and" in condition || "or" in condition) {
    const [joiner, items] = "and" in condition ? [" and ", condition.and] : [" or ", condition.or];
    const text = items.map((c) => conditionWords(c, columns, true)).join(joiner);
    return nested && items.length > 1 ? `(${text})` : text;
  }
  if ("related" in condition) {
    const inner = conditionWords(condition.where, columns.related(condition.related.table), true);
    return `the ${columns.tableName(condition.related.table)}'s ${inner}`;
  }
  const operator = OPERATOR_WORDS[condition.operator] ?? condition.operator;
  const value = condition.value === undefined ? "" : ` ${columns.value(condition.column, condition.value)}`;
  return `${columns.name(condition.column)} ${operator}${value}`;
}

function list(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * A rule in words: "when Company does not contain data or Invoice Customer does not contain data,
 * set Company to usmf and Invoice Customer to US-001". `table` is the logical name of the table the
 * policy applies to (columns are named by its display names); undefined names them by logical name.
 */
export function ruleInWords(definition: unknown, schema: Schema, table: string | undefined): string {
  let rule: RuleDocument;
  try {
    rule = readRule(definition);
  } catch (err) {
    if (err instanceof Unreadable) return `(the emulator cannot read this rule: ${err.message})`;
    throw err;
  }
  const columns = new Columns(schema, table);
  const actions = rule.actions.map((a) => `${columns.name(a.column)} to ${columns.value(a.column, a.value)}`);
  const then = actions.length > 0 ? `set ${list(actions)}` : "do nothing";
  return rule.condition
    ? `when ${conditionWords(rule.condition, columns, false)}, ${then}`
    : `always ${then}`;
}

/**
 * A Dataverse `$filter` one clause per line: split before each `and`/`or` outside parentheses and
 * string literals, the connective starting its line ("msdyn_isreadytosync eq true", "and
 * statuscode ne 100003"). Parenthesised groups stay on one line.
 */
export function filterClauses(filter: string): string[] {
  const text = filter.replace(/\s+/g, " ").trim();
  if (text === "") return [];
  const clauses: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'")
      quoted = !quoted; // '' inside a literal toggles twice: still inside
    else if (quoted) continue;
    else if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
    else if (ch === " " && depth === 0) {
      const word = /^ (and|or) /i.exec(text.slice(i, i + 5));
      if (word && i > start) {
        clauses.push(text.slice(start, i).trim());
        start = i + 1;
        i += word[0].length - 2;
      }
    }
  }
  clauses.push(text.slice(start).trim());
  return clauses.filter((c) => c !== "");
}
