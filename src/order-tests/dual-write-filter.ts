// Whether a record passes a dual-write map's Dataverse filter, and which clause decided it. The
// filter is parsed by src/odata/filter.ts and evaluated here with Dataverse's semantics (the
// undocumented ones are facts with their evidence in src/iom/evaluation-facts.ts):
// - strings compare without regard to case [C: PA/webapi/query/filter-rows.md];
// - a lookup is filtered by its Web API value `_<lookup>_value`, the referenced row's id [C: same];
// - a choice compares by its option value [C: same];
// - `x eq null` / `x ne null` test for a value; a comparison of an empty column with a value is
//   neither true nor false, so the row is not returned, even by `ne` [I: Dataverse runs $filter as
//   a SQL query, where NULL <> 100003 is unknown, not true; FetchXML's `ne` is widely reported not
//   to return rows without a value; no Microsoft page found says so, and filter-rows.md does not
//   say otherwise]. The emulator's query engine (src/emulator/filter-eval.ts) answers the same with
//   its own code; test/unit/order-tests/dual-write-filter.test.ts fails if the two diverge;
// - a filter Dataverse would refuse (an unknown column, a lookup written without `_..._value`, a
//   path through a lookup, which dual-write does not support [C: DW/customizing-mappings.md]) lets
//   nothing through [I: the map cannot evaluate it]: its first bad clause decides.
import { FilterSyntaxError, parseFilter } from "../odata/filter.js";
import type { FilterNode, Span, ValueNode } from "../odata/filter.js";
import { resolveFilterAttribute } from "../config/metadata.js";
import { evaluation } from "../iom/evaluation-facts.js";
import type { AttributeDefinition } from "../iom/tables/types.js";
import type { Cell, OrderRecordState } from "./values.js";
import { compareCells, describeCell, isChoice, isLookupCell, valueOf } from "./values.js";

/** SQL's three values, and "refused": Dataverse would not run the filter at all. */
export type Truth = "true" | "false" | "unknown" | "refused";

/** A clause of the filter that decided an outcome, with why. */
export interface Clause extends Span {
  /** The clause as written, spaces collapsed. */
  text: string;
  truth: Truth;
  /** Why it has that value, with the values read: "statuscode is 100003 (Invoiced)". */
  reason: string;
}

export interface FilterOutcome {
  /** Whether the record passes: the filter is true for it. */
  passes: boolean;
  /** The clause that decided: the first that failed, or, when it passes, undefined. */
  decidedBy?: Clause;
  /** Every column the filter read, with its value, for the report. */
  read: Array<{ column: string; value: string }>;
}

