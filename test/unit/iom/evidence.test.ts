// Every fact about IOM and dual-write that the code relies on carries its evidence, and
// docs/evidence.md is what the facts say today.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

import * as dualWriteFactModule from "../../../src/iom/dual-write-facts.js";
import * as evaluationFactModule from "../../../src/iom/evaluation-facts.js";
import { allFacts, factTrees, renderEvidenceDoc } from "../../../src/iom/evidence-doc.js";
import {
  confirmed,
  factsOf,
  inferred,
  sources,
  unsourcedLeaves,
  valuesOf,
  type Evidence,
} from "../../../src/iom/evidence.js";
import * as facts from "../../../src/iom/facts.js";
import { tables } from "../../../src/iom/tables/index.js";

const ROOT = path.resolve(__dirname, "../../..");

/** Columns every Dataverse table has; documented by Dataverse itself, not facts about IOM. */
const SYSTEM_COLUMNS = new Set(["statecode", "statuscode", "createdon", "modifiedon"]);

function citationProblems(evidence: Evidence): string[] {
  const problems: string[] = [];
  const cite = "cite" in evidence ? evidence.cite : undefined;
  if (evidence.kind !== "inferred" && !cite) problems.push("no citation");
  if (cite !== undefined) {
    const [source, ...rest] = cite.split(":");
    if (!(source && source in sources)) problems.push(`unknown source '${source}'`);
    if (rest.join(":").trim() === "") problems.push("a citation without a path or page");
    if (evidence.kind === "confirmed" && sources[source as keyof typeof sources]?.kind !== "microsoft")
      problems.push(`'${source}' is not a Microsoft source, so it cannot confirm`);
    if (evidence.kind === "third-party" && sources[source as keyof typeof sources]?.kind !== "third-party")
      problems.push(`'${source}' is Microsoft's, so the fact is confirmed, not third-party`);
  }
  if (evidence.kind === "inferred" && evidence.reason.trim().length < 10) problems.push("no reasoning");
  return problems;
}

