// The pure side of the dual-write map kind: reading managed settings out of a mapping document in
// the YAML shape, applying desired ones without touching anything else, recording and restoring
// what was there, and the canonical form the diff compares.
import { describe, expect, it } from "vitest";

import type { DualWriteMap, FieldMapping } from "../../../src/generated/dual-write-map.js";
import { changedKeys } from "../../../src/resources/runtime/kind.js";
import { DualWriteMapError } from "../../../src/resources/dual-write-map/errors.js";
import {
  sameMappings,
  versionTask,
  applySettings,
  canonicalSettings,
  carryFound,
  describeFieldMapping,
  fieldMappingToWire,
  fieldMappingToYaml,
  managedLeg,
  normaliseFilter,
  readSettings,
  restoreSettings,
  sameFieldMapping,
  snapshot,
  typedValue,
} from "../../../src/resources/dual-write-map/mapping.js";

type Json = Record<string, unknown>;

const ARTICLE_FILTER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";

/** A document shaped like an out-of-box map, with keys and parts the resource must never touch. */
function document(): Json {
  return {
    schemaVersion: 7,
    entityMappingTasks: [
      {
        name: "CDS sales order headers (salesorders)",
        legs: [
          {
            sourceSchema: "CDS sales order headers",
            sourceEnvironmentType: "AX",
            destinationSchema: "salesorders",
            sourceFilter: "",
            reversedSourceFilter: "msdyn_ordertype eq 192350000",
            isSourceFilterEditable: true,
            unknownLegKey: { kept: true },
            fieldMappings: [
              {
                syncDirection: 3,
                sourceField: "SALESORDERNUMBER",
                destinationField: "msdyn_salesordernumber",
                valueTransforms: [],
                isSystemGenerated: false,
              },
              {
                syncDirection: 1,
                sourceField: null,
                destinationField: "msdyn_ordertype",
                valueTransforms: [{ transformType: "Default", defaultValue: "192350000" }],
                isSystemGenerated: false,
              },
              {
                syncDirection: 3,
                sourceField: null,
                destinationField: "msdyn_isreadytosync",
                valueTransforms: [],
                isSystemGenerated: false,
                destinationLookupFieldRelatedEntity: null,
              },
            ],
          },
        ],
      },
      {
        // A Dataverse-sourced leg: its destinationField is an F&O field, so it is not ours to edit.
        name: "reverse",
        legs: [
          {
            sourceEnvironmentType: "CRM",
            reversedSourceFilter: "(accounttype == '3')",
            fieldMappings: [{ syncDirection: 2, sourceField: "x", destinationField: "msdyn_isreadytosync" }],
          },
        ],
      },
    ],
  };
}

const readyToSync: FieldMapping = {
  dataverseField: "msdyn_isreadytosync",
  direction: "financeAndOperationsToDataverse",
  transform: "default",
  defaultValue: true,
};

function inputs(overrides: Partial<DualWriteMap> = {}): DualWriteMap {
  return {
    name: "sales-order-headers",
    map: "CDS sales order headers (salesorders)",
    table: "salesorder",
    dataverseFilter: ARTICLE_FILTER,
    fieldMappings: [readyToSync],
    ...overrides,
  };
}

function leg(doc: Json): Json {
  return managedLeg(doc);
}

function field(doc: Json, name: string): Json | undefined {
  return (leg(doc).fieldMappings as Json[]).find((f) => f.destinationField === name);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DualWriteMapError) return error.code;
    throw error;
  }
  return undefined;
}

