// What every kind does with Dataverse rows, through the one client: entity sets, option values and
// navigation properties are read from the environment's metadata (never assumed), lookups are
// bound by the navigation property the environment publishes, and rows are found by natural key.
import type { Choice } from "../../iom/facts.js";
import { and, eq, guid, isGuid, or, type Filter } from "../../dataverse/index.js";
import type { DataverseRecord, QueryOptions } from "../../dataverse/index.js";
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

/**
 * How long reads of one table wait for others before they are sent together. The engine refreshes
 * up to `--parallel` resources at once, and their reads reach the plugin within a few
 * milliseconds of each other: a short quiet time gathers them, a cap bounds the wait.
 */
const GATHER_QUIET_MS = 5;
const GATHER_MAX_MS = 30;
/** Ids per query: keeps the URL of `id eq … or id eq …` far below Dataverse's limit. */
const GATHER_MAX_IDS = 100;

type Query = (ids: readonly string[]) => Promise<Map<string, DataverseRecord[]>>;

/**
 * The whole table at once: the refresh of a large stack reads most of a table, one gathered query
 * per `--parallel` reads, so after {@link GatherTuning.wholeAfter} reads of it the rest are served
 * from one read of every row. Undefined when the table holds more than `wholeMaxRows` rows.
 */
type Whole = (maxRows: number) => Promise<Map<string, DataverseRecord[]> | undefined>;

export interface GatherTuning {
  /** Reads of one table in a process before the table is read whole. */
  wholeAfter: number;
  /** A table with more rows than this is not read whole: its reads go on being gathered. */
  wholeMaxRows: number;
  /** How long a whole-table read answers reads (one refresh); later reads take a new one. */
  wholeMaxAgeMs: number;
}

export const GATHER_TUNING: GatherTuning = { wholeAfter: 16, wholeMaxRows: 2000, wholeMaxAgeMs: 60_000 };

interface Pending {
  ids: Map<string, Array<{ resolve(rows: DataverseRecord[]): void; reject(error: unknown): void }>>;
  quiet?: NodeJS.Timeout;
  cap?: NodeJS.Timeout;
}

/**
 * Gathers the ids asked for within a short window and answers them all with one query; a window
 * that gathered a single id is answered by `single`, the request a lone read makes anyway. Once a
 * table has been read often enough, it is read whole (`whole`) and later reads are answered from
 * that. The whole read only ever answers with rows it holds: an id it lacks (a row made since, a
 * table too large, a failed read) is read as before, so no resource is taken for deleted on its say.
 */
export class Gatherer {
  private pending: Pending | undefined;
  private asked = 0;
  private snapshot: { at: number; rows: Promise<Map<string, DataverseRecord[]> | undefined> } | undefined;

