// Loading YAML with exact locations. js-yaml (with an explicit schema) produces the data and
// reports syntax errors with their line and column; it cannot say where a value came from, so
// the `yaml` package's document model is used to locate values, and only when there is
// something to report (see docs/adr/0004-yaml-positions.md).
import jsYaml from "js-yaml";
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Alias, Document, Node as YamlNode } from "yaml";
import type { Finding, FindingCode, Location } from "./findings.js";

/** Files larger than this are rejected rather than parsed: no real stack comes close. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Aliases let a few bytes stand for a great deal of data ("billion laughs": anchors that repeat
 * anchors), and everything after loading (the schema, the semantic checks, the program's copies)
 * walks the data as if every alias were written out. So the data a file stands for, counted as
 * characters of keys and strings plus one per value, may be at most this many times the file's
 * own length, beyond a small allowance for reuse in small files: validation time then grows with
 * the file's bytes, never with what its aliases expand to.
 */
export const MAX_ALIAS_EXPANSION = 4;
export const ALIAS_EXPANSION_ALLOWANCE = 64 * 1024;

/**
 * js-yaml's core schema: YAML 1.2 scalars only (strings, numbers, true/false, null). No
 * timestamps, no binary, no merge keys, no custom tags: "2024-01-01" stays a string and
 * "yes" stays "yes".
 */
const LOAD_SCHEMA = jsYaml.CORE_SCHEMA;

export type PathSegment = string | number;

/** A loaded YAML file: its data and a way to turn a path inside it into a location. */
export class YamlSource {
  private document: Document | undefined;
  private lineCounter: LineCounter | undefined;
  private aliasTargets: Map<Alias, YamlNode> | undefined;

  constructor(
    /** The path shown in findings (relative to the working directory, forward slashes). */
    readonly file: string,
    readonly text: string,
    readonly data: unknown,
  ) {}

  private parsed(): { doc: Document; lines: LineCounter } {
    if (!this.document || !this.lineCounter) {
      this.lineCounter = new LineCounter();
      this.document = parseDocument(this.text, { lineCounter: this.lineCounter, uniqueKeys: false });
    }
    return { doc: this.document, lines: this.lineCounter };
  }

  /**
   * Each alias's anchored node, found in one pass in document order (the last anchor of that name
   * before the alias). The `yaml` package's own Alias.resolve walks the whole document on every
   * call, which would make locating many findings inside aliased values quadratic.
   */
  private targets(): Map<Alias, YamlNode> {
    if (!this.aliasTargets) this.aliasTargets = indexAliases(this.parsed().doc).targets;
    return this.aliasTargets;
  }

  /**
   * The alias that stands for the most data (the first of equals), with how much: where a file
   * whose aliases expand too far is reported.
   */
  largestAlias(): { location: Location; name: string; weight: number } | undefined {
    const { doc } = this.parsed();
    const { largest } = indexAliases(doc);
    if (!largest?.alias.range) return undefined;
    const [start, end] = largest.alias.range;
    return { location: this.at(start, end), name: largest.alias.source, weight: largest.weight };
  }

  /** The location of an offset in the text. */
  at(offset: number, endOffset?: number): Location {
    const { lines } = this.parsed();
    const start = lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    const loc: Location = { file: this.file, line: start.line, column: start.col };
    if (endOffset !== undefined && endOffset > offset) {
      const end = lines.linePos(Math.min(endOffset, this.text.length));
      loc.endLine = end.line;
      loc.endColumn = end.col;
    }
    return loc;
  }

