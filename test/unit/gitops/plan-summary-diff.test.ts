// The property diff behind the plan summary and the drift report: leaf paths, creates shown as
// their settings, secrets masked however they arrive, values known only after apply, and word
// diffs of long strings.
import { describe, expect, it } from "vitest";
import {
  diffProperties,
  elideUnchanged,
  topLevelProperties,
  wantsWordDiff,
  wordDiff,
} from "../../../src/gitops/plan-diff.js";
import { compareWithKind } from "../../../src/gitops/drift.js";
import { buildPlan, renderMarkdown, renderText, throughKinds } from "../../../src/gitops/plan-summary.js";
import { parsePreviewDocuments, type PreviewStep } from "../../../src/gitops/plan-preview.js";
import { fixture } from "./plan-summary-fixtures.js";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value: "hunter2-plain",
};

describe("diffProperties", () => {
  it.each([
    [
      "a changed leaf deep inside",
      { rules: [{ actions: [{ to: "usmf" }] }] },
      { rules: [{ actions: [{ to: "demf" }] }] },
      [{ path: "rules[0].actions[0].to", kind: "update", old: '"usmf"', new: '"demf"' }],
    ],
    [
      "an added and a removed key",
      { a: 1 },
      { b: 2 },
      [
        { path: "a", kind: "delete", old: "1" },
        { path: "b", kind: "add", new: "2" },
      ],
    ],
    [
      "a key that is no identifier",
      { parameters: { "Disable Status Update Handlers": "false" } },
      { parameters: { "Disable Status Update Handlers": "true" } },
      [
        {
          path: 'parameters["Disable Status Update Handlers"]',
          kind: "update",
          old: '"false"',
          new: '"true"',
        },
      ],
    ],
    [
      "an element appended to a list",
      { steps: ["a"] },
      { steps: ["a", "b"] },
      [{ path: "steps[1]", kind: "add", new: '"b"' }],
    ],
    ["an emptied list", { steps: ["a"] }, { steps: [] }, [{ path: "steps[0]", kind: "delete", old: '"a"' }]],
    ["nothing but the serialised provider", { __provider: "x", a: 1 }, { __provider: "y", a: 1 }, []],
    [
      "a value only known after apply",
      { providerId: "p1" },
      { providerId: UNKNOWN },
      [{ path: "providerId", kind: "update", old: '"p1"', new: "(known after apply)" }],
    ],
  ])("%s", (_name, before, after, expected) => {
    const shown = diffProperties(before, after).map((c) => ({
      path: c.path,
      kind: c.kind,
      ...(c.old
        ? {
            old:
              c.old.kind === "json"
                ? c.old.text
                : c.old.kind === "unknown"
                  ? "(known after apply)"
                  : "[secret]",
          }
        : {}),
      ...(c.new
        ? {
            new:
              c.new.kind === "json"
                ? c.new.text
                : c.new.kind === "unknown"
                  ? "(known after apply)"
                  : "[secret]",
          }
        : {}),
    }));
    expect(shown).toEqual(expected);
  });

  it("shows a create leaf by leaf, with an empty list as a value", () => {
    expect(
      diffProperties(undefined, { name: "p", rules: [{ when: { field: "Company" } }], tags: [] }).map(
        (c) => c.path,
      ),
    ).toEqual(["name", "rules[0].when.field", "tags"]);
  });

  it.each([
    ["Pulumi's [secret] mask", { value: "[secret]" }, { value: "[secret]x" }],
    ["Pulumi's secret signature", { value: SIG }, { value: "other" }],
    ["a property named like a secret", { clientSecret: "hunter2-plain" }, { clientSecret: "other-plain" }],
    ["a secret-shaped string", { note: "Authorization: Bearer hunter2-plain" }, { note: "none" }],
  ])("never shows a value behind %s", (_name, before, after) => {
    const changes = diffProperties(before, after);
    expect(changes).toHaveLength(1);
    expect(JSON.stringify(changes)).not.toContain("hunter2-plain");
  });

  it("names the top-level properties changes touch", () => {
    const changes = diffProperties({ a: { b: 1 }, "x y": 1, c: 1 }, { a: { b: 2 }, "x y": 2, c: 1 });
    expect(topLevelProperties(changes)).toEqual(["a", '["x y"]']);
  });
});

