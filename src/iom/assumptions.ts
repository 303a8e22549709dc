// Every assumption iom-gitops makes about an environment's IOM tables, as a list that can be
// checked against a real environment before the tool is pointed at it (`iom doctor`). The list is
// generated from the modules that hold the guesses — ./facts.ts (entity sets, primary and other columns, option
// labels, the dual-write table), the table definitions (which column holds which choice set, which
// lookups point where) and the provider catalog — so it repeats none of the guessed names and
// cannot fall behind them. Each assumption says where it lives in the code: that is where to correct it.
//
// Only labels are assumed, never option values: resources resolve values by label at run time.

import { didYouMean } from "../config/did-you-mean.js";
import type { DataverseClient } from "../dataverse/client.js";
import { UnknownLookupError, UnknownOptionError } from "../dataverse/errors.js";
import type { DataverseError } from "../dataverse/errors.js";
import type { AttributeMetadata, EntityMetadata } from "../dataverse/metadata.js";
import { FINOPS_DEFINITION, sameName } from "./catalog.js";
import {
  associatedEntity,
  columns,
  connectionStatus,
  criticality,
  entitySetNames,
  logicType,
  options,
  orchestrationType,
  policyType,
  policyVersionState,
  primaryColumns,
  providerStatus,
  publishStatus,
  choiceFacts,
  columnFacts,
  entitySetNameFacts,
  primaryColumnFacts,
  type Choice,
} from "./facts.js";
import { dualWrite, dualWriteTableFacts } from "./dual-write-facts.js";
import { describeEvidence, type Evidence } from "./evidence.js";
import { findTable } from "./tables/index.js";
import type { AttributeDefinition, TableDefinition } from "./tables/types.js";

const FACTS = "src/iom/facts.ts";
const DUAL_WRITE_FACTS = "src/iom/dual-write-facts.ts";
const CATALOG = "src/iom/catalog.ts";
/** Each table definition lives in a file named after its logical name (tables/types.ts). */
const tableFile = (table: string): string => `src/iom/tables/${table}.ts`;

/**
 * The table each group of `columns` belongs to. The table files say the same with
 * `const c = columns.<group>`; a unit test keeps the two in step, and the types keep both sides
 * to names that ./facts.ts defines. (Table logical names are documented, not guessed.)
 */
const COLUMN_TABLES = {
  providerDefinition: "msdyn_iomproviderdefinition",
  provider: "msdyn_iomprovider",
  definitionConnectionRef: "msdyn_iomproviderdefinitionconnectionref",
  providerConnectionRef: "msdyn_iomproviderconnectionreference",
  definitionParameter: "msdyn_iomproviderdefinitionparameter",
  providerParameter: "msdyn_iomproviderparameter",
  logicDefinition: "msdyn_iomproviderdefinitionlogicdefinition",
  policy: "msdyn_iompolicy",
  rule: "msdyn_iomrule",
  designer: "msdyn_iomdesigner",
} as const satisfies Record<keyof typeof columns, keyof typeof entitySetNames>;

/** The guessed option sets, by the name ./facts.ts exports them under. */
const CHOICE_SETS: Readonly<Record<string, Readonly<Record<string, Choice>>>> = {
  policyType,
  criticality,
  associatedEntity,
  publishStatus,
  policyVersionState,
  providerStatus,
  connectionStatus,
  orchestrationType,
  logicType,
};

/**
 * The dual-write columns the tool reads and writes. `runState` is left out on purpose: it is the
 * emulator's own column [E]; against an environment the run state comes from the management
 * endpoint, which is not Dataverse metadata.
 */
const DUAL_WRITE_COLUMNS = [
  "primaryId",
  "name",
  "displayName",
  "mapping",
  "solutionId",
] as const satisfies ReadonlyArray<keyof typeof dualWrite>;