describe("the fact registry", () => {
  const modules: Array<[string, Record<string, unknown>]> = [
    ["src/iom/facts.ts", facts],
    ["src/iom/dual-write-facts.ts", dualWriteFactModule],
    ["src/iom/evaluation-facts.ts", evaluationFactModule],
  ];

  it.each(modules)("%s declares every leaf of its fact trees as a sourced fact", (_file, module) => {
    const trees = factTrees(module);
    expect(trees.length).toBeGreaterThan(0);
    for (const [name, tree] of trees) expect(unsourcedLeaves(tree), name).toEqual([]);
  });

  it.each(modules)("%s exports no plain IOM value that is not taken from a fact tree", (_file, module) => {
    // Everything a fact tree yields: each fact's value and valuesOf of each sub-tree.
    const derived = new Set<string>();
    const collect = (node: unknown): void => {
      derived.add(JSON.stringify(valuesOf(node)));
      if (typeof node !== "object" || node === null || "fact" in node) return;
      for (const child of Object.values(node)) collect(child);
    };
    for (const [, tree] of factTrees(module)) collect(tree);
    // An export may regroup facts (dualWrite gathers two trees): each part must come from a tree.
    const unsourced = (value: unknown, at: string): string[] => {
      if (derived.has(JSON.stringify(value))) return [];
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [at];
      return Object.entries(value).flatMap(([k, v]) => unsourced(v, `${at}.${k}`));
    };
    const found = Object.entries(module)
      .filter(([name, value]) => !name.endsWith("Facts") && typeof value !== "function")
      .flatMap(([name, value]) => unsourced(value, name));
    expect(found).toEqual([]);
  });

  it("cites only known sources, each with a path, and confirms only with Microsoft's", () => {
    const problems = allFacts().flatMap((row) =>
      citationProblems(row.evidence).map((p) => `${row.tree}.${row.path}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it("refuses a leaf without evidence, and one citing an unknown source", () => {
    const tree = { a: confirmed("x", "IOM:alm.md"), b: { c: "msdyn_guess" } };
    expect(unsourcedLeaves(tree)).toEqual(["b.c"]);
    expect(citationProblems({ kind: "confirmed", cite: "NOPE:x" as never })).toContain(
      "unknown source 'NOPE'",
    );
    expect(citationProblems({ kind: "confirmed", cite: "MAPVIEWER:x" })).toEqual([
      "'MAPVIEWER' is not a Microsoft source, so it cannot confirm",
    ]);
    expect(citationProblems(inferred("x", "").evidence)).toEqual(["no reasoning"]);
    expect(factsOf(tree).map((f) => f.path)).toEqual(["a"]);
  });

  it("names every column of the IOM tables through a fact", () => {
    const named = new Set<string>([
      ...Object.values(facts.primaryColumns).flatMap((p) => [p.id, p.name]),
      ...Object.values(facts.columns).flatMap((group) => Object.values(group)),
    ]);
    const unsourced = tables
      .filter((t) => t.logicalName.startsWith("msdyn_iom"))
      .flatMap((t) =>
        t.attributes
          .filter((a) => !SYSTEM_COLUMNS.has(a.logicalName) && !named.has(a.logicalName))
          .map((a) => `${t.logicalName}.${a.logicalName}`),
      );
    expect(unsourced).toEqual([]);
  });

  it("holds the corrections public sources made (domain.md, 'Corrected by public sources')", () => {
    // The definition tables' lookups are named after their target, as the Shopify export shows.
    expect(facts.columns.definitionConnectionRef.definition).toBe("msdyn_iomproviderdefinition");
    expect(facts.columns.logicDefinition.definition).toBe("msdyn_iomproviderdefinition");
    expect(facts.columns.providerDefinition.serviceType).toBe("msdyn_iomservicetype");
    expect(facts.columns.logicDefinition.actionType).toBe("msdyn_iomactiontype");
    expect(facts.columns.logicDefinition.workflowId).toBe("msdyn_workflowid");
    expect(Object.keys(facts.columns.definitionConnectionRef)).toEqual(
      expect.arrayContaining(["connectorId", "connectorHideKey", "logicalName"]),
    );
    expect(facts.primaryColumns.msdyn_iomproviderdefinition.name).toBe("msdyn_displayname");
    expect(facts.options(facts.policyType).map((c) => c.label)).toEqual([
      "Filter Policy",
      "Execution Policy",
    ]);
    expect(facts.options(facts.logicType).map((c) => c.label)).toEqual([
      "Provider message handler",
      "Provider action",
      "Child flow",
      "Provider message puller",
    ]);
    const tableNames = tables.map((t) => t.logicalName);
    expect(tableNames).toContain("msdyn_iomactiontype");
    const logic = tables.find((t) => t.logicalName === "msdyn_iomproviderdefinitionlogicdefinition");
    expect(logic?.attributes.find((a) => a.logicalName === "msdyn_iomactiontype")).toMatchObject({
      type: "Lookup",
      targets: ["msdyn_iomactiontype"],
    });
    const definition = tables.find((t) => t.logicalName === "msdyn_iomproviderdefinition");
    expect(definition?.attributes.find((a) => a.logicalName === "msdyn_iomservicetype")?.type).toBe(
      "MultiSelectPicklist",
    );
  });
});

describe("docs/evidence.md", () => {
  it("is what the facts say (run `npm run generate` if not)", () => {
    const emulatorData = JSON.parse(readFileSync(path.join(ROOT, "src/emulator/data/metadata.json"), "utf8"));
    expect(readFileSync(path.join(ROOT, "docs", "evidence.md"), "utf8")).toBe(
      renderEvidenceDoc(emulatorData),
    );
  });

  it("counts each kind of evidence and lists what is unverified", () => {
    const doc = renderEvidenceDoc();
    const rows = allFacts();
    for (const kind of ["confirmed", "third-party", "inferred"] as const)
      expect(doc).toContain(`| ${kind} | ${rows.filter((r) => r.evidence.kind === kind).length} |`);
    expect(doc).toContain("## Unverified: no public evidence");
    expect(doc).toMatch(/\*\*rule definition format\*\*/);
  });
});
