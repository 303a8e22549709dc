// The assumption list (generated from facts.ts, the table definitions and the catalog) and its
// check against environments served by a fake transport: one that matches the registry, and ones
// that differ in exactly the ways a real environment might.
import { existsSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { AccessDeniedError } from "../../../src/dataverse/errors.js";
import { clearMetadataCache } from "../../../src/dataverse/metadata.js";
import {
  checkAssumptions,
  formatAssumptionReport,
  listAssumptions,
  type Assumption,
  type AssumptionReport,
} from "../../../src/iom/assumptions.js";
import { FINOPS_DEFINITION } from "../../../src/iom/catalog.js";
import * as inferred from "../../../src/iom/facts.js";
import { primaryColumns } from "../../../src/iom/facts.js";
import { columns, criticality, entitySetNames, policyType } from "../../../src/iom/facts.js";
import * as dualWriteFacts from "../../../src/iom/dual-write-facts.js";
import { dualWrite } from "../../../src/iom/dual-write-facts.js";
import { findTable } from "../../../src/iom/tables/index.js";
import type { TableDefinition } from "../../../src/iom/tables/types.js";
import { ENVIRONMENT_URL, fakeEnvironment, navigationName, registryTables } from "./fake-environment.js";
import { expectGolden } from "../../golden.js";

const ROOT = path.resolve(__dirname, "../../..");
const GOLDEN = path.join(__dirname, "golden");

const CHOICE_SETS = [
  "policyType",
  "criticality",
  "associatedEntity",
  "publishStatus",
  "policyVersionState",
  "providerStatus",
  "connectionStatus",
  "orchestrationType",
  "logicType",
];

const DEFINITIONS_TABLE = "msdyn_iomproviderdefinition";
const catalogRows = (...names: string[]) => ({
  [DEFINITIONS_TABLE]: names.map((name) => ({ [primaryColumns.msdyn_iomproviderdefinition.name]: name })),
});

function golden(name: string, actual: string): void {
  expectGolden(GOLDEN, name, actual);
}

/** The value a source location such as "src/iom/facts.ts columns.policy.policyType" names. */
function valueAt(source: string): unknown {
  const [file, where = ""] = source.split(" ");
  expect(["src/iom/facts.ts", "src/iom/dual-write-facts.ts"]).toContain(file);
  const module = file === "src/iom/facts.ts" ? inferred : dualWriteFacts;
  return where.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], module);
}

function edit(defs: TableDefinition[], logicalName: string, change: (t: TableDefinition) => void): void {
  const table = defs.find((t) => t.logicalName === logicalName);
  if (!table) throw new Error(`no table ${logicalName}`);
  change(table);
}

function column(defs: TableDefinition[], table: string, name: string) {
  const attribute = defs.find((t) => t.logicalName === table)?.attributes.find((a) => a.logicalName === name);
  if (!attribute) throw new Error(`no column ${table}.${name}`);
  return attribute;
}

beforeEach(() => clearMetadataCache());

