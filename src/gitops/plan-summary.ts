// `iom plan-summary`: turns `pulumi preview --json` documents (one per stack) into what a reviewer
// reads on a pull request. Summary first (counts per operation, replaces and deletes called out),
// then only the resources that change, grouped by stack and kind, each with its property changes.
// Markdown is for the PR comment and always fits GitHub's limit, saying what it cut to fit; plain
// text is for the job's log and is never cut. Under each stack's counts: the effect on the stack's
// order cases when a policy, map or flow changes (./plan-effect.ts), and the order of operations as
// a Mermaid flowchart when resources whose order IOM cares about change (./plan-order.ts).
import { RESOURCE_TYPES } from "../resources/common/dynamic.js";
import {
  diffProperties,
  elideUnchanged,
  topLevelProperties,
  wantsWordDiff,
  wordDiff,
  type DisplayValue,
  type PropertyChange,
  type WordSegment,
} from "./plan-diff.js";
import { redact } from "../dataverse/redact.js";
import type { KindComparer } from "./drift.js";
import type { EffectRow, StackEffect } from "./plan-effect.js";
import { mermaid, orderGraph, topologicalOrder, wantsOrder, type OrderGraph } from "./plan-order.js";
import { documentStack, parseUrn, type PreviewDocument, type PreviewStep } from "./plan-preview.js";

/** GitHub refuses comment bodies longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * What the Markdown summary may use: under GitHub's limit with room for a workflow to add its own
 * line or two (a link to the run, a timestamp) around it.
 */
export const MARKDOWN_BUDGET = GITHUB_COMMENT_LIMIT - 1_536;

/** The hidden marker a workflow finds its own comment by, to update it in place. */
export const COMMENT_MARKER = "<!-- iom-gitops:plan-summary -->";

/** The prefix of every IOM resource type in previews (src/resources/common/dynamic.ts). */
const IOM_TYPE_PREFIX = "pulumi-nodejs:dynamic/iom:";

/** Kinds in the order src/resources/common/dynamic.ts lists them. */
const KIND_ORDER: readonly string[] = Object.values(RESOURCE_TYPES);

/** Operations by how much a reviewer must look at them: the order of the callouts and of cuts. */
const OP_PRIORITY: readonly string[] = ["replace", "delete", "update", "create", "import", "discard"];

const OP_SYMBOL: Record<string, string> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
  import: "=",
  discard: "-",
};

/** Steps that say nothing a reviewer needs: no change, or the halves of a replace. */
const QUIET_OPS = new Set(["same", "read", "refresh", "remove-pending-replace"]);
/**
 * The steps `--show-replacement-steps` adds: the halves of a replace, folded into it. A
 * `delete-replaced` with no replace and nothing created in its place is a delete the engine makes
 * on its way to replacing something else first (delete-before-replace): a resource removed from
 * the program that depends on a replaced one is deleted that way, and a preview without the flag
 * does not show that delete at all (pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * calculateDependentReplacements and its delete-replacement steps).
 */
const REPLACE_HALVES = new Set(["create-replacement", "delete-replaced", "import-replacement"]);
const CREATING_HALVES = new Set(["create-replacement", "import-replacement"]);

export interface PlannedResource {
  /** `Policy`, `DualWriteMap`, … (the type after `pulumi-nodejs:dynamic/iom:`), or the full type. */
  kind: string;
  name: string;
  urn: string;
  op: string;
  /** For a replace, the properties that force it. */
  replaceReasons: string[];
  changes: PropertyChange[];
}

export interface StackPlan {
  /** `dev`, or `project/dev` when the documents span several projects. */
  title: string;
  /** Where the preview came from (file or stdin) and its line. */
  source: string;
  resources: PlannedResource[];
  unchanged: number;
  errors: string[];
  warnings: string[];
  /** The order of operations, when resources whose order IOM cares about are replaced or updated. */
  order?: OrderGraph;
  /** What the change does to the stack's order cases (set by the command, ./plan-effect.ts). */
  effect?: StackEffect;
}

export interface Plan {
  stacks: StackPlan[];
}

const opRank = (op: string): number => {
  const i = OP_PRIORITY.indexOf(op);
  return i < 0 ? OP_PRIORITY.length : i;
};