interface AssumptionBase {
  /** Stable and unique, e.g. "column:msdyn_iompolicy.msdyn_policytype". */
  readonly id: string;
  /** What is assumed, as a sentence. */
  readonly statement: string;
  /** Where the assumption lives in the code, e.g. "src/iom/facts.ts columns.policy.policyType". */
  readonly source: string;
  /** "warning": guessed data the tool can work without; "error": the tool relies on it. */
  readonly severity: "error" | "warning";
  /** The table the assumption is about. */
  readonly table: string;
  /** What the assumption rests on: a Microsoft source, a third party's code, or our reasoning. */
  readonly evidence: Evidence;
}

export type Assumption = AssumptionBase &
  (
    | { readonly kind: "entity-set"; readonly entitySetName: string }
    | {
        readonly kind: "primary-column";
        /** Which of the table's two primary columns: its id or its name. */
        readonly role: "id" | "name";
        readonly column: string;
      }
    | {
        readonly kind: "column";
        readonly column: string;
        /** The label our table definition gives the column: a rename often keeps it. */
        readonly displayName: string | undefined;
      }
    | { readonly kind: "option-label"; readonly column: string; readonly label: string }
    | { readonly kind: "navigation-property"; readonly column: string; readonly target: string }
    | { readonly kind: "catalog-entry"; readonly name: string }
  );

export type AssumptionKind = Assumption["kind"];

/** "unchecked": something it depends on (its table or column) is missing, so it cannot hold either. */
export type AssumptionStatus = "holds" | "fails" | "unchecked";

export interface AssumptionResult {
  readonly assumption: Assumption;
  readonly status: AssumptionStatus;
  /** Why it does not hold, or why it was not checked. */
  readonly reason?: string;
  /** The environment's closest name, when one is a likely replacement (a renamed column). */
  readonly suggestion?: string;
  /** Where it holds, what the environment has: an option label's value, a lookup's navigation property. */
  readonly found?: string;
}

export interface AssumptionReport {
  readonly environmentUrl: string;
  /** One result per assumption, in the order of {@link listAssumptions}. */
  readonly results: readonly AssumptionResult[];
  /** The results that do not hold or were not checked, in the same order. */
  readonly failures: readonly AssumptionResult[];
  /** True when every assumption holds, warnings aside. */
  readonly ok: boolean;
}

/** What the checks need from the client: its metadata reader and one query (the catalog). */
export type AssumptionClient = Pick<DataverseClient, "environmentUrl" | "metadata" | "list">;

