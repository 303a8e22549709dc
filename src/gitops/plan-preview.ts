// What `pulumi preview --json` writes, read back: the engine's preview digest (pulumi/pulumi
// pkg/display/json.go, PreviewDigest), one JSON document per stack. A pipeline that previews
// several stacks writes several files, or one stream of documents one after the other
// (`for s in dev prod; do pulumi preview --json -s $s; done | iom plan-summary`), so a text may hold
// any number of them. Both `iom plan-summary` and `iom drift` read their previews through here.

/** The state of a resource in a step, as the engine serialises it (secrets already masked). */
export interface PreviewResourceState {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** When the stack last wrote this resource (RFC 3339), for states read from the stack. */
  modified?: string;
}

/** One step the engine plans: `op` is create, update, replace, delete, same, refresh, read, … */
export interface PreviewStep {
  op: string;
  urn: string;
  provider?: string;
  oldState?: PreviewResourceState;
  newState?: PreviewResourceState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }> | null;
}

export interface PreviewDiagnostic {
  urn?: string;
  prefix?: string;
  message?: string;
  /** "error", "warning", "info", "info#err" */
  severity?: string;
}

export interface PreviewDigest {
  config?: Record<string, string>;
  steps?: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
  duration?: number;
  changeSummary?: Record<string, number>;
  maybeCorrupt?: boolean;
}

/** One preview document and where it came from. */
export interface PreviewDocument {
  /** The file it was read from, or "stdin". */
  source: string;
  /** Its line in that file (several documents can share one). */
  line: number;
  digest: PreviewDigest;
}

/** The closed list of reasons a preview input is refused. */
export type PreviewInputCode =
  "preview-unreadable" | "preview-empty" | "preview-not-json" | "preview-not-a-digest";

/** A preview input that cannot be used, with where and why. */
export class PreviewInputError extends Error {
  override name = "PreviewInputError";
  constructor(
    readonly code: PreviewInputCode,
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** JSON pointer of the offending value inside the document, when there is one. */
    readonly pointer?: string,
  ) {
    super(`${file}:${line}:${column}: ${code}: ${message}`);
  }
}

/** The parts of a Pulumi URN: `urn:pulumi:<stack>::<project>::<parent$type>::<name>`. */
export interface ParsedUrn {
  stack: string;
  project: string;
  /** The resource's own type, without its parents' (`pulumi-nodejs:dynamic/iom:Policy`). */
  type: string;
  name: string;
}

export function parseUrn(urn: string): ParsedUrn | undefined {
  if (!urn.startsWith("urn:pulumi:")) return undefined;
  const parts = urn.slice("urn:pulumi:".length).split("::");
  if (parts.length < 4) return undefined;
  const [stack, project, qualifiedType, ...name] = parts as [string, string, string, ...string[]];
  return { stack, project, type: qualifiedType.split("$").pop() ?? qualifiedType, name: name.join("::") };
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  return { line, column: offset - lineStart + 1 };
}

/** The offset just past the JSON object starting at `start`, or -1 when the text ends first. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The offset of the first syntax error in a JSON text (its length when it merely ends early).
 * Only called once JSON.parse has refused the text, to say where.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (at = i): never => {
    throw at;
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) fail(i + k);
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail();
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === "{") {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ":") fail();
          i++;
        }
        value();
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === close) return void i++;
        fail();
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    return number();
  };
  try {
    value();
    space();
    return i < text.length ? i : text.length;
  } catch (at) {
    return typeof at === "number" ? at : 0;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The first place where a parsed document is not a preview digest, as a pointer and a reason. */