const kindRank = (kind: string): number => {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
};

function compareResources(a: PlannedResource, b: PlannedResource): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    a.kind.localeCompare(b.kind) ||
    opRank(a.op) - opRank(b.op) ||
    a.name.localeCompare(b.name)
  );
}

function kindOf(type: string): string {
  return type.startsWith(IOM_TYPE_PREFIX) ? type.slice(IOM_TYPE_PREFIX.length) : type;
}

/**
 * Infrastructure of every Pulumi program, and the stack's record of its organization (a guard),
 * not configuration a reviewer changes.
 */
function isPlumbing(type: string): boolean {
  return (
    type === "pulumi:pulumi:Stack" ||
    type.startsWith("pulumi:providers:") ||
    type === `${IOM_TYPE_PREFIX}${RESOURCE_TYPES["stack-organization"]}`
  );
}

/** Whether the stack's organization check is created, updated or deleted (not among the unchanged). */
function guardChanged(steps: readonly PreviewStep[]): boolean {
  const guard = `${IOM_TYPE_PREFIX}${RESOURCE_TYPES["stack-organization"]}`;
  return steps.some((s) => s.op !== "same" && (parseUrn(s.urn)?.type ?? s.newState?.type) === guard);
}

/** The resource's YAML name: its new inputs' `name`, else (a delete) its old ones'. */
function yamlName(step: PreviewStep): string | undefined {
  for (const inputs of [step.newState?.inputs, step.oldState?.inputs]) {
    const name = inputs?.name;
    if (typeof name === "string" && name !== "") return name;
  }
  return undefined;
}

/**
 * Names the resources of one kind that share a YAML name by their URN's name as well. A connection
 * whose `connection` changes keeps its YAML name but gets a new natural key, and so a new URN: the
 * old one is deleted and the new one created, and "delete `fulfilment-connection`" beside "create
 * `fulfilment-connection`" would not say which is which.
 */
function tellApart(resources: PlannedResource[]): void {
  const key = (r: PlannedResource) => `${r.kind}\0${r.name}`;
  const urns = new Map<string, Set<string>>();
  for (const r of resources) urns.set(key(r), (urns.get(key(r)) ?? new Set()).add(r.urn));
  for (const r of resources) {
    const urnName = parseUrn(r.urn)?.name;
    if ((urns.get(key(r))?.size ?? 0) > 1 && urnName && urnName !== r.name) r.name = `${r.name} [${urnName}]`;
  }
}

/** The inputs of each resource's step, before and after, for the order of operations. */
const stepInputs = new WeakMap<
  PlannedResource,
  { before?: Record<string, unknown>; after?: Record<string, unknown> }
>();

/** The step an update was planned from, for comparing it through its kind (throughKinds). */
const updateSteps = new WeakMap<
  PlannedResource,
  { type: string; before: Record<string, unknown>; after: Record<string, unknown> }
>();

function planResource(step: PreviewStep, op: string): PlannedResource | undefined {
  const urn = parseUrn(step.urn);
  const type = urn?.type ?? step.newState?.type ?? step.oldState?.type ?? "";
  if (isPlumbing(type)) return undefined;
  const before = op === "create" || op === "import" ? undefined : step.oldState?.inputs;
  const after = op === "delete" || op === "discard" ? undefined : step.newState?.inputs;
  const resource: PlannedResource = {
    kind: kindOf(type),
    // Named as the YAML names it (the inputs' `name`): the URN's name is the resource's natural
    // key (src/program/identity.ts).
    name: yamlName(step) ?? urn?.name ?? step.urn,
    urn: step.urn,
    op,
    replaceReasons: op === "replace" ? [...(step.replaceReasons ?? [])] : [],
    // A delete is read by its name alone: its last settings are in the stack's history.
    changes: op === "delete" || op === "discard" ? [] : diffProperties(before, after),
  };
  if (op === "update" && before && after) updateSteps.set(resource, { type, before, after });
  stepInputs.set(resource, {
    ...(step.oldState?.inputs && op !== "create" && op !== "import" ? { before: step.oldState.inputs } : {}),
    ...(step.newState?.inputs && op !== "delete" && op !== "discard" ? { after: step.newState.inputs } : {}),
  });
  return resource;
}

