// Durable storage for the emulator's rows: a snapshot file plus an append-only journal of
// committed transactions. A commit is one journal line written and fsynced before the client gets
// its answer; a snapshot is written to a temporary file, fsynced and renamed over the old one, so a
// kill -9 at any moment leaves either the old or the new snapshot, plus whole journal lines and at
// most one torn last line, which loading drops (its client never got an answer). Every line and
// snapshot carries a sequence number; lines at or below the snapshot's are already in it, so a
// crash between the rename and the journal truncation replays nothing twice.
//
// A data directory serves one emulator at a time, across processes, through lock files (see
// DataDirLock below).
import { randomBytes } from "node:crypto";
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
const FORMAT = 1;

/** Compact when the journal holds this many transactions, so loading stays fast. */
const COMPACT_EVERY = 2_000;

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

export class Journal {
  private fd: number | undefined;
  private seq = 0;
  private lines = 0;

  private constructor(
    private readonly dir: string,
    private readonly lock: DataDirLock,
  ) {}

  /**
   * Opens (creating if needed) a data directory, takes its lock and returns what it holds:
   * undefined when it is new.
   */
  static open(dir: string): { journal: Journal; data: TableRows | undefined } {
    fs.mkdirSync(dir, { recursive: true });
    const journal = new Journal(dir, DataDirLock.acquire(dir));
    try {
      const data = journal.load();
      journal.fd = fs.openSync(path.join(dir, JOURNAL), "a");
      return { journal, data };
    } catch (err) {
      journal.lock.release();
      throw err;
    }
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
    this.lock.release();
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

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
}

/** Data directories locked by this process: the pid in a lock file cannot tell two of ours apart. */
const lockedHere = new Set<string>();

/** `emulator.lock.<generation>`; the bare `emulator.lock` of earlier versions counts as generation 0. */
const LOCK_PREFIX = "emulator.lock";
const LOCK_NAME = /^emulator\.lock(?:\.(\d+))?$/;
const RELEASED = "released";
/** Each attempt either takes the lock or learns of a newer generation; a few always settle it. */
const LOCK_ATTEMPTS = 8;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function generationFile(dir: string, generation: number): string {
  return path.join(dir, generation === 0 ? LOCK_PREFIX : `${LOCK_PREFIX}.${generation}`);
}

/** The lock generations present in the directory, highest first. */
function generations(dir: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const match = LOCK_NAME.exec(name);
    if (match) found.push(match[1] === undefined ? 0 : Number(match[1]));
  }
  return found.sort((a, b) => b - a);
}

/**
 * The lock of a data directory, safe when several emulators start at the same instant and when
 * the last owner was killed without cleaning up.
 *
 * A single lock file cannot do both: taking over a stale one means deleting it, and a process that
 * judged it stale a moment ago can delete the fresh lock another process has just written in its
 * place, so that both run (two emulators started together on a directory whose owner had been
 * killed did exactly that, a few times in a hundred). Lock files are therefore numbered, and a
 * newer generation is the only way to take over: `emulator.lock.<n+1>` is created exclusively (a
 * hard link of a file already holding our pid, so nobody ever reads it half-written) only after
 * `emulator.lock.<n>`, the highest, was seen free, that is released or left by a dead process. Two
 * processes that saw the same free generation race for the same next name, and the file system
 * lets exactly one create it. Nothing live is ever deleted: the winner removes the older
 * generations, and a process that finds a generation above its own after taking it (it was slow
 * enough for others to come and go) gives it up. Releasing writes "released" over the file, by
 * rename, instead of deleting it, so generations only grow.
 */
class DataDirLock {
  private constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {}

  static acquire(dir: string): DataDirLock {
    const key = path.resolve(dir);
    if (lockedHere.has(key))
      throw new DataDirLockedError(
        `data directory ${dir} is in use by another emulator (pid ${process.pid})`,
      );
    const temp = path.join(dir, `${LOCK_PREFIX}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    fs.writeFileSync(temp, `${process.pid}\n`);
    try {
      for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
        const [top] = generations(dir);
        if (top !== undefined) {
          const owner = DataDirLock.liveOwner(generationFile(dir, top));
          if (owner === "gone") continue; // released and cleaned up meanwhile: look again
          if (owner !== undefined)
            throw new DataDirLockedError(
              `data directory ${dir} is in use by another emulator (pid ${owner})`,
            );
        }
        const next = (top ?? 0) + 1;
        const file = generationFile(dir, next);
        try {
          fs.linkSync(temp, file);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "EEXIST") continue; // another process won `next`
          throw err;
        }
        if ((generations(dir)[0] ?? next) > next) {
          // Someone took a newer generation while we were between looking and linking.
          fs.rmSync(file, { force: true });
          continue;
        }
        lockedHere.add(key);
        const lock = new DataDirLock(dir, file);
        lock.removeOlder(next);
        return lock;
      }
      throw new DataDirLockedError(`could not lock data directory ${dir}: other emulators kept taking it`);
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }

  /** The pid holding a lock file, undefined when it is free, "gone" when the file vanished. */
  private static liveOwner(file: string): number | undefined | "gone" {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8").trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
      throw err;
    }
    if (text === RELEASED) return undefined;
    const pid = Number(text);
    // Our own pid in a lock this process does not hold is a previous process's (pids repeat,
    // in containers especially): stale, like any pid that is not running.
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processAlive(pid)) return undefined;
    return pid;
  }

  private removeOlder(generation: number): void {
    for (const older of generations(this.dir))
      if (older < generation) fs.rmSync(generationFile(this.dir, older), { force: true });
  }

  release(): void {
    if (!lockedHere.delete(path.resolve(this.dir))) return;
    const temp = `${this.file}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(temp, `${RELEASED}\n`);
      fs.renameSync(temp, this.file);
    } catch {
      // The directory went away, or cannot be written: a lock whose pid is gone is free anyway.
      fs.rmSync(temp, { force: true });
    }
  }
}
