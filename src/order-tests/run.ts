// `iom test` without the command line: loads order case files (tests/<name>.orders.yaml), runs each
// case against its stack (the stack's published execution policies, then its dual-write maps'
// Dataverse filters) and compares what happens with what the case expects. Offline: column names
// and choice labels come from the metadata shipped in src/iom/tables.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { OrderCase, OrderTests, RecordExpectation } from "../generated/order-tests.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import type { Finding, Location } from "../config/findings.js";
import { toPointer } from "../config/findings.js";
import { schemaFindings } from "../config/schema-findings.js";
import { schemaRegistry } from "../config/schema-registry.js";
import type { PathSegment, YamlSource } from "../config/yaml-source.js";
import { loadYamlText } from "../config/yaml-source.js";
import { salesorder } from "../iom/tables/salesorder.js";
import { salesorderdetail } from "../iom/tables/salesorderdetail.js";
import type { TableDefinition } from "../iom/tables/types.js";
import { evaluateFilter, normaliseClause } from "./dual-write-filter.js";
import type { FilterOutcome } from "./dual-write-filter.js";
import type { LocatedPolicy, PolicyRun } from "./policies.js";
import { runFlow } from "./policies.js";
import type { LoadedStack, LocatedMap } from "./stack.js";
import { loadStack } from "./stack.js";
import type { Cell, OrderRecordState } from "./values.js";
import { columnOf, describeCell, parseValue, sameCell, valueOf } from "./values.js";

/** Codes of the problems a case file can have, beyond the validator's own (file-*, yaml-*, schema-*). */
export const ORDER_TEST_CODES = {
  "unknown-column": "A field that the table's metadata does not have.",
  "invalid-field-value":
    "A field value that does not fit its column (an unknown choice label, text for a number).",
  "unknown-rule": "An expected rule that no policy of the stack has.",
  "unknown-map": "A map name that is not one of the stack's dual-write maps on the record's table.",
  "unknown-flow": "A flow that the stack does not have, or no flow named where the stack has several.",
  "duplicate-name": "Two cases in one file share a name.",
  "stack-not-loaded": "The stack could not be read.",
  "policy-not-evaluated": "A policy's condition or action that iom test cannot evaluate.",
} as const;

export type CaseFinding = Omit<Finding, "code"> & { code: Finding["code"] | keyof typeof ORDER_TEST_CODES };

/** A clause (of a filter or a policy condition) that decided an outcome, where it is written. */
export interface DecidingClause {
  text: string;
  location: Location;
  reason: string;
  /** Columns read by the filter, with their values. */
  read?: Array<{ column: string; value: string }>;
}

export interface Failure {
  /** Where the expectation is written in the case file. */
  location: Location;
  /** "the order", "line 1". */
  record: string;
  /** The expectation as written: "syncs: true". */
  expectation: string;
  message: string;
  clause?: DecidingClause;
}

export interface CaseResult {
  file: string;
  name: string;
  location: Location;
  /** JSON pointer of the case in its file (/cases/0): its findings' pointers start with it. */
  pointer: string;
  stack: string;
  /** Problems that kept the case from running (they are also in the report's findings). */
  errors: number;
  failures: Failure[];
  notes: string[];
  passed: boolean;
}

export interface TestReport {
  files: string[];
  findings: CaseFinding[];
  cases: CaseResult[];
  /** Every case passed and no file has an error. */
  ok: boolean;
}

/** A path given that does not exist, or no stack to run against: a usage error. */
export class TestUsageError extends Error {
  override name = "TestUsageError";
}

export interface RunOptions {
  cwd: string;
  /** The stack: a name (stacks/<name>.iom.yaml) or a path to a *.iom.yaml file. Overrides the files' own. */
  stack?: string;
}

const CASE_FILE = /\.orders\.ya?ml$/;

function display(cwd: string, abs: string): string {
  return path.relative(cwd, abs).split(path.sep).join("/") || path.basename(abs);
}

function listCaseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listCaseFiles(full));
    else if (CASE_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

export function expandCasePaths(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new TestUsageError(`no such file or directory: ${p}`);
    }
    if (stat.isDirectory()) out.push(...listCaseFiles(abs));
    else if (CASE_FILE.test(abs)) out.push(abs);
    else throw new TestUsageError(`not an order case file (*.orders.yaml): ${p}`);
  }
  if (out.length === 0)
    throw new TestUsageError(`no order case files (*.orders.yaml) in ${paths.join(", ")}`);
  return [...new Set(out)];
}

/** The stack file `--stack` names: a path to a *.iom.yaml, or a stack name in stacks/. */
export function stackOption(value: string, cwd: string): string {
  const isPath = /\.iom\.ya?ml$/.test(value) || value.includes("/") || value.includes(path.sep);
  const abs = isPath ? path.resolve(cwd, value) : path.join(cwd, "stacks", `${value}.iom.yaml`);
  if (!existsSync(abs)) {
    const known = existsSync(path.join(cwd, "stacks"))
      ? readdirSync(path.join(cwd, "stacks"))
          .filter((f) => /\.iom\.ya?ml$/.test(f))
          .map((f) => f.replace(/\.iom\.ya?ml$/, ""))
      : [];
    throw new TestUsageError(
      `no stack '${value}' (${display(cwd, abs)} does not exist)${known.length > 0 ? `; stacks: ${known.join(", ")}` : ""}`,
    );
  }
  return abs;
}

function finding(
  source: YamlSource,
  path: PathSegment[],
  code: CaseFinding["code"],
  message: string,
  options: { hint?: string; key?: boolean; severity?: "error" | "warning" } = {},
): CaseFinding {
  return {
    ...source.locate(path, { key: options.key ?? false }),
    code,
    severity: options.severity ?? "error",
    message,
    ...(options.hint ? { hint: options.hint } : {}),
    pointer: toPointer(path),
  };
}

/** A record's starting values, or findings on the fields that do not fit. */
function buildRecord(
  table: TableDefinition,
  label: string,
  fields: Record<string, unknown> | undefined,
  source: YamlSource,
  fieldsPath: PathSegment[],
  findings: CaseFinding[],
): OrderRecordState {
  const values = new Map<string, Cell>();
  for (const [name, raw] of Object.entries(fields ?? {})) {
    const column = columnOf(table, name);
    if (!column.ok) {
      findings.push(
        finding(source, [...fieldsPath, name], "unknown-column", column.reason, {
          key: true,
          hint: column.hint ?? "use the column's display or logical name",
        }),
      );
      continue;
    }
    const value = parseValue(column.attribute, raw);
    if (!value.ok) {
      findings.push(
        finding(
          source,
          [...fieldsPath, name],
          "invalid-field-value",
          value.reason,
          value.hint ? { hint: value.hint } : {},
        ),
      );
      continue;
    }
    values.set(column.attribute.logicalName, value.cell);
  }
  return { table, label, values };
}

interface RecordUnderTest {
  record: OrderRecordState;
  expect: RecordExpectation | undefined;
  expectPath: PathSegment[];
}