export function normaliseClause(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

interface Result {
  truth: Truth;
  clause?: Clause;
}

class Evaluator {
  readonly read = new Map<string, string>();

  constructor(
    private readonly filter: string,
    private readonly record: OrderRecordState,
  ) {}

  private clause(node: Span, truth: Truth, reason: string): Result {
    return {
      truth,
      clause: {
        start: node.start,
        end: node.end,
        text: normaliseClause(this.filter.slice(node.start, node.end)),
        truth,
        reason,
      },
    };
  }

  evaluate(node: FilterNode): Result {
    switch (node.kind) {
      case "and": {
        const left = this.evaluate(node.left);
        if (left.truth === "refused" || left.truth === "false") return left;
        const right = this.evaluate(node.right);
        if (right.truth === "refused" || right.truth === "false") return right;
        if (left.truth === "unknown") return left;
        return right;
      }
      case "or": {
        const left = this.evaluate(node.left);
        if (left.truth === "refused" || left.truth === "true") return left;
        const right = this.evaluate(node.right);
        if (right.truth === "refused" || right.truth === "true") return right;
        const truth = left.truth === "unknown" || right.truth === "unknown" ? "unknown" : "false";
        return this.clause(
          node,
          truth,
          `neither side holds: ${left.clause?.reason}; ${right.clause?.reason}`,
        );
      }
      case "not": {
        const inner = this.evaluate(node.operand);
        if (inner.truth === "refused") return inner;
        const truth = inner.truth === "true" ? "false" : inner.truth === "false" ? "true" : "unknown";
        return this.clause(node, truth, inner.clause?.reason ?? "");
      }
      case "compare":
        return this.compare(node);
      case "function":
        return this.stringFunction(node);
      case "crm-function":
        return this.crmFunction(node);
      case "lambda":
        return this.clause(
          node,
          "refused",
          "dual-write filters are on the table's own columns: a collection cannot be filtered",
        );
    }
  }

  /** The column a property names, or why Dataverse would refuse it. */
  private column(path: string[]): { attribute: AttributeDefinition; name: string; cell: Cell } | string {
    if (path.length > 1)
      return `'${path.join("/")}' follows a lookup to another table, which dual-write filters cannot do`;
    const resolved = resolveFilterAttribute(this.record.table, path);
    if (!resolved.ok)
      return `Dataverse refuses the filter: ${resolved.reason}${resolved.suggestion && !resolved.reason.includes(`'${resolved.suggestion}'`) ? ` (did you mean '${resolved.suggestion}'?)` : ""}`;
    const name = path[0] as string;
    const cell = valueOf(this.record, resolved.attribute.logicalName);
    this.read.set(name, describeCell(resolved.attribute, cell));
    return { attribute: resolved.attribute, name, cell };
  }

  private compare(node: Extract<FilterNode, { kind: "compare" }>): Result {
    const [propertyNode, literalNode, flipped] =
      node.left.kind === "property" ? [node.left, node.right, false] : [node.right, node.left, true];
    if (propertyNode.kind !== "property" || literalNode.kind !== "literal")
      return this.clause(node, "refused", "a comparison needs a column on one side and a value on the other");
    const column = this.column(propertyNode.path);
    if (typeof column === "string") return this.clause(node, "refused", column);
    const { attribute, name, cell } = column;
    const shown = `${name} is ${describeCell(attribute, cell)}`;
    const op = flipped ? FLIPPED[node.op] : node.op;
    if (literalNode.type === "null") {
      if (op !== "eq" && op !== "ne")
        return this.clause(node, "refused", `'${node.op}' cannot compare with null: use eq or ne`);
      const holds = (cell === null) === (op === "eq");
      return this.clause(node, holds ? "true" : "false", shown);
    }
    const converted = literalCell(attribute, literalNode);
    if (!converted.ok)
      return this.clause(node, "refused", `Dataverse refuses the filter: ${converted.reason}`);
    const literal = converted.cell;
    if (cell === null) {
      if (evaluation.dualWriteFilter.emptyColumnComparison === "unknown")
        return this.clause(
          node,
          "unknown",
          `${name} is empty, and an empty column compares with nothing but null (as in SQL, not even with ${node.op})`,
        );
      return this.clause(node, op === "ne" ? "true" : "false", `${name} is empty`);
    }
    let order: number | undefined;
    if (isLookupCell(cell) && isLookupCell(literal)) {
      if (cell.lookup.id === undefined)
        return this.clause(
          node,
          "refused",
          `${name} is given by name (${describeCell(attribute, cell)}): give the lookup's GUID in the case to compare it with a GUID`,
        );
      order = cell.lookup.id === literal.lookup.id ? 0 : 1;
      if (op !== "eq" && op !== "ne")
        return this.clause(node, "refused", `lookups compare with eq and ne only`);
    } else {
      order = compareCells(cell, literal, attribute);
      if (order === undefined)
        return this.clause(
          node,
          "refused",
          `${name} cannot be compared with ${literalNode.type} ${String(literalNode.value)}`,
        );
    }
    const holds =
      op === "eq"
        ? order === 0
        : op === "ne"
          ? order !== 0
          : op === "gt"
            ? order > 0
            : op === "ge"
              ? order >= 0
              : op === "lt"
                ? order < 0
                : order <= 0;
    return this.clause(node, holds ? "true" : "false", shown);
  }

  private stringFunction(node: Extract<FilterNode, { kind: "function" }>): Result {
    const [target, search] = node.args;
    if (target?.kind !== "property" || search?.kind !== "literal" || typeof search.value !== "string")
      return this.clause(node, "refused", `${node.name} takes a text column and a quoted string`);
    const column = this.column(target.path);
    if (typeof column === "string") return this.clause(node, "refused", column);
    const { attribute, name, cell } = column;
    if (cell === null) return this.clause(node, "unknown", `${name} is empty`);
    if (typeof cell !== "string") return this.clause(node, "refused", `${name} is not text`);
    const a = cell.toLowerCase();
    const b = search.value.toLowerCase();
    const holds =
      node.name === "contains" ? a.includes(b) : node.name === "startswith" ? a.startsWith(b) : a.endsWith(b);
    return this.clause(node, holds ? "true" : "false", `${name} is ${describeCell(attribute, cell)}`);
  }

  private crmFunction(node: Extract<FilterNode, { kind: "crm-function" }>): Result {
    const property = node.parameters["PropertyName"];
    if (!property || property.kind !== "literal" || typeof property.value !== "string")
      return this.clause(
        node,
        "refused",
        `Microsoft.Dynamics.CRM.${node.name} needs PropertyName='<column>'`,
      );
    const column = this.column(property.value.split("/"));
    if (typeof column === "string") return this.clause(node, "refused", column);
    const { attribute, name, cell } = column;
    const shown = `${name} is ${describeCell(attribute, cell)}`;
    if (node.name === "Null" || node.name === "NotNull") {
      const holds = (cell === null) === (node.name === "Null");
      return this.clause(node, holds ? "true" : "false", shown);
    }
    if (node.name === "In" || node.name === "NotIn") {
      const list = node.parameters["PropertyValues"];
      const items = list?.kind === "list" ? list.items : list ? [list] : [];
      if (cell === null) return this.clause(node, "unknown", `${name} is empty`);
      const values: Cell[] = [];
      for (const item of items) {
        const converted =
          item.kind === "literal"
            ? literalCell(attribute, item, true)
            : ({ ok: false, reason: "PropertyValues must be values" } as const);
        if (!converted.ok)
          return this.clause(node, "refused", `Dataverse refuses the filter: ${converted.reason}`);
        values.push(converted.cell);
      }
      const found = values.some((v) => compareCells(cell, v, attribute) === 0);
      return this.clause(node, found === (node.name === "In") ? "true" : "false", shown);
    }
    return this.clause(
      node,
      "refused",
      `iom test does not evaluate Microsoft.Dynamics.CRM.${node.name}: test this map's filter against an environment`,
    );
  }
}

const FLIPPED = { eq: "eq", ne: "ne", gt: "lt", ge: "le", lt: "gt", le: "ge" } as const;

/**
 * A filter literal as a value of the column, or why Dataverse would refuse the comparison. With
 * `quotedNumbers`, a number may be written as a string (Microsoft.Dynamics.CRM functions' values).
 */
function literalCell(
  attribute: AttributeDefinition,
  literal: Extract<ValueNode, { kind: "literal" }>,
  quotedNumbers = false,
): { ok: true; cell: Cell } | { ok: false; reason: string } {
  const value = literal.value;
  const ok = (cell: Cell) => ({ ok: true, cell }) as const;
  const mismatch = {
    ok: false,
    reason: `the column ${attribute.logicalName} (${attribute.type}) cannot be compared with ${literal.type} ${JSON.stringify(value)}`,
  } as const;
  if (attribute.type === "Lookup" || attribute.type === "Customer" || attribute.type === "Owner")
    return literal.type === "guid" ? ok({ lookup: { id: String(value).toLowerCase() } }) : mismatch;
  if (isChoice(attribute) || ["Integer", "BigInt", "Decimal", "Double", "Money"].includes(attribute.type)) {
    if (literal.type === "number") return ok(value as number);
    if (quotedNumbers && literal.type === "string" && !Number.isNaN(Number(value))) return ok(Number(value));
    return mismatch;
  }
  if (attribute.type === "Boolean") return literal.type === "boolean" ? ok(value as boolean) : mismatch;
  if (attribute.type === "DateTime") return literal.type === "datetime" ? ok(String(value)) : mismatch;
  if (attribute.type === "Uniqueidentifier") return literal.type === "guid" ? ok(String(value)) : mismatch;
  return literal.type === "string" ? ok(String(value)) : mismatch;
}

/** Evaluates a map's Dataverse filter on a record. A filter that does not parse lets nothing through. */
export function evaluateFilter(filter: string, record: OrderRecordState): FilterOutcome {
  let tree: FilterNode;
  try {
    tree = parseFilter(filter);
  } catch (err) {
    if (!(err instanceof FilterSyntaxError)) throw err;
    const end = Math.min(filter.length, err.position + 1);
    return {
      passes: false,
      decidedBy: {
        start: err.position,
        end,
        text: normaliseClause(filter.slice(err.position, end + 20)) || filter,
        truth: "refused",
        reason: `the filter is not valid OData: ${err.message}`,
      },
      read: [],
    };
  }
  const evaluator = new Evaluator(filter, record);
  const result = evaluator.evaluate(tree);
  const read = [...evaluator.read].map(([column, value]) => ({ column, value }));
  if (result.truth === "true") return { passes: true, read };
  return { passes: false, ...(result.clause ? { decidedBy: result.clause } : {}), read };
}
