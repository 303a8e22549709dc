// The order of operations in the plan summary: the steps IOM takes for each changing resource and
// the order between them, drawn as a Mermaid flowchart that must parse with Mermaid's own parser
// (mermaid.parse, in Node with jsdom standing in for the browser DOM that its sanitizer needs).
import { readFileSync } from "node:fs";
import path from "node:path";
import { JSDOM } from "jsdom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePreviewDocuments } from "../../../src/gitops/plan-preview.js";
import { buildPlan, renderMarkdown, renderText } from "../../../src/gitops/plan-summary.js";
import { mermaid, orderGraph, topologicalOrder } from "../../../src/gitops/plan-order.js";
import { fixture } from "./plan-summary-fixtures.js";

const GOLDEN = path.join(__dirname, "golden");

type Parse = (text: string) => Promise<unknown>;
let parse: Parse;
const globals = globalThis as Record<string, unknown>;
const saved = { window: globals.window, document: globals.document };

beforeAll(async () => {
  // Mermaid's DOMPurify binds to `window` when it is first imported.
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  Object.assign(globals, { window: dom.window, document: dom.window.document });
  const { default: m } = await import("mermaid");
  parse = (text) => m.parse(text);
}, 60_000);

afterAll(() => {
  Object.assign(globals, saved);
});

function planOf(name: string) {
  return buildPlan(parsePreviewDocuments(fixture(name), name));
}

/** The ```mermaid blocks of a Markdown text. */
function diagrams(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] as string);
}

describe("the order of operations of a provider replaced under a published flow", () => {
  const plan = planOf("preview-replace.json");
  const order = plan.stacks[0]!.order!;

  it("stops the flow, takes the provider down, installs it again, then republishes the flow", () => {
    expect(topologicalOrder(order).map((n) => `${order.resources[n.resource]!.kind} ${n.label}`)).toEqual([
      "OrchestrationFlow stop (unpublish)",
      "IomProviderActivation deactivate, stopping the stack's flows that call it",
      // The old connection, removed from the YAML, goes before the provider it points at
      // (a delete-replaced step of the delete-before-replace chain: `--show-replacement-steps`).
      "ProviderConnection remove",
      "IomProvider uninstall (Flexe)",
      "IomProvider install (Dynamics 365 Inventory Visibility)",
      "ProviderConnection save, inactive",
      "ProviderConnection activate",
      "IomProviderActivation activate",
      "OrchestrationFlow save",
      "OrchestrationFlow publish",
    ]);
  });

  it("is in the golden as a Mermaid flowchart that Mermaid's parser accepts", async () => {
    const markdown = readFileSync(path.join(GOLDEN, "plan-replace.md"), "utf8");
    expect(markdown).toBe(renderMarkdown(plan));
    const [diagram, ...others] = diagrams(markdown);
    expect(others).toEqual([]);
    expect(diagram).toBe(mermaid(order));
    expect(diagram).toContain("r3d0 --> r2d0"); // the flow stops before the provider is deactivated
    await expect(parse(diagram!)).resolves.toMatchObject({ diagramType: "flowchart-v2" });
  });

  it("is listed in order in the text form", () => {
    expect(renderText(plan)).toContain(
      "  order of operations:\n    1. OrchestrationFlow Fulfilment flow: stop (unpublish)\n",
    );
  });
});

describe("flowcharts", () => {
  it("parse for every golden that has one", async () => {
    for (const name of ["plan-change.md", "plan-replace.md", "plan-stacks.md"]) {
      const found = diagrams(readFileSync(path.join(GOLDEN, name), "utf8"));
      expect(found.length, name).toBeGreaterThan(0);
      for (const diagram of found) await expect(parse(diagram), name).resolves.toBeDefined();
    }
  });

  it("are checked by a parser that refuses a broken one", async () => {
    const diagram = mermaid(planOf("preview-replace.json").stacks[0]!.order!);
    await expect(parse(diagram.replace('["save"]', '["save"'))).rejects.toThrow(/Parse error/);
  });

  it("keep names with quotes, hashes and angle brackets inside their labels", async () => {
    const graph = orderGraph([
      {
        kind: "Policy",
        name: 'Hold "big" orders #1 <EU> & co',
        op: "update",
        before: { name: "x", published: true },
        after: { name: "x", published: true },
      },
    ]);
    const diagram = mermaid(graph);
    expect(diagram).toContain("Hold #quot;big#quot; orders #35;1 #lt;EU#gt; & co");
    await expect(parse(diagram)).resolves.toBeDefined();
  });

  it("are drawn only when resources whose order IOM cares about are replaced or updated", () => {
    expect(planOf("preview-create.json").stacks[0]!.order).toBeUndefined();
    expect(planOf("preview-no-change.json").stacks[0]!.order).toBeUndefined();
    expect(diagrams(renderMarkdown(planOf("preview-create.json")))).toEqual([]);
  });

  it("give way to a line when there are too many steps to draw", () => {
    const markdown = renderMarkdown(planOf("preview-many.json.gz"), Number.MAX_SAFE_INTEGER);
    expect(diagrams(markdown)).toEqual([]);
    expect(markdown).toMatch(/^🔀 Order of operations: \d+ steps on 320 resources, too many to draw;/m);
  });

  it("put a policy's delete after the flow that stops naming it", () => {
    const graph = orderGraph([
      {
        kind: "OrchestrationFlow",
        name: "Flow",
        op: "update",
        before: { name: "Flow", published: true, steps: [{ executionPolicies: ["Old"] }] },
        after: { name: "Flow", published: true, steps: [{ executionPolicies: ["New"] }] },
      },
      { kind: "Policy", name: "Old", op: "delete", before: { name: "Old", published: true } },
      { kind: "Policy", name: "New", op: "create", after: { name: "New", published: true } },
    ]);
    const steps = topologicalOrder(graph).map((n) => `${graph.resources[n.resource]!.name}: ${n.label}`);
    expect(steps.indexOf("New: publish")).toBeLessThan(steps.indexOf("Flow: save"));
    expect(steps.indexOf("Flow: publish")).toBeLessThan(steps.indexOf("Old: unpublish"));
    expect(steps.indexOf("Old: unpublish")).toBeLessThan(steps.indexOf("Old: delete"));
  });
});
