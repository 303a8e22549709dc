// The suite stays clean and cannot hang. Nothing hangs: every synchronous child process a test or a bench script starts
// has a timeout, so a regression that blocks (a server that never answers, a prompt) fails the
// test instead of holding its worker until CI's own limit.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const CALL = /\b(execFileSync|spawnSync|execSync)\(/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : files(full);
    return /\.(ts|mts)$/.test(entry.name) ? [full] : [];
  });
}

/** The text of the call that starts at `open` (the index of its opening parenthesis). */
function callText(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === "(") depth++;
    else if (source[i] === ")" && --depth === 0) return source.slice(open, i + 1);
  }
  return source.slice(open);
}

/** Every synchronous child-process call without a timeout, as "file:line". */
function callsWithoutTimeout(file: string, source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(CALL)) {
    const start = match.index;
    const line = source.slice(source.lastIndexOf("\n", start) + 1, source.indexOf("\n", start));
    if (/^\s*(import|\/\/|\*)/.test(line)) continue;
    const text = callText(source, start + match[0].length - 1);
    if (!/\btimeout\b/.test(text)) found.push(`${file}:${source.slice(0, start).split("\n").length}`);
  }
  return found;
}

describe("synchronous child processes in tests and benches", () => {
  it("all have a timeout", () => {
    const missing = [...files(path.join(ROOT, "test")), ...files(path.join(ROOT, "bench"))]
      .filter((f) => f !== __filename) // its own sample call below
      .flatMap((f) => callsWithoutTimeout(path.relative(ROOT, f), readFileSync(f, "utf8")));
    expect(missing).toEqual([]);
  });

  it("are found wherever they are written", () => {
    const source = [
      'import { execFileSync } from "node:child_process";',
      'execFileSync("tsc", ["-p", "."], { stdio: "pipe" });',
      "spawnSync(bin, [",
      "  '--x',",
      "], { timeout: 5_000 });",
    ].join("\n");
    expect(callsWithoutTimeout("x.ts", source)).toEqual(["x.ts:2"]);
  });
});

describe("temporary folders of tests", () => {
  it("are removed by every file that makes them (tempDir + removeTempDirs, or rmSync)", () => {
    const leaky = [...files(path.join(ROOT, "test"))]
      .filter((f) => f !== __filename)
      .filter((f) => {
        const source = readFileSync(f, "utf8");
        const makes = /\bmkdtempSync\(|\btempDir\(/.test(source);
        return makes && !/\brmSync\(|\brm\(|\bremoveTempDirs\b/.test(source);
      })
      .map((f) => path.relative(ROOT, f));
    expect(leaky).toEqual([]);
  });
});
