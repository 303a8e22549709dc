// What the engine figures share: the project's build (dist/) loaded into this process, the
// emulator started in process on a free port, and throwaway Pulumi projects driven through the
// `pulumi` CLI with their own file backend, each command timed from spawn to exit.
//
// The CLI rather than the Automation API: a figure is the wall time of the command a user runs,
// and the Automation API adds its own event-log tailing around it.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

import type * as EngineModule from "../../src/engine/engine.js";
import type * as EmulatorModule from "../../src/emulator/index.js";

/** The repository root (bench/lib/ is two levels below it). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `require` as the project's own modules see it (its node_modules). */
export const requireFromRoot = createRequire(path.join(ROOT, "package.json"));

/**
 * A module of the build, e.g. `dist("config/validate")`. The sources are CommonJS compiled by
 * tsc; this process runs as ESM with Node stripping the types, so they are required from dist/.
 */
export function dist<T>(relative: string): T {
  return requireFromRoot(path.join(ROOT, "dist", `${relative}.js`)) as T;
}

/** Progress goes to stderr, so that stdout holds the figures alone. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export type RunningEmulator = EmulatorModule.RunningEmulator;

/** The emulator in this process, in memory, on a free port of 127.0.0.1. */
export function startEmulator(options: EmulatorModule.EmulatorOptions = {}): Promise<RunningEmulator> {
  return dist<typeof EmulatorModule>("emulator/index").startEmulator({ ...options, port: 0 });
}

export interface Counters {
  total: number;
  byMethod: Record<string, number>;
  byRoute: Record<string, number>;
}

/** An administrative call to the emulator (`/_emulator/...`), with its token. */
export async function admin<T = unknown>(
  emulator: RunningEmulator,
  method: string,
  what: string,
  body?: unknown,
): Promise<T | undefined> {
  const response = await fetch(`${emulator.url}/_emulator/${what}`, {
    method,
    headers: {
      Authorization: `Bearer ${emulator.token}`,
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok)
    throw new Error(`${method} /_emulator/${what}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : ((await response.json()) as T);
}

export const counters = (emulator: RunningEmulator): Promise<Counters> =>
  admin<Counters>(emulator, "GET", "counters") as Promise<Counters>;

export const resetCounters = (emulator: RunningEmulator): Promise<unknown> =>
  admin(emulator, "DELETE", "counters");

export interface CommandResult {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  stdout: string;
  stderr: string;
}

export interface BenchProject {
  dir: string;
  /** Runs `pulumi <args>` for the project's one stack; a non-zero exit is an error with the output. */
  pulumi(args: readonly string[]): Promise<CommandResult>;
  /** The stack's exported state (`pulumi stack export`), as text. */
  exportState(): Promise<string>;
  dispose(): void;
}

export interface ProjectOptions {
  /** The program: an absolute path to a .js file (Pulumi.yaml `main`). */
  main: string;
  /** Files written into the project folder first (relative path -> content). */
  files?: Record<string, string>;
  /** Stack config set before anything runs (`iom:token` is stored as a secret). */
  config?: Record<string, string>;
  /** Extra environment for the engine, the program and the provider plugin. */
  env?: Record<string, string>;
}

/**
 * A fresh project folder with one stack `bench` on a file backend inside it. The dynamic-provider
 * plugin resolves @pulumi/pulumi from the project folder (node_modules is linked), and loads the
 * resource implementations from this repository's dist/ (IOM_GITOPS_ROOT).
 */
export async function createProject(name: string, options: ProjectOptions): Promise<BenchProject> {
  const { locateEngine, engineEnv, missingEngineMessage } = dist<typeof EngineModule>("engine/engine");
  const engine = locateEngine();
  if (!engine) throw new Error(missingEngineMessage);
  const dir = mkdtempSync(path.join(tmpdir(), `iom-bench-${name}-`));
  for (const [relative, content] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  }
  mkdirSync(path.join(dir, "state"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `iom-bench-${name}`, private: true }));
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: iom-bench-${name}\nruntime: nodejs\nmain: ${JSON.stringify(options.main)}\n`,
  );
  const env = {
    ...process.env,
    ...engineEnv(engine, {
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
      PULUMI_HOME: path.join(dir, "pulumi-home"),
      IOM_GITOPS_ROOT: ROOT,
      ...(options.env ?? {}),
    }),
  };

  const pulumi = (args: readonly string[]): Promise<CommandResult> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn("pulumi", [...args, "--stack", "bench", "--non-interactive"], {
        cwd: dir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        const ms = performance.now() - started;
        if (code === 0) resolve({ ms, stdout, stderr });
        else
          reject(
            new Error(
              `pulumi ${args.join(" ")} (in ${dir}) exited with ${code}:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`,
            ),
          );
      });
    });

  // `stack init` takes no --stack: it names the stack itself.
  await new Promise<void>((resolve, reject) => {
    const child = spawn("pulumi", ["stack", "init", "bench", "--non-interactive"], { cwd: dir, env });
    let output = "";
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`pulumi stack init: exit ${code}: ${output}`)),
    );
  });
  for (const [key, value] of Object.entries(options.config ?? {}))
    await pulumi(["config", "set", ...(key === "iom:token" ? ["--secret"] : []), key, value]);

  return {
    dir,
    pulumi,
    async exportState() {
      return (await pulumi(["stack", "export"])).stdout;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
