// Evaluates a parsed $filter (src/odata/filter.ts) against rows, or against plain objects for the
// metadata endpoints. Compilation resolves every property and checks operand types once, so the
// per-row work is a chain of closures; errors are the ones Dataverse gives for the same mistakes.
//
// An empty column is SQL's NULL: compared with a value it is neither true nor false (unknown), so
// `statuscode ne 100003` does not return a row without a status, `not (x eq 5)` does not either,
// and only `x eq null` / `x ne null` test for a value. [I] No Microsoft page says so for the Web
// API's $filter; it rests on Dataverse running $filter as a SQL query (NULL <> 100003 is unknown)
// and on FetchXML's `ne` ("does not equal" in Advanced Find) being widely reported not to return
// empty values. `iom test` and `iom explain` evaluate dual-write filters the same way (their own
// code, with this behaviour as the fact evaluationFacts.dualWriteFilter.emptyColumnComparison in
// src/iom/evaluation-facts.ts; the emulator imports nothing from src/iom). The unit tests of both
// (test/unit/emulator/filter-eval.test.ts, test/unit/order-tests/dual-write-filter.test.ts) run one
// table of cases through both and fail if they diverge.
import type { FilterNode, ValueNode } from "../odata/filter.js";
import { ApiError, ErrorCode, badQuery } from "./errors.js";

/** The OData type family of an operand, enough to check comparisons and pick an ordering. */
export type Edm = "string" | "number" | "boolean" | "guid" | "datetime" | "null" | "any";
export type Primitive = string | number | boolean | null;

/** What a filter is evaluated on: the row (or object), and the rows bound to lambda variables. */
export interface Env {
  subject: unknown;
  vars: Record<string, unknown>;
}

export interface Operand {
  edm: Edm;
  get(env: Env): Primitive;
}

export type Predicate = (env: Env) => boolean;
/** SQL's three values: true, false, and null for unknown (a comparison with an empty column). */
type Tri = boolean | null;
type TriPredicate = (env: Env) => Tri;
type LambdaNode = Extract<FilterNode, { kind: "lambda" }>;

/** Resolves property paths for one kind of subject (rows of a table, metadata objects). */
export interface Scope {
  /** The operand for a property path; throws the "Could not find a property" error when unknown. */
  resolve(path: string[]): Operand;
  /** A predicate for `collection/any(v: ...)` and `all`. */
  lambda(node: LambdaNode): Predicate;
}

const EDM_NAMES: Record<Edm, string> = {
  string: "Edm.String",
  number: "Edm.Int32",
  boolean: "Edm.Boolean",
  guid: "Edm.Guid",
  datetime: "Edm.DateTimeOffset",
  null: "null",
  any: "Edm.Untyped",
};

const OP_NAMES = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};

function literalOperand(node: Extract<ValueNode, { kind: "literal" }>): Operand {
  const value = node.value;
  const edm: Edm = node.type === "null" ? "null" : node.type;
  return { edm, get: () => value };
}

function operand(node: ValueNode, scope: Scope): Operand {
  if (node.kind === "literal") return literalOperand(node);
  if (node.kind === "property") return scope.resolve(node.path);
  throw badQuery("A list is only allowed as a parameter of a Microsoft.Dynamics.CRM function.");
}

function compatible(a: Edm, b: Edm): boolean {
  return a === b || a === "any" || b === "any" || a === "null" || b === "null";
}

/** A value in a form where === and < give OData's answer: strings and GUIDs case-insensitive. */
function normalise(value: Primitive, edm: Edm): Primitive {
  if (value === null) return null;
  if (edm === "datetime" && typeof value === "string") return Date.parse(value);
  if (typeof value === "string") return value.toLowerCase();
  return value;
}

function comparison(op: keyof typeof OP_NAMES, left: Operand, right: Operand): TriPredicate {
  if (!compatible(left.edm, right.edm))
    throw new ApiError(
      400,
      ErrorCode.odata,
      `A binary operator with incompatible types was detected. Found operand types '${EDM_NAMES[left.edm]}' and '${EDM_NAMES[right.edm]}' for operator kind '${OP_NAMES[op]}'.`,
    );
  const edm = left.edm === "any" || left.edm === "null" ? right.edm : left.edm;
  // `x eq null` and `x ne null` test for a value (SQL's IS NULL, IS NOT NULL).
  const nullTest = left.edm === "null" || right.edm === "null";
  return (env) => {
    const a = normalise(left.get(env), edm);
    const b = normalise(right.get(env), edm);
    if (nullTest && (op === "eq" || op === "ne")) return (a === b) === (op === "eq");
    // An empty column compared with a value: unknown, even for ne (see the header).
    if (a === null || b === null) return null;
    switch (op) {
      case "eq":
        return a === b;
      case "ne":
        return a !== b;
      case "gt":
        return a > b;
      case "ge":
        return a >= b;
      case "lt":
        return a < b;
      case "le":
        return a <= b;
    }
  };
}

function stringFunction(name: string, args: ValueNode[], scope: Scope): TriPredicate {
  const [target, search] = args.map((a) => operand(a, scope)) as [Operand, Operand];
  for (const arg of [target, search])
    if (arg.edm !== "string" && arg.edm !== "any")
      throw new ApiError(
        400,
        ErrorCode.odata,
        `The function '${name}' takes string arguments; found '${EDM_NAMES[arg.edm]}'.`,
      );
  const test =
    name === "contains"
      ? (a: string, b: string) => a.includes(b)
      : name === "startswith"
        ? (a: string, b: string) => a.startsWith(b)
        : (a: string, b: string) => a.endsWith(b);
  return (env) => {
    const a = target.get(env);
    const b = search.get(env);
    // LIKE on NULL is unknown in SQL, so `not contains(x, 'a')` does not return an empty x either.
    if (a === null || b === null) return null;
    return typeof a === "string" && typeof b === "string" && test(a.toLowerCase(), b.toLowerCase());
  };
}