/**
 * Keeps, of each update, the changes the resource's kind itself sees (its provider's diff, through
 * its canonical form, as `iom drift` compares): whitespace or letter case the kind ignores is not
 * shown as a change beside the one that made the update. When no single property accounts for the
 * update, every change stays.
 */
export async function throughKinds(plan: Plan, compare: KindComparer): Promise<Plan> {
  for (const stack of plan.stacks)
    for (const resource of stack.resources) {
      const step = updateSteps.get(resource);
      if (!step) continue;
      const keys = await compare(step.type, resource.urn, step.before, step.after);
      if (!keys || keys.length === 0) continue;
      const kept = new Set(keys);
      const changes = resource.changes.filter((change) => {
        const top = topLevelProperties([change])[0] ?? change.path;
        return kept.has(top.startsWith("[") ? (JSON.parse(top.slice(1, -1)) as string) : top);
      });
      if (changes.length > 0) resource.changes = changes;
    }
  return plan;
}

/** A diagnostic's message without the severity Pulumi prefixes it with, bounded, secrets redacted. */
function firstLines(message: string, max = 4_000): string {
  const text = redact(message.trim().replace(/^(error|warning):\s*/, ""));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The plan of every document, in the order given. */
export function buildPlan(documents: readonly PreviewDocument[]): Plan {
  const identities = documents.map((d) => documentStack(d.digest));
  const projects = new Set(identities.filter((i) => i !== undefined).map((i) => i.project));
  const stacks = documents.map((document, index): StackPlan => {
    const identity = identities[index];
    const steps = document.digest.steps ?? [];
    const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
    const recreated = new Set(steps.filter((s) => CREATING_HALVES.has(s.op)).map((s) => s.urn));
    const seen = new Set<string>();
    const resources: PlannedResource[] = [];
    let rootSame = false;
    for (const step of steps) {
      if (QUIET_OPS.has(step.op)) {
        if (step.op === "same" && parseUrn(step.urn)?.type === "pulumi:pulumi:Stack") rootSame = true;
        continue;
      }
      let op = step.op;
      if (REPLACE_HALVES.has(op)) {
        if (replaced.has(step.urn)) continue;
        op = op === "delete-replaced" && !recreated.has(step.urn) ? "delete" : "replace";
      }
      if (seen.has(`${op}\0${step.urn}`)) continue;
      seen.add(`${op}\0${step.urn}`);
      const resource = planResource(step, op);
      if (resource) resources.push(resource);
    }
    tellApart(resources);
    resources.sort(compareResources);
    const ordered = resources.map((r) => ({ kind: r.kind, name: r.name, op: r.op, ...stepInputs.get(r) }));
    const diagnostics = document.digest.diagnostics ?? [];
    const where = `${document.source}${document.line > 1 ? `:${document.line}` : ""}`;
    const title = identity
      ? projects.size > 1
        ? `${identity.project}/${identity.stack}`
        : identity.stack
      : where;
    return {
      title,
      source: where,
      resources,
      // The engine's count of unchanged resources holds the root stack and the stack's
      // organization check, neither of them configuration (isPlumbing).
      unchanged: Math.max(
        0,
        (document.digest.changeSummary?.same ?? 0) - (rootSame ? 1 : 0) - (guardChanged(steps) ? 0 : 1),
      ),
      errors: diagnostics
        .filter((d) => d.severity === "error" && d.message)
        .map((d) => firstLines(d.message as string)),
      warnings: diagnostics
        .filter((d) => d.severity === "warning" && d.message)
        .map((d) => firstLines(d.message as string)),
      ...(wantsOrder(ordered) ? { order: orderGraph(ordered) } : {}),
    };
  });
  return { stacks };
}

// ---------------------------------------------------------------------------------------------
// Shared wording

/** The order of counts in summaries: Pulumi's own (create, update, replace, delete). */
const PHRASE_ORDER: readonly string[] = ["create", "update", "replace", "delete", "import", "discard"];

/** "1 to create, 3 to update" in a fixed order, operations Pulumi may add one day last. */
function countPhrase(resources: readonly PlannedResource[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.op, (counts.get(r.op) ?? 0) + 1);
  const ops = [...new Set([...PHRASE_ORDER, ...[...counts.keys()].sort()])].filter((op) => counts.has(op));
  return ops.map((op) => `${counts.get(op)} to ${op}`).join(", ");
}

const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

interface Headline {
  resources: PlannedResource[];
  unchanged: number;
  failed: string[];
  callouts: Array<{ op: "replace" | "delete"; items: Array<{ name: string; kind: string; stack: string }> }>;
}

function headline(plan: Plan): Headline {
  const resources = plan.stacks.flatMap((s) => s.resources);
  const callouts = (["replace", "delete"] as const).map((op) => ({
    op,
    items: plan.stacks.flatMap((s) =>
      s.resources.filter((r) => r.op === op).map((r) => ({ name: r.name, kind: r.kind, stack: s.title })),
    ),
  }));
  return {
    resources,
    unchanged: plan.stacks.reduce((n, s) => n + s.unchanged, 0),
    failed: plan.stacks.filter((s) => s.errors.length > 0).map((s) => s.title),
    callouts: callouts.filter((c) => c.items.length > 0),
  };
}

/** The counts of the whole plan, or that nothing could be previewed. */
function headlineCounts(plan: Plan, h: Headline): string {
  if (h.resources.length > 0) return countPhrase(h.resources);
  return h.failed.length === plan.stacks.length ? "the preview failed" : "no changes";
}

/** A stack's counts, or that its preview failed (its counts would say nothing). */
function stackCounts(stack: StackPlan): string {
  if (stack.errors.length > 0 && stack.resources.length === 0) return "preview failed";
  return `${stack.resources.length > 0 ? countPhrase(stack.resources) : "no changes"}, ${stack.unchanged} unchanged`;
}

/** At most this many names in each callout of the summary line. */
const CALLOUT_NAMES = 5;

/** How many order cases change outcome over all stacks (a case file shared by stacks counts per stack). */
function casesChanged(plan: Plan): number {
  return plan.stacks.reduce((n, s) => n + (s.effect?.changed.length ?? 0), 0);
}

/** "2 of 9 order cases change outcome", or that none does. */
function effectCount(effect: StackEffect): string {
  const total = effect.cases;
  if (effect.changed.length === 0)
    return `no order case changes outcome (${plural(total, "case")} in ${effect.files.join(", ")})`;
  return `${effect.changed.length} of ${plural(total, "order case")} change${effect.changed.length === 1 ? "s" : ""} outcome`;
}

/** Where a deciding clause is written, or that it comes from the applied filter. */
function clauseWhere(row: EffectRow): string {
  const clause = row.clause;
  if (!clause) return "";
  if (clause.location) return `${clause.location.file}:${clause.location.line}:${clause.location.column}`;
  return "the filter as applied";
}

/** At most this many cases are named on the effect line, and rows in its table. */
const EFFECT_NAMES = 3;
const EFFECT_ROWS = 40;

/** More steps than this are not drawn: the diagram would be unreadable (and long). */
const DIAGRAM_NODES = 60;

// ---------------------------------------------------------------------------------------------
// Plain text (logs): everything, never cut.

function textValue(value: DisplayValue | undefined): string {
  if (!value) return "(none)";
  if (value.kind === "secret") return "[secret]";
  if (value.kind === "unknown") return "(known after apply)";
  return value.text;
}

function textWordDiff(segments: readonly WordSegment[]): string {
  return segments
    .map((s) => (s.op === "same" ? s.text : s.op === "delete" ? `[-${s.text}-]` : `{+${s.text}+}`))
    .join(" ");
}

/** One property change as a log line: `path: old -> new`, long strings as `[-removed-] {+added+}`. */
export function textChange(change: PropertyChange): string {
  if (wantsWordDiff(change)) {
    const segments = wordDiff(
      (change.old as { string: string }).string,
      (change.new as { string: string }).string,
    );
    if (segments) return `${change.path}: ${textWordDiff(elideUnchanged(segments))}`;
  }
  if (change.kind === "add") return `${change.path}: ${textValue(change.new)}`;
  if (change.kind === "delete") return `${change.path}: ${textValue(change.old)} -> (removed)`;
  return `${change.path}: ${textValue(change.old)} -> ${textValue(change.new)}`;
}

function resourceNote(r: PlannedResource): string {
  if (r.op === "replace" && r.replaceReasons.length > 0)
    return ` (replaced because ${r.replaceReasons.join(", ")} changed)`;
  if ((r.op === "update" || r.op === "replace") && r.changes.length === 0)
    return " (no input changed: the provider's code or a secret did)";
  return "";
}

export function renderText(plan: Plan): string {
  const h = headline(plan);
  const head = [
    `IOM plan: ${headlineCounts(plan, h)}`,
    `${plural(plan.stacks.length, "stack")}, ${h.unchanged} unchanged`,
    ...h.callouts.map(
      (c) =>
        `${c.op === "replace" ? "replaces" : "deletes"}: ${c.items.map((i) => `${i.name} (${i.kind}, ${i.stack})`).join(", ")}`,
    ),
    ...(h.failed.length > 0 ? [`preview failed: ${h.failed.join(", ")}`] : []),
  ];
  const lines = [head.join("; "), ""];
  for (const stack of plan.stacks) {
    lines.push(`Stack ${stack.title}: ${stackCounts(stack)}`);
    for (const error of stack.errors) lines.push(`  error: ${error.replace(/\n/g, "\n    ")}`);
    for (const warning of stack.warnings) lines.push(`  warning: ${warning.replace(/\n/g, "\n    ")}`);
    if (stack.effect) lines.push(...textEffect(stack.effect));
    if (stack.order) {
      lines.push("  order of operations:");
      topologicalOrder(stack.order).forEach((node, i) => {
        const r = stack.order?.resources[node.resource];
        lines.push(`    ${i + 1}. ${r?.kind} ${r?.name}: ${node.label}`);
      });
    }
    let kind: string | undefined;
    for (const r of stack.resources) {
      if (r.kind !== kind) lines.push(`  ${(kind = r.kind)}`);
      lines.push(`    ${OP_SYMBOL[r.op] ?? "*"} ${r.op} ${r.name}${resourceNote(r)}`);
      for (const change of r.changes) lines.push(`        ${textChange(change)}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

function textEffect(effect: StackEffect): string[] {
  const lines = [`  order cases: ${effectCount(effect)}`];
  for (const c of effect.changed) {
    lines.push(`    ${c.name} (${c.where})`);
    for (const row of c.rows) {
      const why = row.clause
        ? `${row.clause.side === "after" ? "held back by" : "was held back by"} \`${row.clause.text}\` at ${clauseWhere(row)}: ${row.clause.reason}`
        : (row.note ?? "");
      lines.push(`      ${row.record}, ${row.map}: ${row.before} -> ${row.after}${why ? `; ${why}` : ""}`);
    }
  }
  for (const n of effect.notRun) lines.push(`    could not run: ${n.name} (${n.where}): ${n.reason}`);
  for (const note of effect.notes) lines.push(`    note: ${note}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Markdown (pull-request comment): folded where long, cut to fit the comment limit.

/**
 * Text safe in the middle of a Markdown line and between inline HTML tags: HTML entities, and a
 * backslash before what could start emphasis, code, a link or a table cell. (Line-start syntax,
 * lists and headings, cannot occur: this text never begins a line.)
 */
export function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/([\\`*_[\]|~])/g, "\\$1");
}

