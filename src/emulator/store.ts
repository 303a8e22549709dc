// The rows of every table, in memory, with the indexes queries need, and transactions that either
// commit whole (and are made durable by the journal when there is a data directory) or leave no
// trace. Everything here is synchronous: Node runs one request's store work to completion before
// the next, so a transaction is isolated without locks.
import { ApiError, ErrorCode } from "./errors.js";
import type { Journal, Op, TableRows } from "./journal.js";
import type { Schema } from "./schema.js";

/** A lookup value: the row it points to and that row's table (lookups can have several targets). */
export interface LookupValue {
  id: string;
  table: string;
}

export type FieldValue = string | number | boolean | null | LookupValue;

/** A row is immutable: a change replaces it, which makes rollback and snapshots cheap. */
export interface Row {
  readonly id: string;
  /** Dataverse's RowVersion: the etag is W/"version". */
  readonly version: number;
  readonly values: Readonly<Record<string, FieldValue>>;
}

/** The key under which a value is indexed: strings and GUIDs compare case-insensitively. */
export function indexKey(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return "z";
  switch (typeof value) {
    case "string":
      return `s${value.toLowerCase()}`;
    case "number":
      return `n${value}`;
    case "boolean":
      return `b${value}`;
    default:
      return `s${value.id.toLowerCase()}`;
  }
}

interface TableData {
  rows: Map<string, Row>;
  /** Alternate keys: key name -> joined key values -> row id. */
  keys: Map<string, Map<string, string>>;
  /** Equality indexes, built on first use: attribute -> index key -> the rows with that value. */
  equality: Map<string, EqualityIndex>;
}

type Undo = { table: string; id: string; before: Row | undefined };

export class Store {
  private readonly tables = new Map<string, TableData>();
  private version = 0;
  private depth = 0;
  private undo: Undo[] = [];
  private ops: Op[] = [];
  private closed = false;

  constructor(
    private readonly schema: Schema,
    private readonly journal?: Journal,
    /** Tables of the emulator's own state (the dual-write gateway's projects): stored, not served. */
    private readonly internalTables: readonly string[] = [],
  ) {
    for (const name of this.tableNames()) this.tables.set(name, this.emptyTable(name));
  }

  private tableNames(): string[] {
    return [...[...this.schema.tables].map((m) => m.logicalName), ...this.internalTables];
  }

  private emptyTable(logicalName: string): TableData {
    const keys = new Map(
      (this.schema.table(logicalName)?.keys ?? []).map((k) => [k.name, new Map<string, string>()]),
    );
    return { rows: new Map(), keys, equality: new Map() };
  }

  private data(table: string): TableData {
    const data = this.tables.get(table);
    if (!data) throw new Error(`unknown table ${table}`);
    return data;
  }

  /** Replaces every row (loading from disk, or a reset); persists the new state when asked. */
  load(rows: TableRows, persist: boolean): void {
    if (this.depth > 0) throw new Error("cannot load inside a transaction");
    for (const name of this.tableNames()) this.tables.set(name, this.emptyTable(name));
    this.version = 0;
    for (const [table, byId] of rows) {
      if (!this.tables.has(table)) continue; // a table the registry no longer has
      for (const row of byId.values()) {
        this.index(table, undefined, row);
        if (row.version > this.version) this.version = row.version;
      }
    }
    if (persist && this.journal) {
      this.journal.bump();
      this.journal.writeSnapshot(this.serialise());
    }
  }

  private serialise(): Record<string, Row[]> {
    const out: Record<string, Row[]> = {};
    for (const [name, data] of this.tables) out[name] = [...data.rows.values()];
    return out;
  }

  get(table: string, id: string): Row | undefined {
    return this.data(table).rows.get(id.toLowerCase());
  }

  rows(table: string): IterableIterator<Row> {
    return this.data(table).rows.values();
  }

  size(table: string): number {
    return this.data(table).rows.size;
  }

  /** The row whose alternate key has these values (already index keys, see keyOf). */
  byKey(table: string, keyName: string, joined: string): Row | undefined {
    const id = this.data(table).keys.get(keyName)?.get(joined);
    return id === undefined ? undefined : this.get(table, id);
  }

  /**
   * The rows whose attribute equals the value (by indexKey), in the order they entered the index;
   * the index is built on first use.
   */
  byEquality(table: string, attribute: string, key: string): Row[] {
    const data = this.data(table);
    let index = data.equality.get(attribute);
    if (!index) {
      index = new Map();
      for (const row of data.rows.values()) addTo(index, indexKey(row.values[attribute]), row);
      data.equality.set(attribute, index);
    }
    const rows = index.get(key);
    return rows === undefined ? [] : rows instanceof Map ? [...rows.values()] : [rows];
  }

