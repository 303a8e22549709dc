// Property-level differences between two sets of resource inputs, as reviewers read them: one line
// per changed leaf (`rules[0].actions[0].to`), secrets masked, values the engine does not know yet
// named as such, and long strings (filters) compared word by word instead of shown twice in full.
// Shared by `iom plan-summary` (old inputs against new) and `iom drift` (what the stack last
// applied against what the environment holds).
import { redact } from "../dataverse/redact.js";

/** Inputs every dynamic resource carries that are no configuration: the serialised provider. */
export const HIDDEN_INPUTS: ReadonlySet<string> = new Set(["__provider"]);

/** What Pulumi writes for a secret in `--json` output (pkg/backend/display/json.go). */
export const MASKED_SECRET = "[secret]";

/** Pulumi's signature of a secret value in serialised state (sdk resource/sig). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The sentinel the engine puts in place of a value only known after apply. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Property names masked whatever Pulumi says: a value someone forgot to mark as secret must still
 * not reach a pull-request comment (the names of the client's secret settings and their kin).
 */
const SECRET_NAME = /secret|password|passphrase|token|credential|private.?key|certificate/i;

export type ChangeKind = "add" | "delete" | "update";

export interface PropertyChange {
  /** `dataverseFilter`, `rules[0].actions[1].to`, `parameters["Disable Status Update Handlers"]` */
  path: string;
  kind: ChangeKind;
  /** Display-ready old value (masked); absent for "add". */
  old?: DisplayValue;
  /** Display-ready new value (masked); absent for "delete". */
  new?: DisplayValue;
}

/** A value as shown: plain JSON text, a masked secret, or a value unknown until apply. */
export type DisplayValue =
  { kind: "json"; text: string; string?: string } | { kind: "secret" } | { kind: "unknown" };

function isSecret(value: unknown): boolean {
  if (value === MASKED_SECRET) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !isSecret(v);

/** Masks secrets anywhere inside a value (for values shown whole: added array elements). */
function masked(value: unknown, secretByName: boolean): unknown {
  if (secretByName || isSecret(value)) return MASKED_SECRET;
  if (typeof value === "string") return value === UNKNOWN ? "(known after apply)" : redact(value);
  if (Array.isArray(value)) return value.map((v) => masked(v, false));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, SECRET_NAME.test(k))]));
  return value;
}

export function displayValue(value: unknown, secretByName = false): DisplayValue {
  if (secretByName || isSecret(value)) return { kind: "secret" };
  if (value === UNKNOWN) return { kind: "unknown" };
  if (typeof value === "string") {
    const text = redact(value);
    return { kind: "json", text: JSON.stringify(text), string: text };
  }
  return { kind: "json", text: JSON.stringify(masked(value, false)) ?? "null" };
}

function keySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The leaves that differ between `before` and `after` (either may be absent: a create or a
 * delete), in key order. Objects are compared key by key and arrays index by index; an element
 * added or removed is shown whole.
 */
export function diffProperties(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  hidden: ReadonlySet<string> = HIDDEN_INPUTS,
): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const walk = (path: string, a: unknown, b: unknown, secretByName: boolean): void => {
    if (a === undefined && b === undefined) return;
    if (isPlainObject(a) && isPlainObject(b) && !secretByName) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
        walk(`${path}${keySegment(key)}`, a[key], b[key], SECRET_NAME.test(key));
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && !secretByName) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(`${path}[${i}]`, a[i], b[i], false);
      return;
    }
    // One side only (a create or a delete): every leaf below is shown, so a new policy reads as
    // its settings rather than as one line of JSON.
    if (a === undefined && (isPlainObject(b) || Array.isArray(b)) && !isEmpty(b) && !secretByName) {
      walk(path, Array.isArray(b) ? [] : {}, b, false);
      return;
    }
    if (b === undefined && (isPlainObject(a) || Array.isArray(a)) && !isEmpty(a) && !secretByName) {
      walk(path, a, Array.isArray(a) ? [] : {}, false);
      return;
    }
    if (a !== undefined && b !== undefined && sameValue(a, b)) return;
    const change: PropertyChange = {
      path: path.replace(/^\./, ""),
      kind: a === undefined ? "add" : b === undefined ? "delete" : "update",
    };
    if (a !== undefined) change.old = displayValue(a, secretByName);
    if (b !== undefined) change.new = displayValue(b, secretByName);
    changes.push(change);
  };
  const a = before ?? {};
  const b = after ?? {};
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (hidden.has(key)) continue;
    walk(keySegment(key), a[key], b[key], SECRET_NAME.test(key));
  }
  return changes;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

/** The top-level properties a list of changes touches, in order, without repeats. */
export function topLevelProperties(changes: readonly PropertyChange[]): string[] {
  return [...new Set(changes.map((c) => /^[^.[]+|^\[[^\]]*\]/.exec(c.path)?.[0] ?? c.path))];
}

/** Strings at least this long (or spanning lines) are shown as a word diff. */
export const WORD_DIFF_MIN_LENGTH = 60;

export type WordSegment = { op: "same" | "delete" | "insert"; text: string };

/** Past this many word pairs the comparison is not worth it: the values are shown whole. */
const MAX_WORD_PAIRS = 250_000;

/**
 * A word-level diff of two strings (words are runs of non-space; the spacing between them follows
 * the new string), or undefined when the strings are too large to compare this way.
 */
export function wordDiff(before: string, after: string): WordSegment[] | undefined {
  const a = before.split(/\s+/).filter(Boolean);
  const b = after.split(/\s+/).filter(Boolean);
  if (a.length * b.length > MAX_WORD_PAIRS) return undefined;
  // Longest common subsequence, table from the end so the walk below goes forwards.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const segments: WordSegment[] = [];
  const push = (op: WordSegment["op"], word: string) => {
    const last = segments[segments.length - 1];
    if (last && last.op === op) last.text += ` ${word}`;
    else segments.push({ op, text: word });
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push("same", a[i] as string);
      i++;
      j++;
    } else if (
      i < a.length &&
      (j >= b.length || ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
    ) {
      // Removed words before added ones, as `git diff --word-diff` reads.
      push("delete", a[i] as string);
      i++;
    } else {
      push("insert", b[j] as string);
      j++;
    }
  }
  return segments;
}

/** Words of unchanged text kept on each side of a change; longer unchanged runs are elided. */
export const WORD_CONTEXT = 4;

/** Unchanged runs shortened to their first and last few words around the changes. */
export function elideUnchanged(segments: readonly WordSegment[], context = WORD_CONTEXT): WordSegment[] {
  return segments.map((segment, index) => {
    if (segment.op !== "same") return segment;
    const words = segment.text.split(" ");
    const first = index === 0;
    const last = index === segments.length - 1;
    const keepBefore = first ? 0 : context; // words after the previous change
    const keepAfter = last ? 0 : context; // words before the next change
    if (words.length <= keepBefore + keepAfter + 1) return segment;
    const head = words.slice(0, keepBefore);
    const tail = words.slice(words.length - keepAfter);
    return { op: "same", text: [...head, "…", ...tail].join(" ") };
  });
}

/** Whether a change is best shown as a word diff. */
export function wantsWordDiff(change: PropertyChange): boolean {
  if (change.kind !== "update" || change.old?.kind !== "json" || change.new?.kind !== "json") return false;
  const a = change.old.string;
  const b = change.new.string;
  if (a === undefined || b === undefined) return false;
  return Math.max(a.length, b.length) >= WORD_DIFF_MIN_LENGTH || a.includes("\n") || b.includes("\n");
}