/** A code span that holds any text (fenced with more backticks than the text has in a row). */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function mdValue(value: DisplayValue | undefined): string {
  if (!value) return "_(none)_";
  if (value.kind === "secret") return "_[secret]_";
  if (value.kind === "unknown") return "_(known after apply)_";
  return code(value.text);
}

function mdWordDiff(segments: readonly WordSegment[]): string {
  const parts = segments.map((s) =>
    s.op === "same"
      ? escapeText(s.text)
      : s.op === "delete"
        ? `<del>${escapeText(s.text)}</del>`
        : `<ins>${escapeText(s.text)}</ins>`,
  );
  return `<code>${parts.join(" ")}</code>`;
}

/** One property change in Markdown: old → new, long strings as a word diff (<del>, <ins>). */
export function mdChange(change: PropertyChange): string {
  const path = code(change.path);
  if (wantsWordDiff(change)) {
    const segments = wordDiff(
      (change.old as { string: string }).string,
      (change.new as { string: string }).string,
    );
    if (segments) return `${path}: ${mdWordDiff(elideUnchanged(segments))}`;
  }
  if (change.kind === "add") return `${path}: ${mdValue(change.new)}`;
  if (change.kind === "delete") return `${path}: ${mdValue(change.old)} → _(removed)_`;
  return `${path}: ${mdValue(change.old)} → ${mdValue(change.new)}`;
}

