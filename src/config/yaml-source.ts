// Loading YAML with exact locations. js-yaml (with an explicit schema) produces the data and
// reports syntax errors with their line and column; it cannot say where a value came from, so
// the `yaml` package's document model is used to locate values, and only when there is
// something to report (see docs/adr/0004-yaml-positions.md).
import jsYaml from "js-yaml";
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import type { Finding, FindingCode, Location } from "./findings.js";

/** Files larger than this are rejected rather than parsed: no real stack comes close. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

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
      if (isAlias(node)) node = (node.resolve(doc) as YamlNode | undefined) ?? node;
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
    const before = text.slice(0, nul);
    const line = before.split("\n").length;
    const column = nul - before.lastIndexOf("\n");
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
      const line = (err.mark?.line ?? 0) + 1;
      const column = (err.mark?.column ?? 0) + 1;
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
  return { ok: true, source: new YamlSource(file, text, data) };
}