/** Checks that an expectation names rules, maps and columns that exist. */
function checkExpectation(
  item: RecordUnderTest,
  stack: LoadedStack,
  source: YamlSource,
  findings: CaseFinding[],
): void {
  const { expect, expectPath, record } = item;
  if (!expect) return;
  (expect.rules ?? []).forEach((ref, i) => {
    const policy = stack.policies.get(ref.policy.toLowerCase());
    if (!policy) {
      findings.push(
        finding(
          source,
          [...expectPath, "rules", i, "policy"],
          "unknown-rule",
          `the stack ${stack.file} has no policy '${ref.policy}'`,
          {
            hint: `its policies: ${[...stack.policies.values()].map((p) => p.value.name).join(", ")}`,
          },
        ),
      );
    } else if (!policy.value.rules.some((r) => r.name.toLowerCase() === ref.rule.toLowerCase())) {
      findings.push(
        finding(
          source,
          [...expectPath, "rules", i, "rule"],
          "unknown-rule",
          `policy '${policy.value.name}' has no rule '${ref.rule}'`,
          {
            hint: `its rules: ${policy.value.rules.map((r) => r.name).join(", ")}`,
          },
        ),
      );
    }
  });
  for (const [name, raw] of Object.entries(expect.values ?? {})) {
    const column = columnOf(record.table, name);
    if (!column.ok) {
      findings.push(
        finding(source, [...expectPath, "values", name], "unknown-column", column.reason, {
          key: true,
          hint: column.hint ?? "use the column's display or logical name",
        }),
      );
      continue;
    }
    const value = parseValue(column.attribute, raw);
    if (!value.ok)
      findings.push(finding(source, [...expectPath, "values", name], "invalid-field-value", value.reason));
  }
  const maps = mapsOn(stack, record.table);
  if ((expect.syncs !== undefined || expect.heldBackBy !== undefined) && maps.length === 0) {
    findings.push(
      finding(
        source,
        [...expectPath, expect.syncs !== undefined ? "syncs" : "heldBackBy"],
        "unknown-map",
        `the stack ${stack.file} has no dual-write map on ${record.table.logicalName}`,
      ),
    );
  }
  if (expect.syncs !== null && typeof expect.syncs === "object") {
    for (const name of Object.keys(expect.syncs)) {
      if (!maps.some((m) => m.value.name === name))
        findings.push(
          finding(
            source,
            [...expectPath, "syncs", name],
            "unknown-map",
            `the stack ${stack.file} has no dual-write map '${name}' on ${record.table.logicalName}`,
            {
              key: true,
              hint: `its maps on ${record.table.logicalName}: ${maps.map((m) => m.value.name).join(", ") || "none"}`,
            },
          ),
        );
    }
  }
}

function mapsOn(stack: LoadedStack, table: TableDefinition): LocatedMap[] {
  return stack.maps.filter((m) => m.value.table === table.logicalName);
}

/** Where a filter's clause is written in the stack. */
function filterClause(
  stack: LoadedStack,
  map: LocatedMap,
  outcome: FilterOutcome,
): DecidingClause | undefined {
  const source = stack.sources.get(map.file) as YamlSource;
  const clause = outcome.decidedBy;
  if (!clause) return undefined;
  return {
    text: clause.text,
    location: source.locateInString(
      [...map.path, "dataverseFilter"],
      clause.start,
      Math.max(1, clause.end - clause.start),
    ),
    reason: clause.reason,
    read: outcome.read,
  };
}

function policyClause(
  stack: LoadedStack,
  located: LocatedPolicy,
  where: PathSegment[],
  reason: string,
  text: string,
): DecidingClause {
  const source = stack.sources.get(located.file) as YamlSource;
  return { text, location: source.locate(where), reason };
}

function ruleLabel(policy: string, rule: string): string {
  return `${policy} › ${rule}`;
}