/** Property lists longer than this are folded. */
const FOLD_PROPERTIES = 4;
/** Kinds with more resources than this in one stack are folded. */
const FOLD_RESOURCES = 15;

function mdResourceLine(r: PlannedResource): string {
  const note =
    r.op === "replace" && r.replaceReasons.length > 0
      ? `, replaced because ${r.replaceReasons.map(code).join(", ")} changed`
      : (r.op === "update" || r.op === "replace") && r.changes.length === 0
        ? " (no input changed: the provider's code or a secret did)"
        : "";
  return `- **${r.op}** ${code(r.name)}${note}`;
}

/** The resource with its property changes, folded when there are many. */
function mdResourceFull(r: PlannedResource): string {
  const line = mdResourceLine(r);
  if (r.changes.length === 0) return `${line}\n`;
  const items = r.changes.map((c) => `  - ${mdChange(c)}`);
  if (r.changes.length <= FOLD_PROPERTIES && r.op !== "create") return `${line}\n${items.join("\n")}\n`;
  const what =
    r.op === "create"
      ? plural(r.changes.length, "property", "properties")
      : plural(r.changes.length, "property change");
  return `${line}\n  <details><summary>${what}</summary>\n\n${items.join("\n")}\n\n  </details>\n`;
}

/** The resource on one line: which top-level properties change, without their values. */
function mdResourceBrief(r: PlannedResource): string {
  const line = mdResourceLine(r);
  if (r.changes.length === 0 || r.op === "create") return `${line}\n`;
  const top = topLevelProperties(r.changes);
  const shown = top.slice(0, 6).map(code).join(", ");
  return `${line}: ${shown}${top.length > 6 ? `, and ${top.length - 6} more` : ""}\n`;
}

