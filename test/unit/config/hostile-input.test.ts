// Files built to hurt the validator: aliases that nest or repeat until a few hundred bytes stand
// for billions of values, files far larger than any configuration (checked before they are read),
// paths that are not files, and filters nested or chained past what a recursive parser survives.
// Each must end in one located finding, quickly, without the validator walking what the file
// stands for. The one-second bounds are safety nets for cases that would otherwise run for hours
// (a 9^30 expansion), not measurements.
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync, ftruncateSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../temp.js";
import { MAX_FILTER_DEPTH, MAX_FILTER_OPERATORS } from "../../../src/odata/limits.js";
import type { Finding } from "../../../src/config/findings.js";
import { validatePaths } from "../../../src/config/validate.js";
import {
  ALIAS_EXPANSION_ALLOWANCE,
  MAX_ALIAS_EXPANSION,
  MAX_FILE_BYTES,
  expandedWeight,
  loadYamlText,
} from "../../../src/config/yaml-source.js";

afterEach(removeTempDirs);

const ROOT = path.resolve(__dirname, "../../..");
// A safety net against a hang or an exponential blow-up, not a speed target (bench/ measures
// speed): generous, so that a loaded two-core machine never trips it. What bounds the work is
// shown by counting it (expandedWeight, the findings' counts).
const SAFETY_NET_MS = 15_000;

async function validateText(
  name: string,
  text: string | Buffer,
): Promise<{ findings: Finding[]; ms: number }> {
  const dir = tempDir("iom-hostile-");
  writeFileSync(path.join(dir, name), text);
  const start = performance.now();
  const result = await validatePaths([name], { cwd: dir });
  return { findings: result.findings, ms: performance.now() - start };
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`'${needle}' not in text`);
  return text.slice(0, index).split("\n").length;
}

/** A policy whose rule conditions nest: each level's group holds `fan` aliases of the level below. */
function nestedConditionBomb(levels: number, fan = 9): string {
  let text =
    "version: 1\npolicies:\n  - name: P\n    type: execution\n    criticality: critical\n" +
    "    entity: order\n    published: true\n    rules:\n" +
    "      - name: R0\n        when: &c0 {field: Company, operator: contains data}\n";
  for (let i = 1; i < levels; i++) {
    const group = Array.from({ length: fan }, () => `*c${i - 1}`).join(", ");
    text += `      - name: R${i}\n        when: &c${i} {and: [${group}]}\n`;
  }
  return text;
}

beforeAll(async () => {
  // Compile the schemas once, so that no case below pays for it.
  await validatePaths(["stacks"], { cwd: ROOT });
});

