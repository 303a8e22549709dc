// What the fault-tolerance e2e tests share: `pulumi up` run as a process that can be watched and
// killed with everything it started, the engine's commands run as a user runs them, the stack's
// state read and put back in the file backend, and a way back to an empty stack and environment
// between trials (far cheaper than a destroy, and the same starting point).
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestEnvironment } from "./environment.js";
import type { TestProject } from "./harness.js";

/**
 * Emulator fault rules (PUT /_emulator/faults) that hold every write (POST, PATCH, PUT, DELETE;
 * a `$batch` is one) for `latencyMs` before the emulator applies it, or drops its connection
 * instead with `drop`.
 */
export function holdEveryWrite(latencyMs: number, drop = false): { rules: object[] } {
  return {
    rules: ["POST", "PATCH", "PUT", "DELETE"].map((method) => ({
      method,
      latencyMs,
      ...(drop ? { drop } : {}),
    })),
  };
}

/**
 * Back to the seeded environment and a stack that holds nothing, as before the first `up`: the
 * emulator's reset, and every resource dropped from the state (one engine command; a destroy
 * would take several seconds to remove what the reset removes at once).
 */
export async function startOver(project: TestProject, environment: TestEnvironment): Promise<void> {
  const reset = await environment.request("POST", "/_emulator/reset");
  if (reset.status !== 204) throw new Error(`resetting the emulator answered ${reset.status}`);
  await pulumi(project, ["state", "delete", "--all", "--yes"]);
}

/**
 * Runs `pulumi <args> --stack test` in the project, as a user runs it in a terminal (one process,
 * none of the Automation API's extra commands around it); rejects with the end of its output when
 * it exits with an error.
 */
export function pulumi(project: TestProject, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      "pulumi",
      [...args, "--stack", "test"],
      { cwd: project.dir, env: { ...process.env, ...project.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`pulumi ${args.join(" ")}: ${`${stdout}\n${stderr}`.trim().slice(-3000)}`))
          : resolve(stdout),
    ),
  );
}

/** The parts of a stack's state (a checkpoint's `latest`, what `pulumi stack export` prints) tests read. */
export interface Deployment {
  resources?: Array<{ urn: string }>;
  pending_operations?: Array<{ type: string; resource: { urn: string } }>;
}

/** The URNs of the operations the state has pending ("creating", say), in its order. */
export function pendingUrns(deployment: Deployment): string[] {
  return (deployment.pending_operations ?? []).map((op) => op.resource.urn);
}

/** The file backend's checkpoint of the project's stack `test`: `<backend>/.pulumi/stacks/<project>/test.json`. */
function checkpointFile(project: TestProject): string {
  const stacks = path.join(project.dir, "state", ".pulumi", "stacks");
  for (const name of readdirSync(stacks)) {
    const file = path.join(stacks, name, "test.json");
    if (existsSync(file)) return file;
  }
  throw new Error(`no checkpoint of the stack 'test' under ${stacks}`);
}

/**
 * The stack's state as the file backend holds it, read from its checkpoint file (what `pulumi
 * stack export` prints, without starting the engine). The backend writes the file whole (a
 * temporary file renamed into place), so it can be read at any moment, a kill's included.
 */
export function readDeployment(project: TestProject): Deployment {
  const checkpoint = JSON.parse(readFileSync(checkpointFile(project), "utf8")) as {
    checkpoint?: { latest?: Deployment | null };
  };
  return checkpoint.checkpoint?.latest ?? {};
}

/** The URNs the stack records, sorted. */
export function recordedUrns(deployment: Deployment): string[] {
  return (deployment.resources ?? []).map((r) => r.urn).sort();
}

/** A copy of the stack's checkpoint file and its attributes file, to put back with restoreStackState. */
export interface SavedStackState {
  file: string;
  content: Buffer;
  attrs: Buffer | undefined;
}

export function saveStackState(project: TestProject): SavedStackState {
  const file = checkpointFile(project);
  const attrs = `${file}.attrs`;
  return { file, content: readFileSync(file), attrs: existsSync(attrs) ? readFileSync(attrs) : undefined };
}

/**
 * Puts the saved checkpoint back, as the file backend had written it, and removes every lock: the
 * stack is as it was when saved, without an engine command (a trial that failed half-way may have
 * left its killed run's lock).
 */
export function restoreStackState(project: TestProject, saved: SavedStackState): void {
  writeFileSync(saved.file, saved.content);
  if (saved.attrs) writeFileSync(`${saved.file}.attrs`, saved.attrs);
  else rmSync(`${saved.file}.attrs`, { force: true });
  rmSync(path.join(project.dir, "state", ".pulumi", "locks"), { recursive: true, force: true });
}

export interface WatchedRun {
  /** "killed": it was still running when killed; "finished": it exited on its own first. */
  outcome: "killed" | "finished";
  exitCode: number | null;
  /** The end of what the run printed (stdout and stderr), for messages. */
  output: string;
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
 * kill point. Synchronous from start to end: nothing else in this process (an emulator's timer,
 * say) runs in between.
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

export interface WatchOptions {
  /** More arguments of `pulumi up` (`--parallel 1`, say). */
  args?: string[];
  /**
   * Asked every few milliseconds while the run goes on; once it answers true, the run is killed
   * with everything it started (engine, language host, provider plugin), with SIGKILL, as a crash
   * or a cancelled CI job would. Without it the run is watched to its end.
   */
  killWhen?: () => boolean;
}

/** Runs `pulumi up` in the project as a process of its own, and kills it when `killWhen` says so. */
export async function watchedUp(project: TestProject, options: WatchOptions = {}): Promise<WatchedRun> {
  const child = spawn(
    "pulumi",
    ["up", "--yes", "--non-interactive", "--skip-preview", "--stack", "test", ...(options.args ?? [])],
    {
      cwd: project.dir,
      env: { ...process.env, ...project.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-3000);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const started = Date.now();
  while (child.exitCode === null && child.signalCode === null) {
    if (Date.now() - started > 180_000) {
      killTree(child.pid as number);
      throw new Error(`pulumi up ran for more than 3 minutes: ${output}`);
    }
    if (options.killWhen?.()) {
      killTree(child.pid as number);
      break;
    }
    await sleep(5);
  }
  const { code, signal } = await exited;
  return { outcome: signal === "SIGKILL" ? "killed" : "finished", exitCode: code, output };
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