/** How much of a resource the Markdown shows. */
type Detail = "full" | "brief" | "omitted";

interface Cut {
  /** Resources shown without their values. */
  brief: number;
  /** Resources not listed at all. */
  omitted: number;
}

function callout(h: Headline, op: "replace" | "delete"): string {
  const c = h.callouts.find((x) => x.op === op);
  if (!c) return "";
  const names = c.items
    .slice(0, CALLOUT_NAMES)
    .map((i) => `${code(i.name)} (${i.kind}, ${escapeText(i.stack)})`)
    .join(", ");
  const more = c.items.length > CALLOUT_NAMES ? ` and ${c.items.length - CALLOUT_NAMES} more` : "";
  return ` · ⚠️ **${op === "replace" ? "replaces" : "deletes"}** ${names}${more}`;
}

function mdHeadline(plan: Plan): string {
  const h = headline(plan);
  const counts = headlineCounts(plan, h);
  const failed =
    h.failed.length > 0 ? ` · ❌ **preview failed**: ${h.failed.map((s) => code(s)).join(", ")}` : "";
  const changed = casesChanged(plan);
  const cases =
    changed > 0 ? ` · 🧪 **${plural(changed, "order case")} change${changed === 1 ? "s" : ""} outcome**` : "";
  return (
    `**IOM plan: ${counts}** · ${plural(plan.stacks.length, "stack")}, ${h.unchanged} unchanged` +
    `${callout(h, "replace")}${callout(h, "delete")}${cases}${failed}`
  );
}

function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const f = "`".repeat(longest + 1);
  return `${f}\n${text}\n${f}`;
}

/** A table cell: Markdown inline text with its pipes escaped (GitHub splits cells on them, even in code). */
const cell = (markdown: string): string => markdown.replace(/\|/g, "\\|");