  nextVersion(): number {
    return ++this.version;
  }

  /** Runs fn as one transaction (nested calls join the outer one, with their own rollback point). */
  transaction<T>(fn: () => T): T {
    if (this.closed) throw new ApiError(503, ErrorCode.unavailable, "The emulator is shutting down.");
    const mark = this.undo.length;
    const opsMark = this.ops.length;
    this.depth++;
    try {
      const result = fn();
      if (this.depth === 1 && this.ops.length > 0) this.commit();
      return result;
    } catch (err) {
      this.rollback(mark);
      this.ops.length = opsMark;
      throw err;
    } finally {
      this.depth--;
      if (this.depth === 0) {
        this.undo = [];
        this.ops = [];
      }
    }
  }

  private commit(): void {
    if (!this.journal) return;
    let compact: boolean;
    try {
      compact = this.journal.append(this.ops);
    } catch (err) {
      throw new ApiError(
        500,
        ErrorCode.unexpected,
        `The change could not be saved: ${(err as Error).message}`,
      );
    }
    // The commit is durable already; a failed compaction only leaves a longer journal.
    if (compact) {
      try {
        this.journal.writeSnapshot(this.serialise());
      } catch {
        /* retried at the next compaction */
      }
    }
  }

  private rollback(mark: number): void {
    while (this.undo.length > mark) {
      const { table, id, before } = this.undo.pop() as Undo;
      const current = this.data(table).rows.get(id);
      this.index(table, current, before);
    }
  }

  put(table: string, row: Row): void {
    this.mustBeInTransaction();
    const before = this.data(table).rows.get(row.id);
    this.undo.push({ table, id: row.id, before });
    this.ops.push({ op: "put", table, row });
    this.index(table, before, row);
  }

  delete(table: string, id: string): void {
    this.mustBeInTransaction();
    const before = this.data(table).rows.get(id);
    if (!before) return;
    this.undo.push({ table, id, before });
    this.ops.push({ op: "delete", table, id });
    this.index(table, before, undefined);
  }

  private mustBeInTransaction(): void {
    if (this.depth === 0) throw new Error("store writes must run inside transaction()");
  }

  /** Moves a row from `before` to `after` (either may be absent) in the rows and every index. */
  private index(table: string, before: Row | undefined, after: Row | undefined): void {
    const data = this.data(table);
    const model = this.schema.table(table);
    const id = (before ?? after)?.id as string;
    if (after) data.rows.set(id, after);
    else data.rows.delete(id);
    for (const key of model?.keys ?? []) {
      const index = data.keys.get(key.name) as Map<string, string>;
      if (before) {
        const k = keyOf(key.attributes, before.values);
        if (k !== undefined && index.get(k) === id) index.delete(k);
      }
      if (after) {
        const k = keyOf(key.attributes, after.values);
        if (k !== undefined) index.set(k, id);
      }
    }
    for (const [attribute, index] of data.equality) {
      if (before) removeFrom(index, indexKey(before.values[attribute]), id);
      if (after) addTo(index, indexKey(after.values[attribute]), after);
    }
  }

  /** Stops accepting writes and releases the data directory. */
  close(): void {
    this.closed = true;
    this.journal?.close();
  }
}

/**
 * Index key -> the row that has it, or the rows by id when several do. The rows themselves, and a
 * lone row without a map around it: a query answered from the index then reads nothing else, which
 * counts on a large table, where every lookup is a cache miss. Rows keep the order they entered in.
 */
type EqualityIndex = Map<string, Row | Map<string, Row>>;

function addTo(index: EqualityIndex, key: string, row: Row): void {
  const rows = index.get(key);
  if (rows === undefined || (!(rows instanceof Map) && rows.id === row.id)) index.set(key, row);
  else if (rows instanceof Map) rows.set(row.id, row);
  else
    index.set(
      key,
      new Map([
        [rows.id, rows],
        [row.id, row],
      ]),
    );
}

function removeFrom(index: EqualityIndex, key: string, id: string): void {
  const rows = index.get(key);
  if (rows instanceof Map) rows.delete(id);
  else if (rows?.id === id) index.delete(key);
}

/** The joined index keys of an alternate key's values; undefined when one of them is empty. */
export function keyOf(
  attributes: readonly string[],
  values: Readonly<Record<string, FieldValue>>,
): string | undefined {
  const parts: string[] = [];
  for (const attribute of attributes) {
    const value = values[attribute];
    if (value === null || value === undefined) return undefined;
    parts.push(indexKey(value));
  }
  return parts.join("\u0000");
}