/** Compares one record's outcome with its expectation. */
function checkRecord(
  item: RecordUnderTest,
  stack: LoadedStack,
  run: PolicyRun,
  source: YamlSource,
  failures: Failure[],
): void {
  const { expect, expectPath, record } = item;
  if (!expect) return;
  const fail = (key: string, expectation: string, message: string, clause?: DecidingClause) =>
    failures.push({
      location: source.locate([...expectPath, key]),
      record: record.label,
      expectation,
      message,
      ...(clause ? { clause } : {}),
    });
  const applied = run.applied.filter((a) => a.record === record);
  const skipped = run.skipped.filter((s) => s.record === record);

  if (expect.rules) {
    const expected = expect.rules.map((r) => ruleLabel(r.policy, r.rule).toLowerCase());
    const actual = applied.map((a) => ruleLabel(a.policy, a.rule));
    if (expected.join("\n") !== actual.map((a) => a.toLowerCase()).join("\n")) {
      const missing = expect.rules.find(
        (r) => !actual.some((a) => a.toLowerCase() === ruleLabel(r.policy, r.rule).toLowerCase()),
      );
      const extra = applied.find((a) => !expected.includes(ruleLabel(a.policy, a.rule).toLowerCase()));
      let clause: DecidingClause | undefined;
      const skip = missing
        ? skipped.find(
            (s) =>
              s.policy.toLowerCase() === missing.policy.toLowerCase() &&
              s.rule.toLowerCase() === missing.rule.toLowerCase(),
          )
        : undefined;
      if (skip)
        clause = policyClause(
          stack,
          skip.located,
          skip.why.path,
          `does not hold: ${skip.why.reason}`,
          skip.why.text,
        );
      else if (extra?.why)
        clause = policyClause(
          stack,
          extra.located,
          extra.why.path,
          `holds: ${extra.why.reason}`,
          extra.why.text,
        );
      fail(
        "rules",
        `rules: [${expect.rules.map((r) => ruleLabel(r.policy, r.rule)).join(", ")}]`,
        `the rules that apply are [${actual.join(", ")}]` +
          (missing && skip ? `; '${ruleLabel(missing.policy, missing.rule)}' does not apply` : "") +
          (missing && !skip && !applied.length
            ? `; no published execution policy of the flow ran it on ${record.label}`
            : "") +
          (extra ? `; '${ruleLabel(extra.policy, extra.rule)}' applies` : ""),
        clause,
      );
    }
  }

  for (const [name, raw] of Object.entries(expect.values ?? {})) {
    const column = columnOf(record.table, name);
    if (!column.ok) continue;
    const want = parseValue(column.attribute, raw);
    if (!want.ok) continue;
    const got = valueOf(record, column.attribute.logicalName);
    if (sameCell(got, want.cell) === true) continue;
    const setter = [...applied]
      .reverse()
      .find((a) =>
        a.set.some((s) => columnOf(record.table, s.column).ok && sameColumn(record.table, s.column, name)),
      );
    const couldSet = skipped.find((s) =>
      (s.located.value.rules[s.ruleIndex]?.actions ?? []).some((a) => sameColumn(record.table, a.set, name)),
    );
    const clause = couldSet
      ? policyClause(
          stack,
          couldSet.located,
          couldSet.why.path,
          `rule '${ruleLabel(couldSet.policy, couldSet.rule)}', which sets ${name}, does not apply: ${couldSet.why.reason}`,
          couldSet.why.text,
        )
      : undefined;
    failures.push({
      location: source.locate([...expectPath, "values", name]),
      record: record.label,
      expectation: `values: ${name}: ${JSON.stringify(raw)}`,
      message:
        `${name} is ${describeCell(column.attribute, got)}` +
        (setter
          ? ` (set by '${ruleLabel(setter.policy, setter.rule)}')`
          : couldSet
            ? ""
            : "; no rule of the flow's policies sets it"),
      ...(clause ? { clause } : {}),
    });
  }

  const maps = mapsOn(stack, record.table);
  if (maps.length === 0) return;
  const outcomes = maps.map((map) => ({
    map,
    outcome: evaluateFilter(map.value.dataverseFilter ?? "", record),
  }));
  if (expect.syncs !== undefined) {
    const wanted: Array<{ map: LocatedMap; outcome: FilterOutcome; want: boolean; key: PathSegment[] }> = [];
    for (const o of outcomes) {
      if (typeof expect.syncs === "boolean") wanted.push({ ...o, want: expect.syncs, key: ["syncs"] });
      else if (o.map.value.name in expect.syncs)
        wanted.push({
          ...o,
          want: expect.syncs[o.map.value.name] as boolean,
          key: ["syncs", o.map.value.name],
        });
    }
    for (const { map, outcome, want, key } of wanted) {
      if (outcome.passes === want) continue;
      const clause = want
        ? filterClause(stack, map, outcome)
        : {
            text: normaliseClause(map.value.dataverseFilter ?? "(no filter)"),
            location: (stack.sources.get(map.file) as YamlSource).locate([
              ...map.path,
              map.value.dataverseFilter ? "dataverseFilter" : "map",
            ]),
            reason: map.value.dataverseFilter
              ? "every clause holds"
              : "the map has no Dataverse filter: every record syncs",
            read: outcome.read,
          };
      failures.push({
        location: source.locate([...expectPath, ...key]),
        record: record.label,
        expectation: `syncs${key.length > 1 ? ` ${map.value.name}` : ""}: ${want}`,
        message: want
          ? `${record.label} is held back by map '${map.value.name}'`
          : `${record.label} syncs through map '${map.value.name}'`,
        ...(clause ? { clause } : {}),
      });
    }
  }
  if (expect.heldBackBy !== undefined) {
    const want = normaliseClause(expect.heldBackBy);
    const held = outcomes.filter((o) => !o.outcome.passes);
    if (!held.some((o) => o.outcome.decidedBy?.text === want)) {
      const first = held[0];
      const clause = first ? filterClause(stack, first.map, first.outcome) : undefined;
      fail(
        "heldBackBy",
        `heldBackBy: ${expect.heldBackBy}`,
        first
          ? `${record.label} is held back by map '${first.map.value.name}', by another clause`
          : `${record.label} syncs: ${outcomes.map((o) => `'${o.map.value.name}'`).join(" and ")} let it through`,
        clause,
      );
    }
  }
}

