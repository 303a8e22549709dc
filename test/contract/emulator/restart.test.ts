// The emulator as a process that can go away: restarted (crashed or stopped) in the middle of a run
// of the resource kinds, the run rides through it or fails with a clear error, every write the
// emulator acknowledged is still there, what it serves after a restart is what it stored, and the
// run, repeated, converges. And emulators started at the same instant on one data directory:
// exactly one wins, the others name it, whether the directory is new or holds a lock left by a
// killed emulator.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface, type Interface } from "node:readline";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { DataverseClient } from "../../../src/dataverse/client.js";
import { DataverseError } from "../../../src/dataverse/errors.js";
import { clearMetadataCache } from "../../../src/dataverse/metadata.js";
import { columns, entitySetNames, policyVersionState } from "../../../src/iom/facts.js";
import { PartialApplyError } from "../../../src/resources/runtime/kind.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { activatedFinOps, articlePolicies } from "../resources/setup.js";

const root = path.resolve(__dirname, "../../..");
const bin = path.join(root, "bin", "iom");
const TOKEN = "restart-token";
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

beforeAll(() => {
  // The emulators run as processes from dist/ (npm test builds it first): an old build would test
  // old code, so that is a failure, not a skip.
  // Modules only: the metadata file (src/emulator/data) is read from src/ by the build too.
  for (const file of fs.readdirSync(path.join(root, "src/emulator")).filter((f) => f.endsWith(".ts"))) {
    const built = path.join(root, "dist/emulator", file.replace(/\.ts$/, ".js"));
    const source = path.join(root, "src/emulator", file);
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(source).mtimeMs)
      throw new Error(`dist/ is older than src/emulator/${file}: run \`npm run build\` first`);
  }
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-restart-"));
  dirs.push(dir);
  return dir;
}

interface Emulator {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** `iom emulator` as a process; resolves when it listens, rejects with its stderr when it exits first. */
function startCli(dataDir: string, port = 0): Promise<Emulator> {
  const child = spawn(bin, ["emulator", "--port", String(port), "--data", dataDir, "--token", TOKEN], {
    cwd: root,
  });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stderr })),
  );
  return new Promise((resolve, reject) => {
    void exited.then(({ code }) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      if (m) resolve({ child, url: m[1] as string, port: Number(m[2]), exited });
      else reject(new Error(`unexpected first line '${line}'`));
    });
  });
}

async function stop(emulator: Emulator, signal: NodeJS.Signals): Promise<void> {
  emulator.child.kill(signal);
  const { code } = await emulator.exited;
  // SIGTERM is a clean stop (exit 0); SIGKILL leaves no exit code.
  expect(code).toBe(signal === "SIGTERM" ? 0 : null);
}

const get = async (url: string, p: string): Promise<Response> =>
  fetch(`${url}/api/data/v9.2/${p}`, { headers: { Authorization: `Bearer ${TOKEN}` } });

async function rows(url: string, set: string): Promise<Array<Record<string, unknown>>> {
  const response = await get(url, set);
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: Array<Record<string, unknown>> }).value;
}

/** Every IOM row, ordered, to compare what an emulator serves before and after a restart. */
async function iomRows(url: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const set of Object.values(entitySetNames))
    out[set] = (await rows(url, set)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return out;
}

