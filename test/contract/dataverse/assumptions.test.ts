// The assumption check against the emulator over HTTP: everything iom-gitops assumes holds there
// (the emulator serves exactly those guesses), and an environment whose metadata differs, made by
// altering a few of the emulator's answers on their way to the client, is reported assumption by
// assumption, with the place in the code to correct.
import { describe, expect, it } from "vitest";
import { checkAssumptions, listAssumptions } from "../../../src/iom/assumptions.js";
import { columns, criticality } from "../../../src/iom/facts.js";
import { alteringFetch, attributeOf, editTable, renameColumn, type Json } from "./altering-fetch.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();

function relabel(label: Json | undefined, text: string): void {
  for (const l of [label?.UserLocalizedLabel, ...((label?.LocalizedLabels as unknown[]) ?? [])])
    if (l) (l as Json).Label = text;
}

describe("assumptions against the emulator", () => {
  it("all hold, with one request for every table's metadata and one for the catalog", async () => {
    const { dv } = h.client();
    const report = await checkAssumptions(dv);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results).toHaveLength(listAssumptions().length);

    // Every table's definition, columns, option sets and lookups: one RetrieveMetadataChanges.
    // The catalog is then read by the entity set the first answer gave.
    const counters = await h.counters();
    expect(counters.total).toBe(2);
    expect(counters.byRoute).toEqual({
      "GET /api/data/v9.2/RetrieveMetadataChanges(id)": 1,
      "GET /api/data/v9.2/msdyn_iomproviderdefinitions": 1,
    });
  });

  it("reports an environment whose metadata differs, naming each assumption and where it lives", async () => {
    const { dv } = h.client(
      {},
      {
        fetch: alteringFetch([
          // A column renamed by a solution.
          renameColumn("msdyn_iompolicy", columns.policy.policyType, "msdyn_policytypecode"),
          // The label the UI shows instead of the one assumed.
          editTable("msdyn_iompolicy", (entity) => {
            const column = attributeOf(entity, columns.policy.criticality);
            const options = (column?.OptionSet as Json).Options as Json[];
            const critical = options.find((o) => o.Value === criticality.critical.value);
            relabel(critical?.Label as Json, "Critical information");
          }),
          editTable("msdyn_iomrule", (entity) => (entity.EntitySetName = "msdyn_iomruleset")),
          // The lookup under another name in the relationships.
          editTable("msdyn_iomprovider", (entity) => {
            for (const r of entity.ManyToOneRelationships as Json[])
              if (r.ReferencingAttribute === columns.provider.definition)
                r.ReferencingAttribute = "msdyn_catalogentry";
          }),
        ]),
      },
    );

    const report = await checkAssumptions(dv);
    expect(report.ok).toBe(false);
    expect(
      report.failures.map((r) => ({ id: r.assumption.id, status: r.status, source: r.assumption.source })),
    ).toEqual([
      {
        id: "navigation:msdyn_iomprovider.msdyn_iomproviderdefinition:msdyn_iomproviderdefinition",
        status: "fails",
        source: "src/iom/tables/msdyn_iomprovider.ts lookup columns.provider.definition",
      },
      {
        id: "column:msdyn_iompolicy.msdyn_policytype",
        status: "fails",
        source: "src/iom/facts.ts columns.policy.policyType",
      },
      {
        id: "option:msdyn_iompolicy.msdyn_policytype:Filter Policy",
        status: "unchecked",
        source: "src/iom/facts.ts policyType.filter",
      },
      {
        id: "option:msdyn_iompolicy.msdyn_policytype:Execution Policy",
        status: "unchecked",
        source: "src/iom/facts.ts policyType.execution",
      },
      {
        id: "option:msdyn_iompolicy.msdyn_criticality:Critical",
        status: "fails",
        source: "src/iom/facts.ts criticality.critical",
      },
      {
        id: "entity-set:msdyn_iomrule",
        status: "fails",
        source: "src/iom/facts.ts entitySetNames.msdyn_iomrule",
      },
    ]);
    const [lookup, column, , , label, entitySet] = report.failures;
    expect(lookup?.reason).toBe(
      "msdyn_iomprovider has no lookup msdyn_iomproviderdefinition; its lookups are " +
        "msdyn_catalogentry (to msdyn_iomproviderdefinition)",
    );
    expect(column).toMatchObject({
      reason: "msdyn_iompolicy has no column msdyn_policytype",
      suggestion: "msdyn_policytypecode",
    });
    expect(label?.reason).toBe(
      `msdyn_iompolicy.msdyn_criticality has no option "Critical"; it has ` +
        `"Information" (${criticality.information.value}), "Critical information" (${criticality.critical.value})`,
    );
    expect(entitySet).toMatchObject({ suggestion: "msdyn_iomruleset" });
  });
});