function mdOutcome(before: string, after: string): string {
  return `${before} → **${after}**`;
}

/** The effect line, and the table of the cases that change outcome, folded. */
function mdEffect(effect: StackEffect): string[] {
  const parts: string[] = [];
  if (effect.files.length > 0) {
    const named = effect.changed.slice(0, EFFECT_NAMES).map((c) => {
      const row = c.rows[0] as EffectRow;
      const more = c.rows.length > 1 ? `, and ${c.rows.length - 1} more` : "";
      return `${code(c.name)} (${escapeText(row.record)}, ${code(row.map)}: ${row.before} → ${row.after}${more})`;
    });
    const rest =
      effect.changed.length > EFFECT_NAMES ? ` and ${effect.changed.length - EFFECT_NAMES} more` : "";
    const count = effectCount(effect);
    parts.push(
      effect.changed.length > 0
        ? `🧪 **${count}**: ${named.join(", ")}${rest}`
        : `🧪 ${escapeText(count.charAt(0).toUpperCase() + count.slice(1))}.`,
      "",
    );
  }
  if (effect.changed.length > 0) {
    const rows = effect.changed.flatMap((c) => c.rows.map((row) => ({ c, row })));
    const table = [
      "| Case | Record | Map | Before → after | Deciding clause |",
      "| --- | --- | --- | --- | --- |",
      ...rows.slice(0, EFFECT_ROWS).map(({ c, row }) => {
        const clause = row.clause
          ? `${row.clause.side === "before" ? "was held back by " : ""}${code(row.clause.text)} <sub>${escapeText(clauseWhere(row))}</sub>: ${escapeText(row.clause.reason)}`
          : escapeText(row.note ?? "");
        return `| ${cell(`${code(c.name)} <sub>${escapeText(c.where)}</sub>`)} | ${cell(escapeText(row.record))} | ${cell(code(row.map))} | ${mdOutcome(row.before, row.after)} | ${cell(clause)} |`;
      }),
    ];
    if (rows.length > EFFECT_ROWS)
      table.push(
        "",
        `… and ${rows.length - EFFECT_ROWS} more rows in the job's log (\`iom plan-summary --format text\`).`,
      );
    parts.push(
      "<details><summary>Order cases that change outcome, and the clause that decides</summary>",
      "",
      ...table,
      "",
      "</details>",
      "",
    );
  }
  if (effect.notRun.length > 0)
    parts.push(
      `⚠️ ${plural(effect.notRun.length, "order case")} could not run: ${effect.notRun
        .slice(0, EFFECT_NAMES)
        .map((n) => `${code(n.name)} (${escapeText(n.reason)})`)
        .join(", ")}${effect.notRun.length > EFFECT_NAMES ? ", …" : ""} (\`iom test\` says why)`,
      "",
    );
  for (const note of effect.notes) parts.push(`⚠️ ${escapeText(note)}`, "");
  return parts;
}

/** The order of operations as a Mermaid flowchart GitHub draws, open under the stack's counts. */
function mdOrder(order: OrderGraph): string[] {
  const what = `${plural(order.nodes.length, "step")} on ${plural(order.resources.length, "resource")}`;
  if (order.nodes.length > DIAGRAM_NODES)
    return [
      `🔀 Order of operations: ${what}, too many to draw; the job's log lists them in order (\`iom plan-summary --format text\`).`,
      "",
    ];
  return [
    `<details open><summary>🔀 Order of operations: ${what}</summary>`,
    "",
    "```mermaid",
    mermaid(order),
    "```",
    "",
    "</details>",
    "",
  ];
}

