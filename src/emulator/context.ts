// What request handlers share: the schema, the store, the service root, and the per-table write
// guards (dual-write maps refuse mapping changes while running).
import type { Schema, TableModel } from "./schema.js";
import type { Row, Store } from "./store.js";

/** Checks a write before it is stored; throws an ApiError to refuse it. */
export type WriteGuard = (model: TableModel, before: Row | undefined, after: Row) => void;

export interface Context {
  schema: Schema;
  store: Store;
  /** "http://127.0.0.1:PORT/api/data/v9.2/" */
  serviceRoot: string;
  guards: Map<string, WriteGuard>;
  identity: { userId: string; businessUnitId: string; organizationId: string };
}