describe("normaliseFilter", () => {
  it.each([
    ["a folded filter", "a eq 1 and\n  b eq 2", "a eq 1 and b eq 2"],
    ["tabs and runs of spaces", "a  eq\t1", "a eq 1"],
    ["ends", "  a eq 1 \n", "a eq 1"],
    ["an OData literal is kept", "name eq 'two  spaces\n' and  x eq 1", "name eq 'two  spaces\n' and x eq 1"],
    [
      "a doubled quote inside a literal",
      "name eq 'it''s  here'  or y eq 2",
      "name eq 'it''s  here' or y eq 2",
    ],
    ["an F&O double-quoted range", '(AccountType  ==  "a  b")', '(AccountType == "a  b")'],
    [
      "a double quote inside an OData literal",
      "x eq 'say \"hi  there' and  y eq 1",
      "x eq 'say \"hi  there' and y eq 1",
    ],
    ["empty", "  ", ""],
  ])("%s", (_name, text, expected) => {
    expect(normaliseFilter(text)).toBe(expected);
  });
});

describe("managedLeg", () => {
  it("is the one F&O to Dataverse leg; Dataverse-sourced legs are not candidates", () => {
    expect(leg(document()).destinationSchema).toBe("salesorders");
  });

  it("counts a leg with no sourceEnvironmentType as F&O-sourced", () => {
    expect(managedLeg({ entityMappingTasks: [{ legs: [{ fieldMappings: [], tag: 1 }] }] }).tag).toBe(1);
  });

  it.each([
    ["no tasks", {}],
    ["no legs", { entityMappingTasks: [{ legs: [] }] }],
    [
      "two F&O legs",
      {
        entityMappingTasks: [
          { legs: [{ sourceEnvironmentType: "AX" }] },
          { legs: [{ sourceEnvironmentType: "ax" }] },
        ],
      },
    ],
  ])("refuses a document with %s", (_name, doc) => {
    expect(codeOf(() => managedLeg(doc))).toBe("unsupported-mapping");
  });
});

describe("field mappings, wire to YAML", () => {
  it("reads direction, the F&O field and no transform", () => {
    expect(fieldMappingToYaml(field(document(), "msdyn_salesordernumber") as Json)).toEqual({
      dataverseField: "msdyn_salesordernumber",
      financeAndOperationsField: "SALESORDERNUMBER",
      direction: "bidirectional",
    });
  });

  it.each([
    ["true", true, true],
    ["false", true, false],
    ["true", "yes", "true"],
    ["true", undefined, "true"],
    ["True", true, "True"],
    ["192350000", 1, 192350000],
    ["05", 1, "05"],
    ["1.5", 1, 1.5],
    ["", 1, ""],
    [true, "x", true],
  ] as const)("stored %j with a YAML value like %j reads as %j", (stored, hint, expected) => {
    expect(typedValue(stored, hint)).toBe(expected);
  });

  it("reads a Default transform's value in the type the YAML used", () => {
    const wire = {
      syncDirection: 1,
      sourceField: null,
      destinationField: "msdyn_isreadytosync",
      valueTransforms: [{ transformType: "Default", defaultValue: "true" }],
    };
    expect(fieldMappingToYaml(wire, readyToSync)).toEqual(readyToSync);
    expect(fieldMappingToYaml(wire)).toEqual({ ...readyToSync, defaultValue: "true" });
  });

  it("reads a value map and a second transform", () => {
    const wire = {
      syncDirection: 2,
      sourceField: "STATUS",
      destinationField: "statuscode",
      valueTransforms: [
        { transformType: "ValueMap", valueMap: { Open: "1", Closed: "2" } },
        { transformType: "Default", defaultValue: "1" },
      ],
    };
    const hint: FieldMapping = {
      dataverseField: "statuscode",
      direction: "dataverseToFinanceAndOperations",
      transform: "valueMap",
      valueMap: { Open: 1, Closed: 2 },
      defaultValue: 1,
    };
    expect(describeFieldMapping(wire, hint)).toEqual({
      value: { ...hint, financeAndOperationsField: "STATUS" },
      exact: true,
    });
  });

  it("says when stored transforms are more than the YAML can say", () => {
    const twice = {
      syncDirection: 1,
      destinationField: "x",
      valueTransforms: [
        { transformType: "Default", defaultValue: "a" },
        { transformType: "Default", defaultValue: "b" },
      ],
    };
    expect(describeFieldMapping(twice).exact).toBe(false);
    expect(describeFieldMapping({ ...twice, valueTransforms: [{ transformType: "Lookup" }] }).exact).toBe(
      false,
    );
  });

  it("refuses a sync direction it does not know", () => {
    expect(codeOf(() => fieldMappingToYaml({ syncDirection: 9, destinationField: "x" }))).toBe(
      "unsupported-mapping",
    );
  });
});

