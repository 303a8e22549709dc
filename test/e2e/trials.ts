// What the fault-tolerance e2e tests share: seeded random choices, `pulumi up` run as a process
// that can be watched and killed, and a fast way back to an empty stack and environment between
// trials (far cheaper than a destroy, and the same starting point).
import { execFile, spawn } from "node:child_process";
import { readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestEnvironment } from "./environment.js";
import type { TestProject } from "./harness.js";

/** mulberry32: the same seed gives the same trials on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MUTATING = ["POST", "PATCH", "PUT", "DELETE"];

/** Mutating requests the emulator has counted since its counters were last reset. */
export async function writesCounted(environment: TestEnvironment): Promise<number> {
  const { byMethod } = await environment.counters();
  return MUTATING.reduce((n, method) => n + (byMethod[method] ?? 0), 0);
}

/**
 * Back to the seeded environment and a stack that holds nothing, as before the first `up`: the
 * emulator's reset, and every resource dropped from the state (one engine command; a destroy
 * would take several seconds to remove what the reset removes at once).
 */
export async function startOver(project: TestProject, environment: TestEnvironment): Promise<void> {
  const reset = await environment.request("POST", "/_emulator/reset");
  if (reset.status !== 204) throw new Error(`resetting the emulator answered ${reset.status}`);
  await run(project, ["state", "delete", "--all", "--yes", "--stack", "test"]);
}

function run(project: TestProject, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      "pulumi",
      args,
      { cwd: project.dir, env: { ...process.env, ...project.env } },
      (error, _out, stderr) =>
        error ? reject(new Error(`pulumi ${args.join(" ")}: ${stderr || error.message}`)) : resolve(),
    ),
  );
}

/** When to kill a run: once the emulator has counted this many writes, or this long after the first. */
export type KillPoint = { afterWrites: number } | { msAfterFirstWrite: number };

export interface WatchedRun {
  /** "killed": it was still running when killed; "finished": it exited on its own first. */
  outcome: "killed" | "finished";
  exitCode: number | null;
  /** Writes the emulator had counted when the run ended or was killed. */
  writes: number;
  /** Milliseconds from the first write seen to the last new one seen (polled every few ms). */
  writeSpanMs: number;
}

/** The processes below `root` (Linux: read from /proc), children before their own children. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it exited while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Kills `root` and everything below it with SIGKILL, as a crash of the machine or a cancelled CI
 * job (which ends the job's whole process tree) would. Killing `pulumi`'s process group is not
 * enough: the engine starts the language host and the provider plugin in process groups of their
 * own, which outlived every trial and piled up. The tree is stopped first (SIGSTOP), so that no
 * process starts a new child between being listed and being killed, and nothing runs after the
 * kill point.
 */
function killTree(root: number): void {
  const stopped = new Set<number>();
  for (let fresh = [root]; fresh.length > 0;) {
    for (const pid of fresh) {
      try {
        process.kill(pid, "SIGSTOP");
      } catch {
        // It exited already.
      }
      stopped.add(pid);
    }
    fresh = descendants(root).filter((pid) => !stopped.has(pid));
  }
  for (const pid of stopped) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // It exited already.
    }
  }
}

/**
 * Runs `pulumi up` in the project as a process of its own and, at `kill`, kills it with
 * everything it started (engine, language host, provider plugin) with SIGKILL, as a crash or a
 * cancelled CI job would. Without `kill` it watches the run to its end.
 */
export async function watchedUp(
  project: TestProject,
  environment: TestEnvironment,
  kill?: KillPoint,
): Promise<WatchedRun> {
  await environment.resetCounters();
  const child = spawn("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview", "--stack", "test"], {
    cwd: project.dir,
    env: { ...process.env, ...project.env },
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const killGroup = (): void => killTree(child.pid as number);
  let first: number | undefined;
  let last: number | undefined;
  let seen = 0;
  const started = Date.now();
  while (child.exitCode === null && child.signalCode === null) {
    if (Date.now() - started > 180_000) {
      killGroup();
      throw new Error("pulumi up ran for more than 3 minutes");
    }
    const writes = await writesCounted(environment);
    if (writes > seen) {
      seen = writes;
      last = Date.now();
      first ??= last;
    }
    if (
      kill &&
      (("afterWrites" in kill && writes >= kill.afterWrites) ||
        ("msAfterFirstWrite" in kill && first !== undefined && Date.now() - first >= kill.msAfterFirstWrite))
    ) {
      killGroup();
      break;
    }
    await sleep(5);
  }
  const { code, signal } = await exited;
  return {
    outcome: signal === "SIGKILL" ? "killed" : "finished",
    exitCode: code,
    writes: await writesCounted(environment),
    writeSpanMs: first !== undefined && last !== undefined ? last - first : 0,
  };
}

/**
 * The file backend's step of the recovery (docs/recovery.md): Pulumi's file backend writes a small
 * `.attrs` file beside each state file it saves, in place, so a run killed at that instant leaves it
 * empty, and every later command fails with "failed to load checkpoint: EOF". A missing one is
 * read as default attributes, so the empty ones are removed. Returns the files removed.
 */
export function removeEmptyAttrs(dir: string): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const file = path.join(dir, entry);
    if (file.endsWith(".attrs") && statSync(file).isFile() && statSync(file).size === 0) {
      rmSync(file);
      removed.push(entry);
    }
  }
  return removed;
}
