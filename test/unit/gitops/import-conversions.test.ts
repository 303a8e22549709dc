// The conversions `iom import` added to the kinds for records no stack has applied yet: a map's
// settings and a provider parameter's text in the YAML's types. What matters is the round trip:
// applying what import describes stores exactly what is there, so adoption changes nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DualWriteMapError } from "../../../src/resources/dual-write-map/errors.js";
import { applySettings, describeSettings } from "../../../src/resources/dual-write-map/mapping.js";
import { parameterFromText } from "../../../src/resources/iom-provider/provider.js";

type Json = Record<string, unknown>;

function map(leg: Json): Json {
  return { entityMappingTasks: [{ name: "m", legs: [{ sourceEnvironmentType: "AX", ...leg }] }] };
}

const readiness = (transforms: unknown[], syncDirection = 1): Json => ({
  syncDirection,
  sourceField: null,
  destinationField: "msdyn_isreadytosync",
  valueTransforms: transforms,
  isSystemGenerated: false,
});

describe("describeSettings", () => {
  it("gives the Dataverse filter, a non-empty F&O filter and the asked fields, values typed as written", () => {
    const document = map({
      reversedSourceFilter: "msdyn_ordertype eq 192350000",
      sourceFilter: "(accounttype == '3')",
      fieldMappings: [
        { syncDirection: 3, sourceField: "SALESORDERNUMBER", destinationField: "msdyn_salesordernumber" },
        readiness([{ transformType: "Default", defaultValue: "true" }]),
        {
          syncDirection: 3,
          sourceField: "STATUS",
          destinationField: "statuscode",
          valueTransforms: [{ transformType: "ValueMap", valueMap: { Open: "1", Closed: "x2", Done: "05" } }],
        },
      ],
    });
    expect(describeSettings(document, ["MSDYN_ISREADYTOSYNC", "statuscode", "absent"])).toEqual({
      settings: {
        dataverseFilter: "msdyn_ordertype eq 192350000",
        financeAndOperationsFilter: "(accounttype == '3')",
        fieldMappings: [
          {
            dataverseField: "msdyn_isreadytosync",
            direction: "financeAndOperationsToDataverse",
            transform: "default",
            defaultValue: true,
          },
          {
            dataverseField: "statuscode",
            financeAndOperationsField: "STATUS",
            direction: "bidirectional",
            transform: "valueMap",
            valueMap: { Open: 1, Closed: "x2", Done: "05" },
          },
        ],
      },
      inexact: [],
    });
  });

  it("leaves out an empty F&O filter and fields the map does not have, and names inexact mappings", () => {
    const document = map({
      reversedSourceFilter: "",
      sourceFilter: "",
      fieldMappings: [
        readiness([
          { transformType: "Default", defaultValue: "True" },
          { transformType: "Default", defaultValue: "false" },
        ]),
      ],
    });
    expect(describeSettings(document, ["msdyn_isreadytosync", "statuscode"])).toEqual({
      settings: {
        dataverseFilter: "",
        fieldMappings: [
          {
            dataverseField: "msdyn_isreadytosync",
            direction: "financeAndOperationsToDataverse",
            transform: "default",
            defaultValue: "True",
          },
        ],
      },
      inexact: ["msdyn_isreadytosync"],
    });
    expect(describeSettings(map({ fieldMappings: [] }), ["msdyn_isreadytosync"]).settings).toEqual({
      dataverseFilter: "",
    });
  });

  it("refuses a mapping it cannot read, as the kind does", () => {
    expect(() => describeSettings({ entityMappingTasks: [] }, [])).toThrow(DualWriteMapError);
    expect(() =>
      describeSettings(map({ fieldMappings: [readiness([], 9)] }), ["msdyn_isreadytosync"]),
    ).toThrow(/syncDirection 9/);
  });

  it("describes what applying stores again unchanged, whatever the stored texts", () => {
    const text = fc.oneof(
      fc.constantFrom("true", "True", "false", "5", "05", "1e3", "-0", "0", ""),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.constantFrom(1, 2, 3),
        text,
        fc.dictionary(fc.string({ minLength: 1 }), text),
        (filter, direction, value, valueMap) => {
          const document = map({
            reversedSourceFilter: filter,
            fieldMappings: [
              readiness(
                [
                  { transformType: "Default", defaultValue: value },
                  { transformType: "ValueMap", valueMap },
                ],
                direction,
              ),
            ],
          });
          const { settings, inexact } = describeSettings(document, ["msdyn_isreadytosync"]);
          expect(inexact).toEqual([]);
          expect(applySettings(document, settings).changed).toBe(false);
        },
      ),
    );
  });
});

describe("parameterFromText", () => {
  it.each([
    ["true", true],
    ["false", false],
    ["5", 5],
    ["-2.5", -2.5],
    ["True", "True"],
    ["05", "05"],
    ["1e3", "1e3"],
    ["", ""],
    ["usmf", "usmf"],
  ])("reads %j as %j", (text, value) => {
    expect(parameterFromText(text)).toBe(value);
  });

  it("gives a value that is stored as the very same text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(String(parameterFromText(text))).toBe(text);
      }),
    );
  });
});