function sameColumn(table: TableDefinition, a: string, b: string): boolean {
  const x = columnOf(table, a);
  const y = columnOf(table, b);
  return x.ok && y.ok && x.attribute.logicalName === y.attribute.logicalName;
}

/** The flow a case runs, or a finding when it cannot be told. */
function pickFlow(
  kase: OrderCase,
  stack: LoadedStack,
  source: YamlSource,
  casePath: PathSegment[],
  findings: CaseFinding[],
): OrchestrationFlow | undefined | null {
  if (kase.flow !== undefined) {
    const flow = stack.flows.find((f) => f.name.toLowerCase() === kase.flow?.toLowerCase());
    if (!flow || !flow.published) {
      findings.push(
        finding(
          source,
          [...casePath, "flow"],
          "unknown-flow",
          `the stack ${stack.file} has no published orchestration flow '${kase.flow}'`,
          {
            hint: `its published flows: ${
              stack.flows
                .filter((f) => f.published)
                .map((f) => f.name)
                .join(", ") || "none"
            }`,
          },
        ),
      );
      return null;
    }
    return flow;
  }
  const published = stack.flows.filter((f) => f.published && f.type === "order orchestration");
  if (published.length > 1) {
    findings.push(
      finding(
        source,
        [...casePath, "name"],
        "unknown-flow",
        `the stack ${stack.file} has ${published.length} published order orchestration flows: name one with 'flow'`,
        {
          hint: `its published flows: ${published.map((f) => f.name).join(", ")}`,
        },
      ),
    );
    return null;
  }
  return published[0];
}

/** A case's order, then its lines, as records with their expectations and where each is written. */
function caseRecords(
  kase: OrderCase,
  casePath: PathSegment[],
  source: YamlSource,
  findings: CaseFinding[],
): [RecordUnderTest, ...RecordUnderTest[]] {
  const orderPath = [...casePath, "order"];
  const order = buildRecord(
    salesorder,
    "the order",
    kase.order.fields,
    source,
    [...orderPath, "fields"],
    findings,
  );
  return [
    { record: order, expect: kase.order.expect, expectPath: [...orderPath, "expect"] },
    ...(kase.lines ?? []).map((line, i): RecordUnderTest => {
      const linePath = [...casePath, "lines", i];
      const label = line.name ?? `line ${i + 1}`;
      const record = buildRecord(
        salesorderdetail,
        label,
        line.fields,
        source,
        [...linePath, "fields"],
        findings,
      );
      return { record, expect: line.expect, expectPath: [...linePath, "expect"] };
    }),
  ];
}