describe("listAssumptions", () => {
  const list = listAssumptions();
  const of = <K extends Assumption["kind"]>(kind: K) =>
    list.filter((a): a is Extract<Assumption, { kind: K }> => a.kind === kind);

  it("gives every assumption a unique id, a statement and a code location", () => {
    expect(new Set(list.map((a) => a.id)).size).toBe(list.length);
    for (const a of list) {
      expect(a.statement).not.toBe("");
      expect(a.source).toMatch(/^src\/iom\/\S+\.ts \S/);
    }
  });

  it("assumes every entity set, column and dual-write column of facts.ts, where facts.ts says it", () => {
    const sets = of("entity-set");
    expect(sets.map((a) => a.table).sort()).toEqual([...Object.keys(entitySetNames), dualWrite.table].sort());
    for (const a of sets) expect(valueAt(a.source)).toBe(a.entitySetName);

    const columnSources = of("column").map((a) => a.source);
    for (const [group, names] of Object.entries(columns))
      for (const key of Object.keys(names))
        expect(columnSources).toContain(`src/iom/facts.ts columns.${group}.${key}`);
    for (const key of ["primaryId", "name", "displayName", "mapping", "solutionId"])
      expect(columnSources).toContain(`src/iom/dual-write-facts.ts dualWrite.${key}`);
    for (const a of of("column")) expect(valueAt(a.source)).toBe(a.column);
  });

  it("keeps each column group on the table whose definition has those columns", () => {
    for (const a of of("column")) {
      const names = findTable(a.table)?.attributes.map((x) => x.logicalName);
      expect(names, a.id).toContain(a.column);
    }
  });

  it("assumes every label of every choice set, on each column that holds it", () => {
    const options = of("option-label");
    for (const set of CHOICE_SETS) {
      const choices = Object.entries(
        inferred[set as keyof typeof inferred] as Record<string, inferred.Choice>,
      );
      for (const [key, choice] of choices) {
        const found = options.filter((a) => a.source === `src/iom/facts.ts ${set}.${key}`);
        expect(found.length, `${set}.${key}`).toBeGreaterThan(0);
        for (const a of found) expect(a.label).toBe(choice.label);
      }
    }
    // Shared sets appear on every column that uses them.
    expect(
      options.filter((a) => a.label === inferred.associatedEntity.order.label).map((a) => a.table),
    ).toEqual(["msdyn_iompolicy", "msdyn_iomrule"]);
  });

  it("assumes a navigation property for every lookup of the IOM tables, located in its table file", () => {
    const navs = of("navigation-property");
    for (const [table] of Object.entries(entitySetNames)) {
      for (const attribute of findTable(table)?.attributes ?? []) {
        if (attribute.type !== "Lookup") continue;
        for (const target of attribute.targets ?? [])
          expect(navs.map((a) => a.id)).toContain(`navigation:${table}.${attribute.logicalName}:${target}`);
      }
    }
    for (const a of navs) expect(existsSync(path.join(ROOT, a.source.split(" ")[0] as string))).toBe(true);
  });

  it("assumes the F&O catalog entry as a warning only", () => {
    expect(of("catalog-entry")).toEqual([
      expect.objectContaining({
        name: FINOPS_DEFINITION,
        severity: "warning",
        source: "src/iom/catalog.ts FINOPS_DEFINITION",
      }),
    ]);
    expect(list.filter((a) => a.severity === "warning")).toHaveLength(1);
  });
});

