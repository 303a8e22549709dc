// Durable storage for the emulator's rows: a snapshot file plus an append-only journal of
// committed transactions. A commit is one journal line written and fsynced before the client gets
// its answer; a snapshot is written to a temporary file, fsynced and renamed over the old one, so a
// kill -9 at any moment leaves either the old or the new snapshot, plus whole journal lines and at
// most one torn last line, which loading drops (its client never got an answer). Every line and
// snapshot carries a sequence number; lines at or below the snapshot's are already in it, so a
// crash between the rename and the journal truncation replays nothing twice.
import * as fs from "node:fs";
import * as path from "node:path";

import type { Row } from "./store.js";

export type Op = { op: "put"; table: string; row: Row } | { op: "delete"; table: string; id: string };

interface Snapshot {
  format: number;
  seq: number;
  tables: Record<string, Row[]>;
}

interface JournalLine {
  seq: number;
  ops: Op[];
}

const SNAPSHOT = "snapshot.json";
const JOURNAL = "journal.ndjson";
const LOCK = "emulator.lock";
const FORMAT = 1;

/** Compact when the journal holds this many transactions, so loading stays fast. */
const COMPACT_EVERY = 2_000;

/** Data directories locked by this process: the pid in a lock file cannot tell two of ours apart. */
const lockedHere = new Set<string>();

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
}

function fsyncDir(dir: string): void {
  // Directory fsync makes a rename durable on Linux; some platforms cannot open directories.
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* not supported here: the rename is still atomic */
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class Journal {
  private fd: number | undefined;
  private seq = 0;
  private lines = 0;

  private constructor(private readonly dir: string) {}

  /**
   * Opens (creating if needed) a data directory, takes its lock and returns what it holds:
   * undefined when it is new.
   */
  static open(dir: string): { journal: Journal; data: TableRows | undefined } {
    fs.mkdirSync(dir, { recursive: true });
    const journal = new Journal(dir);
    journal.lock();
    try {
      const data = journal.load();
      journal.fd = fs.openSync(path.join(dir, JOURNAL), "a");
      return { journal, data };
    } catch (err) {
      journal.unlock();
      throw err;
    }
  }

  private lock(): void {
    const file = path.join(this.dir, LOCK);
    if (lockedHere.has(path.resolve(this.dir)))
      throw new DataDirLockedError(
        `data directory ${this.dir} is in use by another emulator (pid ${process.pid})`,
      );
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: "wx" });
        lockedHere.add(path.resolve(this.dir));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const owner = Number(fs.readFileSync(file, "utf8"));
        if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner))
          throw new DataDirLockedError(
            `data directory ${this.dir} is in use by another emulator (pid ${owner})`,
          );
        // The owner died without cleaning up (kill -9): the lock is stale.
        fs.rmSync(file, { force: true });
      }
    }
    throw new DataDirLockedError(`could not lock data directory ${this.dir}`);
  }

  private unlock(): void {
    lockedHere.delete(path.resolve(this.dir));
    fs.rmSync(path.join(this.dir, LOCK), { force: true });
  }

  private load(): TableRows | undefined {
    const snapshotFile = path.join(this.dir, SNAPSHOT);
    const journalFile = path.join(this.dir, JOURNAL);
    let data: TableRows | undefined;
    if (fs.existsSync(snapshotFile)) {
      const parsed = JSON.parse(fs.readFileSync(snapshotFile, "utf8")) as Snapshot;
      if (parsed.format !== FORMAT)
        throw new Error(`unsupported data format ${parsed.format} in ${snapshotFile}`);
      data = toMaps(parsed.tables);
      this.seq = parsed.seq;
    }
    if (!fs.existsSync(journalFile)) return data;
    const text = fs.readFileSync(journalFile, "utf8");
    let good = 0;
    let offset = 0;
    while (offset < text.length) {
      const end = text.indexOf("\n", offset);
      if (end < 0) break; // torn last line: never acknowledged
      let line: JournalLine;
      try {
        line = JSON.parse(text.slice(offset, end)) as JournalLine;
      } catch {
        break;
      }
      offset = end + 1;
      good = offset;
      if (line.seq <= this.seq) continue;
      data ??= new Map();
      applyOps(data, line.ops);
      this.seq = line.seq;
      this.lines++;
    }
    if (good < text.length) fs.truncateSync(journalFile, Buffer.byteLength(text.slice(0, good)));
    return data;
  }

  /** Makes one committed transaction durable. Returns true when a compaction is due. */
  append(ops: Op[]): boolean {
    if (this.fd === undefined) throw new Error("the data directory is closed");
    const line = JSON.stringify({ seq: this.seq + 1, ops } satisfies JournalLine) + "\n";
    fs.writeFileSync(this.fd, line);
    fs.fdatasyncSync(this.fd);
    this.seq++;
    this.lines++;
    return this.lines >= COMPACT_EVERY;
  }

  /** Replaces snapshot and journal with the given state, atomically. */
  writeSnapshot(tables: Record<string, Row[]>): void {
    if (this.fd === undefined) throw new Error("the data directory is closed");
    const file = path.join(this.dir, SNAPSHOT);
    const temp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(temp, "w");
    try {
      fs.writeFileSync(fd, JSON.stringify({ format: FORMAT, seq: this.seq, tables } satisfies Snapshot));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    fsyncDir(this.dir);
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.lines = 0;
  }

  /** Starts a new generation (after a reset): later than anything in the journal. */
  bump(): void {
    this.seq++;
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    this.unlock();
  }
}

/** Rows by table logical name, then by id, in insertion order. */
export type TableRows = Map<string, Map<string, Row>>;

export function applyOps(tables: TableRows, ops: Op[]): void {
  for (const op of ops) {
    let rows = tables.get(op.table);
    if (!rows) tables.set(op.table, (rows = new Map()));
    if (op.op === "put") rows.set(op.row.id, op.row);
    else rows.delete(op.id);
  }
}

function toMaps(tables: Record<string, Row[]>): TableRows {
  return new Map(Object.entries(tables).map(([name, rows]) => [name, new Map(rows.map((r) => [r.id, r]))]));
}
