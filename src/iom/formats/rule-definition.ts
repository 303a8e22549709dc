// [I] How a rule's condition tree and set-value actions are stored in its Rule row
// (msdyn_iomrule, column columns.rule.ruleDefinition). IOM keeps them in a RuleDefinition string
// whose serialization Microsoft does not document (domain.md 1.3): this module is the one place
// that writes and reads it. Correct it here when a real environment disagrees.
//
// The document is canonical JSON: keys in a fixed order, no insignificant whitespace, so equal
// rules are equal strings and a comparison of the stored text tells whether a rule changed.
// Columns are logical names and choice values are option values, as IOM's designer would store
// them; turning the YAML's display names and labels into these is the policy resource's job.
// A rule's description has no column of its own on msdyn_iomrule [I: alm.md lists none], so it
// travels in the document.

/** Identifies documents this module wrote; anything else is refused rather than misread. */
export const RULE_DEFINITION_FORMAT = "iom-gitops/rule-definition";
export const RULE_DEFINITION_VERSION = 1;

/** Comparison operators of the condition builder (domain.md 1.3); null tests carry no value. */
export const STORED_OPERATORS = ["eq", "ne", "gt", "ge", "lt", "le", "not-null", "null"] as const;
export type StoredOperator = (typeof STORED_OPERATORS)[number];

const NULL_TESTS: ReadonlySet<StoredOperator> = new Set(["not-null", "null"]);

export type StoredValue = string | number | boolean;

/** The relationship a related-entity condition follows. */
export interface StoredRelation {
  /** The related table's logical name. */
  table: string;
  /** Many-to-one: the lookup column on the rule's table that leads to `table`. */
  lookup?: string;
}

export type StoredCondition =
  | { and: StoredCondition[] }
  | { or: StoredCondition[] }
  | { related: StoredRelation; where: StoredCondition }
  | { column: string; operator: StoredOperator; value?: StoredValue };

export interface StoredAction {
  column: string;
  value: StoredValue;
}

export interface StoredRule {
  description?: string;
  /** Absent: the rule always applies. */
  condition?: StoredCondition;
  actions: StoredAction[];
}

/** A stored definition that this module did not write, or that is damaged. */
export class RuleDefinitionFormatError extends Error {
  override readonly name = "RuleDefinitionFormatError";
  /** Where in the document the problem is, e.g. "condition.and[1].operator"; "" for the whole. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path ? `${path}: ` : ""}${problem}`);
    this.path = path;
  }
}

/** The stored text of a rule: canonical, so equal rules give equal strings. */
export function encodeRuleDefinition(rule: StoredRule): string {
  return JSON.stringify(readRule(rule as unknown as Record<string, unknown>));
}

/** Reads stored text back; a definition this module did not write is a RuleDefinitionFormatError. */
export function decodeRuleDefinition(text: unknown): StoredRule {
  if (typeof text !== "string" || text.trim() === "")
    throw new RuleDefinitionFormatError("", "the rule has no definition");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RuleDefinitionFormatError(
      "",
      "the rule definition is not JSON, so iom-gitops did not write it",
    );
  }
  const root = asObject(doc, "");
  if (root.format !== RULE_DEFINITION_FORMAT)
    throw new RuleDefinitionFormatError(
      "",
      `the rule definition was not written by iom-gitops (no "format": "${RULE_DEFINITION_FORMAT}")`,
    );
  if (root.formatVersion !== RULE_DEFINITION_VERSION)
    throw new RuleDefinitionFormatError(
      "formatVersion",
      `version ${JSON.stringify(root.formatVersion)} is not one this iom-gitops reads (${RULE_DEFINITION_VERSION})`,
    );
  const { format: _format, formatVersion: _version, ...rest } = root;
  const { format: _f, formatVersion: _v, ...rule } = readRule(rest);
  return rule;
}

type Canonical = { format: string; formatVersion: number } & StoredRule;