/** Every assumption, grouped by table: entity set, columns, option labels, lookups; then the catalog. */
export function listAssumptions(): Assumption[] {
  const list: Assumption[] = [];
  for (const [table, entitySetName] of Object.entries(entitySetNames)) {
    list.push(
      entitySet(
        table,
        entitySetName,
        `${FACTS} entitySetNames.${table}`,
        entitySetNameFacts[table as keyof typeof entitySetNameFacts].evidence,
      ),
    );
    const primary = primaryColumns[table as keyof typeof primaryColumns];
    for (const role of ["id", "name"] as const)
      list.push({
        kind: "primary-column",
        id: `primary-${role}:${table}`,
        statement: `the primary ${role} column of table ${table} is ${primary[role]}`,
        source: `${FACTS} primaryColumns.${table}.${role}`,
        evidence: primaryColumnFacts[table as keyof typeof primaryColumnFacts][role].evidence,
        severity: "error",
        table,
        role,
        column: primary[role],
      });
    for (const [group, groupTable] of Object.entries(COLUMN_TABLES)) {
      if (groupTable !== table) continue;
      const definition = requireTable(table);
      const groupFacts = columnFacts[group as keyof typeof columnFacts] as Record<
        string,
        { evidence: Evidence }
      >;
      for (const [key, column] of Object.entries(columns[group as keyof typeof columns])) {
        const where = `columns.${group}.${key}`;
        const evidence = (groupFacts[key] as { evidence: Evidence }).evidence;
        const attribute = definition.attributes.find((a) => a.logicalName === column);
        list.push(columnExists(table, column, `${FACTS} ${where}`, attribute, evidence));
        if (!attribute) continue;
        for (const target of lookupTargets(attribute)) {
          list.push({
            kind: "navigation-property",
            id: `navigation:${table}.${column}:${target}`,
            statement: `lookup ${table}.${column} to ${target} has a navigation property`,
            source: `${tableFile(table)} lookup ${where}`,
            evidence,
            severity: "error",
            table,
            column,
            target,
          });
        }
        const set = choiceSetOf(attribute);
        for (const [choiceKey, choice] of set ? Object.entries(CHOICE_SETS[set] ?? {}) : []) {
          list.push({
            kind: "option-label",
            id: `option:${table}.${column}:${choice.label}`,
            statement: `option "${choice.label}" exists on ${table}.${column}`,
            source: `${FACTS} ${set}.${choiceKey}`,
            evidence: (
              choiceFacts[set as keyof typeof choiceFacts] as Record<
                string,
                { label: { evidence: Evidence } }
              >
            )[choiceKey]?.label.evidence as Evidence,
            severity: "error",
            table,
            column,
            label: choice.label,
          });
        }
      }
    }
  }

  const dualWriteTable = requireTable(dualWrite.table);
  list.push(
    entitySet(
      dualWrite.table,
      dualWrite.entitySetName,
      `${DUAL_WRITE_FACTS} dualWrite.entitySetName`,
      dualWriteTableFacts.entitySetName.evidence,
    ),
  );
  for (const key of DUAL_WRITE_COLUMNS) {
    const column = dualWrite[key];
    const attribute = dualWriteTable.attributes.find((a) => a.logicalName === column);
    list.push(
      columnExists(
        dualWrite.table,
        column,
        `${DUAL_WRITE_FACTS} dualWrite.${key}`,
        attribute,
        dualWriteTableFacts[key].evidence,
      ),
    );
  }

  list.push({
    kind: "catalog-entry",
    id: `catalog:${FINOPS_DEFINITION}`,
    statement: `the provider catalog has a definition named "${FINOPS_DEFINITION}"`,
    source: `${CATALOG} FINOPS_DEFINITION`,
    evidence: { kind: "confirmed", cite: "IOM:set-up-finops-provider.md" },
    // The catalog's content is guessed, and a missing entry stops only the resources that use it.
    severity: "warning",
    table: COLUMN_TABLES.providerDefinition,
    name: FINOPS_DEFINITION,
  });
  return list;
}

/** The tables the assumptions are about: the ones every resource kind reads. */
export function assumedTables(): string[] {
  return [...new Set(listAssumptions().map((a) => a.table))];
}

/**
 * Checks every assumption against the environment's metadata, through the client's cached reader:
 * one request for every table's definition, columns, option sets and lookups together (see
 * src/dataverse/metadata.ts), then one query of the provider catalog, which needs the catalog's
 * entity set from the first. Errors that are not about the assumptions (unreachable, access
 * denied) reject the whole check.
 */
export async function checkAssumptions(client: AssumptionClient): Promise<AssumptionReport> {
  const assumptions = listAssumptions();
  const byTable = new Map<string, Assumption[]>();
  for (const a of assumptions) byTable.set(a.table, [...(byTable.get(a.table) ?? []), a]);

  // Asked for together, not as each table's check first needs it: one request, not one per table.
  await client.metadata.prefetch(byTable.keys());
  const results = new Map<string, AssumptionResult>();
  const checked = await Promise.all([...byTable].map(([table, list]) => checkTable(client, table, list)));
  for (const result of checked.flat()) results.set(result.assumption.id, result);

  const ordered = assumptions.map((a) => results.get(a.id) as AssumptionResult);
  const failures = ordered.filter((r) => r.status !== "holds");
  return {
    environmentUrl: client.environmentUrl,
    results: ordered,
    failures,
    ok: failures.every((r) => r.assumption.severity === "warning"),
  };
}