describe("field mappings, YAML to wire", () => {
  it("writes a new mapping with no F&O source as the gateway stores one", () => {
    expect(fieldMappingToWire(readyToSync)).toEqual({
      syncDirection: 1,
      sourceField: null,
      destinationField: "msdyn_isreadytosync",
      valueTransforms: [{ transformType: "Default", defaultValue: "true" }],
      isSystemGenerated: false,
    });
  });

  it("keeps the stored mapping's other keys and its transforms' other keys", () => {
    const existing = {
      syncDirection: 3,
      sourceField: "S",
      destinationField: "d",
      valueTransforms: [{ transformType: "ValueMap", valueMap: { a: "b" }, createValuesOnDestination: true }],
      isSystemGenerated: true,
      destinationLookupFieldRelatedEntity: "account",
    };
    const wire = fieldMappingToWire(
      {
        dataverseField: "d",
        direction: "financeAndOperationsToDataverse",
        transform: "valueMap",
        valueMap: { x: 1 },
      },
      existing,
    );
    expect(wire).toEqual({
      syncDirection: 1,
      sourceField: null,
      destinationField: "d",
      valueTransforms: [{ transformType: "ValueMap", valueMap: { x: "1" }, createValuesOnDestination: true }],
      isSystemGenerated: true,
      destinationLookupFieldRelatedEntity: "account",
    });
  });

  it.each<[string, FieldMapping]>([
    ["the article's mapping", readyToSync],
    [
      "an F&O field, both ways",
      { dataverseField: "name", financeAndOperationsField: "NAME", direction: "bidirectional" },
    ],
    [
      "a value map with a default",
      {
        dataverseField: "statuscode",
        direction: "dataverseToFinanceAndOperations",
        transform: "valueMap",
        valueMap: { Open: 1, Closed: "2", Flag: false },
        defaultValue: "1",
      },
    ],
    [
      "a numeric default",
      {
        dataverseField: "msdyn_ordertype",
        direction: "financeAndOperationsToDataverse",
        transform: "default",
        defaultValue: 192350000,
      },
    ],
    [
      "a default with no transform named",
      { dataverseField: "x", direction: "bidirectional", defaultValue: "v" },
    ],
  ])("round-trips %s", (_name, mapping) => {
    const back = describeFieldMapping(fieldMappingToWire(mapping), mapping);
    expect(back.exact).toBe(true);
    expect(sameFieldMapping(back.value, mapping)).toBe(true);
    if (mapping.transform || !mapping.defaultValue) expect(back.value).toEqual(mapping);
  });
});