// Builds the canonical object (marker first, then a fixed key order) and checks every part, so
// that encoding and decoding share one definition of a valid document.
function readRule(raw: Record<string, unknown>): Canonical {
  const allowed = new Set(["description", "condition", "actions"]);
  for (const key of Object.keys(raw))
    if (!allowed.has(key)) throw new RuleDefinitionFormatError(key, "is not part of a rule definition");
  if (raw.description !== undefined && typeof raw.description !== "string")
    throw new RuleDefinitionFormatError("description", "must be text");
  if (!Array.isArray(raw.actions)) throw new RuleDefinitionFormatError("actions", "must be a list");
  const description = raw.description as string | undefined;
  return {
    format: RULE_DEFINITION_FORMAT,
    formatVersion: RULE_DEFINITION_VERSION,
    // An empty description and none are the same rule.
    ...(description ? { description } : {}),
    ...(raw.condition !== undefined ? { condition: readCondition(raw.condition, "condition") } : {}),
    actions: raw.actions.map((a, i) => readAction(a, `actions[${i}]`)),
  };
}

function readCondition(raw: unknown, path: string): StoredCondition {
  const node = asObject(raw, path);
  const keys = Object.keys(node).sort().join(",");
  if (keys === "and" || keys === "or") {
    const op = keys as "and" | "or";
    const list = node[op];
    if (!Array.isArray(list) || list.length === 0)
      throw new RuleDefinitionFormatError(`${path}.${op}`, "must be a non-empty list");
    const items = list.map((c, i) => readCondition(c, `${path}.${op}[${i}]`));
    return op === "and" ? { and: items } : { or: items };
  }
  if (keys === "related,where") {
    const relation = asObject(node.related, `${path}.related`);
    const relationKeys = Object.keys(relation).sort().join(",");
    if (relationKeys !== "table" && relationKeys !== "lookup,table")
      throw new RuleDefinitionFormatError(`${path}.related`, "must hold a table and optionally a lookup");
    const related: StoredRelation = { table: name(relation.table, `${path}.related.table`) };
    if (relation.lookup !== undefined) related.lookup = name(relation.lookup, `${path}.related.lookup`);
    return { related, where: readCondition(node.where, `${path}.where`) };
  }
  if (keys === "column,operator" || keys === "column,operator,value") {
    const operator = node.operator;
    if (!STORED_OPERATORS.includes(operator as StoredOperator))
      throw new RuleDefinitionFormatError(
        `${path}.operator`,
        `${JSON.stringify(operator)} is not one of ${STORED_OPERATORS.join(", ")}`,
      );
    const op = operator as StoredOperator;
    const row: StoredCondition = { column: name(node.column, `${path}.column`), operator: op };
    if (NULL_TESTS.has(op)) {
      if (node.value !== undefined)
        throw new RuleDefinitionFormatError(`${path}.value`, `operator ${op} takes no value`);
      return row;
    }
    if (node.value === undefined)
      throw new RuleDefinitionFormatError(`${path}.value`, `operator ${op} needs a value`);
    return { ...row, value: value(node.value, `${path}.value`) };
  }
  throw new RuleDefinitionFormatError(
    path,
    `a condition is {and}, {or}, {related, where} or {column, operator, value}, not {${keys}}`,
  );
}

function readAction(raw: unknown, path: string): StoredAction {
  const node = asObject(raw, path);
  if (Object.keys(node).sort().join(",") !== "column,value")
    throw new RuleDefinitionFormatError(path, "an action is {column, value}");
  return { column: name(node.column, `${path}.column`), value: value(node.value, `${path}.value`) };
}

function asObject(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new RuleDefinitionFormatError(path, "must be an object");
  return raw as Record<string, unknown>;
}

function name(raw: unknown, path: string): string {
  if (typeof raw !== "string" || raw === "") throw new RuleDefinitionFormatError(path, "must be a name");
  return raw;
}

function value(raw: unknown, path: string): StoredValue {
  if (typeof raw === "string" || typeof raw === "boolean") return raw;
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  throw new RuleDefinitionFormatError(path, "must be text, a finite number or true/false");
}