/** A readable report: a summary line, then each assumption that does not hold, with its fix. */
export function formatAssumptionReport(report: AssumptionReport): string {
  const total = report.results.length;
  if (report.failures.length === 0) return `All ${total} assumptions about ${report.environmentUrl} hold.\n`;
  const fails = report.failures.filter((r) => r.status === "fails");
  const warnings = fails.filter((r) => r.assumption.severity === "warning").length;
  const lines = [
    `${total - report.failures.length} of ${total} assumptions about ${report.environmentUrl} hold; ` +
      `${fails.length} do not${warnings > 0 ? ` (${warnings} only a warning)` : ""}, ` +
      `${report.failures.length - fails.length} could not be checked.`,
    "",
  ];
  for (const r of report.failures) {
    const a = r.assumption;
    const tag = a.severity === "warning" ? "warning" : r.status === "fails" ? "fails" : "not checked";
    lines.push(`${tag}: ${a.id}`);
    lines.push(`  assumed: ${a.statement}`);
    lines.push(`  in code: ${a.source}`);
    lines.push(`  because: ${describeEvidence(a.evidence)}`);
    if (r.reason) lines.push(`  found:   ${r.reason}`);
    if (r.suggestion) lines.push(`  fix:     did you mean ${r.suggestion}? If so, correct ${a.source}.`);
    lines.push("");
  }
  lines.push(
    report.ok
      ? "Only warnings: the tool can run against this environment."
      : "Correct these in the code before applying a stack to this environment.",
  );
  return `${lines.join("\n")}\n`;
}

function entitySet(table: string, entitySetName: string, source: string, evidence: Evidence): Assumption {
  return {
    kind: "entity-set",
    id: `entity-set:${table}`,
    statement: `table ${table} has the entity set ${entitySetName}`,
    source,
    evidence,
    severity: "error",
    table,
    entitySetName,
  };
}

function columnExists(
  table: string,
  column: string,
  source: string,
  attribute: AttributeDefinition | undefined,
  evidence: Evidence,
): Assumption {
  return {
    kind: "column",
    id: `column:${table}.${column}`,
    statement: `column ${column} exists on table ${table}`,
    source,
    evidence,
    severity: "error",
    table,
    column,
    displayName: attribute?.displayName,
  };
}

function requireTable(logicalName: string): TableDefinition {
  const table = findTable(logicalName);
  // A programming error, caught by the unit tests: facts.ts names a table the registry lacks.
  if (!table) throw new Error(`src/iom/tables has no definition of ${logicalName}`);
  return table;
}

function lookupTargets(attribute: AttributeDefinition): string[] {
  const isLookup = attribute.type === "Lookup" || attribute.type === "Customer" || attribute.type === "Owner";
  return isLookup ? (attribute.targets ?? []) : [];
}

/** The choice set a column holds: the one whose choices the table definition lists, all of them. */
function choiceSetOf(attribute: AttributeDefinition): string | undefined {
  const listed = attribute.options;
  if (!listed) return undefined;
  return Object.keys(CHOICE_SETS).find((name) => {
    const choices = options(CHOICE_SETS[name] ?? {});
    return (
      choices.length === listed.length &&
      choices.every((c) => listed.some((o) => o.value === c.value && o.label === c.label))
    );
  });
}

