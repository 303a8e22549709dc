// Where the Pulumi engine is and the environment it runs in. The engine (the `pulumi` CLI and the
// Node.js language host) is provided by scripts/provision-engine.sh; this module only finds it.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
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
 * Where the Node.js processes the engine starts keep their compiled code (NODE_COMPILE_CACHE):
 * beside the engine's own cache (scripts/provision-engine.sh), per machine. A user's own
 * NODE_COMPILE_CACHE wins, and NODE_DISABLE_COMPILE_CACHE turns it off.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache");
  return path.join(cacheHome, "iom-gitops", "node-compile-cache");
}

/**
 * The environment the engine runs in: the engine's directory and the Node.js running this process
 * first on PATH (the language host starts programs with the `node` it finds there, and Pulumi needs
 * Node 22+), no update checks, and Node's on-disk compile cache. Every engine command starts two
 * Node.js processes (the language host's program and the dynamic provider plugin), and each
 * loads `@pulumi/pulumi` and our build before doing anything: 0.93 s of CPU here without the cache,
 * 0.78 s with it (means of ten loads each, 2026-12-03), of a preview's 4.8 s. Node checks each
 * cached entry against the source's hash, so a changed file is compiled afresh, never served stale.
 */
export function engineEnv(engine: Engine, extra: Record<string, string> = {}): Record<string, string> {
  const pathParts = [engine.binDir, path.dirname(process.execPath), process.env.PATH ?? ""];
  const compileCache = compileCacheDir();
  return {
    PATH: pathParts.join(path.delimiter),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...(compileCache ? { NODE_COMPILE_CACHE: compileCache } : {}),
    ...extra,
  };
}
