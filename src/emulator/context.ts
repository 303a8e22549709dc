// What request handlers share: the schema, the store, the service root, the identity WhoAmI
// answers with, and each table's service-side rules (what plug-ins do in a real environment:
// dual-write maps refuse mapping changes while running, IOM's lifecycle rules in iom-rules.ts).
import type { Schema, TableModel } from "./schema.js";
import type { FieldValue, Row, Store } from "./store.js";

/** A row being written: its values are still open, for rules that fill columns the service owns. */
export interface Draft {
  readonly id: string;
  readonly values: Record<string, FieldValue>;
}

/**
 * Checks a create (`before` undefined) or an update before it is stored; throws an ApiError to
 * refuse it, and may set columns the service owns in `after.values`.
 */
export type WriteGuard = (ctx: Context, model: TableModel, before: Row | undefined, after: Draft) => void;

/** Writes what a stored create or update implies, in the same transaction. */
export type AfterWrite = (ctx: Context, model: TableModel, before: Row | undefined, after: Row) => void;

/**
 * Checks a delete before anything is deleted; throws an ApiError to refuse it. `deleting` holds the
 * ids of every row the delete removes (the row and its cascade), so that a row deleted with its
 * parent can defer to the parent's own rule.
 */
export type DeleteGuard = (ctx: Context, model: TableModel, row: Row, deleting: ReadonlySet<string>) => void;

/** A table's service-side rules. Writes the service makes itself (saveRow with rules off) skip them. */
export interface TableRules {
  beforeWrite?: WriteGuard;
  afterWrite?: AfterWrite;
  beforeDelete?: DeleteGuard;
}

export interface Context {
  schema: Schema;
  store: Store;
  /** "http://127.0.0.1:PORT/api/data/v9.2/" */
  serviceRoot: string;
  /** By table logical name. */
  rules: ReadonlyMap<string, TableRules>;
  identity: { userId: string; businessUnitId: string; organizationId: string };
}
