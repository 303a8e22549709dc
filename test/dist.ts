// Tests that run the real `iom` command run dist/, which scripts/run.sh builds once before any test
// (npm test, npm run test:contract, …). They check that it is fresh instead of building it again:
// tsc truncates and rewrites each file, so a build inside one test file would break another file
// running dist/ at the same time.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The sources whose build in dist/ is missing or older than they are. */
export function staleBuild(root = ROOT): string[] {
  return sources(path.join(root, "src"))
    .filter((file) => {
      const built = path
        .join(root, "dist", path.relative(path.join(root, "src"), file))
        .replace(/\.ts$/, ".js");
      return !existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs;
    })
    .map((file) => path.relative(root, file));
}

/** Throws, naming the first stale sources, when dist/ is not the build of src/. */
export function assertFreshBuild(): void {
  const stale = staleBuild();
  if (stale.length > 0)
    throw new Error(
      `dist/ is not built from the current sources (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? `, and ${stale.length - 3} more` : ""}): ` +
        "run `npm run build`, or the tests through npm (scripts/run.sh builds once before them)",
    );
}
