import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { DataDirLockedError, Journal } from "../../../src/emulator/journal.js";
import type { Row } from "../../../src/emulator/store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-journal-"));
  dirs.push(dir);
  return dir;
}
const row = (id: string, version: number, name: string): Row => ({ id, version, values: { name } });

describe("Journal", () => {
  it("replays committed transactions over the snapshot", () => {
    const dir = tempDir();
    const { journal, data } = Journal.open(dir);
    expect(data).toBeUndefined();
    journal.writeSnapshot({ account: [row("a", 1, "A")] });
    journal.append([{ op: "put", table: "account", row: row("b", 2, "B") }]);
    journal.append([
      { op: "delete", table: "account", id: "a" },
      { op: "put", table: "account", row: row("b", 3, "B2") },
    ]);
    journal.close();
    const reopened = Journal.open(dir);
    expect([...(reopened.data?.get("account")?.values() ?? [])]).toEqual([row("b", 3, "B2")]);
    reopened.journal.close();
  });

  it("ignores journal lines a snapshot already holds (crash between rename and truncate)", () => {
    const dir = tempDir();
    const { journal } = Journal.open(dir);
    journal.append([{ op: "put", table: "account", row: row("a", 1, "A") }]);
    const lines = fs.readFileSync(path.join(dir, "journal.ndjson"), "utf8");
    journal.writeSnapshot({ account: [row("a", 1, "A renamed by a later op")] });
    journal.close();
    fs.writeFileSync(path.join(dir, "journal.ndjson"), lines); // as if the truncate never happened
    const reopened = Journal.open(dir);
    expect(reopened.data?.get("account")?.get("a")?.values.name).toBe("A renamed by a later op");
    reopened.journal.close();
  });

  it("truncates a torn last line so later appends start on a line of their own", () => {
    const dir = tempDir();
    const { journal } = Journal.open(dir);
    journal.append([{ op: "put", table: "account", row: row("a", 1, "A") }]);
    journal.close();
    fs.appendFileSync(path.join(dir, "journal.ndjson"), '{"seq":2,"ops":[{"op":"put"');
    const second = Journal.open(dir);
    second.journal.append([{ op: "put", table: "account", row: row("c", 2, "C") }]);
    second.journal.close();
    const third = Journal.open(dir);
    expect([...(third.data?.get("account")?.keys() ?? [])]).toEqual(["a", "c"]);
    third.journal.close();
  });

  it("takes over a lock left by a dead process, and refuses a live one", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "emulator.lock"), "999999999");
    const { journal } = Journal.open(dir);
    expect(() => Journal.open(dir)).toThrow(DataDirLockedError);
    journal.close();
    expect(fs.existsSync(path.join(dir, "emulator.lock"))).toBe(false);
  });
});