describe("the emulator restarted in the middle of a run", () => {
  // After the 2nd write the provider exists without its connection; after the 5th the connection
  // and activation are done and the first policy's change set is in; after the 7th one policy is
  // published and the other is being written. Crash (SIGKILL) and clean stop (SIGTERM) both.
  it.each([
    { after: 2, signal: "SIGKILL" as const },
    { after: 5, signal: "SIGTERM" as const },
    { after: 7, signal: "SIGKILL" as const },
  ])(
    "after $after writes ($signal): the run recovers or fails clearly, the store keeps every acknowledged write, and the run again converges",
    async ({ after, signal }) => {
      clearMetadataCache();
      const dir = tempDir();
      let emulator = await startCli(dir);
      const acknowledged: string[] = [];
      let writes = 0;
      let finished = false;
      let restartedMidRun: boolean | undefined;
      let restart: Promise<void> | undefined;
      // Counts the writes the emulator answered with success and, at the chosen one, restarts the
      // emulator on the same port and data directory while the run goes on.
      let refused = 0;
      const watchingFetch: typeof fetch = async (input, init) => {
        let response: Response;
        try {
          response = await fetch(input, init);
        } catch (error) {
          refused++;
          throw error;
        }
        if ((init?.method ?? "GET") !== "GET" && response.ok) {
          writes++;
          const entity = response.headers.get("odata-entityid");
          if (entity) acknowledged.push(entity.slice(entity.indexOf("/api/data/v9.2/") + 15));
          if (writes === after) {
            restartedMidRun = !finished;
            const old = emulator;
            restart = (async () => {
              await stop(old, signal);
              emulator = await startCli(dir, old.port);
            })();
          }
        }
        return response;
      };
      const client = new DataverseClient(
        {
          environmentUrl: emulator.url,
          auth: { kind: "static-token", token: TOKEN },
          // Real waits, long enough in all for a restart (about half a second here).
          retry: { maxAttempts: 6, maxElapsedMs: 30_000, baseDelayMs: 250, maxDelayMs: 2_000 },
        },
        { fetch: watchingFetch },
      );
      const session: Session = {
        client,
        organizationId: (await client.whoAmI()).OrganizationId.toLowerCase(),
        deleteAdopted: false,
      };
      const run = async (): Promise<void> => {
        await activatedFinOps(session);
        await articlePolicies(session);
      };

      const outcome = await run().then(
        () => "succeeded" as const,
        (error: unknown) => error,
      );
      finished = true;
      expect(restartedMidRun, "the restart happened while the run was still going").toBe(true);
      // And the run met it: some requests found no emulator to answer them.
      expect(refused).toBeGreaterThan(0);
      await restart;
      if (outcome !== "succeeded") {
        // Failing is allowed, but only clearly: as the client's typed "unavailable", which says what
        // to do, or, when the restart outlasts the retries between a policy's create and its
        // publish, as the kind's partial apply, which says what was done and carries that error's
        // words (the engine keeps the policy, and the next run publishes it, as below).
        if (outcome instanceof PartialApplyError) {
          expect(outcome.message).toMatch(/^the policy was created but not published: /);
          expect(outcome.message).toMatch(/connection failed|was not retried/);
        } else {
          expect(outcome).toBeInstanceOf(DataverseError);
          expect((outcome as DataverseError).code).toBe("unavailable");
          expect((outcome as DataverseError).message).toMatch(/connection failed|was not retried/);
        }
      }

      // Every create the emulator acknowledged survived the restart.
      for (const entity of acknowledged) expect((await get(emulator.url, entity)).status, entity).toBe(200);
      // What a restarted emulator serves is what it had stored: the same again after a clean restart.
      const served = await iomRows(emulator.url);
      await stop(emulator, "SIGTERM");
      emulator = await startCli(dir, emulator.port);
      expect(await iomRows(emulator.url)).toEqual(served);

      // The run again, undisturbed: it finishes what was left and duplicates nothing.
      await run();
      const url = emulator.url;
      expect(await rows(url, entitySetNames.msdyn_iomprovider)).toHaveLength(1);
      expect(await rows(url, entitySetNames.msdyn_iomproviderconnectionreference)).toHaveLength(1);
      const policies = (await rows(url, entitySetNames.msdyn_iompolicy)).filter(
        (p) => p[columns.policy.versionState] === policyVersionState.current.value,
      );
      expect(policies.map((p) => p.msdyn_name).sort()).toEqual([
        "FinOps order product parameters",
        "FinOps sales order parameters",
      ]);
      const rules = (await rows(url, entitySetNames.msdyn_iomrule)).filter((r) =>
        policies.some((p) => p.msdyn_iompolicyid === r[`_${columns.rule.policy}_value`]),
      );
      expect(rules).toHaveLength(2);
      await stop(emulator, "SIGTERM");
    },
  );
});