describe("canonicalSettings", () => {
  const base = canonicalSettings(inputs());

  it.each<[string, Partial<DualWriteMap>]>([
    ["a folded filter", { dataverseFilter: ARTICLE_FILTER.replace(/ and /g, " and\n  ") + "\n" }],
    ["the map name in other case", { map: "cds SALES order headers (salesorders)" }],
    ["true as text", { fieldMappings: [{ ...readyToSync, defaultValue: "true" }] }],
    [
      "the Dataverse field in other case",
      { fieldMappings: [{ ...readyToSync, dataverseField: "MSDYN_IsReadyToSync" }] },
    ],
    ["a default transform left implied", { fieldMappings: [{ ...readyToSync, transform: undefined }] }],
  ])("ignores %s", (_name, change) => {
    expect(changedKeys(base, canonicalSettings(inputs(change)))).toEqual([]);
  });

  it("compares field mappings as a set, and no list as an empty one", () => {
    const other: FieldMapping = {
      dataverseField: "name",
      financeAndOperationsField: "NAME",
      direction: "bidirectional",
    };
    const a = canonicalSettings(inputs({ fieldMappings: [readyToSync, other] }));
    const b = canonicalSettings(inputs({ fieldMappings: [other, readyToSync] }));
    expect(changedKeys(a, b)).toEqual([]);
    expect(
      changedKeys(
        canonicalSettings(inputs({ fieldMappings: [] })),
        canonicalSettings(inputs({ fieldMappings: undefined })),
      ),
    ).toEqual([]);
  });

  it("ignores outputs that are not settings", () => {
    const outs = { ...inputs(), organizationId: "o", adopted: true, found: { fieldMappings: [] } };
    expect(changedKeys(base, canonicalSettings(outs))).toEqual([]);
  });

  it.each<[string, Partial<DualWriteMap>, string[]]>([
    [
      "a filter changed in YAML shows only that property",
      { dataverseFilter: `${ARTICLE_FILTER} and x eq 1` },
      ["dataverseFilter"],
    ],
    ["whitespace inside a literal is a change", { dataverseFilter: "name eq 'a  b'" }, ["dataverseFilter"]],
    [
      "another default value",
      { fieldMappings: [{ ...readyToSync, defaultValue: false }] },
      ["fieldMappings"],
    ],
    ["'True' is not true", { fieldMappings: [{ ...readyToSync, defaultValue: "True" }] }, ["fieldMappings"]],
    ["another map", { map: "CDS sales order lines (salesorderdetails)" }, ["map"]],
    ["an F&O filter managed", { financeAndOperationsFilter: "" }, ["financeAndOperationsFilter"]],
  ])("%s", (_name, change, keys) => {
    expect(changedKeys(base, canonicalSettings(inputs(change)))).toEqual(keys);
  });
});

describe("applySettings", () => {
  it("sets the Dataverse filter and the field mapping, and touches nothing else", () => {
    const original = document();
    const { document: edited, changed } = applySettings(original, inputs());
    expect(changed).toBe(true);
    expect(original).toEqual(document()); // the input is not mutated

    const expected = document();
    const l = managedLeg(expected);
    l.reversedSourceFilter = ARTICLE_FILTER;
    Object.assign(field(expected, "msdyn_isreadytosync") as Json, {
      syncDirection: 1,
      valueTransforms: [{ transformType: "Default", defaultValue: "true" }],
    });
    expect(edited).toEqual(expected);
  });

  it("saves a folded filter on one line", () => {
    const folded = ARTICLE_FILTER.replace(/ and /g, " and\n");
    const { document: edited } = applySettings(document(), inputs({ dataverseFilter: folded }));
    expect(leg(edited).reversedSourceFilter).toBe(ARTICLE_FILTER);
  });

  it("adds a mapping the map does not have at the end, and sets a managed F&O filter", () => {
    const extra: FieldMapping = {
      dataverseField: "msdyn_new",
      financeAndOperationsField: "NEW",
      direction: "bidirectional",
    };
    const { document: edited } = applySettings(
      document(),
      inputs({ financeAndOperationsFilter: "(x == '1')", fieldMappings: [readyToSync, extra] }),
    );
    const mappings = leg(edited).fieldMappings as Json[];
    expect(mappings).toHaveLength(4);
    expect(mappings[3]).toEqual(fieldMappingToWire(extra));
    expect(leg(edited).sourceFilter).toBe("(x == '1')");
  });

  it("changes nothing when the map already has the settings, however they are written", () => {
    const once = applySettings(document(), inputs()).document;
    // Stored with other whitespace and true as a YAML string: the same settings.
    managedLeg(once).reversedSourceFilter = ` ${ARTICLE_FILTER.replace(/ and /g, "  and ")} `;
    const again = applySettings(
      once,
      inputs({
        dataverseFilter: ARTICLE_FILTER.replace(/ and /g, " and\n"),
        fieldMappings: [{ ...readyToSync, defaultValue: "true" }],
      }),
    );
    expect(again.changed).toBe(false);
    expect(again.document).toBe(once);
  });

  it("rewrites a mapping whose transforms the YAML cannot express, even if the first one matches", () => {
    const doc = document();
    (field(doc, "msdyn_isreadytosync") as Json).syncDirection = 1;
    (field(doc, "msdyn_isreadytosync") as Json).valueTransforms = [
      { transformType: "Default", defaultValue: "true" },
      { transformType: "Default", defaultValue: "false" },
    ];
    const { document: edited, changed } = applySettings(
      doc,
      inputs({ dataverseFilter: "msdyn_ordertype eq 192350000" }),
    );
    expect(changed).toBe(true);
    expect((field(edited, "msdyn_isreadytosync") as Json).valueTransforms).toEqual([
      { transformType: "Default", defaultValue: "true" },
    ]);
  });

  it("refuses a Dataverse field listed twice, in the YAML or in the map", () => {
    expect(
      codeOf(() =>
        applySettings(
          document(),
          inputs({ fieldMappings: [readyToSync, { ...readyToSync, dataverseField: "MSDYN_ISREADYTOSYNC" }] }),
        ),
      ),
    ).toBe("duplicate-field");
    const doc = document();
    (leg(doc).fieldMappings as Json[]).push({ syncDirection: 1, destinationField: "msdyn_isreadytosync" });
    expect(codeOf(() => applySettings(doc, inputs()))).toBe("duplicate-field");
  });
});

