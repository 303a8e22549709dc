// Where the Pulumi engine is and the environment it runs in. The engine (the `pulumi` CLI and the
// Node.js language host) is provided by scripts/provision-engine.sh; this module only finds it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Engine {
  /** The directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
  binDir: string;
}

/** The project root: the folder holding package.json, two levels above this file in src/ and dist/. */
export const projectRoot = path.resolve(__dirname, "..", "..");

function hasEngine(dir: string): boolean {
  return existsSync(path.join(dir, "pulumi")) && existsSync(path.join(dir, "pulumi-language-nodejs"));
}

/**
 * Finds the engine: first on PATH, then where the last provisioning recorded it (.iom/engine-bin).
 * Returns undefined when there is none; callers say how to get one.
 */
export function locateEngine(env: NodeJS.ProcessEnv = process.env, root = projectRoot): Engine | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && hasEngine(dir)) return { binDir: dir };
  }
  const recorded = path.join(root, ".iom", "engine-bin");
  if (existsSync(recorded)) {
    const dir = readFileSync(recorded, "utf8").trim();
    if (hasEngine(dir)) return { binDir: dir };
  }
  return undefined;
}

/** The message for a missing engine, naming the command that provides one. */
export const missingEngineMessage =
  "the Pulumi engine was not found: run `npm test` or `npm run demo` once (they provision it), " +
  "or `bash scripts/provision-engine.sh` and put the directory it prints on PATH";

/**
 * The environment the engine runs in: the engine's directory and the Node.js running this process
 * first on PATH (the language host starts programs with the `node` it finds there, and Pulumi needs
 * Node 22+), no update checks.
 */
export function engineEnv(engine: Engine, extra: Record<string, string> = {}): Record<string, string> {
  const pathParts = [engine.binDir, path.dirname(process.execPath), process.env.PATH ?? ""];
  return {
    PATH: pathParts.join(path.delimiter),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...extra,
  };
}