describe("word diff", () => {
  const before =
    "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";
  const after = `${before.replace("192350000", "192350001")} and totalamount gt 0`;

  it("marks removed words before added ones, and keeps the rest", () => {
    expect(wordDiff(before, after)).toEqual([
      { op: "same", text: "msdyn_ordertype eq" },
      { op: "delete", text: "192350000" },
      { op: "insert", text: "192350001" },
      {
        op: "same",
        text: "and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003",
      },
      { op: "insert", text: "and totalamount gt 0" },
    ]);
  });

  it("elides long unchanged runs around the changes", () => {
    expect(elideUnchanged(wordDiff(before, after)!)[3]).toEqual({
      op: "same",
      text: "and _msdyn_company_value ne null … and statuscode ne 100003",
    });
  });

  it("ignores a change of spacing", () => {
    expect(wordDiff("a  b\n c", "a b c")).toEqual([{ op: "same", text: "a b c" }]);
  });

  it("is used for long strings only", () => {
    const [long] = diffProperties({ f: before }, { f: after });
    const [short] = diffProperties({ f: "usmf" }, { f: "demf" });
    expect(wantsWordDiff(long!)).toBe(true);
    expect(wantsWordDiff(short!)).toBe(false);
  });

  it("gives up on strings too large to compare, and the summary shows them whole", () => {
    const big = Array.from({ length: 600 }, (_, i) => `w${i}`).join(" ");
    expect(wordDiff(big, `${big} x`)).toBeUndefined();
    const [change] = diffProperties({ f: big }, { f: `${big} x` });
    expect(wantsWordDiff(change!)).toBe(true);
  });
});

describe("secrets in a real preview", () => {
  it("are masked in both formats whether Pulumi marked them or not", () => {
    // The captured update of the connection, with its connection id turned into a secret the way
    // the engine serialises one, and a token put where no secret belongs.
    const [document] = parsePreviewDocuments(fixture("preview-change.json"), "preview-change.json");
    const step = document!.digest.steps!.find((s) =>
      s.urn.endsWith("DualWriteMap::cds sales order headers (salesorders)"),
    ) as PreviewStep;
    step.oldState!.inputs!.table = SIG;
    step.newState!.inputs!.table = "[secret]";
    step.newState!.inputs!.dataverseFilter =
      "msdyn_ordertype eq 1 and Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl";
    const plan = buildPlan([document!]);
    for (const text of [renderMarkdown(plan), renderText(plan)]) {
      expect(text).not.toContain("hunter2-plain");
      expect(text).not.toContain("eyJhbGciOi");
      expect(text).toContain("[secret]");
    }
  });
});

describe("an update, as the resource's kind sees it", () => {
  it("shows only what the kind takes for a change: another spelling of the same map is none", async () => {
    const [document] = parsePreviewDocuments(fixture("preview-change.json"), "preview-change.json");
    const step = document!.digest.steps!.find((s) =>
      s.urn.endsWith("DualWriteMap::cds sales order headers (salesorders)"),
    ) as PreviewStep;
    // The map named in its gateway form: the same map (mapNameKey), so not a change to show.
    step.newState!.inputs!.map = "salesorders - CDS sales order headers";
    const raw = buildPlan([document!]);
    const paths = (plan: typeof raw) =>
      plan.stacks[0]!.resources.find((r) => r.kind === "DualWriteMap")!.changes.map((c) => c.path);
    expect(paths(raw)).toEqual(["dataverseFilter", "map"]);
    const seen = await throughKinds(buildPlan([document!]), compareWithKind);
    expect(paths(seen)).toEqual(["dataverseFilter"]);
    expect(renderMarkdown(seen)).not.toContain("salesorders - CDS");
  });
});