function runCase(
  kase: OrderCase,
  index: number,
  source: YamlSource,
  stack: LoadedStack,
  findings: CaseFinding[],
): CaseResult {
  const casePath: PathSegment[] = ["cases", index];
  const caseFindings: CaseFinding[] = [];
  const items = caseRecords(kase, casePath, source, caseFindings);
  const order = items[0].record;
  for (const item of items) checkExpectation(item, stack, source, caseFindings);
  const flow = pickFlow(kase, stack, source, casePath, caseFindings);
  const result: CaseResult = {
    file: source.file,
    name: kase.name,
    location: source.locate([...casePath, "name"]),
    pointer: toPointer(casePath),
    stack: stack.file,
    errors: 0,
    failures: [],
    notes: [],
    passed: false,
  };
  const errors = caseFindings.filter((f) => f.severity === "error").length;
  findings.push(...caseFindings);
  if (errors > 0 || flow === null) {
    result.errors = Math.max(errors, 1);
    return result;
  }
  const run: PolicyRun = flow
    ? runFlow(
        flow,
        stack.policies,
        order,
        items.slice(1).map((i) => i.record),
      )
    : {
        applied: [],
        skipped: [],
        problems: [],
        notes: ["the stack has no published order orchestration flow: no policy runs"],
      };
  result.notes.push(...run.notes);
  for (const problem of run.problems) {
    const policySource = stack.sources.get(problem.located.file) as YamlSource;
    findings.push(finding(policySource, problem.path, "policy-not-evaluated", problem.message));
  }
  for (const item of items) checkRecord(item, stack, run, source, result.failures);
  result.errors = run.problems.length;
  result.passed = result.failures.length === 0 && result.errors === 0;
  return result;
}

/** Whether a record passes one dual-write map, and the clause that held it back. */
export interface MapOutcome {
  /** The map's YAML name. */
  map: string;
  passes: boolean;
  /** The clause that held the record back; where the stack writes it, when it comes from a file. */
  clause?: { text: string; reason: string; location?: Location };
}

export interface RecordOutcome {
  /** "the order", "line 1", or the line's name. */
  record: string;
  /** The record's table: salesorder or salesorderdetail. */
  table: string;
  /** Every map of the stack on the record's table, in the stack's order. */
  maps: MapOutcome[];
}

/** What a case's order and lines do against a stack, regardless of what the case expects. */
export type CaseOutcome = { ok: true; records: RecordOutcome[] } | { ok: false; reason: string };

/**
 * Runs a case's order and lines through a stack (its flow's policies, then its maps) and says, for
 * each record and map, whether it syncs: what `iom plan-summary` compares before and after a
 * change. The stack may hold values that come from no file (a preview's old inputs): their clauses
 * have no location. A case that cannot run says why (iom test reports it in full).
 */
export function caseOutcome(
  kase: OrderCase,
  index: number,
  source: YamlSource,
  stack: LoadedStack,
): CaseOutcome {
  const casePath: PathSegment[] = ["cases", index];
  const findings: CaseFinding[] = [];
  const [orderItem, ...lineItems] = caseRecords(kase, casePath, source, findings);
  const order = orderItem.record;
  const lines = lineItems.map((item) => item.record);
  const flow = pickFlow(kase, stack, source, casePath, findings);
  const error = findings.find((f) => f.severity === "error");
  if (error) return { ok: false, reason: `${error.file}:${error.line}:${error.column}: ${error.message}` };
  if (flow === null) return { ok: false, reason: "its flow cannot be told" };
  const run = flow ? runFlow(flow, stack.policies, order, lines) : undefined;
  const problem = run?.problems[0];
  if (problem) return { ok: false, reason: `policy '${problem.located.value.name}': ${problem.message}` };
  return {
    ok: true,
    records: [order, ...lines].map((record) => ({
      record: record.label,
      table: record.table.logicalName,
      maps: mapsOn(stack, record.table).map((map): MapOutcome => {
        const outcome = evaluateFilter(map.value.dataverseFilter ?? "", record);
        const clause = outcome.decidedBy;
        const mapSource = stack.sources.get(map.file);
        return {
          map: map.value.name,
          passes: outcome.passes,
          ...(clause
            ? {
                clause: {
                  text: clause.text,
                  reason: clause.reason,
                  ...(mapSource
                    ? {
                        location: mapSource.locateInString(
                          [...map.path, "dataverseFilter"],
                          clause.start,
                          Math.max(1, clause.end - clause.start),
                        ),
                      }
                    : {}),
                },
              }
            : {}),
        };
      }),
    })),
  };
}

