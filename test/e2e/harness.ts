// Runs Pulumi programs from dist/program/ on the real engine, in a throwaway project folder with its
// own file backend, so tests never touch the repository's stacks: `up`, `refresh` and `destroy` as
// the CLI commands a user runs, everything else through the Automation API.
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  engineEnv,
  locateEngine,
  missingEngineMessage,
  projectRoot,
  type Engine,
} from "../../src/engine/engine.js";

export interface EngineAvailability {
  engine?: Engine;
  /** Why the engine group cannot run here, when it cannot. */
  reason?: string;
}

/**
 * Finds the engine for the e2e group. With CI=true a missing engine is a failure, never a skip
 * (issue #2); on a developer machine the group is skipped with the reason printed.
 */
export function engineForTests(env: NodeJS.ProcessEnv = process.env, root = projectRoot): EngineAvailability {
  const unavailable = (reason: string): EngineAvailability => {
    if (env.CI === "true") throw new Error(`CI=true and ${reason}`);
    console.warn(`e2e: skipped: ${reason}`);
    return { reason };
  };
  const engine = locateEngine(env, root);
  if (!engine) return unavailable(missingEngineMessage);
  if (!existsSync(path.join(root, "dist", "program"))) {
    return unavailable("dist/ is not built: run `npm run build` (npm test builds first)");
  }
  return { engine };
}

/** What an engine run gives the tests: how it ended, and the changes its summary counts. */
export interface RunResult {
  summary: { result: "succeeded"; resourceChanges: Record<string, number> };
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** `--refresh` (for `up`). */
  refresh?: boolean;
}

export interface TestProject {
  dir: string;
  /** The environment the engine runs in (PATH, backend, passphrase, extras). */
  env: Record<string, string>;
  stack: Stack;
  command: PulumiCommand;
  /**
   * `pulumi up|refresh|destroy --yes --skip-preview` of the stack, as a user runs it. Rejects
   * with the command's output when it exits non-zero, as the Automation API does. Not the
   * Automation API's own methods: after an `up` it runs `stack output` twice and `stack history`,
   * after a refresh or destroy `stack history`, each loading the state again and deriving the
   * passphrase's key (a million rounds of PBKDF2): 1.2 s of CPU per `up` here, a fifth of it, that
   * no test needs. Previews still go through the Automation API (it runs nothing around them).
   */
  up(options?: RunOptions): Promise<RunResult>;
  refresh(): Promise<RunResult>;
  destroy(): Promise<RunResult>;
  dispose(): Promise<void>;
}

export interface TestProjectOptions {
  /** The stack's name; "test" by default. */
  stackName?: string;
  /** Files written into the project folder first (relative path -> content). */
  files?: Record<string, string>;
  /** Extra environment for the engine and the program. */
  env?: Record<string, string>;
}

/**
 * The CLI for each engine directory, found once per test file: `PulumiCommand.get` runs
 * `pulumi version` to check the CLI (0.3 s of CPU), and a file may create several projects.
 */
const commands = new Map<string, Promise<PulumiCommand>>();

function pulumiCommand(engine: Engine): Promise<PulumiCommand> {
  const root = path.dirname(engine.binDir);
  let command = commands.get(root);
  if (!command) {
    command = PulumiCommand.get({ root });
    // A failed check is not kept: the next project asks again, and fails with its own error.
    command.catch(() => commands.delete(root));
    commands.set(root, command);
  }
  return command;
}

/** A fresh project running dist/program/<program>.js, with one stack on a file backend. */
export async function createTestProject(
  engine: Engine,
  program: string,
  options: TestProjectOptions = {},
): Promise<TestProject> {
  const { stackName = "test", files = {}, env: extraEnv = {} } = options;
  const dir = mkdtempSync(path.join(tmpdir(), "iom-e2e-"));
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  }
  const backend = path.join(dir, "state");
  mkdirSync(backend);
  // The dynamic-provider plugin resolves @pulumi/pulumi from the project folder.
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "iom-e2e", private: true }));
  const main = path.join(projectRoot, "dist", "program", `${program}.js`);
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: iom-e2e-${program}\nruntime: nodejs\nmain: ${JSON.stringify(main)}\n`,
  );
  const command = await pulumiCommand(engine);
  const env = engineEnv(engine, {
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    // The provider plugin runs in this throwaway folder; the resource implementations are the
    // project's own build (src/resources/common/dynamic.ts).
    IOM_GITOPS_ROOT: projectRoot,
    ...extraEnv,
  });
  const stack = await LocalWorkspace.createStack(
    { stackName, workDir: dir },
    { pulumiCommand: command, envVars: env },
  );
  const run = (verb: "up" | "refresh" | "destroy", extra: string[] = []): Promise<RunResult> => {
    const events = path.join(dir, `events-${verb}-${Date.now()}.jsonl`);
    const args = [verb, "--yes", "--skip-preview", "--non-interactive", "--stack", stackName];
    return new Promise((resolve, reject) =>
      execFile(
        path.join(engine.binDir, "pulumi"),
        [...args, "--event-log", events, ...extra],
        // The workspace's variables at the time of the run, as the Automation API would use them
        // (a test may point the stack at another environment through them).
        // PULUMI_DEBUG_COMMANDS makes the CLI accept --event-log (the Automation API now listens
        // for events over gRPC instead); it adds commands and flags, and changes no behaviour.
        {
          cwd: dir,
          env: { ...process.env, ...stack.workspace.envVars, PULUMI_DEBUG_COMMANDS: "true" },
          maxBuffer: 64 * 1024 * 1024,
          // Killed before the e2e group's 300 s test timeout, so that a hung run ends with its output.
          timeout: 290_000,
          killSignal: "SIGKILL",
        },
        (error, stdout, stderr) => {
          // The engine's summary event holds the changes of the run (what `stack history` reports).
          const summary = (existsSync(events) ? readFileSync(events, "utf8") : "")
            .split("\n")
            .filter((line) => line.includes('"summaryEvent"'))
            .map((line) => JSON.parse(line) as { summaryEvent: { resourceChanges?: Record<string, number> } })
            .at(-1)?.summaryEvent;
          rmSync(events, { force: true });
          if (error)
            reject(
              new Error(
                `pulumi ${args.join(" ")} failed: ${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`,
              ),
            );
          else if (!summary)
            reject(new Error(`pulumi ${verb} wrote no summary event:\n${stdout}\n${stderr}`));
          else
            resolve({
              summary: { result: "succeeded", resourceChanges: summary.resourceChanges ?? {} },
              stdout,
              stderr,
            });
        },
      ),
    );
  };
  return {
    dir,
    env,
    stack,
    command,
    up: (options = {}) => run("up", options.refresh ? ["--refresh"] : []),
    refresh: () => run("refresh"),
    destroy: () => run("destroy"),
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The built `iom plan-summary`, with a preview's JSON on stdin, as the pull-request workflow pipes
 * it; in `cwd` (whose order cases it reads), the current directory by default.
 */
export function planSummary(
  input: string,
  options: { args?: string[]; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(projectRoot, "dist", "cli", "index.js"), "plan-summary", ...(options.args ?? [])],
      { cwd: options.cwd },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