  /**
   * The node at `path`, or the deepest node on the way when part of the path does not exist
   * (a missing key is reported on the mapping that lacks it). With `key`, the last segment's key
   * rather than its value.
   */
  private find(path: readonly PathSegment[], key: boolean): YamlNode | undefined {
    const { doc } = this.parsed();
    let node = doc.contents as YamlNode | null;
    if (!node) return undefined;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = this.targets().get(node) ?? node;
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(segment),
        );
        if (!pair) return node;
        if (key && i === path.length - 1 && pair.key && isScalar(pair.key)) return pair.key;
        if (!pair.value) return isScalar(pair.key) ? pair.key : node;
        node = pair.value as YamlNode;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment] as YamlNode | undefined;
        if (!item) return node;
        node = item;
      } else {
        return node;
      }
    }
    return node;
  }

  /** Where the value at `path` is (or its key, with `key: true`). */
  locate(path: readonly PathSegment[], options: { key?: boolean } = {}): Location {
    const node = this.find(path, options.key ?? false);
    if (!node?.range) return this.at(0);
    // A block mapping or sequence is reported at its start only: its end is far away.
    const single = isScalar(node);
    return this.at(node.range[0], single ? node.range[1] : undefined);
  }

  /**
   * Where characters [index, index + length) of the string value at `path` are in the file,
   * following quotes, escapes and folded lines, so that a filter error points at the column
   * inside the YAML string.
   */
  locateInString(path: readonly PathSegment[], index: number, length = 1): Location {
    const node = this.find(path, false);
    if (!node?.range || !isScalar(node) || typeof node.value !== "string") return this.locate(path);
    const value = node.value;
    let src = node.range[0];
    const srcEnd = node.range[1];
    if (node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE") src++;
    else if (node.type === "BLOCK_FOLDED" || node.type === "BLOCK_LITERAL") {
      const newline = this.text.indexOf("\n", src);
      src = newline < 0 ? srcEnd : newline + 1;
    }
    // Walk the value and the source side by side: characters that match advance both; source
    // characters that do not (indentation, quote doubling, escapes, line breaks) are skipped.
    const offsets: number[] = [];
    for (let v = 0; v <= value.length && src <= srcEnd; v++) {
      if (v === value.length) {
        offsets.push(src);
        break;
      }
      const want = value[v] as string;
      let probe = src;
      while (probe < srcEnd && this.text[probe] !== want && !(want === " " && this.text[probe] === "\n"))
        probe++;
      if (probe >= srcEnd) break;
      offsets.push(probe);
      src = probe + 1;
    }
    const start = offsets[Math.min(index, offsets.length - 1)] ?? node.range[0];
    const end = offsets[Math.min(index + length, offsets.length - 1)];
    return this.at(start, end !== undefined && end > start ? end : start + 1);
  }
}

/**
 * The weight of one scalar in the units of {@link expandedWeight} (one per value plus the
 * characters of keys and strings): its length for a string, one otherwise.
 */
function scalarWeight(value: unknown): number {
  return typeof value === "string" ? Math.max(1, value.length) : 1;
}

/** Sums weights, stopping at the largest exact integer: a bomb's weight stays a number to print. */
function add(a: number, b: number): number {
  return Math.min(a + b, Number.MAX_SAFE_INTEGER);
}

/**
 * One pass over the `yaml` document model in document order: every alias's target, and the alias
 * that stands for the most data. Anchored nodes are weighed once and remembered, so the pass is
 * linear in the size of the text however far the aliases expand.
 */
function indexAliases(doc: Document): {
  targets: Map<Alias, YamlNode>;
  largest: { alias: Alias; weight: number } | undefined;
} {
  const targets = new Map<Alias, YamlNode>();
  const anchored = new Map<string, { node: YamlNode; weight: number }>();
  let largest: { alias: Alias; weight: number } | undefined;
  const weigh = (node: unknown): number => {
    let weight = 1;
    if (isAlias(node)) {
      const target = anchored.get(node.source);
      if (!target) return 1; // no anchor of that name closed before it: js-yaml refuses the file
      targets.set(node, target.node);
      if (!largest || target.weight > largest.weight) largest = { alias: node, weight: target.weight };
      return target.weight;
    }
    if (isScalar(node)) weight = scalarWeight(node.value);
    else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        // Plain floating-point sums: a bomb's weight passes any exact integer (even reaching
        // Infinity), and only the order between aliases matters here.
        weight += isPair(item) ? weigh(item.key) + weigh(item.value) : weigh(item);
      }
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchored.set(anchor, { node: node as YamlNode, weight });
    return weight;
  };
  weigh(doc.contents);
  return { targets, largest };
}

/**
 * The weight of loaded data with every alias written out, computed in time linear in the data
 * as loaded: js-yaml resolves an alias to the very object its anchor made, so a shared object is
 * weighed once and its weight reused wherever it appears again.
 */
export function expandedWeight(data: unknown): number {
  const known = new Map<object, number>();
  const weigh = (value: unknown): number => {
    if (value === null || typeof value !== "object") return scalarWeight(value);
    const cached = known.get(value);
    if (cached !== undefined) return cached;
    let weight = 1;
    if (Array.isArray(value)) for (const item of value) weight = add(weight, weigh(item));
    else {
      const record = value as Record<string, unknown>;
      for (const key in record) weight = add(weight, key.length + weigh(record[key]));
    }
    known.set(value, weight);
    return weight;
  };
  return weigh(data);
}

/** The most data a text of this length may stand for. */
export function expansionLimit(textLength: number): number {
  return MAX_ALIAS_EXPANSION * textLength + ALIAS_EXPANSION_ALLOWANCE;
}

/** The result of reading one file: the source when it parsed, findings when it did not. */
export type LoadResult = { ok: true; source: YamlSource } | { ok: false; findings: Finding[] };