function parameter(node: FilterNode & { kind: "crm-function" }, name: string): ValueNode {
  const value = node.parameters[name];
  if (!value) throw badQuery(`Microsoft.Dynamics.CRM.${node.name} needs the parameter ${name}.`);
  return value;
}

/** Coerces a CRM function's parameter value (they are often quoted) to the property's type. */
function coerce(value: Primitive, edm: Edm): Primitive {
  if (typeof value === "string" && edm === "number" && value.trim() !== "" && !Number.isNaN(Number(value)))
    return Number(value);
  if (typeof value === "string" && edm === "boolean") return value === "true" || value === "1";
  return value;
}

function crmFunction(node: FilterNode & { kind: "crm-function" }, scope: Scope): TriPredicate {
  const nameNode = parameter(node, "PropertyName");
  if (nameNode.kind !== "literal" || typeof nameNode.value !== "string")
    throw badQuery(`PropertyName of Microsoft.Dynamics.CRM.${node.name} must be a quoted property name.`);
  const property = scope.resolve(nameNode.value.split("/"));
  const values = (): Primitive[] => {
    const list = parameter(node, "PropertyValues");
    const items = list.kind === "list" ? list.items : [list];
    return items.map((item) => {
      if (item.kind !== "literal") throw badQuery("PropertyValues must be literals.");
      return normalise(coerce(item.value, property.edm), property.edm);
    });
  };
  const get = (env: Env): Primitive => normalise(property.get(env), property.edm);
  switch (node.name) {
    case "Null":
      return (env) => property.get(env) === null;
    case "NotNull":
      return (env) => property.get(env) !== null;
    case "In":
    case "NotIn": {
      const set = new Set(values());
      const negate = node.name === "NotIn";
      return (env) => {
        const v = get(env);
        // NULL IN (...) and NULL NOT IN (...) are unknown in SQL.
        return v === null ? null : set.has(v) !== negate;
      };
    }
    case "Between":
    case "NotBetween": {
      const range = values();
      if (range.length !== 2) throw badQuery(`Microsoft.Dynamics.CRM.${node.name} takes two PropertyValues.`);
      const [low, high] = range as [Primitive, Primitive];
      const negate = node.name === "NotBetween";
      return (env) => {
        const v = get(env);
        if (v === null || low === null || high === null) return null;
        return (v >= low && v <= high) !== negate;
      };
    }
    default:
      throw new ApiError(
        501,
        ErrorCode.querySyntax,
        `The emulator does not implement the query function Microsoft.Dynamics.CRM.${node.name}.`,
      );
  }
}

/** A filter as a predicate: a row is returned only when the filter is true (not unknown). */
export function compileFilter(node: FilterNode, scope: Scope): Predicate {
  const tri = compileTri(node, scope);
  return (env) => tri(env) === true;
}

/** SQL's three-valued logic: false wins an and, true wins an or, not unknown is unknown. */
function compileTri(node: FilterNode, scope: Scope): TriPredicate {
  switch (node.kind) {
    case "and": {
      const left = compileTri(node.left, scope);
      const right = compileTri(node.right, scope);
      return (env) => {
        const a = left(env);
        if (a === false) return false;
        const b = right(env);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    case "or": {
      const left = compileTri(node.left, scope);
      const right = compileTri(node.right, scope);
      return (env) => {
        const a = left(env);
        if (a === true) return true;
        const b = right(env);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    }
    case "not": {
      const operandPredicate = compileTri(node.operand, scope);
      return (env) => {
        const value = operandPredicate(env);
        return value === null ? null : !value;
      };
    }
    case "compare":
      return comparison(node.op, operand(node.left, scope), operand(node.right, scope));
    case "function":
      return stringFunction(node.name, node.args, scope);
    case "crm-function":
      return crmFunction(node, scope);
    case "lambda":
      return scope.lambda(node);
  }
}

/**
 * The `property eq literal` conditions that must all hold (the top-level `and` chain): a query can
 * start from the rows an index gives for one of them instead of scanning the table.
 */
export function requiredEqualities(
  node: FilterNode,
): Array<{ path: string[]; value: Primitive; type: string }> {
  if (node.kind === "and") return [...requiredEqualities(node.left), ...requiredEqualities(node.right)];
  if (node.kind !== "compare" || node.op !== "eq") return [];
  const [property, literal] =
    node.left.kind === "property" ? [node.left, node.right] : [node.right, node.left];
  if (property.kind !== "property" || literal.kind !== "literal" || literal.type === "null") return [];
  if (literal.type === "datetime") return [];
  return [{ path: property.path, value: literal.value, type: literal.type }];
}

/** A scope over plain JSON objects (metadata): any top-level property, types taken from values. */
export function objectScope(typeName: string, sample: Record<string, unknown>): Scope {
  return {
    resolve(path) {
      const name = path[0] as string;
      if (path.length !== 1 || !(name in sample))
        throw new ApiError(
          400,
          ErrorCode.odata,
          `Could not find a property named '${path.join("/")}' on type 'Microsoft.Dynamics.CRM.${typeName}'.`,
        );
      return {
        edm: "any",
        get(env) {
          const value = (env.subject as Record<string, unknown>)[name];
          return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
            ? value
            : null;
        },
      };
    },
    lambda() {
      throw new ApiError(
        501,
        ErrorCode.querySyntax,
        "The emulator does not implement lambda operators on metadata.",
      );
    },
  };
}
