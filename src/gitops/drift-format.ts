// The three forms of a drift report: text for a terminal or a log, Markdown for the issue a
// scheduled workflow opens (one per stack, found again by its marker), JSON for other tools.
// Values read "applied → environment": what the stack last wrote, then what is there now.
import type { DisplayValue, PropertyChange } from "./plan-diff.js";
import { code, escapeText, mdChange, textChange } from "./plan-summary.js";
import { missingPhrase, type DriftReport, type DriftedResource, type LookAt } from "./drift.js";

export const DRIFT_FORMATS = ["text", "markdown", "json"] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

/** The hidden marker of a stack's drift issue, for a workflow to find and update it. */
export function driftMarker(stack: string): string {
  return `<!-- iom-drift stack=${stack.replace(/-->/g, "")} -->`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

function headline(report: DriftReport): string {
  if (report.checked === 0) return `no drift: stack ${report.stack} has no IOM resources applied yet`;
  return report.drifted.length === 0
    ? `no drift: the ${plural(report.checked, "resource")} of stack ${report.stack} match what it last applied`
    : `drift in stack ${report.stack}: ${report.drifted.length} of ${plural(report.checked, "resource")} differ from what the stack last applied`;
}

function status(r: DriftedResource): string {
  return r.status === "missing" ? missingPhrase(r.kind) : "changed in the environment";
}

function lookAtParts(at: LookAt): string[] {
  const changed = at.modifiedOn
    ? `row last modified ${at.modifiedOn}${at.modifiedBy ? ` by ${at.modifiedBy}` : ""}`
    : at.modifiedBy
      ? `row last modified by ${at.modifiedBy}`
      : undefined;
  return [
    at.place,
    ...(at.record ? [`row ${at.record.table} ${at.record.id}`] : []),
    ...(changed ? [changed] : []),
    ...(at.lastApplied ? [`last applied by the stack ${at.lastApplied}`] : []),
    ...(at.declaredIn ? [`declared in ${at.declaredIn}`] : []),
  ];
}

function lookAtMarkdown(at: LookAt): string[] {
  const modified = at.modifiedOn ?? at.modifiedBy;
  return [
    ...(at.record ? [`row ${code(at.record.table)} ${code(at.record.id)}`] : []),
    ...(modified
      ? [
          `row last modified${at.modifiedOn ? ` ${escapeText(at.modifiedOn)}` : ""}${at.modifiedBy ? ` by ${escapeText(at.modifiedBy)}` : ""}`,
        ]
      : []),
    ...(at.lastApplied ? [`last applied by the stack ${escapeText(at.lastApplied)}`] : []),
    ...(at.declaredIn ? [`declared in ${code(at.declaredIn)}`] : []),
  ].map((line) => `  - ${line}`);
}

function nextSteps(report: DriftReport): string[] {
  return [
    "To keep what the environment holds, write it into the YAML and open a pull request;",
    `to put back what the stack applied, run \`pulumi up --refresh --stack ${report.stack}\`.`,
  ];
}

export function formatDriftText(report: DriftReport): string {
  const lines = [headline(report)];
  for (const r of report.drifted) {
    lines.push("", `${r.status === "missing" ? "-" : "~"} ${r.kind} ${r.name}: ${status(r)}`);
    for (const change of r.changes) lines.push(`    ${textChange(change)}`);
    const [first, ...rest] = lookAtParts(r.lookAt);
    lines.push(`    look at: ${first}`);
    for (const part of rest) lines.push(`             ${part}`);
  }
  for (const note of report.notes) lines.push("", `note: ${note}`);
  if (report.drifted.length > 0) lines.push("", ...nextSteps(report));
  return `${lines.join("\n")}\n`;
}

export function formatDriftMarkdown(report: DriftReport): string {
  const lines: string[] = [];
  if (report.drifted.length === 0) {
    lines.push(
      report.checked === 0
        ? `**No drift in stack ${code(report.stack)}**: it has no IOM resources applied yet.`
        : `**No drift in stack ${code(report.stack)}**: ${plural(report.checked, "resource")} match what it last applied.`,
    );
  } else {
    lines.push(
      `**Drift in stack ${code(report.stack)}**: ${report.drifted.length} of ${plural(report.checked, "resource")} differ from what the stack last applied.`,
    );
    for (const r of report.drifted) {
      lines.push("", `#### ${escapeText(r.kind)} ${code(r.name)}: ${status(r)}`, "");
      for (const change of r.changes) lines.push(`- ${mdChange(change)}`);
      lines.push(`- **Look at**: ${escapeText(r.lookAt.place)}`, ...lookAtMarkdown(r.lookAt));
    }
    lines.push("", nextSteps(report).join(" "));
  }
  for (const note of report.notes) lines.push("", `> ${escapeText(note)}`);
  lines.push(
    "",
    `<sub>\`iom drift --stack ${report.stack}\`, from \`pulumi preview --refresh\` (no state written)</sub>`,
  );
  lines.push(driftMarker(report.stack), "");
  return lines.join("\n");
}

/** A shown value back as data: secrets stay masked, unknowns are null. */
function jsonValue(value: DisplayValue | undefined): unknown {
  if (!value) return null;
  if (value.kind === "secret") return "[secret]";
  if (value.kind === "unknown") return null;
  return JSON.parse(value.text) as unknown;
}

function jsonChange(change: PropertyChange): Record<string, unknown> {
  return {
    path: change.path,
    ...(change.old !== undefined ? { applied: jsonValue(change.old) } : {}),
    ...(change.new !== undefined ? { environment: jsonValue(change.new) } : {}),
  };
}

export function formatDriftJson(report: DriftReport): string {
  return `${JSON.stringify(
    {
      stack: report.stack,
      project: report.project,
      drift: report.drifted.length > 0,
      checked: report.checked,
      ...(report.desiredState ? { desiredState: report.desiredState } : {}),
      resources: report.drifted.map((r) => ({
        kind: r.kind,
        name: r.name,
        urn: r.urn,
        status: r.status,
        properties: r.changes.map(jsonChange),
        lookAt: r.lookAt,
      })),
      notes: report.notes,
    },
    null,
    2,
  )}\n`;
}

export function formatDrift(report: DriftReport, format: DriftFormat): string {
  if (format === "json") return formatDriftJson(report);
  if (format === "markdown") return formatDriftMarkdown(report);
  return formatDriftText(report);
}
