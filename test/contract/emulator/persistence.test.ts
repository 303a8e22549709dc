// Data in a data directory survives restarts, including a journal whose last line was torn by a
// crash; a directory serves one emulator at a time.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";

const dirs: string[] = [];
const running: RunningEmulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-emulator-"));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<RunningEmulator> {
  const emulator = await startEmulator({ dataDir });
  running.push(emulator);
  return emulator;
}

const call = (e: RunningEmulator, p: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${e.apiUrl}${p}`, {
    ...init,
    headers: { Authorization: `Bearer ${e.token}`, "Content-Type": "application/json", ...init.headers },
  });

async function names(e: RunningEmulator): Promise<string[]> {
  const res = await call(e, "msdyn_iompolicies?$select=msdyn_name&$orderby=msdyn_name");
  return ((await res.json()) as { value: Array<{ msdyn_name: string }> }).value.map((r) => r.msdyn_name);
}

async function stop(e: RunningEmulator): Promise<void> {
  await e.close();
  running.splice(running.indexOf(e), 1);
}

describe("persistence", () => {
  it("keeps rows, etags, deletes and resets across restarts", async () => {
    const dir = tempDir();
    const first = await start(dir);
    for (const name of ["A", "B", "C"])
      await call(first, "msdyn_iompolicies", { method: "POST", body: JSON.stringify({ msdyn_name: name }) });
    const b = (
      (await (await call(first, "msdyn_iompolicies?$filter=msdyn_name eq 'B'")).json()) as {
        value: Array<Record<string, string>>;
      }
    ).value[0];
    await call(first, `msdyn_iompolicies(${b?.msdyn_iompolicyid})`, { method: "DELETE" });
    const a = (
      (await (await call(first, "msdyn_iompolicies?$filter=msdyn_name eq 'A'")).json()) as {
        value: Array<Record<string, string>>;
      }
    ).value[0];
    await stop(first);

    const second = await start(dir);
    expect(await names(second)).toEqual(["A", "C"]);
    const again = (await (await call(second, `msdyn_iompolicies(${a?.msdyn_iompolicyid})`)).json()) as Record<
      string,
      string
    >;
    expect(again["@odata.etag"]).toBe(a?.["@odata.etag"]);
    // New versions stay above the restored ones, so old etags never come back.
    const res = await call(second, "msdyn_iompolicies", {
      method: "POST",
      body: JSON.stringify({ msdyn_name: "D" }),
      headers: { Prefer: "return=representation" },
    });
    const d = (await res.json()) as Record<string, string>;
    expect(Number(/\d+/.exec(d["@odata.etag"] as string)?.[0])).toBeGreaterThan(
      Number(/\d+/.exec(again["@odata.etag"] as string)?.[0]),
    );
    expect(
      (
        await fetch(`${second.url}/_emulator/reset`, {
          method: "POST",
          headers: { Authorization: `Bearer ${second.token}` },
        })
      ).status,
    ).toBe(204);
    await stop(second);

    const third = await start(dir);
    expect(await names(third)).toEqual([]);
  });

  it("drops a torn last journal line left by a crash, and keeps everything before it", async () => {
    const dir = tempDir();
    const first = await start(dir);
    await call(first, "msdyn_iompolicies", {
      method: "POST",
      body: JSON.stringify({ msdyn_name: "Committed" }),
    });
    await stop(first);
    const journal = path.join(dir, "journal.ndjson");
    expect(fs.readFileSync(journal, "utf8").trim().split("\n")).toHaveLength(1);
    fs.appendFileSync(journal, '{"seq":99,"ops":[{"op":"put","table":"msdyn_iompolicy","row":{"id":"x');
    const second = await start(dir);
    expect(await names(second)).toEqual(["Committed"]);
    await call(second, "msdyn_iompolicies", {
      method: "POST",
      body: JSON.stringify({ msdyn_name: "After" }),
    });
    await stop(second);
    const third = await start(dir);
    expect(await names(third)).toEqual(["After", "Committed"]);
  });

  it("lets one emulator at a time use a data directory", async () => {
    const dir = tempDir();
    await start(dir);
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(/in use by another emulator/);
  });

  it("keeps data in memory only without a data directory", async () => {
    const memory = await startEmulator();
    running.push(memory);
    await call(memory, "msdyn_iompolicies", { method: "POST", body: JSON.stringify({ msdyn_name: "M" }) });
    await stop(memory);
    const fresh = await startEmulator();
    running.push(fresh);
    expect(await names(fresh)).toEqual([]);
  });
});
