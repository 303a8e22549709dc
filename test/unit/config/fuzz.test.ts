// Property-based fuzzing of the loader and the whole validator (fast-check): random YAML built
// from the characters and tokens that steer a YAML parser, the project's own files mutated byte
// by byte and line by line, and well-formed documents of random shape put where resources go.
// Whatever the input: no exception, every finding coded and placed inside the file, and a small
// file done within a second (a generous bound for one case, not a measurement). A failing case
// prints its seed and the shrunk counterexample; rerun with that seed to reproduce it.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../temp.js";
import { FINDING_CODES } from "../../../src/config/findings.js";
import type { Finding } from "../../../src/config/findings.js";
import { validatePaths } from "../../../src/config/validate.js";
import { loadYamlText } from "../../../src/config/yaml-source.js";

afterAll(removeTempDirs);

const ROOT = path.resolve(__dirname, "../../..");
// A safety net against a hang or an exponential blow-up on one case, not a speed target (speed is
// measured by bench/): generous, so that a loaded two-core machine never trips it.
const PER_CASE_MS = 15_000;
// The test as a whole only needs room for its runs on a busy two-core machine.
const PROPERTY_TIMEOUT_MS = 120_000;
const CODES = new Set(Object.keys(FINDING_CODES));

/** The project's own files and the bad-config corpus: the seeds that mutations start from. */
const SEEDS: Array<{ name: string; text: string }> = [
  { name: "stacks/local.iom.yaml", text: readFileSync(path.join(ROOT, "stacks/local.iom.yaml"), "utf8") },
  ...readdirSync(path.join(ROOT, "policies")).map((f) => ({
    name: `policies/${f}`,
    text: readFileSync(path.join(ROOT, "policies", f), "utf8"),
  })),
  ...readdirSync(path.join(ROOT, "test/fixtures/bad-config"))
    .filter((f) => /\.(iom|policy)\.yaml$/.test(f))
    .slice(0, 12)
    .map((f) => ({
      name: /\.policy\./.test(f) ? "policies/fuzz.policy.yaml" : "stacks/fuzz.iom.yaml",
      text: readFileSync(path.join(ROOT, "test/fixtures/bad-config", f), "utf8"),
    })),
];

// A work tree with the real policy files, so that a stack's includes resolve as in the repository.
let work: string;
let counter = 0;
/** The real policy files a fuzzed stack may include, with their line counts. */
const policyLines = new Map<string, number>();

beforeAll(async () => {
  work = tempDir("iom-fuzz-");
  mkdirSync(path.join(work, "stacks"));
  mkdirSync(path.join(work, "policies"));
  for (const f of readdirSync(path.join(ROOT, "policies"))) {
    const text = readFileSync(path.join(ROOT, "policies", f), "utf8");
    writeFileSync(path.join(work, "policies", f), text);
    policyLines.set(`policies/${f}`, linesOf(text));
  }
  // Compile the schemas once, so that no case pays for it.
  await validatePaths(["stacks/local.iom.yaml"], { cwd: ROOT });
});

function linesOf(bytes: string | Uint8Array): number {
  const text = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8");
  return text.split(/\r\n|\r|\n/).length;
}

/** Every finding coded, worded and placed inside a file that exists. */
function expectWellFormed(findings: readonly Finding[], files: ReadonlyMap<string, number>): void {
  for (const f of findings) {
    const context = JSON.stringify(f);
    expect(CODES.has(f.code), context).toBe(true);
    expect(["error", "warning"], context).toContain(f.severity);
    expect(f.message.trim().length, context).toBeGreaterThan(0);
    expect(f.message, context).not.toMatch(/\n\s+at /);
    const lines = files.get(f.file);
    expect(lines, `${context}: a finding on a file that was not validated`).toBeDefined();
    expect(Number.isInteger(f.line) && f.line >= 1 && f.line <= (lines ?? 0), context).toBe(true);
    expect(Number.isInteger(f.column) && f.column >= 1, context).toBe(true);
    if (f.endLine !== undefined) {
      expect(f.endLine >= f.line && f.endLine <= (lines ?? 0), context).toBe(true);
      if (f.endLine === f.line) expect(f.endColumn ?? 0, context).toBeGreaterThan(f.column);
    }
  }
}

/** Validates one file (as a stack or a policy file) through the same entry point as `iom validate`. */
async function validateFile(name: string, bytes: string | Uint8Array): Promise<void> {
  const file = name.replace(/fuzz\./, `fuzz${++counter}.`);
  writeFileSync(path.join(work, file), bytes);
  const start = performance.now();
  const result = await validatePaths([file], { cwd: work });
  const ms = performance.now() - start;
  const files = new Map([...policyLines, [file, linesOf(bytes)]]);
  expectWellFormed(result.findings, files);
  expect(result.valid).toBe(!result.findings.some((f) => f.severity === "error"));
  expect(ms, `${file} took ${Math.round(ms)} ms`).toBeLessThan(PER_CASE_MS);
}