describe("checkAssumptions", () => {
  it("finds them all holding in an environment that is what the registry says, asking for every table at once", async () => {
    const env = fakeEnvironment(registryTables(), catalogRows("Shopify", FINOPS_DEFINITION.toUpperCase()));
    const report = await checkAssumptions(env.client);

    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.environmentUrl).toBe(ENVIRONMENT_URL);
    expect(report.results.map((r) => r.assumption)).toEqual(listAssumptions());
    const nav = report.results.find(
      (r) =>
        r.assumption.id ===
        "navigation:msdyn_iomprovider.msdyn_iomproviderdefinition:msdyn_iomproviderdefinition",
    );
    expect(nav?.found).toBe(navigationName(columns.provider.definition));
    const label = report.results.find(
      (r) => r.assumption.id === `option:msdyn_iompolicy.${columns.policy.policyType}:Execution Policy`,
    );
    expect(label?.found).toBe(String(policyType.execution.value));

    // Every table's definition, columns, option sets and lookups in one request, then the catalog.
    expect(env.requests).toHaveLength(2);
    expect(env.requests[0]).toMatch(/^RetrieveMetadataChanges\(Query=@q\)/);
    expect(env.maxTablesInFlight()).toBe(new Set(listAssumptions().map((a) => a.table)).size);
    expect(env.requests[1]).toMatch(/^msdyn_iomproviderdefinitions\?/);
  });

  it("takes two rounds of requests: every table's metadata, then the catalog by its entity set", async () => {
    const env = fakeEnvironment(registryTables(), catalogRows(FINOPS_DEFINITION));
    const report = await checkAssumptions(env.client);
    expect(report.ok).toBe(true);
    // Each round is a round trip a real environment's latency adds to every `pulumi up`.
    expect(env.rounds()).toBe(2);
  });

  it("reports a missing table once, though its columns were asked for beside it", async () => {
    const defs = registryTables().filter((t) => t.logicalName !== "msdyn_iomdesigner");
    const env = fakeEnvironment(defs, catalogRows(FINOPS_DEFINITION));
    const report = await checkAssumptions(env.client);
    const designer = report.failures.filter((r) => r.assumption.table === "msdyn_iomdesigner");
    expect(designer.filter((r) => r.status === "fails").map((r) => r.reason)).toEqual([
      "the environment has no table msdyn_iomdesigner",
    ]);
    expect(
      designer.every(
        (r) => r.status === "fails" || r.reason === "the table msdyn_iomdesigner does not exist",
      ),
    ).toBe(true);
  });

  it("reports each assumption that does not hold, with the reason, the closest name and where it lives", async () => {
    const defs = registryTables();
    // A renamed column that kept its label, and one whose name and label both changed.
    column(defs, "msdyn_iompolicy", columns.policy.policyType).logicalName = "msdyn_policytypecode";
    Object.assign(column(defs, DEFINITIONS_TABLE, columns.providerDefinition.serviceType), {
      logicalName: "msdyn_category",
      displayName: "Category",
    });
    // The label the UI shows ("Critical information") instead of the one assumed.
    column(defs, "msdyn_iompolicy", columns.policy.criticality).options = [
      { value: criticality.information.value, label: "Information" },
      { value: criticality.critical.value, label: "Critical information" },
    ];
    edit(defs, "msdyn_iomrule", (t) => (t.entitySetName = "msdyn_iomruleset"));
    // A primary name column other than the convention's.
    edit(defs, "msdyn_iomprovider", (t) => (t.primaryNameAttribute = "msdyn_providername"));
    column(defs, "msdyn_iomprovider", columns.provider.definition).targets = ["msdyn_iomcatalogentry"];
    const withoutDesigner = defs.filter((t) => t.logicalName !== "msdyn_iomdesigner");
    const env = fakeEnvironment(
      withoutDesigner,
      catalogRows("Microsoft Finance and Operations app", "Shopify"),
    );

    const report = await checkAssumptions(env.client);
    expect(report.ok).toBe(false);
    const failures = Object.fromEntries(report.failures.map((r) => [r.assumption.id, r]));
    expect(Object.keys(failures)).toEqual([
      "column:msdyn_iomproviderdefinition.msdyn_iomservicetype",
      "primary-name:msdyn_iomprovider",
      "navigation:msdyn_iomprovider.msdyn_iomproviderdefinition:msdyn_iomproviderdefinition",
      "column:msdyn_iompolicy.msdyn_policytype",
      "option:msdyn_iompolicy.msdyn_policytype:Filter Policy",
      "option:msdyn_iompolicy.msdyn_policytype:Execution Policy",
      "option:msdyn_iompolicy.msdyn_criticality:Critical",
      "entity-set:msdyn_iomrule",
      "entity-set:msdyn_iomdesigner",
      ...listAssumptions()
        .filter((a) => a.table === "msdyn_iomdesigner" && a.kind !== "entity-set")
        .map((a) => a.id),
      `catalog:${FINOPS_DEFINITION}`,
    ]);

    expect(failures["column:msdyn_iompolicy.msdyn_policytype"]).toMatchObject({
      status: "fails",
      reason: "msdyn_iompolicy has no column msdyn_policytype",
      suggestion: "msdyn_policytypecode",
      assumption: { source: "src/iom/facts.ts columns.policy.policyType" },
    });
    expect(failures["column:msdyn_iomproviderdefinition.msdyn_iomservicetype"]).toMatchObject({
      status: "fails",
    });
    expect(failures["column:msdyn_iomproviderdefinition.msdyn_iomservicetype"]?.suggestion).toBeUndefined();
    expect(failures["option:msdyn_iompolicy.msdyn_policytype:Execution Policy"]).toMatchObject({
      status: "unchecked",
      reason: "the column msdyn_iompolicy.msdyn_policytype does not exist",
    });
    const critical = failures["option:msdyn_iompolicy.msdyn_criticality:Critical"];
    expect(critical).toMatchObject({
      status: "fails",
      assumption: { source: "src/iom/facts.ts criticality.critical" },
    });
    expect(critical?.reason).toContain(
      'has no option "Critical"; it has "Information" (192350000), "Critical information" (192350001)',
    );
    expect(failures["primary-name:msdyn_iomprovider"]).toMatchObject({
      status: "fails",
      reason: "the primary name column of msdyn_iomprovider is msdyn_providername",
      suggestion: "msdyn_providername",
      assumption: { source: "src/iom/facts.ts primaryColumns.msdyn_iomprovider.name" },
    });
    expect(failures["entity-set:msdyn_iomrule"]).toMatchObject({
      reason: "the entity set of msdyn_iomrule is msdyn_iomruleset",
      suggestion: "msdyn_iomruleset",
      assumption: { source: "src/iom/facts.ts entitySetNames.msdyn_iomrule" },
    });
    expect(
      failures["navigation:msdyn_iomprovider.msdyn_iomproviderdefinition:msdyn_iomproviderdefinition"],
    ).toMatchObject({
      status: "fails",
      assumption: { source: "src/iom/tables/msdyn_iomprovider.ts lookup columns.provider.definition" },
    });
    expect(
      failures["navigation:msdyn_iomprovider.msdyn_iomproviderdefinition:msdyn_iomproviderdefinition"]
        ?.reason,
    ).toContain("points to msdyn_iomcatalogentry, not msdyn_iomproviderdefinition");
    expect(failures["entity-set:msdyn_iomdesigner"]).toMatchObject({
      status: "fails",
      reason: "the environment has no table msdyn_iomdesigner",
    });
    expect(failures[`column:msdyn_iomdesigner.${columns.designer.definition}`]).toMatchObject({
      status: "unchecked",
      reason: "the table msdyn_iomdesigner does not exist",
    });
    expect(failures[`catalog:${FINOPS_DEFINITION}`]).toMatchObject({
      status: "fails",
      suggestion: "Microsoft Finance and Operations app",
      assumption: { severity: "warning" },
    });

    golden("differing-environment.txt", formatAssumptionReport(report));
  });

  it("names a lookup the environment lacks, with the lookups the table has", async () => {
    const defs = registryTables();
    Object.assign(column(defs, "msdyn_iomrule", columns.rule.policy), { type: "String", targets: undefined });
    const report = await checkAssumptions(fakeEnvironment(defs, catalogRows(FINOPS_DEFINITION)).client);
    expect(report.failures.map((r) => [r.assumption.id, r.reason])).toEqual([
      [
        "navigation:msdyn_iomrule.msdyn_policy:msdyn_iompolicy",
        expect.stringContaining("msdyn_iomrule has no lookup msdyn_policy; it has no lookups"),
      ],
    ]);
  });

  it("is ok with warnings only", async () => {
    const report = await checkAssumptions(fakeEnvironment(registryTables()).client);
    expect(report.failures.map((r) => [r.assumption.id, r.reason])).toEqual([
      [`catalog:${FINOPS_DEFINITION}`, `the provider catalog has no "${FINOPS_DEFINITION}"; it is empty`],
    ]);
    expect(report.ok).toBe(true);
    expect(formatAssumptionReport(report)).toContain(
      "Only warnings: the tool can run against this environment.",
    );
  });

  it("fails as a whole, with the client's typed error, when the environment cannot be read", async () => {
    const env = fakeEnvironment(
      registryTables(),
      {},
      {
        failWith: (p) =>
          p.startsWith("RetrieveMetadataChanges")
            ? { status: 403, body: { error: { code: "0x80040220", message: "missing prvReadEntity" } } }
            : undefined,
      },
    );
    await expect(checkAssumptions(env.client)).rejects.toBeInstanceOf(AccessDeniedError);
    // Nothing is checked after the failure: the catalog is not read.
    expect(env.requests.some((p) => p.startsWith("msdyn_iomproviderdefinitions"))).toBe(false);
  });
});

describe("formatAssumptionReport", () => {
  it("says in one line that all hold", () => {
    const report: AssumptionReport = { environmentUrl: ENVIRONMENT_URL, results: [], failures: [], ok: true };
    expect(formatAssumptionReport(report)).toBe(`All 0 assumptions about ${ENVIRONMENT_URL} hold.\n`);
  });
});
