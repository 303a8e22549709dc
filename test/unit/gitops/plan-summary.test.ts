// `iom plan-summary` on real previews of the article's stack (fixtures/capture.ts): Markdown and
// text pinned by golden files, the comment limit held on a preview with hundreds of changes, and
// the command's inputs (files, stdin, several stacks) and exit codes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runPlanSummary } from "../../../src/cli/commands/plan-summary.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import {
  jsonErrorOffset,
  parsePreviewDocuments,
  PreviewInputError,
} from "../../../src/gitops/plan-preview.js";
import {
  buildPlan,
  COMMENT_MARKER,
  GITHUB_COMMENT_LIMIT,
  MARKDOWN_BUDGET,
  renderMarkdown,
  renderText,
} from "../../../src/gitops/plan-summary.js";
import { orderEffects } from "../../../src/gitops/plan-effect.js";
import { CHANGE_PROJECT, FIXTURES, fixture, golden } from "./plan-summary-fixtures.js";

function planOf(...names: string[]) {
  return buildPlan(names.flatMap((name) => parsePreviewDocuments(fixture(name), name)));
}

/** The plan with the effect on the order cases of the pull request's checkout (fixtures/change-project). */
async function planWithCases(...names: string[]) {
  const documents = names.flatMap((name) => parsePreviewDocuments(fixture(name), name));
  const plan = buildPlan(documents);
  for (const [index, effect] of await orderEffects(documents, { cwd: CHANGE_PROJECT }))
    plan.stacks[index]!.effect = effect;
  return plan;
}

async function run(args: string[], stdin = "") {
  let out = "";
  let err = "";
  const code = await runPlanSummary(args, {
    cwd: FIXTURES,
    write: (t) => (out += t),
    error: (t) => (err += t),
    stdin: async () => stdin,
    stdinIsTty: false,
  });
  return { code, out, err };
}

describe("plan summary of real previews", () => {
  // As the pull request's checkout runs it: the order cases of change-project/tests.
  it.each([
    ["create", ["preview-create.json"]],
    ["change", ["preview-change.json"]],
    ["replace", ["preview-replace.json"]],
    ["no-change", ["preview-no-change.json"]],
    ["invalid", ["preview-invalid.json"]],
    ["stacks", ["preview-change.json", "preview-create.json", "preview-no-change.json"]],
  ])("%s: Markdown and text match their goldens", async (name, files) => {
    const plan = await planWithCases(...files);
    golden(`plan-${name}.md`, renderMarkdown(plan));
    golden(`plan-${name}.txt`, renderText(plan));
  });

  it("puts the counts first and calls out the replace, the delete and the order cases that change", async () => {
    const [first] = renderMarkdown(await planWithCases("preview-change.json")).split("\n");
    expect(first).toBe(
      "**IOM plan: 1 to create, 3 to update, 1 to replace, 1 to delete** · 1 stack, 5 unchanged" +
        " · ⚠️ **replaces** `storefront` (IomProvider, dev) · ⚠️ **deletes** `Hold high-value orders` (Policy, dev)" +
        " · 🧪 **1 order case changes outcome**",
    );
  });

  it("shows the connection a provider's replace deletes, which the engine's own counts leave out", () => {
    // The old connection appears only as a delete-replaced step (no replace, nothing created in
    // its place): the engine deletes it on the way to replacing its provider.
    const [stack] = planOf("preview-replace.json").stacks;
    const deletes = stack!.resources.filter((r) => r.op === "delete").map((r) => `${r.kind} ${r.name}`);
    expect(deletes).toEqual(["ProviderConnection fulfilment-connection [fulfilment / flexe connection]"]);
    expect(renderText(planOf("preview-replace.json")).split("\n")[0]).toContain(
      "2 to replace, 1 to delete; 1 stack, 0 unchanged",
    );
  });

  it("tells apart the deleted and the created connection that share a YAML name", () => {
    // The connection's `connection` changed with its provider: a new natural key, a new URN.
    const [stack] = planOf("preview-replace.json").stacks;
    const connections = stack!.resources.filter((r) => r.kind === "ProviderConnection");
    expect(connections.map((r) => `${r.op} ${r.name}`)).toEqual([
      "delete fulfilment-connection [fulfilment / flexe connection]",
      "create fulfilment-connection [fulfilment / inventory visibility dataverse connection]",
    ]);
    // A name that only one resource of its kind has stays as the YAML writes it.
    expect(stack!.resources.filter((r) => r.kind === "IomProvider").map((r) => r.name)).toEqual([
      "fulfilment",
    ]);
  });

  it("lists only resources that change: a preview with nothing to do has no resource line", () => {
    const markdown = renderMarkdown(planOf("preview-no-change.json"));
    expect(markdown).not.toMatch(/^- \*\*/m);
    expect(markdown.split("\n")[0]).toBe("**IOM plan: no changes** · 1 stack, 8 unchanged");
  });

  it("shows a long filter as a word diff, not as two copies", () => {
    const markdown = renderMarkdown(planOf("preview-change.json"));
    expect(markdown).toContain(
      "`dataverseFilter`: <code>… and statuscode ne 100003 <ins>and totalamount gt 0</ins></code>",
    );
    expect(renderText(planOf("preview-change.json"))).toContain(
      "dataverseFilter: … and statuscode ne 100003 {+and totalamount gt 0+}",
    );
  });

  it("says when a preview failed, with the program's findings", () => {
    const markdown = renderMarkdown(planOf("preview-invalid.json"));
    expect(markdown.split("\n")[0]).toContain("❌ **preview failed**: `broken`");
    expect(markdown).toContain("stacks/broken.iom.yaml:33:30: error filter-unknown-attribute");
  });
});