describe("aliases that nest", () => {
  it.each([5, 8, 30])(
    "refuse a condition bomb of %i levels at the alias that expands most, before any schema check",
    async (levels) => {
      const text = nestedConditionBomb(levels);
      const { findings, ms } = await validateText("bomb.policy.yaml", text);
      expect(findings).toEqual([
        expect.objectContaining({
          code: "yaml-alias-expansion",
          file: "bomb.policy.yaml",
          line: lineOf(text, `&c${levels - 1} `),
          column: text.split("\n")[lineOf(text, `&c${levels - 1} `) - 1]!.indexOf(`*c${levels - 2}`) + 1,
        }),
      ]);
      expect(findings[0]?.message).toContain(`'*c${levels - 2}'`);
      expect(ms).toBeLessThan(SAFETY_NET_MS);
    },
  );

  it("refuses the classic lol bomb anywhere in a stack, even under keys the schema rejects", async () => {
    const lines = ["version: 1", "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 12; i++)
      lines.push(
        `lol${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const { findings, ms } = await validateText("lol.iom.yaml", lines.join("\n") + "\n");
    expect(findings.map((f) => [f.code, f.line])).toEqual([["yaml-alias-expansion", 13]]);
    expect(ms).toBeLessThan(SAFETY_NET_MS);
  });
});

describe("aliases that repeat", () => {
  it("refuses one large anchored value repeated many times", async () => {
    const big = "x".repeat(20_000);
    const text = `version: 1\ndescription: &d "${big}"\ninclude: [${Array(200).fill("*d").join(", ")}]\n`;
    const { findings } = await validateText("repeat.iom.yaml", text);
    expect(findings).toEqual([
      expect.objectContaining({ code: "yaml-alias-expansion", line: 3, column: 11 }),
    ]);
  });

  it("refuses a key made of aliases, which js-yaml would join into one giant string", async () => {
    const big = "x".repeat(1_000_000);
    const text = `version: 1\ns: &s "${big}"\n? [${Array(1000).fill("*s").join(", ")}]\n: 1\n`;
    const { findings, ms } = await validateText("key.iom.yaml", text);
    expect(findings).toEqual([expect.objectContaining({ code: "yaml-alias-expansion", line: 3, column: 4 })]);
    expect(ms).toBeLessThan(SAFETY_NET_MS);
  });
});

describe("aliases used as intended", () => {
  it("are accepted, and a mistake inside an aliased value is reported where the value is written", async () => {
    const text = [
      "version: 1",
      "policies:",
      "  - name: P",
      "    type: execution",
      "    criticality: critical",
      "    entity: order",
      "    published: true",
      "    rules:",
      ...Array.from({ length: 20 }, (_, i) =>
        i === 0
          ? "      - name: R0\n        when: &ready {field: Company, operator: contains data}\n        actions: [{set: Company, to: usmf}]"
          : `      - name: R${i}\n        when: *ready\n        actions: [{set: Company, to: usmf}]`,
      ),
    ].join("\n");
    expect((await validateText("reuse.policy.yaml", text)).findings).toEqual([]);
    const broken = text.replace("operator: contains data", "operator: contains dat");
    const { findings } = await validateText("reuse.policy.yaml", broken);
    // One finding per rule that uses the condition, every one placed on the anchored text.
    expect(findings).toHaveLength(20);
    for (const f of findings) expect([f.code, f.line]).toEqual(["schema-invalid-value", 10]);
  });

  it("are measured without expanding them: the weight of a 9^30 expansion is computed at once", () => {
    const shared: unknown[] = ["lol"];
    let top: unknown[] = shared;
    for (let i = 0; i < 30; i++) top = Array(9).fill(top);
    expect(expandedWeight(top)).toBe(Number.MAX_SAFE_INTEGER);
    expect(expandedWeight({ ab: ["xyz", 1, null] })).toBe(1 + 2 + (1 + 3 + 1 + 1));
  });

  it("allow the same expansion to a file that writes its values out, which is no larger", () => {
    // The limit is a multiple of what is written: writing values out never trips it.
    const item = "{field: Company, operator: contains data}";
    const written = `version: 1\nlist: [${Array(5000).fill(item).join(", ")}]\n`;
    const result = loadYamlText("w.iom.yaml", written);
    expect(result.ok).toBe(true);
    expect(expandedWeight((result as { ok: true; source: { data: unknown } }).source.data)).toBeLessThan(
      MAX_ALIAS_EXPANSION * written.length + ALIAS_EXPANSION_ALLOWANCE,
    );
  });
});

describe("files that are not small", () => {
  it("are refused from their size alone: a sparse 64 GiB file is never read", async () => {
    const dir = tempDir("iom-hostile-");
    const fd = openSync(path.join(dir, "huge.iom.yaml"), "w");
    ftruncateSync(fd, 64 * 1024 ** 3); // holes: no disk, but reading it would take minutes
    closeSync(fd);
    const start = performance.now();
    const result = await validatePaths(["huge.iom.yaml"], { cwd: dir });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: "file-too-large",
        line: 1,
        column: 1,
        message: `the file is ${64 * 1024 ** 3} bytes; the limit is ${MAX_FILE_BYTES} bytes`,
      }),
    ]);
    expect(performance.now() - start).toBeLessThan(SAFETY_NET_MS);
  });

  it("refuse a FIFO named like a stack instead of waiting for a writer", async () => {
    const dir = tempDir("iom-hostile-");
    execFileSync("mkfifo", [path.join(dir, "pipe.iom.yaml")], { timeout: 10_000 });
    const result = await validatePaths(["pipe.iom.yaml"], { cwd: dir });
    expect(result.findings.map((f) => [f.code, f.line, f.column])).toEqual([["file-not-readable", 1, 1]]);
  });

  it("read a file of exactly the limit, and refuse one byte more", async () => {
    const dir = tempDir("iom-hostile-");
    const head = "version: 1\n";
    const at = (n: number) => head + "#".repeat(n - head.length - 1) + "\n";
    writeFileSync(path.join(dir, "exact.iom.yaml"), at(MAX_FILE_BYTES));
    writeFileSync(path.join(dir, "over.iom.yaml"), at(MAX_FILE_BYTES + 1));
    expect(readFileSync(path.join(dir, "exact.iom.yaml")).length).toBe(MAX_FILE_BYTES);
    const exact = await validatePaths(["exact.iom.yaml"], { cwd: dir });
    expect(exact.findings.map((f) => f.code)).not.toContain("file-too-large");
    const over = await validatePaths(["over.iom.yaml"], { cwd: dir });
    expect(over.findings.map((f) => f.code)).toEqual(["file-too-large"]);
  });
});

describe("filters past what a recursive parser survives", () => {
  const stack = (filter: string) =>
    "version: 1\ndualWriteMaps:\n  - name: m\n    map: CDS sales order lines (salesorderdetails)\n" +
    `    table: salesorderdetail\n    dataverseFilter: "${filter}"\n`;
  const PREFIX = '    dataverseFilter: "';

  it.each<[string, string, number]>([
    [
      "nested parentheses",
      "(".repeat(100_000) + "msdyn_isreadytosync eq true" + ")".repeat(100_000),
      MAX_FILTER_DEPTH,
    ],
    [
      "an and-chain of 50 000 conditions",
      Array(50_000).fill("msdyn_isreadytosync eq true").join(" and "),
      (MAX_FILTER_OPERATORS + 1) * "msdyn_isreadytosync eq true and ".length - " and ".length + 1,
    ],
    ["a not-chain", "not ".repeat(100_000) + "msdyn_isreadytosync eq true", MAX_FILTER_OPERATORS * 4],
  ])("refuse %s with filter-too-complex where the bound is passed", async (_label, filter, index) => {
    const { findings, ms } = await validateText("deep.iom.yaml", stack(filter));
    expect(findings).toEqual([
      expect.objectContaining({ code: "filter-too-complex", line: 6, column: PREFIX.length + index + 1 }),
    ]);
    expect(ms).toBeLessThan(SAFETY_NET_MS);
  });

  it("counts neither parentheses nor operators inside string literals", async () => {
    const literal = "'" + "( and ".repeat(2000) + "'' or not'";
    const { findings } = await validateText(
      "lit.iom.yaml",
      stack(`msdyn_statuscode ne 1 or productdescription eq ${literal}`),
    );
    expect(findings.map((f) => f.code)).toEqual([]);
  });
});