  constructor(
    private readonly many: Query,
    private readonly single: (id: string) => Promise<DataverseRecord[]>,
    private readonly whole?: Whole,
    private readonly tuning: GatherTuning = GATHER_TUNING,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<DataverseRecord[]> {
    this.asked++;
    if (this.whole && this.asked > this.tuning.wholeAfter) {
      if (!this.snapshot || this.now() - this.snapshot.at > this.tuning.wholeMaxAgeMs)
        this.snapshot = {
          at: this.now(),
          rows: this.whole(this.tuning.wholeMaxRows).catch(() => undefined),
        };
      const rows = (await this.snapshot.rows)?.get(id.toLowerCase());
      if (rows && rows.length > 0) return rows;
    }
    return this.gathered(id);
  }

  private gathered(id: string): Promise<DataverseRecord[]> {
    return new Promise((resolve, reject) => {
      const batch: Pending = (this.pending ??= { ids: new Map() });
      const key = id.toLowerCase();
      batch.ids.set(key, [...(batch.ids.get(key) ?? []), { resolve, reject }]);
      if (batch.ids.size >= GATHER_MAX_IDS) return this.flush();
      clearTimeout(batch.quiet);
      batch.quiet = setTimeout(() => this.flush(), GATHER_QUIET_MS);
      batch.cap ??= setTimeout(() => this.flush(), GATHER_MAX_MS);
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    clearTimeout(batch.quiet);
    clearTimeout(batch.cap);
    const ids = [...batch.ids.keys()];
    const answer =
      ids.length === 1
        ? this.single(ids[0] as string).then((rows) => new Map([[ids[0] as string, rows]]))
        : this.many(ids);
    answer.then(
      (found) => {
        for (const [id, waiting] of batch.ids) for (const w of waiting) w.resolve(found.get(id) ?? []);
      },
      (error: unknown) => {
        for (const waiting of batch.ids.values()) for (const w of waiting) w.reject(error);
      },
    );
  }
}

// One gatherer per session (a plugin process has one) and per table, columns and key.
const gatherers = new WeakMap<Session, Map<string, Gatherer>>();

function gatherer(s: Session, key: string, make: () => Gatherer): Gatherer {
  let bySession = gatherers.get(s);
  if (!bySession) gatherers.set(s, (bySession = new Map()));
  let g = bySession.get(key);
  if (!g) bySession.set(key, (g = make()));
  return g;
}

/**
 * Every row of `set` when it holds at most `maxRows` (at most 4999), else undefined: one request
 * either way, the first page only (Dataverse ignores $top beside a page size, so a page one row
 * larger than allowed tells a table that is too large).
 */
async function wholeTable(
  s: Session,
  set: string,
  query: QueryOptions,
  maxRows: number,
): Promise<DataverseRecord[] | undefined> {
  for await (const page of s.client.listPages(set, query, { pageSize: maxRows + 1 }))
    return page.length > maxRows ? undefined : page;
  return [];
}

/** The rows of `set` whose `column` holds one of `ids` (at most GATHER_MAX_IDS), in one query. */
function rowsWhereIn(
  s: Session,
  set: string,
  column: string,
  ids: readonly string[],
  select: readonly [string, ...string[]],
  orderBy: readonly string[] | undefined,
): Promise<DataverseRecord[]> {
  // `or` of `eq`s: the plain OData every Dataverse version answers, GUIDs written as GUIDs.
  const filter = or(...ids.map((id) => eq(column, guid(id))));
  return s.client.list(set, { select, filter, ...(orderBy ? { orderBy } : {}) });
}

/**
 * One row by its primary id, or undefined when it does not exist: what `retrieveIfExists` answers,
 * but reads of the same table and columns that arrive together (a refresh of many resources) are
 * sent as one query. An id that is not a GUID is read on its own, so that its error stays its own.
 */
export async function readRecord(
  s: Session,
  table: string,
  id: string,
  select: readonly [string, ...string[]],
): Promise<DataverseRecord | undefined> {
  const { entitySetName: set, primaryIdAttribute: key } = await s.client.metadata.entity(table);
  const columns: [string, ...string[]] = select.includes(key) ? [...select] : [key, ...select];
  const retrieve = async (one: string): Promise<DataverseRecord[]> => {
    const row = await s.client.retrieveIfExists(set, one, { select });
    return row ? [row] : [];
  };
  if (!isGuid(id)) return (await retrieve(id))[0];
  const g = gatherer(s, `record|${table}|${columns.join(",")}`, () => {
    return new Gatherer(
      async (ids) => {
        const rows = await rowsWhereIn(s, set, key, ids, columns, undefined);
        return new Map(rows.map((row) => [rowId(row, key), [row]]));
      },
      retrieve,
      async (maxRows) => {
        const rows = await wholeTable(s, set, { select: columns }, maxRows);
        return rows && new Map(rows.map((row) => [rowId(row, key), [row]]));
      },
    );
  });
  return (await g.get(id))[0];
}

/**
 * The rows of `table` whose lookup `lookup` points to `parentId` (e.g. a policy's rules), ordered
 * by `orderBy`. Asked for many parents at once, they are read in one query and shared out.
 */
export async function readChildren(
  s: Session,
  table: string,
  lookup: string,
  parentId: string,
  select: readonly [string, ...string[]],
  orderBy?: readonly string[],
): Promise<DataverseRecord[]> {
  const set = await entitySet(s, table);
  const column = `_${lookup}_value`;
  const columns: [string, ...string[]] = select.includes(column) ? [...select] : [...select, column];
  const query = (ids: readonly string[]) => rowsWhereIn(s, set, column, ids, columns, orderBy);
  if (!isGuid(parentId)) return query([parentId]);
  // One query's rows keep its order within each parent.
  const byParent = (rows: readonly DataverseRecord[]): Map<string, DataverseRecord[]> => {
    const grouped = new Map<string, DataverseRecord[]>();
    for (const row of rows) {
      const parent = lookupId(row, lookup);
      if (parent) grouped.set(parent, [...(grouped.get(parent) ?? []), row]);
    }
    return grouped;
  };
  const g = gatherer(
    s,
    `children|${table}|${lookup}|${columns.join(",")}|${orderBy?.join(",") ?? ""}`,
    () => {
      return new Gatherer(
        async (ids) => byParent(await query(ids)),
        (one) => query([one]),
        async (maxRows) => {
          const rows = await wholeTable(
            s,
            set,
            { select: columns, ...(orderBy ? { orderBy } : {}) },
            maxRows,
          );
          return rows && byParent(rows);
        },
      );
    },
  );
  return g.get(parentId);
}