/** A case file read and checked against its schema, or the findings that keep it from running. */
export type CaseFileLoad =
  | { ok: true; file: string; source: YamlSource; data: OrderTests }
  | { ok: false; file: string; findings: CaseFinding[] };

/** Reads one case file (absolute path); `file` is how messages name it. */
export function loadCaseFile(abs: string, cwd: string): CaseFileLoad {
  const file = display(cwd, abs);
  const loaded = loadYamlText(file, readFileSync(abs));
  if (!loaded.ok) return { ok: false, file, findings: loaded.findings };
  const errors = schemaRegistry().validate("order-tests", loaded.source.data);
  if (errors.length > 0) return { ok: false, file, findings: schemaFindings(loaded.source, errors) };
  return { ok: true, file, source: loaded.source, data: loaded.source.data as OrderTests };
}

/** Which stack a case file runs against: --stack, else its own `stack`, else the project's only stack. */
function stackFor(data: OrderTests, abs: string, options: RunOptions): string {
  if (options.stack !== undefined) return stackOption(options.stack, options.cwd);
  if (data.stack !== undefined) {
    const target = path.resolve(path.dirname(abs), data.stack);
    if (!existsSync(target))
      throw new TestUsageError(
        `${display(options.cwd, abs)}: its stack ${data.stack} does not exist (resolved to ${display(options.cwd, target)})`,
      );
    return target;
  }
  const dir = path.join(options.cwd, "stacks");
  const stacks = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.iom\.ya?ml$/.test(f))
        .sort()
    : [];
  if (stacks.length === 1) return path.join(dir, stacks[0] as string);
  throw new TestUsageError(
    `${display(options.cwd, abs)} does not name its stack: add 'stack: ../stacks/<name>.iom.yaml' to it or pass --stack` +
      (stacks.length > 0 ? ` (stacks: ${stacks.map((s) => s.replace(/\.iom\.ya?ml$/, "")).join(", ")})` : ""),
  );
}

/** Runs every case of the given files (directories are searched for *.orders.yaml). */
export async function runOrderTests(paths: readonly string[], options: RunOptions): Promise<TestReport> {
  const files = expandCasePaths(paths, options.cwd);
  const stacks = new Map<string, Promise<Awaited<ReturnType<typeof loadStack>>>>();
  const report: TestReport = { files: [], findings: [], cases: [], ok: true };
  for (const abs of files) {
    const loaded = loadCaseFile(abs, options.cwd);
    report.files.push(loaded.file);
    if (!loaded.ok) {
      report.findings.push(...loaded.findings);
      continue;
    }
    const { source, data } = loaded;
    const stackFile = stackFor(data, abs, options);
    let stackLoad = stacks.get(stackFile);
    if (!stackLoad) stacks.set(stackFile, (stackLoad = loadStack(stackFile, options.cwd)));
    const stack = await stackLoad;
    if (!stack.ok) {
      report.findings.push(
        finding(
          source,
          data.stack !== undefined ? ["stack"] : [],
          "stack-not-loaded",
          `the stack ${display(options.cwd, stackFile)} cannot be read: run iom validate on it`,
        ),
        ...stack.findings,
      );
      continue;
    }
    const names = new Set<string>();
    data.cases.forEach((kase, i) => {
      if (names.has(kase.name.toLowerCase()))
        report.findings.push(
          finding(
            source,
            ["cases", i, "name"],
            "duplicate-name",
            `another case of this file is named '${kase.name}'`,
          ),
        );
      names.add(kase.name.toLowerCase());
      report.cases.push(runCase(kase, i, source, stack.stack, report.findings));
    });
  }
  // The stacks' validation errors, once each, as warnings: the cases ran against the stack as it is.
  for (const stack of stacks.values()) {
    const loaded = await stack;
    if (!loaded.ok) continue;
    for (const f of loaded.stack.findings)
      report.findings.push({
        ...f,
        severity: "warning",
        message: `${f.message} (iom validate: ${f.code}; the cases ran against the stack as written)`,
      });
  }
  report.ok = report.cases.every((c) => c.passed) && !report.findings.some((f) => f.severity === "error");
  return report;
}