function digestProblem(value: unknown): { pointer: string; reason: string } | undefined {
  if (!isObject(value)) return { pointer: "", reason: "is not a JSON object" };
  if (!("steps" in value) && !("changeSummary" in value) && !("diagnostics" in value))
    return { pointer: "", reason: "has none of steps, changeSummary and diagnostics" };
  if (value.steps !== undefined && value.steps !== null) {
    if (!Array.isArray(value.steps)) return { pointer: "/steps", reason: "is not an array" };
    for (const [i, step] of value.steps.entries()) {
      if (!isObject(step)) return { pointer: `/steps/${i}`, reason: "is not an object" };
      if (typeof step.op !== "string") return { pointer: `/steps/${i}/op`, reason: "is not a string" };
      if (typeof step.urn !== "string") return { pointer: `/steps/${i}/urn`, reason: "is not a string" };
      for (const side of ["oldState", "newState"] as const) {
        const state = step[side];
        if (state === undefined || state === null) continue;
        if (!isObject(state)) return { pointer: `/steps/${i}/${side}`, reason: "is not an object" };
        for (const key of ["inputs", "outputs"] as const)
          if (state[key] !== undefined && state[key] !== null && !isObject(state[key]))
            return { pointer: `/steps/${i}/${side}/${key}`, reason: "is not an object" };
      }
    }
  }
  if (value.changeSummary !== undefined && value.changeSummary !== null && !isObject(value.changeSummary))
    return { pointer: "/changeSummary", reason: "is not an object" };
  if (value.diagnostics !== undefined && value.diagnostics !== null && !Array.isArray(value.diagnostics))
    return { pointer: "/diagnostics", reason: "is not an array" };
  return undefined;
}

/**
 * Every preview document in a text: one or more JSON objects, separated by nothing but whitespace.
 * Throws a located PreviewInputError for anything else (the commonest: a preview run without
 * `--json`, whose text starts "Previewing update").
 */
export function parsePreviewDocuments(text: string, source: string): PreviewDocument[] {
  const documents: PreviewDocument[] = [];
  let offset = 0;
  for (;;) {
    while (offset < text.length && /\s/.test(text[offset] as string)) offset++;
    if (offset >= text.length) break;
    const at = position(text, offset);
    if (text[offset] !== "{") {
      const excerpt = text.slice(offset, offset + 30).split("\n")[0];
      throw new PreviewInputError(
        "preview-not-json",
        `expected the JSON of \`pulumi preview --json\`, found '${excerpt}': was --json left out?`,
        source,
        at.line,
        at.column,
      );
    }
    const end = objectEnd(text, offset);
    if (end < 0)
      throw new PreviewInputError(
        "preview-not-json",
        "the JSON document is cut short (the preview did not finish writing it)",
        source,
        at.line,
        at.column,
      );
    let value: unknown;
    try {
      value = JSON.parse(text.slice(offset, end));
    } catch {
      // V8's message quotes the document and often has no position: find the spot ourselves.
      const bad = offset + jsonErrorOffset(text.slice(offset, end));
      const where = position(text, bad);
      throw new PreviewInputError(
        "preview-not-json",
        `invalid JSON: unexpected ${bad < text.length ? `'${text[bad]}'` : "end of input"}`,
        source,
        where.line,
        where.column,
      );
    }
    const problem = digestProblem(value);
    if (problem)
      throw new PreviewInputError(
        "preview-not-a-digest",
        `not the output of \`pulumi preview --json\`: ${problem.pointer || "the document"} ${problem.reason}`,
        source,
        at.line,
        at.column,
        problem.pointer,
      );
    documents.push({ source, line: at.line, digest: value as PreviewDigest });
    offset = end;
  }
  if (documents.length === 0)
    throw new PreviewInputError(
      "preview-empty",
      "no preview in the input: pass `pulumi preview --json` output as files or on stdin",
      source,
      1,
      1,
    );
  return documents;
}

/** The stack and project a document is about, from its first URN. */
export function documentStack(digest: PreviewDigest): { stack: string; project: string } | undefined {
  const urns = [...(digest.steps ?? []).map((s) => s.urn), ...(digest.diagnostics ?? []).map((d) => d.urn)];
  for (const urn of urns) {
    const parsed = urn ? parseUrn(urn) : undefined;
    if (parsed) return { stack: parsed.stack, project: parsed.project };
  }
  return undefined;
}