describe("readSettings", () => {
  it("reads back exactly the applied settings, limited to the managed fields", () => {
    const desired = inputs({ dataverseFilter: ARTICLE_FILTER.replace(/ and /g, " and\n") });
    const { document: edited } = applySettings(document(), desired);
    expect(readSettings(edited, desired)).toEqual({
      dataverseFilter: desired.dataverseFilter,
      fieldMappings: desired.fieldMappings,
    });
  });

  it("shows what the map has where it differs: a hand-edited filter, a changed mapping, a removed one", () => {
    const desired = inputs({
      financeAndOperationsFilter: "(a == '1')",
      fieldMappings: [readyToSync, { dataverseField: "msdyn_gone", direction: "bidirectional" }],
    });
    const { document: edited } = applySettings(document(), desired);
    const l = managedLeg(edited);
    l.reversedSourceFilter = "msdyn_ordertype eq 192350000";
    l.sourceFilter = null;
    l.fieldMappings = (l.fieldMappings as Json[]).filter((f) => f.destinationField !== "msdyn_gone");
    ((field(edited, "msdyn_isreadytosync") as Json).valueTransforms as Json[])[0]!.defaultValue = "false";
    expect(readSettings(edited, desired)).toEqual({
      dataverseFilter: "msdyn_ordertype eq 192350000",
      financeAndOperationsFilter: "",
      fieldMappings: [{ ...readyToSync, defaultValue: false }],
    });
  });

  it("leaves the F&O filter and field mappings out when they are not managed", () => {
    expect(readSettings(document(), { dataverseFilter: "x" })).toEqual({
      dataverseFilter: "msdyn_ordertype eq 192350000",
    });
  });
});

describe("snapshot and restoreSettings", () => {
  it("record what was there and put it back exactly, removing mappings that were not there", () => {
    const desired = inputs({
      financeAndOperationsFilter: "(a == '1')",
      fieldMappings: [readyToSync, { dataverseField: "msdyn_new", direction: "bidirectional" }],
    });
    const found = snapshot(document(), desired);
    expect(found).toEqual({
      dataverseFilter: "msdyn_ordertype eq 192350000",
      financeAndOperationsFilter: { value: "" },
      fieldMappings: [
        {
          dataverseField: "msdyn_isreadytosync",
          mapping: JSON.stringify(field(document(), "msdyn_isreadytosync")),
        },
        { dataverseField: "msdyn_new" },
      ],
    });
    // The record survives a JSON round trip (the engine's state) unchanged.
    expect(JSON.parse(JSON.stringify(found))).toEqual(found);

    const { document: edited } = applySettings(document(), desired);
    const restored = restoreSettings(edited, found);
    expect(restored.changed).toBe(true);
    expect(restored.document).toEqual(document());
    expect(JSON.stringify(restored.document)).toBe(JSON.stringify(document()));
    expect(restoreSettings(document(), found).changed).toBe(false);
  });

  it("removes filter keys the map did not have", () => {
    const doc = document();
    delete managedLeg(doc).reversedSourceFilter;
    delete managedLeg(doc).sourceFilter;
    const desired = inputs({ financeAndOperationsFilter: "(a == '1')" });
    const found = snapshot(doc, desired);
    expect(found.dataverseFilter).toBeUndefined();
    expect(found.financeAndOperationsFilter).toEqual({});
    const { document: restored } = restoreSettings(applySettings(doc, desired).document, found);
    expect(restored).toEqual(doc);
  });
});