describe("plan summary of a preview with hundreds of changes", () => {
  const plan = planOf("preview-many.json.gz", "preview-change.json");
  const markdown = renderMarkdown(plan);

  it("has hundreds of changes to summarise", () => {
    expect(plan.stacks[0]?.resources.length).toBe(320);
  });

  it("stays under GitHub's comment limit and says what it cut", () => {
    golden("plan-many.md", markdown);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    expect(markdown.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    // The full rendering would not fit: something really was cut.
    expect(renderMarkdown(plan, Number.MAX_SAFE_INTEGER).length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const note = /^> ✂️ \*\*Cut to fit GitHub's comment limit \(65,536 characters\)\*\*: (.*)$/m.exec(
      markdown,
    );
    expect(note?.[1]).toMatch(/^the property changes of \d+ resources are not shown/);
  });

  it("cuts creates before updates, and keeps every replace and delete with its details", () => {
    const { resources } = plan.stacks[1]!;
    for (const r of resources.filter((r) => r.op === "replace" || r.op === "delete"))
      expect(markdown).toContain(`\`${r.name}\``);
    expect(markdown).toContain(
      "- **replace** `storefront`, replaced because `definition` changed\n  - `definition`",
    );
    // The first updates keep their values; the creates of the large stack are names only.
    expect(markdown).toMatch(/- \*\*update\*\* `Region 001 order parameters`\n {2}- /);
    expect(markdown).toMatch(/- \*\*create\*\* `Region 320 order parameters`\n/);
  });

  it("drops whole lines, with a count, when names alone do not fit", () => {
    const small = renderMarkdown(plan, 8_000);
    expect(small.length).toBeLessThanOrEqual(8_000);
    expect(small).toMatch(
      /^- … and \d+ to create, \d+ to update not listed \(cut to fit the comment limit\)$/m,
    );
    expect(small).toMatch(/\d+ resources are not listed/);
    // Replaces and deletes come before everything else.
    expect(small).toContain("`Region 300 order parameters`");
    expect(small).toContain("**delete** `Hold high-value orders`");
  });

  it("folds a kind with many resources", () => {
    expect(markdown).toContain(
      "<details><summary><b>Policy</b>: 20 to create, 280 to update, 20 to delete</summary>",
    );
  });

  it("leaves nothing out of the plain text for logs", () => {
    const text = renderText(plan);
    for (let i = 1; i <= 320; i++)
      expect(text).toContain(`Region ${String(i).padStart(3, "0")} order parameters`);
    expect(text).toContain('R001-001" -> "R001-002"');
  });
});

describe("iom plan-summary", () => {
  it("reads files given on the command line, as several stacks", async () => {
    const { code, out, err } = await run([
      "preview-change.json",
      "preview-create.json",
      "preview-no-change.json",
    ]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toBe(
      renderMarkdown(planOf("preview-change.json", "preview-create.json", "preview-no-change.json")),
    );
  });

  it("reads stdin when no file is given, several documents one after the other", async () => {
    const piped = `${fixture("preview-change.json")}\n${fixture("preview-no-change.json")}`;
    const { code, out } = await run(["--format", "text"], piped);
    expect(code).toBe(0);
    expect(out).toBe(renderText(planOf("preview-change.json", "preview-no-change.json")));
  });

  it("takes - as stdin among files", async () => {
    const { code, out } = await run(
      ["preview-create.json", "-", "--format", "text"],
      fixture("preview-no-change.json"),
    );
    expect(code).toBe(0);
    expect(out).toBe(renderText(planOf("preview-create.json", "preview-no-change.json")));
  });

  it.each([
    [
      "a preview without --json",
      "Previewing update (dev)\n\n     Type   Name\n",
      /^iom plan-summary: stdin:1:1: preview-not-json: expected the JSON of `pulumi preview --json`, found 'Previewing update \(dev\)': was --json left out\?\n$/,
    ],
    [
      "JSON cut short",
      '{\n  "steps": [\n',
      /^iom plan-summary: stdin:1:1: preview-not-json: the JSON document is cut short/,
    ],
    [
      "invalid JSON",
      '{\n  "steps": [1,]\n}',
      /^iom plan-summary: stdin:2:15: preview-not-json: invalid JSON: unexpected '\]'\n$/,
    ],
    [
      "JSON that is no preview",
      '{"steps": {"op": "create"}}',
      /^iom plan-summary: stdin:1:1: preview-not-a-digest: not the output of `pulumi preview --json`: \/steps is not an array\n$/,
    ],
    ["nothing at all", "  \n", /^iom plan-summary: stdin:1:1: preview-empty: no preview in the input/],
  ])("exits 1 on %s, naming where", async (_name, input, message) => {
    const { code, out, err } = await run([], input);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(message);
  });

  it("exits 1 on a file it cannot read", async () => {
    const { code, err } = await run(["missing.json"]);
    expect(code).toBe(1);
    expect(err).toBe(
      "iom plan-summary: missing.json:1:1: preview-unreadable: cannot read the file: ENOENT\n",
    );
  });

  it("refuses an unknown format and waiting on a terminal as usage errors", async () => {
    await expect(run(["--format", "html"])).rejects.toThrow(UsageError);
    await expect(
      runPlanSummary([], {
        cwd: FIXTURES,
        write: () => undefined,
        error: () => undefined,
        stdin: async () => "",
        stdinIsTty: true,
      }),
    ).rejects.toThrow(/no input: give files or pipe/);
  });

  it.each([
    ['{"a": [1,]}', 9],
    ['{"a": tru}', 9],
    ['{"a": "x\\q"}', 9],
    ['{"a": "\\u12G4"}', 11],
    ['{"a" 1}', 5],
    ['{"a": 1} x', 9],
    ['{"a": "open', 11],
  ])("finds where %s stops being JSON", (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it("errors carry the code and position", () => {
    try {
      parsePreviewDocuments('{"a": 1}', path.join("x", "p.json"));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PreviewInputError);
      expect(err).toMatchObject({ code: "preview-not-a-digest", line: 1, column: 1, pointer: "" });
    }
  });
});

describe("the comment marker", () => {
  it("is the one the pull-request workflow finds its comment by, and ends every Markdown summary", () => {
    const workflow = readFileSync(
      path.resolve(__dirname, "../../../.github/workflows/pull-request.yml"),
      "utf8",
    );
    expect(workflow).toContain(`startswith("${COMMENT_MARKER}")`);
    expect(renderMarkdown(planOf("preview-change.json")).trimEnd().endsWith(COMMENT_MARKER)).toBe(true);
  });
});
