// The storage formats nobody publishes: how a rule's conditions and actions are kept in
// msdyn_iomrule (./formats/rule-definition.ts) and how the designer keeps a flow's steps in
// msdyn_iomdesigner (./formats/orchestration-definition.ts). iom-gitops writes both as it thinks
// best; a real environment's rows, made by IOM's own designer, say whether that is how IOM keeps
// them. `iom doctor` reads the rows an environment already has and reports, per format, how many
// decode and re-encode to the same document, printing no values; `--capture` adds samples with
// their structure kept and every string replaced (docs/dataverse-client.md).
import type { DataverseClient } from "../dataverse/client.js";
import { redact } from "../dataverse/metadata-capture.js";
import { columns, entitySetNames } from "./facts.js";
import { decodeDefinition, encodeDefinition } from "./formats/orchestration-definition.js";
import { decodeRuleDefinition, encodeRuleDefinition } from "./formats/rule-definition.js";

export interface FormatCodec {
  /** The format's name in reports. */
  readonly name: string;
  /** The table and column that hold it (logical names), and the table's entity set. */
  readonly table: string;
  readonly entitySet: string;
  readonly column: string;
  /** Throws when the text is not in the format; re-encoding gives the canonical text. */
  roundTrip(text: string): string;
}

export const FORMAT_CODECS: readonly FormatCodec[] = [
  {
    name: "rule definition",
    table: "msdyn_iomrule",
    entitySet: entitySetNames.msdyn_iomrule,
    column: columns.rule.ruleDefinition,
    roundTrip: (text) => encodeRuleDefinition(decodeRuleDefinition(text)),
  },
  {
    name: "orchestration definition",
    table: "msdyn_iomdesigner",
    entitySet: entitySetNames.msdyn_iomdesigner,
    column: columns.designer.definition,
    roundTrip: (text) => encodeDefinition(decodeDefinition(text)),
  },
];

export interface FormatProbeResult {
  format: string;
  table: string;
  column: string;
  /** Rows with a value in the column. */
  rows: number;
  /** Of those, how many decode and re-encode to the same document. */
  roundTrips: number;
  /** Why the others did not, by reason, with counts. No values. */
  failures: Record<string, number>;
  /** With samples requested: redacted documents (structure kept, strings replaced). */
  samples?: unknown[];
  /** When the rows could not be read (the table or column is not there). */
  error?: string;
}

/** JSON with object keys in one order, so that two equal documents are equal strings. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Why a decoder refused a text, with anything quoted taken out: decoders name paths ("steps[0]
 * needs a name"), but a message must never carry a row's value.
 */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `not in iom-gitops's format: ${message.replace(/(["'`]).*?\1/g, "…")}`;
}

/** Probes the values of one format (pure: no HTTP); `samples` redacted documents at most. */
export function probeValues(codec: FormatCodec, values: readonly unknown[], samples = 0): FormatProbeResult {
  const result: FormatProbeResult = {
    format: codec.name,
    table: codec.table,
    column: codec.column,
    rows: 0,
    roundTrips: 0,
    failures: {},
  };
  const kept: unknown[] = [];
  const fail = (why: string): void => {
    result.failures[why] = (result.failures[why] ?? 0) + 1;
  };
  for (const value of values) {
    if (typeof value !== "string" || value.trim() === "") continue;
    result.rows++;
    const parsed = parse(value);
    if (kept.length < samples) kept.push(parsed.ok ? redact(parsed.value) : "<not JSON>");
    if (!parsed.ok) {
      fail("not JSON");
      continue;
    }
    let again: string;
    try {
      again = codec.roundTrip(value);
    } catch (err) {
      fail(reason(err));
      continue;
    }
    const reparsed = parse(again);
    if (reparsed.ok && canonical(reparsed.value) === canonical(parsed.value)) result.roundTrips++;
    else fail("decodes, but re-encodes to a different document (fields iom-gitops drops or adds)");
  }
  if (samples > 0) result.samples = kept;
  return result;
}

/** Reads every row holding each format and probes them; a table it cannot read is reported, not thrown. */
export async function probeFormats(client: DataverseClient, samples = 0): Promise<FormatProbeResult[]> {
  return Promise.all(
    FORMAT_CODECS.map(async (codec) => {
      try {
        const entitySet = await client.metadata.entitySetName(codec.table).catch(() => codec.entitySet);
        const rows = await client.list(entitySet, { select: [codec.column] });
        return probeValues(
          codec,
          rows.map((r) => r[codec.column]),
          samples,
        );
      } catch (err) {
        return {
          format: codec.name,
          table: codec.table,
          column: codec.column,
          rows: 0,
          roundTrips: 0,
          failures: {},
          error: err instanceof Error ? err.message : String(err),
        };
      }
    }),
  );
}

/** The text report: per format, counts and reasons, never a value. */
export function formatProbeReport(results: readonly FormatProbeResult[]): string {
  const lines = ["", "Undocumented storage formats (rows already in the environment; no values shown):"];
  for (const r of results) {
    const where = `${r.table}.${r.column}`;
    if (r.error !== undefined) lines.push(`  ${r.format} (${where}): could not be read: ${r.error}`);
    else if (r.rows === 0) lines.push(`  ${r.format} (${where}): no rows to compare`);
    else {
      lines.push(`  ${r.format} (${where}): ${r.roundTrips} of ${r.rows} rows decode and re-encode the same`);
      for (const [why, count] of Object.entries(r.failures)) lines.push(`    ${count} × ${why}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