function composeMarkdown(
  plan: Plan,
  detail: (r: PlannedResource) => Detail,
  cut?: Cut,
  diagrams = true,
): string {
  const parts = [mdHeadline(plan), ""];
  if (cut && (cut.brief > 0 || cut.omitted > 0)) {
    const what = [
      cut.brief > 0 ? `the property changes of ${plural(cut.brief, "resource")} are not shown` : "",
      cut.omitted > 0 ? `${plural(cut.omitted, "resource")} are not listed` : "",
      !diagrams && plan.stacks.some((s) => s.order) ? "the order of operations is not drawn" : "",
    ]
      .filter(Boolean)
      .join(", ")
      .replace(/, ([^,]*)$/, " and $1");
    parts.push(
      `> ✂️ **Cut to fit GitHub's comment limit (${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")} characters)**: ${what}. ` +
        "Replaces and deletes are listed first. The whole plan is in the job's log " +
        "(`iom plan-summary --format text`) and in `pulumi preview --diff`.",
      "",
    );
  }
  for (const stack of plan.stacks) {
    parts.push(`### Stack ${code(stack.title)} · ${stackCounts(stack)}`, "");
    for (const error of stack.errors) parts.push("❌ **The preview failed:**", "", fence(error), "");
    for (const warning of stack.warnings) parts.push("⚠️ Warning:", "", fence(warning), "");
    if (stack.effect) parts.push(...mdEffect(stack.effect));
    if (stack.order && diagrams) parts.push(...mdOrder(stack.order));
    const kinds = [...new Set(stack.resources.map((r) => r.kind))];
    for (const kind of kinds) {
      const all = stack.resources.filter((r) => r.kind === kind);
      const shown = all.filter((r) => detail(r) !== "omitted");
      const omitted = all.filter((r) => detail(r) === "omitted");
      const body = shown.map((r) => (detail(r) === "full" ? mdResourceFull(r) : mdResourceBrief(r)));
      if (omitted.length > 0)
        body.push(`- … and ${countPhrase(omitted)} not listed (cut to fit the comment limit)\n`);
      if (all.length > FOLD_RESOURCES) {
        parts.push(
          `<details><summary><b>${escapeText(kind)}</b>: ${countPhrase(all)}</summary>`,
          "",
          body.join(""),
          "</details>",
          "",
        );
      } else parts.push(`**${escapeText(kind)}**`, "", body.join(""));
    }
  }
  parts.push(`<sub>${"`iom plan-summary`"} from ${"`pulumi preview --json`"}</sub>`, COMMENT_MARKER, "");
  return parts.join("\n");
}

/**
 * The Markdown summary, at most `budget` characters. When everything does not fit, resources lose
 * their property values first and their line next, in reverse order of importance (creates before
 * updates before deletes before replaces), and a note says what was cut.
 */
export function renderMarkdown(plan: Plan, budget = MARKDOWN_BUDGET): string {
  const everything = composeMarkdown(plan, () => "full");
  if (everything.length <= budget) return everything;

  const ranked = plan.stacks
    .flatMap((s, stackIndex) => s.resources.map((r, i) => ({ r, stackIndex, i })))
    .sort((a, b) => opRank(a.r.op) - opRank(b.r.op) || a.stackIndex - b.stackIndex || a.i - b.i)
    .map((x) => x.r);
  const detail = new Map<PlannedResource, Detail>(ranked.map((r) => [r, "brief"]));
  const cut = (): Cut => {
    const values = [...detail.values()];
    return {
      brief: values.filter((d) => d === "brief").length,
      omitted: values.filter((d) => d === "omitted").length,
    };
  };
  // When the whole plan does not fit, the diagrams go first (the text form lists the order).
  const compose = () => composeMarkdown(plan, (r) => detail.get(r) ?? "full", cut(), false);

  // Too long even on one line each: leave the least important out, a batch at a time.
  let text = compose();
  let last = ranked.length - 1;
  while (text.length > budget && last >= 0) {
    const excess = text.length - budget;
    let freed = 0;
    while (last >= 0 && freed <= excess) {
      const r = ranked[last--] as PlannedResource;
      freed += mdResourceBrief(r).length;
      detail.set(r, "omitted");
    }
    text = compose();
  }
  // Then give back property changes, most important first, to each that still fits.
  for (const r of ranked) {
    if (detail.get(r) !== "brief") continue;
    const grows = mdResourceFull(r).length - mdResourceBrief(r).length;
    // The cut note's numbers can gain a digit: keep a little room.
    if (text.length + grows + 8 > budget) continue;
    detail.set(r, "full");
    text = compose();
    if (text.length > budget) {
      detail.set(r, "brief");
      text = compose();
    }
  }
  return text;
}