async function checkTable(
  client: AssumptionClient,
  table: string,
  list: readonly Assumption[],
): Promise<AssumptionResult[]> {
  const found = await client.metadata.table(table);
  if (!found)
    return list.map((assumption) =>
      assumption.kind === "entity-set"
        ? { assumption, status: "fails", reason: `the environment has no table ${table}` }
        : { assumption, status: "unchecked", reason: `the table ${table} does not exist` },
    );
  const { entity, attributes } = found;
  const present = new Set(attributes.map((a) => a.logicalName));
  const missingColumn = (assumption: Assumption, column: string): AssumptionResult => ({
    assumption,
    status: "unchecked",
    reason: `the column ${table}.${column} does not exist`,
  });

  // Option sets and relationships came with the table: every check reads the same cached answer.
  const check = async (assumption: Assumption): Promise<AssumptionResult> => {
    switch (assumption.kind) {
      case "entity-set":
        return entity.entitySetName === assumption.entitySetName
          ? { assumption, status: "holds" }
          : {
              assumption,
              status: "fails",
              reason: `the entity set of ${table} is ${entity.entitySetName}`,
              suggestion: entity.entitySetName,
            };
      case "primary-column": {
        const actual = assumption.role === "id" ? entity.primaryIdAttribute : entity.primaryNameAttribute;
        return actual === assumption.column
          ? { assumption, status: "holds" }
          : {
              assumption,
              status: "fails",
              reason: `the primary ${assumption.role} column of ${table} is ${actual ?? "not set"}`,
              ...(actual ? { suggestion: actual } : {}),
            };
      }
      case "column":
        return present.has(assumption.column)
          ? { assumption, status: "holds" }
          : withSuggestion(
              { assumption, status: "fails", reason: `${table} has no column ${assumption.column}` },
              renamedColumn(assumption.column, assumption.displayName, attributes),
            );
      case "option-label":
        return present.has(assumption.column)
          ? await knownFailure(UnknownOptionError, assumption, async () =>
              String(await client.metadata.optionValue(table, assumption.column, assumption.label)),
            )
          : missingColumn(assumption, assumption.column);
      case "navigation-property":
        return present.has(assumption.column)
          ? await knownFailure(UnknownLookupError, assumption, () =>
              client.metadata.navigationProperty(table, assumption.column, assumption.target),
            )
          : missingColumn(assumption, assumption.column);
      case "catalog-entry":
        return checkCatalogEntry(client, entity, assumption);
    }
  };
  return Promise.all(list.map(check));
}

/** Runs a lookup whose typed "not there" error means the assumption fails; other errors propagate. */
async function knownFailure(
  kind: new (summary: string) => DataverseError,
  assumption: Assumption,
  lookup: () => Promise<string>,
): Promise<AssumptionResult> {
  try {
    return { assumption, status: "holds", found: await lookup() };
  } catch (err) {
    if (!(err instanceof kind)) throw err;
    return { assumption, status: "fails", reason: withoutHint(err) };
  }
}

// The hint tells the caller of a failed request what to do; the report says where to correct the
// assumption instead, so only what was found is kept.
function withoutHint(err: DataverseError): string {
  const message = err.message.endsWith(` ${err.hint}`)
    ? err.message.slice(0, -err.hint.length - 1)
    : err.message;
  return message.replace(/\.$/, "");
}

async function checkCatalogEntry(
  client: AssumptionClient,
  entity: EntityMetadata,
  assumption: Extract<Assumption, { kind: "catalog-entry" }>,
): Promise<AssumptionResult> {
  const { name } = assumption;
  const nameColumn = entity.primaryNameAttribute;
  if (!nameColumn) {
    return { assumption, status: "unchecked", reason: `${entity.logicalName} has no primary name column` };
  }
  // The whole catalog is a few dozen rows: reading it all lets a near miss be suggested.
  const rows = await client.list(entity.entitySetName, { select: [nameColumn] });
  const names = rows.map((row) => row[nameColumn]).filter((n): n is string => typeof n === "string");
  if (names.some((n) => sameName(n, name))) return { assumption, status: "holds" };
  const known = names.length > 0 ? `it has ${names.map((n) => `"${n}"`).join(", ")}` : "it is empty";
  return withSuggestion(
    { assumption, status: "fails", reason: `the provider catalog has no "${name}"; ${known}` },
    didYouMean(name, names),
  );
}

/**
 * The environment's name for a column that is not there under ours: the one with the same display
 * label (a rename in the solution usually keeps the label), else the closest logical name.
 */
function renamedColumn(
  column: string,
  displayName: string | undefined,
  attributes: readonly AttributeMetadata[],
): string | undefined {
  const label = displayName?.trim().toLowerCase();
  const sameLabel = attributes.filter((a) => label && a.displayName?.trim().toLowerCase() === label);
  if (sameLabel.length === 1) return sameLabel[0]?.logicalName;
  return didYouMean(
    column,
    attributes.map((a) => a.logicalName),
  );
}

function withSuggestion(result: AssumptionResult, suggestion: string | undefined): AssumptionResult {
  return suggestion === undefined ? result : { ...result, suggestion };
}