describe("carryFound", () => {
  const original = document();
  const first = inputs();
  const found = snapshot(original, first);
  const applied = applySettings(original, first).document;

  it("keeps what was recorded, unchanged, when the settings change", () => {
    const next = inputs({
      dataverseFilter: "x eq 1",
      fieldMappings: [{ ...readyToSync, defaultValue: false }],
    });
    expect(carryFound(found, applied, next)).toEqual({ found, released: { fieldMappings: [] } });
  });

  it("records settings managed for the first time from the document as it is now", () => {
    const extra: FieldMapping = { dataverseField: "msdyn_salesordernumber", direction: "bidirectional" };
    const { found: next, released } = carryFound(
      found,
      applied,
      inputs({ financeAndOperationsFilter: "(x == '1')", fieldMappings: [readyToSync, extra] }),
    );
    expect(next.fieldMappings).toEqual([
      found.fieldMappings[0],
      {
        dataverseField: "msdyn_salesordernumber",
        mapping: JSON.stringify(field(applied, "msdyn_salesordernumber")),
      },
    ]);
    expect(next.financeAndOperationsFilter).toEqual({ value: "" });
    expect(released).toEqual({ fieldMappings: [] });
  });

  it("releases settings no longer managed, and applying puts them back", () => {
    const managedMore = inputs({ financeAndOperationsFilter: "(x == '1')" });
    const before = carryFound(found, applied, managedMore).found;
    const withFinOps = applySettings(applied, managedMore).document;
    const fewer = inputs({ fieldMappings: undefined });
    const { found: next, released } = carryFound(before, withFinOps, fewer);
    expect(next).toEqual({ dataverseFilter: found.dataverseFilter, fieldMappings: [] });
    expect(released).toEqual({
      financeAndOperationsFilter: { value: "" },
      fieldMappings: found.fieldMappings,
    });
    const { document: edited } = applySettings(withFinOps, fewer, released);
    expect(leg(edited).sourceFilter).toBe("");
    expect(field(edited, "msdyn_isreadytosync")).toEqual(field(original, "msdyn_isreadytosync"));
    expect(leg(edited).reversedSourceFilter).toBe(ARTICLE_FILTER);
  });
});

describe("a new version of the map", () => {
  const task = {
    name: "salesorders - CDS sales order headers",
    legs: [{ sourceEnvironmentType: "AX", fieldMappings: [] }],
  };

  it("stores the document's one entity mapping task, legs at its top level", () => {
    expect(versionTask({ id: "p", entityMappingTasks: [task] })).toBe(task);
  });

  it("is refused for a document with no task or several, rather than split or guessed at", () => {
    for (const tasks of [[], [task, task]])
      expect(() => versionTask({ entityMappingTasks: tasks })).toThrow(
        expect.objectContaining({ code: "unsupported-mapping" }) as Error,
      );
  });

  it("compares documents by their tasks only: the gateway's dates and state are not a change", () => {
    expect(
      sameMappings(
        { entityMappingTasks: [task], projectState: "Running", modifiedDateTime: "1" },
        { entityMappingTasks: [structuredClone(task)], projectState: "Stopped" },
      ),
    ).toBe(true);
    expect(
      sameMappings({ entityMappingTasks: [task] }, { entityMappingTasks: [{ ...task, legs: [] }] }),
    ).toBe(false);
  });
});
