// The effect of a pull request on orders, for `iom plan-summary`: which of the stack's order cases
// (tests/**/*.orders.yaml, `iom test`'s) change outcome, record by record and map by map.
//
// "After" is the stack as the pull request's files hold it: the files the preview was made from,
// read as `iom test` reads them, so that a deciding clause is shown at its file:line:column.
// "Before" is what the stack has applied: the same stack with every policy, dual-write map and
// orchestration flow the preview changes put back to the preview's old inputs (a create taken out,
// a delete put back). The preview carries both sides of every resource it changes and nothing of
// the others, which are the same on both sides. This needs neither the base branch's files nor a
// second checkout, and it compares with what is applied, as the rest of the comment does: a
// change merged to the base branch but never applied still shows as a change.
import { existsSync } from "node:fs";
import path from "node:path";
import type { DualWriteMap } from "../generated/dual-write-map.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import type { Policy } from "../generated/policy.js";
import type { Location } from "../config/findings.js";
import type { CaseFileLoad, MapOutcome, RecordOutcome } from "../order-tests/run.js";
import { caseOutcome, expandCasePaths, loadCaseFile, TestUsageError } from "../order-tests/run.js";
import type { LoadedStack } from "../order-tests/stack.js";
import { loadStack } from "../order-tests/stack.js";
import { findProject } from "./drift-run.js";
import { documentStack, parseUrn, type PreviewDocument, type PreviewStep } from "./plan-preview.js";

/** The kinds whose change can change what an order does. */
const EVALUATED_KINDS = new Set(["Policy", "DualWriteMap", "OrchestrationFlow"]);
const IOM_TYPE_PREFIX = "pulumi-nodejs:dynamic/iom:";

/** "syncs", "held back", or "no map" (the map is not in the stack on that side). */
export type SyncOutcome = "syncs" | "held back" | "no map";

export interface EffectRow {
  /** "the order", "line 1", or the line's name. */
  record: string;
  /** The map's YAML name. */
  map: string;
  before: SyncOutcome;
  after: SyncOutcome;
  /**
   * The clause that decides: the one that now holds the record back, or, when it now syncs, the one
   * that held it back before (from the applied filter, which may be in no file any more).
   */
  clause?: { text: string; reason: string; side: "before" | "after"; location?: Location };
  /** Why there is no clause: the map is new, or gone. */
  note?: string;
}

export interface ChangedCase {
  name: string;
  /** The case's file:line:column. */
  where: string;
  rows: EffectRow[];
}

export interface StackEffect {
  /** The case files that ran, as shown in messages. */
  files: string[];
  /** How many cases ran on both sides. */
  cases: number;
  changed: ChangedCase[];
  /** Cases that could not run on one side, with why. */
  notRun: Array<{ name: string; where: string; reason: string }>;
  /** What kept part of the comparison from being made (an unreadable case file, ...). */
  notes: string[];
}

export interface EffectOptions {
  /** Where the command runs: the project is the nearest folder above with a Pulumi.yaml. */
  cwd: string;
  /** Case files or folders given with --cases; undefined for the project's tests/ folder. */
  cases?: readonly string[];
}

/** The reason a --cases path cannot be used: a usage error. */
export class CasesUsageError extends Error {
  override name = "CasesUsageError";
}

const kindOf = (step: PreviewStep): string => {
  const type = parseUrn(step.urn)?.type ?? step.newState?.type ?? step.oldState?.type ?? "";
  return type.startsWith(IOM_TYPE_PREFIX) ? type.slice(IOM_TYPE_PREFIX.length) : type;
};

/** Whether a preview changes anything the order cases evaluate. */
export function changesEvaluation(steps: readonly PreviewStep[]): boolean {
  return steps.some((s) => !["same", "read", "refresh"].includes(s.op) && EVALUATED_KINDS.has(kindOf(s)));
}

/** The stack's desired-state file: the program's last `desiredState` output, else stacks/<stack>.iom.yaml. */
function desiredStateFile(projectDir: string, stack: string, steps: readonly PreviewStep[]): string {
  const root = steps.find((s) => parseUrn(s.urn)?.type === "pulumi:pulumi:Stack");
  const output = root?.newState?.outputs?.desiredState ?? root?.oldState?.outputs?.desiredState;
  return path.resolve(
    projectDir,
    typeof output === "string" ? output : path.join("stacks", `${stack}.iom.yaml`),
  );
}

