// Column values of the orders `iom test` runs, in the form the Web API reads them back: a choice is
// its option value, Yes/No a boolean, a lookup the row it points to. Case files write them as people
// read them (labels, the referenced row's name); the offline metadata (src/iom/tables, through
// src/config/metadata.ts) turns one into the other, exactly as the policy resource resolves a
// rule's labels against the environment's metadata.
import { didYouMean } from "../config/did-you-mean.js";
import { isLookup, resolveColumn } from "../config/metadata.js";
import type { AttributeDefinition, TableDefinition } from "../iom/tables/types.js";

/** The row a lookup points to: by its readable name (a company's code "usmf"), its id, or both. */
export interface LookupValue {
  name?: string;
  id?: string;
}

/** One column's value; null is "no value", as Dataverse reads an empty column. */
export type Cell = null | string | number | boolean | { lookup: LookupValue };

export type ParsedValue = { ok: true; cell: Cell } | { ok: false; reason: string; hint?: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHOICE_TYPES = new Set(["Picklist", "State", "Status"]);
const NUMBER_TYPES = new Set(["Integer", "BigInt", "Decimal", "Double", "Money"]);

export function isChoice(attribute: AttributeDefinition): boolean {
  return CHOICE_TYPES.has(attribute.type);
}

export function isLookupCell(cell: Cell): cell is { lookup: LookupValue } {
  return cell !== null && typeof cell === "object";
}

/**
 * The column a case or a policy names, by display or logical name (resolveColumn's rule). A name
 * two columns share ("Invoice Customer" on salesorder) is the first in the metadata, as
 * `iom validate` resolves it.
 */
export function columnOf(
  table: TableDefinition,
  name: string,
): { ok: true; attribute: AttributeDefinition } | { ok: false; reason: string; hint?: string } {
  const resolved = resolveColumn(table, name);
  if (resolved.ok) return resolved;
  return {
    ok: false,
    reason: resolved.reason,
    ...(resolved.suggestion ? { hint: `did you mean '${resolved.suggestion}'?` } : {}),
  };
}

/**
 * A written value as the column holds it. Choices by label (case-insensitive) or by value: the
 * offline metadata lists only the choices the project knows (msdyn_statuscode's are unpublished,
 * src/iom/tables/salesorderdetail.ts), so any whole number is taken as a value. Lookups by the
 * referenced row's name, or by GUID. Text columns take numbers as their digits, so that a
 * warehouse written 11 and "11" are the same.
 */
export function parseValue(attribute: AttributeDefinition, raw: unknown): ParsedValue {
  if (raw === null || raw === undefined) return { ok: true, cell: null };
  const column = `'${attribute.displayName}' (${attribute.logicalName})`;
  if (isLookup(attribute)) {
    if (typeof raw === "string" && raw.trim() !== "") {
      return { ok: true, cell: { lookup: GUID.test(raw) ? { id: raw.toLowerCase() } : { name: raw } } };
    }
    if (typeof raw === "number") return { ok: true, cell: { lookup: { name: String(raw) } } };
    return {
      ok: false,
      reason: `${column} is a lookup: give the name of the row it points to, or its GUID`,
    };
  }
  if (isChoice(attribute)) {
    const options = attribute.options ?? [];
    if (typeof raw === "number") {
      if (Number.isInteger(raw)) return { ok: true, cell: raw };
      return { ok: false, reason: `${column} is a choice: ${raw} is not a whole number` };
    }
    if (typeof raw === "string") {
      const matches = options.filter((o) => o.label.toLowerCase() === raw.trim().toLowerCase());
      if (matches.length === 1) return { ok: true, cell: (matches[0] as { value: number }).value };
      if (matches.length > 1)
        return {
          ok: false,
          reason: `${column}: the label '${raw}' names ${matches.length} choices (${matches.map((m) => m.value).join(", ")})`,
          hint: "write the choice's value instead",
        };
      const suggestion = didYouMean(
        raw,
        options.map((o) => o.label),
      );
      return {
        ok: false,
        reason: `${column} has no choice '${raw}' (its choices: ${options.map((o) => `${o.label} = ${o.value}`).join(", ") || "none known"})`,
        hint: suggestion ? `did you mean '${suggestion}'?` : "write a label of the column or a value",
      };
    }
    return { ok: false, reason: `${column} is a choice: give its label or its value` };
  }
  switch (attribute.type) {
    case "Boolean": {
      if (typeof raw === "boolean") return { ok: true, cell: raw };
      const label =
        typeof raw === "string"
          ? attribute.options?.find((o) => o.label.toLowerCase() === raw.trim().toLowerCase())
          : undefined;
      if (label) return { ok: true, cell: label.value === 1 };
      return {
        ok: false,
        reason: `${column} is Yes/No: write true or false`,
      };
    }
    case "String":
    case "Memo":
      if (typeof raw === "string") return { ok: true, cell: raw };
      if (typeof raw === "number") return { ok: true, cell: String(raw) };
      return { ok: false, reason: `${column} is text: write a string` };
    case "DateTime":
      if (typeof raw === "string" && !Number.isNaN(Date.parse(raw))) return { ok: true, cell: raw };
      return {
        ok: false,
        reason: `${column} is a date and time: write it as 2026-01-31 or 2026-01-31T10:00:00Z`,
      };
    case "Uniqueidentifier":
      if (typeof raw === "string" && GUID.test(raw)) return { ok: true, cell: raw.toLowerCase() };
      return { ok: false, reason: `${column} is a GUID` };
    default:
      if (NUMBER_TYPES.has(attribute.type) && typeof raw === "number") return { ok: true, cell: raw };
      return { ok: false, reason: `${column} is a number (${attribute.type})` };
  }
}

/** How messages show a value: a choice with its label, a lookup by name, "empty" for none. */
export function describeCell(attribute: AttributeDefinition | undefined, cell: Cell): string {
  if (cell === null) return "empty";
  if (isLookupCell(cell)) {
    const { name, id } = cell.lookup;
    return name !== undefined ? `'${name}'${id ? ` (${id})` : ""}` : (id as string);
  }
  if (typeof cell === "number" && attribute && isChoice(attribute)) {
    const option = attribute.options?.find((o) => o.value === cell);
    return option ? `${cell} (${option.label})` : String(cell);
  }
  if (typeof cell === "boolean") return cell ? "true (Yes)" : "false (No)";
  return typeof cell === "string" ? `'${cell}'` : String(cell);
}

/**
 * Whether two values are the same: text compared without regard to case, as Dataverse compares
 * strings [C: PA/webapi/query/filter-rows.md], and a lookup by id when both sides have one, else
 * by name. Undefined when it cannot be told (one side known only by name, the other only by id).
 */
export function sameCell(a: Cell, b: Cell): boolean | undefined {
  if (a === null || b === null) return a === b;
  if (isLookupCell(a) || isLookupCell(b)) {
    if (!isLookupCell(a) || !isLookupCell(b)) return false;
    if (a.lookup.id !== undefined && b.lookup.id !== undefined) return a.lookup.id === b.lookup.id;
    if (a.lookup.name !== undefined && b.lookup.name !== undefined)
      return a.lookup.name.toLowerCase() === b.lookup.name.toLowerCase();
    return undefined;
  }
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** Orders two plain values (numbers, text without case, dates); undefined when they cannot be. */
export function compareCells(a: Cell, b: Cell, attribute: AttributeDefinition): number | undefined {
  if (a === null || b === null || isLookupCell(a) || isLookupCell(b)) return undefined;
  if (attribute.type === "DateTime" && typeof a === "string" && typeof b === "string")
    return Date.parse(a) - Date.parse(b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  // Yes/No values are equal or not; false sorts first, as SQL's bit does.
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
}

/** A record of an order being tested: its table and its values by logical name. */
export interface OrderRecordState {
  readonly table: TableDefinition;
  /** How messages name it: "the order", "line 1". */
  readonly label: string;
  readonly values: Map<string, Cell>;
}

export function valueOf(record: OrderRecordState, logicalName: string): Cell {
  return record.values.get(logicalName) ?? null;
}