function fileFinding(
  file: string,
  code: FindingCode,
  message: string,
  hint: string,
  line = 1,
  column = 1,
): Finding {
  return { file, line, column, code, severity: "error", message, hint };
}

const ALIAS_HINT =
  "write repeated values out, or anchor small values only: an alias of an anchor that itself holds aliases multiplies";

function aliasFinding(alias: { location: Location; name: string; weight: number }, summary: string): Finding {
  return {
    ...alias.location,
    code: "yaml-alias-expansion",
    severity: "error",
    message: `${summary}; the alias '*${alias.name}' here alone repeats ${Math.min(alias.weight, Number.MAX_SAFE_INTEGER)}`,
    hint: ALIAS_HINT,
  };
}

/**
 * js-yaml appends a line break to a text that lacks one and may report an error just past the
 * end; such a place is moved to the end of the text's last line, so that every finding points
 * at a line the file has.
 */
function withinText(text: string, line: number, column: number): { line: number; column: number } {
  const lines = text.split(/\r\n|\r|\n/);
  if (line <= lines.length) return { line, column };
  return { line: lines.length, column: (lines[lines.length - 1] as string).length + 1 };
}

/** Parses YAML text; never throws. */
export function loadYamlText(file: string, bytes: Uint8Array | string): LoadResult {
  const size = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > MAX_FILE_BYTES) {
    return {
      ok: false,
      findings: [
        fileFinding(
          file,
          "file-too-large",
          `the file is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes`,
          "split the configuration into smaller files (policies can live in policies/*.policy.yaml)",
        ),
      ],
    };
  }
  let text: string;
  if (typeof bytes === "string") text = bytes;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return {
        ok: false,
        findings: [
          fileFinding(file, "file-not-text", "the file is not UTF-8 text", "save the file as UTF-8 YAML"),
        ],
      };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    const before = text.slice(0, nul).split(/\r\n|\r|\n/);
    const line = before.length;
    const column = (before[before.length - 1] as string).length + 1;
    return {
      ok: false,
      findings: [
        fileFinding(
          file,
          "file-not-text",
          "the file contains a NUL byte: it looks binary",
          "save the file as UTF-8 YAML",
          line,
          column,
        ),
      ],
    };
  }
  let data: unknown;
  try {
    data = jsYaml.load(text, { schema: LOAD_SCHEMA, filename: file, json: false });
  } catch (err) {
    if (err instanceof jsYaml.YAMLException) {
      const duplicate = /duplicated mapping key/.test(err.reason);
      const { line, column } = withinText(text, (err.mark?.line ?? 0) + 1, (err.mark?.column ?? 0) + 1);
      return {
        ok: false,
        findings: [
          fileFinding(
            file,
            duplicate ? "yaml-duplicate-key" : "yaml-syntax",
            duplicate ? "this key appears twice in the same mapping" : err.reason,
            duplicate
              ? "remove or rename one of the two entries; YAML keeps only one"
              : "fix the YAML syntax at this position (check indentation, quotes and brackets)",
            line,
            column,
          ),
        ],
      };
    }
    // Not a syntax error: js-yaml ran out of room, which a file within the size limit can only do
    // when aliases expand (a sequence of aliases used as a key is joined into one string).
    const alias = new YamlSource(file, text, undefined).largestAlias();
    if (alias)
      return { ok: false, findings: [aliasFinding(alias, `the file cannot be loaded (${String(err)})`)] };
    return { ok: false, findings: [fileFinding(file, "yaml-syntax", String(err), "fix the YAML syntax")] };
  }
  if (data === undefined || data === null) {
    return {
      ok: false,
      findings: [
        fileFinding(
          file,
          "file-empty",
          "the file has no content",
          "start from an example in stacks/ or policies/",
        ),
      ],
    };
  }
  const source = new YamlSource(file, text, data);
  const limit = expansionLimit(text.length);
  // Every alias is written with '*': a text without one shares nothing and needs no weighing.
  const weight = text.includes("*") ? expandedWeight(data) : 0;
  if (weight > limit) {
    // Only now is the text parsed a second time, to say which alias does it.
    const alias = source.largestAlias();
    const summary =
      `aliases make this file stand for ${weight} characters of data (keys, strings and one per value), ` +
      `more than the ${limit} its ${text.length} characters allow`;
    if (alias) return { ok: false, findings: [aliasFinding(alias, summary)] };
    return {
      ok: false,
      findings: [fileFinding(file, "yaml-alias-expansion", summary, ALIAS_HINT)],
    };
  }
  return { ok: true, source };
}