/** A resource's YAML value from its inputs in a preview: the program's own additions left out. */
function fromInputs<T>(inputs: Record<string, unknown>): T {
  const { __provider: _p, recordId: _r, providerIds: _i, ...value } = inputs;
  return value as T;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
const nameOf = (inputs: Record<string, unknown> | undefined) =>
  typeof inputs?.name === "string" ? inputs.name : undefined;
const flat = (filter: unknown) => (typeof filter === "string" ? filter.replace(/\s+/g, " ").trim() : "");

/**
 * The stack as applied: `after` with each changed policy, map and flow put back to its old inputs.
 * Notes say where the files do not hold what the preview says they do (a preview of other files).
 */
export function appliedStack(
  after: LoadedStack,
  steps: readonly PreviewStep[],
): { stack: LoadedStack; notes: string[] } {
  const maps = [...after.maps];
  const policies = new Map(after.policies);
  const flows = [...after.flows];
  const notes: string[] = [];
  // One entry per resource: a replace comes as several steps.
  const byUrn = new Map<
    string,
    { kind: string; old?: Record<string, unknown>; now?: Record<string, unknown> }
  >();
  for (const step of steps) {
    if (["same", "read", "refresh"].includes(step.op)) continue;
    const kind = kindOf(step);
    if (!EVALUATED_KINDS.has(kind)) continue;
    const entry = byUrn.get(step.urn) ?? { kind };
    if (step.op !== "create" && step.op !== "create-replacement" && step.oldState?.inputs)
      entry.old ??= step.oldState.inputs;
    if (step.op !== "delete" && step.op !== "delete-replaced" && step.newState?.inputs)
      entry.now ??= step.newState.inputs;
    byUrn.set(step.urn, entry);
  }
  for (const { kind, old, now } of byUrn.values()) {
    const newName = nameOf(now);
    const oldName = nameOf(old);
    if (kind === "DualWriteMap") {
      const at = maps.findIndex((m) => same(m.value.name, newName));
      if (now && (at < 0 || flat(maps[at]?.value.dataverseFilter) !== flat(now.dataverseFilter)))
        notes.push(
          `the preview's map '${newName}' is not as ${after.file} writes it: was the preview made from these files?`,
        );
      if (at >= 0) maps.splice(at, 1);
      if (old) {
        const value = { value: fromInputs<DualWriteMap>(old), file: "", path: [] };
        maps.splice(at >= 0 ? at : maps.length, 0, value);
      }
    } else if (kind === "Policy") {
      if (newName !== undefined) {
        if (!policies.has(newName.toLowerCase()))
          notes.push(
            `the preview's policy '${newName}' is not in ${after.file}: was the preview made from these files?`,
          );
        policies.delete(newName.toLowerCase());
      }
      if (old && oldName !== undefined)
        policies.set(oldName.toLowerCase(), { value: fromInputs<Policy>(old), file: "", path: [] });
    } else {
      const at = flows.findIndex((f) => same(f.name, newName));
      if (newName !== undefined && at < 0)
        notes.push(
          `the preview's flow '${newName}' is not in ${after.file}: was the preview made from these files?`,
        );
      if (at >= 0) flows.splice(at, 1);
      if (old) flows.splice(at >= 0 ? at : flows.length, 0, fromInputs<OrchestrationFlow>(old));
    }
  }
  return { stack: { ...after, maps, policies, flows }, notes };
}

function outcomeOf(map: MapOutcome | undefined): SyncOutcome {
  return !map ? "no map" : map.passes ? "syncs" : "held back";
}

/** The rows where a record's outcome through a map differs between the two sides. */
export function compareRecords(
  before: readonly RecordOutcome[],
  after: readonly RecordOutcome[],
): EffectRow[] {
  const rows: EffectRow[] = [];
  after.forEach((record, i) => {
    const old = before[i];
    const names = [...new Set([...(old?.maps ?? []), ...record.maps].map((m) => m.map))];
    for (const name of names) {
      const b = old?.maps.find((m) => m.map === name);
      const a = record.maps.find((m) => m.map === name);
      const row: EffectRow = { record: record.record, map: name, before: outcomeOf(b), after: outcomeOf(a) };
      if (row.before === row.after) continue;
      if (a && !a.passes && a.clause) row.clause = { ...a.clause, side: "after" };
      else if (b && !b.passes && b.clause) row.clause = { ...b.clause, side: "before" };
      else if (!a) row.note = "the map is no longer in the stack";
      else if (!b) row.note = "the map is new in the stack";
      rows.push(row);
    }
  });
  return rows;
}

const where = (l: Location) => `${l.file}:${l.line}:${l.column}`;

/** The case files to consider: --cases, else the project's tests/ folder (none when it has none). */
function caseFiles(options: EffectOptions, projectDir: string): string[] {
  try {
    if (options.cases) return expandCasePaths(options.cases, options.cwd);
    const tests = path.join(projectDir, "tests");
    return existsSync(tests) ? expandCasePaths([tests], options.cwd) : [];
  } catch (err) {
    if (!(err instanceof TestUsageError)) throw err;
    // A tests/ folder without case files is no cases; a --cases path that is not one is a mistake.
    if (!options.cases) return [];
    throw new CasesUsageError(`--cases: ${err.message}`);
  }
}

/**
 * The effect of each document's changes on the order cases written for its stack, by document
 * index; a document gets none when it changes no policy, map or flow, when its preview failed, or
 * when no case file is written for its stack. A case file runs against the stack its `stack` names
 * (resolved from the file, as `iom test` does); one that names none runs against every stack.
 */
export async function orderEffects(
  documents: readonly PreviewDocument[],
  options: EffectOptions,
): Promise<Map<number, StackEffect>> {
  const effects = new Map<number, StackEffect>();
  const projectDir = findProject(options.cwd) ?? path.resolve(options.cwd);
  const wanted = documents
    .map((document, index) => ({ document, index, identity: documentStack(document.digest) }))
    .filter(
      ({ document, identity }) =>
        identity !== undefined &&
        !(document.digest.diagnostics ?? []).some((d) => d.severity === "error") &&
        changesEvaluation(document.digest.steps ?? []),
    );
  if (wanted.length === 0) return effects;
  const files: CaseFileLoad[] = caseFiles(options, projectDir).map((abs) => loadCaseFile(abs, options.cwd));
  for (const { document, index, identity } of wanted) {
    const steps = document.digest.steps ?? [];
    const stackFile = desiredStateFile(projectDir, identity!.stack, steps);
    const effect: StackEffect = { files: [], cases: 0, changed: [], notRun: [], notes: [] };
    const applies = files.filter((f) => {
      if (!f.ok) return false;
      const named = f.data.stack;
      return named === undefined || path.resolve(options.cwd, path.dirname(f.file), named) === stackFile;
    });
    for (const f of files)
      if (!f.ok) {
        const first = f.findings[0];
        effect.notes.push(
          `${first ? `${first.file}:${first.line}:${first.column}: ${first.message}` : f.file}: the case file cannot be read (iom test says why)`,
        );
      }
    if (applies.length === 0) {
      // An unreadable case file may be this stack's: say so rather than nothing.
      if (effect.notes.length > 0) effects.set(index, effect);
      continue;
    }
    const loaded = await loadStack(stackFile, options.cwd);
    if (!loaded.ok) {
      const first = loaded.findings[0];
      effect.notes.push(
        `the stack ${path.relative(options.cwd, stackFile)} cannot be read${first ? ` (${first.file}:${first.line}:${first.column}: ${first.message})` : ""}: no case was run`,
      );
      effects.set(index, effect);
      continue;
    }
    const applied = appliedStack(loaded.stack, steps);
    effect.notes.push(...applied.notes);
    for (const f of applies) {
      if (!f.ok) continue;
      effect.files.push(f.file);
      f.data.cases.forEach((kase, i) => {
        const location = f.source.locate(["cases", i, "name"]);
        const before = caseOutcome(kase, i, f.source, applied.stack);
        const after = caseOutcome(kase, i, f.source, loaded.stack);
        if (!before.ok || !after.ok) {
          const reason = !after.ok ? after.reason : (before as { reason: string }).reason;
          effect.notRun.push({ name: kase.name, where: where(location), reason });
          return;
        }
        effect.cases++;
        const rows = compareRecords(before.records, after.records);
        if (rows.length > 0) effect.changed.push({ name: kase.name, where: where(location), rows });
      });
    }
    effects.set(index, effect);
  }
  return effects;
}