/**
 * Emulator processes that each try the same data directory when told "go <dir>", answer "win
 * <pid>" or "lose <message>", and close the emulator they won on "stop". One process serves every
 * round, loaded and waiting before the signal, so the attempts start within a millisecond or so of
 * each other (starting processes takes far longer than that).
 */
const RACER = `
const { startEmulator } = require(process.argv[1]);
const lines = require("node:readline").createInterface({ input: process.stdin });
let won;
lines.on("line", async (line) => {
  if (line.startsWith("go ")) {
    try {
      won = await startEmulator({ dataDir: line.slice(3) });
      process.stdout.write("win " + process.pid + "\\n");
    } catch (error) {
      process.stdout.write("lose " + error.name + ": " + error.message + "\\n");
    }
  } else if (line === "stop") {
    await won?.close();
    won = undefined;
    process.stdout.write("stopped\\n");
  }
});
process.stdout.write("ready\\n");
`;

interface Racer {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
}

function racer(): Racer {
  const child = spawn(process.execPath, ["-e", RACER, path.join(root, "dist/emulator/index.js")]);
  children.push(child);
  const lines: Interface = createInterface({ input: child.stdout });
  const queued: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on("line", (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else queued.push(line);
  });
  return {
    child,
    next: () =>
      queued.length > 0
        ? Promise.resolve(queued.shift() as string)
        : new Promise((resolve) => waiting.push(resolve)),
  };
}

/** A pid that was just in use and no longer is: what a killed emulator leaves in its lock file. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid as number;
}

describe("emulators started at the same instant on one data directory", () => {
  it("exactly one of four wins, round after round, on a new directory and over a stale lock", async () => {
    const racers = [racer(), racer(), racer(), racer()];
    for (const r of racers) expect(await r.next()).toBe("ready");
    const dead = await deadPid();
    // The stale rounds are where a single lock file fails: two processes that both judged the
    // dead owner's lock stale could each delete the other's fresh lock and both run.
    for (let round = 0; round < 24; round++) {
      const dir = tempDir();
      // A lock left by a killed emulator, as this version names it and as earlier versions did.
      if (round % 3 > 0)
        fs.writeFileSync(
          path.join(dir, ["", "emulator.lock.1", "emulator.lock"][round % 3] as string),
          `${dead}\n`,
        );
      for (const r of racers) r.child.stdin.write(`go ${dir}\n`);
      const answers = await Promise.all(racers.map((r) => r.next()));
      const winners = racers.filter((_, i) => answers[i]?.startsWith("win "));
      expect(winners, `round ${round}: ${answers.join(" | ")}`).toHaveLength(1);
      const winner = winners[0] as Racer;
      // The others name the winner: they saw its lock, not a leftover.
      for (const answer of answers.filter((a) => !a.startsWith("win ")))
        expect(answer).toBe(
          `lose DataDirLockedError: data directory ${dir} is in use by another emulator (pid ${winner.child.pid})`,
        );
      winner.child.stdin.write("stop\n");
      expect(await winner.next()).toBe("stopped");
    }
    for (const r of racers) r.child.stdin.end();
  });

  it("`iom emulator` twice at once: one listens, the other exits 1 naming it, also after a kill -9", async () => {
    const dir = tempDir();
    for (const leftover of ["none", "killed"]) {
      if (leftover === "killed") {
        // A real stale lock: an emulator killed without releasing its directory.
        const killed = await startCli(dir);
        await stop(killed, "SIGKILL");
      }
      const starts = [startCli(dir), startCli(dir)];
      const results = await Promise.allSettled(starts);
      const won = results.filter((r): r is PromiseFulfilledResult<Emulator> => r.status === "fulfilled");
      expect(won, `with ${leftover} before`).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      const winner = (won[0] as PromiseFulfilledResult<Emulator>).value;
      expect(String(lost?.reason)).toMatch(
        new RegExp(
          `exited with 1 before listening: iom: data directory .* is in use by another emulator \\(pid ${winner.child.pid}\\)`,
        ),
      );
      // The winner serves the directory.
      expect((await get(winner.url, "WhoAmI")).status).toBe(200);
      await stop(winner, "SIGTERM");
    }
  });
});
