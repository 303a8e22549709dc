// `iom validate` end to end, in process: exit codes, and the output of every format pinned by
// golden files. Regenerate the goldens with UPDATE_GOLDEN=1 after an intended change.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/index.js";
import { runValidate } from "../../../src/cli/commands/validate.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { expectGolden } from "../../golden.js";

const ROOT = path.resolve(__dirname, "../../..");
const CORPUS = path.join(ROOT, "test/fixtures/bad-config");
const GOLDEN = path.join(__dirname, "golden");

// A small scenario that touches every kind of location: a YAML error, a schema error, a filter
// error inside a folded string, a dangling reference and a warning.
const SCENARIO = [
  "syntax-unclosed-flow.iom.yaml",
  "unknown-provider-key.iom.yaml",
  "filter-folded-syntax.iom.yaml",
  "filter-article-lines-as-written.iom.yaml",
  "dangling-step-action.iom.yaml",
  "lookup-greater-than.policy.yaml",
];

async function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runValidate(args, { cwd, write: (t) => (out += t) });
  return { code, out };
}

function golden(name: string, actual: string): void {
  expectGolden(GOLDEN, name, actual);
}

describe("iom validate", () => {
  it("exits 1 on the whole bad-file corpus through the command line, with a finding for every file and nothing on stderr", async () => {
    let out = "";
    let err = "";
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    const cwd = process.cwd();
    try {
      process.chdir(ROOT);
      expect(await main(["validate", "test/fixtures/bad-config", "--format", "json"])).toBe(1);
    } finally {
      process.chdir(cwd);
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(err).toBe("");
    const report = JSON.parse(out) as { valid: boolean; findings: Array<{ file: string; line: number }> };
    expect(report.valid).toBe(false);
    const withFindings = new Set(report.findings.map((f) => path.basename(f.file)));
    // A directory is searched for stack and policy files; other files count only when named.
    const searched = readdirSync(CORPUS).filter((f) => /\.(iom|policy)\.yaml$/.test(f));
    expect(searched.length).toBeGreaterThanOrEqual(40);
    for (const file of searched) expect(withFindings, file).toContain(file);
  });

  it("exits 0 on the example stacks when given no paths", async () => {
    const { code, out } = await run([], ROOT);
    expect(code).toBe(0);
    expect(out).toBe("ok: 4 files valid\n");
  });

  it.each(["text", "json", "sarif", "github"])("pins the %s output of a bad scenario", async (format) => {
    const { code, out } = await run([...SCENARIO, "--format", format], CORPUS);
    expect(code).toBe(1);
    golden(
      `scenario.${format === "text" ? "txt" : format === "github" ? "github.txt" : format === "sarif" ? "sarif.json" : "json"}`,
      out,
    );
  });

  it("emits SARIF that validates against the SARIF 2.1.0 subset schema", async () => {
    const { out } = await run([...SCENARIO, "--format", "sarif"], CORPUS);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(GOLDEN, "sarif-2.1.0-minimal.schema.json"), "utf8")),
    );
    expect(validate(JSON.parse(out)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("emits one well-formed GitHub annotation per finding", async () => {
    const { out } = await run([...SCENARIO, "--format", "github"], CORPUS);
    const lines = out.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines)
      expect(line).toMatch(
        /^::(error|warning) file=[^,]+,line=\d+,col=\d+(,endLine=\d+,endColumn=\d+)?,title=[a-z-]+::\S/,
      );
  });

  it("sorts findings by file and line and reports all of them at once", async () => {
    const { out } = await run([...SCENARIO, "--format", "json"], CORPUS);
    const findings = (JSON.parse(out) as { findings: Array<{ file: string; line: number }> }).findings;
    const keys = findings.map((f) => `${f.file}:${String(f.line).padStart(6, "0")}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(findings.map((f) => f.file)).size).toBe(SCENARIO.length);
  });

  it.each<[string, string[], RegExp]>([
    ["unknown format", ["--format", "xml"], /unknown format 'xml'/],
    ["unknown flag", ["--verbose"], /Unknown option '--verbose'/],
    ["missing path", ["does-not-exist.iom.yaml"], /no such file or directory/],
  ])("throws a usage error (exit 2) on %s", async (_label, args, message) => {
    await expect(run(args, ROOT)).rejects.toThrow(UsageError);
    await expect(run(args, ROOT)).rejects.toThrow(message);
  });

  it("throws a usage error when there are no paths and no stacks/ directory", async () => {
    await expect(run([], CORPUS)).rejects.toThrow(/no stacks\/ directory/);
  });
});