// Pieces of YAML syntax, so that random text reaches the parser's corners instead of being one
// long plain scalar: indicators, anchors and aliases, tags, block scalars, documents, flow
// collections, quotes and escapes, the schema's keys and values, odd whitespace and code points.
const TOKENS = [
  "\n",
  "\n",
  "\n  ",
  "\n    ",
  "  ",
  "\t",
  "\r\n",
  "- ",
  ": ",
  ":",
  "? ",
  ",",
  "[",
  "]",
  "{",
  "}",
  "'",
  "''",
  '"',
  '\\"',
  "\\u00",
  "#",
  " # c",
  "&a ",
  "&b ",
  "*a",
  "*b",
  "!!str ",
  "!!binary ",
  "!local ",
  "|",
  "|-",
  ">",
  ">-",
  "---\n",
  "...\n",
  "%YAML 1.2\n",
  "<<: ",
  "~",
  "null",
  "true",
  "yes",
  "1",
  "-0.5e3",
  "0x1F",
  ".inf",
  "2024-01-31",
  "version",
  "version: 1\n",
  "include",
  "providers",
  "policies",
  "rules",
  "when",
  "and",
  "or",
  "field",
  "operator",
  "value",
  "name",
  "dualWriteMaps",
  "dataverseFilter",
  "msdyn_isreadytosync eq true",
  "(",
  ")",
  " and ",
  "'x'",
  "orchestrationFlows",
  "steps",
  "\u00e9",
  "\u4e2d",
  "\ud83d\ude00",
  "\ufeff",
  "\u2028",
  "\u0085",
  "\u0007",
  "\u0000",
  "x",
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((parts) => parts.join(""));

type Mutation =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; token: string }
  | { kind: "duplicate"; at: number; length: number }
  | { kind: "byte"; at: number; value: number }
  | { kind: "swap-lines"; a: number; b: number }
  | { kind: "indent"; line: number; by: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("swap-lines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("indent" as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

/** Applies mutations to bytes; a byte mutation can make the text invalid UTF-8, on purpose. */
function mutate(text: string, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(text, "utf8");
  for (const m of mutations) {
    const size = bytes.length;
    if (m.kind === "delete" && size > 0) {
      const at = m.at % size;
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    } else if (m.kind === "insert") {
      const at = size === 0 ? 0 : m.at % (size + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.token), bytes.subarray(at)]);
    } else if (m.kind === "duplicate" && size > 0) {
      const at = m.at % size;
      const piece = bytes.subarray(at, at + m.length);
      bytes = Buffer.concat([bytes.subarray(0, at), piece, piece, bytes.subarray(at + piece.length)]);
    } else if (m.kind === "byte" && size > 0) {
      bytes = Buffer.from(bytes);
      bytes[m.at % size] = m.value;
    } else if (m.kind === "swap-lines" || m.kind === "indent") {
      const lines = bytes.toString("latin1").split("\n");
      if (m.kind === "swap-lines") {
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
      } else {
        const i = m.line % lines.length;
        const line = lines[i] as string;
        lines[i] = m.by >= 0 ? " ".repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), "");
      }
      bytes = Buffer.from(lines.join("\n"), "latin1");
    }
  }
  return bytes;
}

const seed = fc.constantFrom(...SEEDS);

// Well-formed YAML of random shape in the places resources go, so that the schema's and the
// semantic checks' findings (not only syntax errors) have to be located.
const KEYS = [
  "name",
  "definition",
  "provider",
  "connection",
  "table",
  "dataverseFilter",
  "fieldMappings",
  "type",
  "entity",
  "rules",
  "when",
  "and",
  "or",
  "field",
  "operator",
  "value",
  "actions",
  "set",
  "to",
  "steps",
  "providerAction",
  "published",
  "activated",
  "include",
  "version",
  "relatedEntity",
  "where",
];
const value: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double()),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie("node"), {
      maxKeys: 5,
    }),
  ),
})).node;

const structured = fc
  .record({
    section: fc.constantFrom("providers", "connections", "dualWriteMaps", "policies", "orchestrationFlows"),
    items: fc.array(value, { maxLength: 4 }),
    extra: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 2 }),
    style: fc.constantFrom("block", "flow"),
  })
  .map(({ section, items, extra, style }) =>
    dump(
      { version: 1, ...extra, [section]: items },
      { flowLevel: style === "flow" ? 1 : -1, noRefs: true, skipInvalid: true },
    ),
  );

describe("fuzzing the loader and the validator", () => {
  it(
    "loadYamlText never throws on any string, and places what it finds inside the text",
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), tokenSoup), (text) => {
          const result = loadYamlText("t.yaml", text);
          if (!result.ok) expectWellFormed(result.findings, new Map([["t.yaml", linesOf(text)]]));
        }),
        { numRuns: 400 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "validates token soup as a stack and as a policy file",
    async () => {
      await fc.assert(
        fc.asyncProperty(tokenSoup, fc.boolean(), async (text, asStack) => {
          await validateFile(asStack ? "stacks/fuzz.iom.yaml" : "policies/fuzz.policy.yaml", text);
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "validates the project's files and the corpus after random mutations",
    async () => {
      await fc.assert(
        fc.asyncProperty(seed, fc.array(mutation, { minLength: 1, maxLength: 6 }), async (s, mutations) => {
          const name = s.name.startsWith("policies/") ? "policies/fuzz.policy.yaml" : "stacks/fuzz.iom.yaml";
          await validateFile(name, mutate(s.text, mutations));
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "validates well-formed documents of random shape",
    async () => {
      await fc.assert(
        fc.asyncProperty(structured, async (text) => {
          await validateFile("stacks/fuzz.iom.yaml", text);
        }),
        { numRuns: 120 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
