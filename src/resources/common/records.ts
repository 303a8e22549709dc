// What every kind does with Dataverse rows, through the one client: entity sets, option values and
// navigation properties are read from the environment's metadata (never assumed), lookups are
// bound by the navigation property the environment publishes, and rows are found by natural key.
import type { Choice } from "../../iom/inferred.js";
import { and, eq, guid, type Filter } from "../../dataverse/index.js";
import type { DataverseRecord } from "../../dataverse/index.js";
import type { Session } from "../runtime/session.js";

/** The entity set of a table, as the environment names it. */
export function entitySet(s: Session, table: string): Promise<string> {
  return s.client.metadata.entitySetName(table);
}

/** The number behind one of our inferred choices, looked up by its label in the environment. */
export function choiceValue(s: Session, table: string, column: string, choice: Choice): Promise<number> {
  return s.client.metadata.optionValue(table, column, choice.label);
}

/** Whether a row's option value is the given choice (compared by label, through metadata). */
export async function isChoice(
  s: Session,
  table: string,
  column: string,
  value: unknown,
  choice: Choice,
): Promise<boolean> {
  return typeof value === "number" && value === (await choiceValue(s, table, column, choice));
}

/** `{ "<Nav>@odata.bind": "/<set>(<id>)" }` for a lookup, with the navigation name from metadata. */
export async function bind(
  s: Session,
  table: string,
  lookup: string,
  targetTable: string,
  id: string | null,
): Promise<DataverseRecord> {
  const nav = await s.client.metadata.navigationProperty(table, lookup, targetTable);
  if (id === null) return { [`${nav}@odata.bind`]: null };
  return { [`${nav}@odata.bind`]: `/${await entitySet(s, targetTable)}(${id})` };
}

/** The id a lookup column holds in a row read from the Web API (`_x_value`). */
export function lookupId(row: DataverseRecord, lookup: string): string | undefined {
  const value = row[`_${lookup}_value`];
  return typeof value === "string" ? value.toLowerCase() : undefined;
}

/**
 * Rows of a table matching every `column = value` given (names compare without regard to case).
 * Lookup values (`_x_value`) are GUIDs and written as such, as Dataverse requires.
 */
export async function findRows(
  s: Session,
  table: string,
  where: Record<string, string | number | boolean>,
  select: readonly [string, ...string[]],
): Promise<DataverseRecord[]> {
  const clauses: Filter[] = Object.entries(where).map(([column, value]) =>
    eq(column, /^_.+_value$/.test(column) && typeof value === "string" ? guid(value) : value),
  );
  const filter = clauses.length === 1 ? clauses[0] : and(...clauses);
  return s.client.list(await entitySet(s, table), { select, ...(filter ? { filter } : {}) });
}

/** The row's primary id, lower-cased. */
export function rowId(row: DataverseRecord, primaryId: string): string {
  return String(row[primaryId]).toLowerCase();
}
