// The format probe: per undocumented format, how many of an environment's rows decode and
// re-encode to the same document, why the others do not, and redacted samples; never a value.
import { describe, expect, it } from "vitest";

import { FORMAT_CODECS, formatProbeReport, probeValues } from "../../../src/iom/format-probe.js";
import { encodeDefinition } from "../../../src/iom/formats/orchestration-definition.js";
import { encodeRuleDefinition } from "../../../src/iom/formats/rule-definition.js";

const [rules, flows] = FORMAT_CODECS as [(typeof FORMAT_CODECS)[number], (typeof FORMAT_CODECS)[number]];
const SECRET = "Contoso confidential order filter";

const flow = encodeDefinition({
  formatVersion: 1,
  steps: [
    {
      name: SECRET,
      tile: "custom",
      inputEvents: [],
      filterPolicyIds: [],
      executionPolicyIds: [],
      providerAction: null,
    },
  ],
});

describe("probeValues", () => {
  it("counts the rows that decode and re-encode to the same document, whatever their key order", () => {
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(flow)).reverse()));
    const result = probeValues(flows, [flow, reordered, null, ""]);
    expect(result).toEqual({
      format: "orchestration definition",
      table: "msdyn_iomdesigner",
      column: flows.column,
      rows: 2,
      roundTrips: 2,
      failures: {},
    });
  });

  it("tells apart text that is not JSON, another format, and a document with fields iom-gitops drops", () => {
    const extra = JSON.stringify({ ...JSON.parse(flow), designerLayout: { x: 1 } });
    const result = probeValues(flows, ["<xml/>", JSON.stringify({ nodes: [SECRET] }), extra]);
    expect(result.rows).toBe(3);
    expect(result.roundTrips).toBe(0);
    expect(Object.values(result.failures).reduce((a, b) => a + b, 0)).toBe(3);
    expect(result.failures["not JSON"]).toBe(1);
    expect(
      result.failures["decodes, but re-encodes to a different document (fields iom-gitops drops or adds)"],
    ).toBe(1);
    expect(Object.keys(result.failures).some((k) => k.startsWith("not in iom-gitops's format"))).toBe(true);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it("probes rule definitions with the rule codec", () => {
    const rule = encodeRuleDefinition({ actions: [{ column: "msdyn_company", value: SECRET }] } as never);
    expect(probeValues(rules, [rule])).toMatchObject({ rows: 1, roundTrips: 1 });
  });

  it("adds samples with their structure kept and every string replaced", () => {
    const result = probeValues(flows, [flow, "not json"], 5);
    expect(result.samples).toEqual([
      {
        formatVersion: 1,
        steps: [
          {
            name: "<string>",
            tile: "<string>",
            inputEvents: [],
            filterPolicyIds: [],
            executionPolicyIds: [],
            providerAction: null,
          },
        ],
      },
      "<not JSON>",
    ]);
    expect(JSON.stringify(result.samples)).not.toContain(SECRET);
  });
});

describe("formatProbeReport", () => {
  it("prints counts and reasons per format, and no value", () => {
    const text = formatProbeReport([
      probeValues(flows, [flow, "<xml/>"]),
      { ...probeValues(rules, []), error: "msdyn_iomrules: not found" },
    ]);
    expect(text).toContain("orchestration definition (msdyn_iomdesigner.msdyn_definition): 1 of 2 rows");
    expect(text).toContain("1 × not JSON");
    expect(text).toContain("rule definition (msdyn_iomrule.msdyn_ruledefinition): could not be read");
    expect(text).not.toContain(SECRET);
  });
});
