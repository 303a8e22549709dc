// The order in which `pulumi up` will do what a preview plans, in IOM's terms, for the Mermaid
// flowchart of `iom plan-summary` (and a numbered list in its text form). Only the resources that
// change are drawn, each as the steps its kind takes in IOM (src/resources/*/provider.ts):
// - a policy: a published one is unpublished (IOM keeps an archived copy), saved, published again;
// - a dual-write map: stopped, saved as a new version, and started again (or put back as it was);
// - an orchestration flow: a published one is stopped (unpublished), saved, published again;
// - an installed provider: a new definition deletes it first and installs it again
//   (deleteBeforeReplace in src/program/declare.ts);
// - a provider's activation: deactivating it first stops the stack's published flows that call the
//   provider (src/resources/iom-provider/activation.ts), activating it needs its connections
//   active and the policies published;
// - a provider connection: saved inactive, then activated; rebinding deactivates it first.
// Between resources, the order is IOM's (docs/resources.md): policies are published, and a
// provider's connections activated, before the provider is activated, and providers are
// activated before the flows that call them are saved and published; taking down runs the other
// way (flows stopped, provider deactivated, connections removed, provider deleted), and a policy a
// flow stops using is deleted after the flow is saved without it.

/** A changing resource, as plan-summary knows it, with the inputs of its preview step. */
export interface OrderedResource {
  kind: string;
  name: string;
  op: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export interface OrderNode {
  id: string;
  /** What happens, in IOM's words: "unpublish", "save rules", "publish". */
  label: string;
  /** Index of the resource in the graph's resources. */
  resource: number;
}

export interface OrderGraph {
  resources: OrderedResource[];
  nodes: OrderNode[];
  /** Node ids: `from` happens before `to`. */
  edges: Array<[from: string, to: string]>;
}

/** The kinds whose order IOM cares about: a preview touching one of them gets a diagram. */
const ORDERED_KINDS = new Set([
  "Policy",
  "DualWriteMap",
  "OrchestrationFlow",
  "IomProvider",
  "IomProviderActivation",
  "ProviderConnection",
]);

/** IOM's order of kinds (docs/resources.md): how resources are listed, and the tie-break between free steps. */
const IOM_ORDER: readonly string[] = [
  "Policy",
  "ProviderConnection",
  "IomProvider",
  "IomProviderActivation",
  "OrchestrationFlow",
  "DualWriteMap",
];

const key = (v: unknown): string | undefined => (typeof v === "string" ? v.trim().toLowerCase() : undefined);
const truthy = (v: unknown): boolean => v === true;

interface FlowStep {
  providerAction?: { provider?: unknown };
  executionPolicies?: unknown[];
  filterPolicies?: unknown[];
}

function flowSteps(inputs: Record<string, unknown> | undefined): FlowStep[] {
  return Array.isArray(inputs?.steps) ? (inputs.steps as FlowStep[]) : [];
}

/** The providers a flow's steps call, by YAML name in lower case. */
function providersCalled(inputs: Record<string, unknown> | undefined): Set<string> {
  return new Set(flowSteps(inputs).flatMap((s) => key(s.providerAction?.provider) ?? []));
}

/** The policies a flow's steps name, in lower case. */
function policiesNamed(inputs: Record<string, unknown> | undefined): Set<string> {
  return new Set(
    flowSteps(inputs).flatMap((s) =>
      [...(s.executionPolicies ?? []), ...(s.filterPolicies ?? [])].flatMap((p) => key(p) ?? []),
    ),
  );
}

/** Which top-level inputs differ (JSON), the program's own ones left out. */
function changedInputs(r: OrderedResource): Set<string> {
  const keys = new Set([...Object.keys(r.before ?? {}), ...Object.keys(r.after ?? {})]);
  return new Set(
    [...keys].filter(
      (k) => !k.startsWith("__") && JSON.stringify(r.before?.[k]) !== JSON.stringify(r.after?.[k]),
    ),
  );
}

/** The steps a resource takes, in order: those that take down first, then those that build. */
function phases(r: OrderedResource): { down: string[]; up: string[] } {
  const wasPublished = truthy(r.before?.published);
  const published = truthy(r.after?.published);
  const replaceOrDelete = r.op === "replace" || r.op === "delete";
  const createOrReplace = r.op === "create" || r.op === "replace";
  switch (r.kind) {
    case "Policy": {
      if (r.op === "update")
        return {
          down: wasPublished ? ["unpublish (IOM archives a copy)"] : [],
          up: ["save rules", ...(published ? ["publish"] : [])],
        };
      return {
        down: replaceOrDelete ? [...(wasPublished ? ["unpublish"] : []), "delete"] : [],
        up: createOrReplace ? ["save, unpublished", ...(published ? ["publish"] : [])] : [],
      };
    }
    case "DualWriteMap": {
      const restart =
        r.after?.running === false ? [] : [r.after?.running === true ? "start" : "put back in its run state"];
      if (r.op === "delete")
        return { down: ["stop", "restore the settings found", "put back in its run state"], up: [] };
      const changed = changedInputs(r);
      if (r.op === "update" && changed.size === 1 && changed.has("running"))
        return { down: [], up: [r.after?.running === false ? "stop" : "start"] };
      return { down: [], up: ["stop", "save a new version", ...restart] };
    }
    case "OrchestrationFlow": {
      if (r.op === "update") {
        const changed = changedInputs(r);
        // Only the publish status: just that (orchestration-flow/provider.ts `apply`).
        if (changed.size === 1 && changed.has("published"))
          return published ? { down: [], up: ["publish"] } : { down: ["stop (unpublish)"], up: [] };
        return {
          down: wasPublished ? ["stop (unpublish)"] : [],
          up: ["save", ...(published ? ["publish"] : [])],
        };
      }
      return {
        down: replaceOrDelete ? [...(wasPublished ? ["stop (unpublish)"] : []), "delete"] : [],
        up: createOrReplace ? ["save, unpublished", ...(published ? ["publish"] : [])] : [],
      };
    }
    case "IomProvider": {
      const definition = (inputs?: Record<string, unknown>) =>
        typeof inputs?.definition === "string" ? ` (${inputs.definition})` : "";
      if (r.op === "update") return { down: [], up: ["save"] };
      return {
        down: replaceOrDelete ? [`uninstall${definition(r.before)}`] : [],
        up: createOrReplace ? [`install${definition(r.after)}`] : [],
      };
    }
    case "IomProviderActivation":
      if (r.op === "update") return { down: [], up: [] }; // the record of its flows only
      return {
        down: replaceOrDelete ? ["deactivate, stopping the stack's flows that call it"] : [],
        up: createOrReplace ? ["activate"] : [],
      };
    case "ProviderConnection": {
      if (r.op === "update") {
        const rebind = changedInputs(r).has("connectionId");
        return {
          down: rebind && truthy(r.before?.activated) ? ["deactivate"] : [],
          up: [
            ...(rebind ? ["save the new connection"] : []),
            truthy(r.after?.activated) ? "activate" : "deactivate",
          ],
        };
      }
      return {
        down: replaceOrDelete ? ["remove"] : [],
        up: createOrReplace ? ["save, inactive", ...(truthy(r.after?.activated) ? ["activate"] : [])] : [],
      };
    }
  }
  return { down: [], up: [] };
}

/** Whether a preview's changes are ones whose order IOM cares about: replaces, or updates of ordered kinds. */
export function wantsOrder(resources: readonly OrderedResource[]): boolean {
  return resources.some(
    (r) =>
      ORDERED_KINDS.has(r.kind) &&
      (r.op === "replace" || (r.op === "update" && phases(r).up.length + phases(r).down.length > 0)),
  );
}

/** The steps of every changing resource and the order between them. */
export function orderGraph(resources: readonly OrderedResource[]): OrderGraph {
  const graph: OrderGraph = { resources: [], nodes: [], edges: [] };
  type Placed = { r: OrderedResource; down: OrderNode[]; up: OrderNode[] };
  const placed: Placed[] = [];
  const ranked = [...resources].sort((a, b) => IOM_ORDER.indexOf(a.kind) - IOM_ORDER.indexOf(b.kind));
  for (const r of ranked) {
    if (!ORDERED_KINDS.has(r.kind)) continue;
    const { down, up } = phases(r);
    if (down.length + up.length === 0) continue;
    const index = graph.resources.length;
    graph.resources.push(r);
    const node = (label: string, i: number, side: string): OrderNode => ({
      id: `r${index}${side}${i}`,
      label,
      resource: index,
    });
    const p: Placed = { r, down: down.map((l, i) => node(l, i, "d")), up: up.map((l, i) => node(l, i, "u")) };
    placed.push(p);
    const chain = [...p.down, ...p.up];
    graph.nodes.push(...chain);
    for (let i = 1; i < chain.length; i++) graph.edges.push([chain[i - 1]!.id, chain[i]!.id]);
  }
  const edge = (from: OrderNode | undefined, to: OrderNode | undefined) => {
    if (
      from &&
      to &&
      from.resource !== to.resource &&
      !graph.edges.some(([a, b]) => a === from.id && b === to.id)
    )
      graph.edges.push([from.id, to.id]);
  };
  const first = (nodes: OrderNode[]) => nodes[0];
  const last = (nodes: OrderNode[]) => nodes[nodes.length - 1];
  const providerOf = (p: Placed, inputs?: Record<string, unknown>) =>
    p.r.kind === "ProviderConnection" ? key(inputs?.provider) : key(inputs?.name);
  const of = (kind: string, provider: string | undefined, side: "before" | "after") =>
    placed.filter(
      (p) => p.r.kind === kind && provider !== undefined && providerOf(p, p.r[side]) === provider,
    );

  // Taking down, provider by provider: flows stop, the activation goes, connections go, provider goes.
  for (const provider of placed.filter((p) => p.r.kind === "IomProvider")) {
    const name = key(provider.r.before?.name);
    const activations = of("IomProviderActivation", name, "before").filter((p) => p.down.length > 0);
    const connections = of("ProviderConnection", name, "before").filter((p) => p.down.length > 0);
    const flows = placed.filter(
      (p) =>
        p.r.kind === "OrchestrationFlow" &&
        p.down.length > 0 &&
        name !== undefined &&
        providersCalled(p.r.before).has(name),
    );
    for (const flow of flows) for (const a of activations) edge(last(flow.down), first(a.down));
    for (const a of activations) {
      for (const c of connections) edge(last(a.down), first(c.down));
      edge(last(a.down), first(provider.down));
    }
    for (const c of connections) edge(last(c.down), first(provider.down));
  }
  // Building up: provider installed, connections saved and activated, provider activated, flows saved.
  const policies = placed.filter((p) => p.r.kind === "Policy" && p.up.length > 0);
  for (const activation of placed.filter((p) => p.r.kind === "IomProviderActivation" && p.up.length > 0)) {
    const name = key(activation.r.after?.name);
    const provider = of("IomProvider", name, "after").find((p) => p.up.length > 0);
    const connections = of("ProviderConnection", name, "after").filter((p) => p.up.length > 0);
    for (const c of connections) {
      edge(last(provider?.up ?? []), first(c.up));
      edge(last(c.up), first(activation.up));
    }
    if (connections.length === 0) edge(last(provider?.up ?? []), first(activation.up));
    for (const p of policies) edge(last(p.up), first(activation.up));
  }
  for (const provider of placed.filter((p) => p.r.kind === "IomProvider" && p.up.length > 0))
    for (const c of of("ProviderConnection", key(provider.r.after?.name), "after"))
      if (c.up.length > 0) edge(last(provider.up), first(c.up));
  for (const flow of placed.filter((p) => p.r.kind === "OrchestrationFlow" && p.up.length > 0)) {
    for (const name of providersCalled(flow.r.after)) {
      const activation = of("IomProviderActivation", name, "after").find((p) => p.up.length > 0);
      const provider = of("IomProvider", name, "after").find((p) => p.up.length > 0);
      edge(last(activation?.up ?? provider?.up ?? []), first(flow.up));
    }
    const named = policiesNamed(flow.r.after);
    for (const p of policies) if (named.has(key(p.r.after?.name) ?? "")) edge(last(p.up), first(flow.up));
  }
  // A policy that flows stop naming is deleted once they are saved without it.
  for (const policy of placed.filter(
    (p) => p.r.kind === "Policy" && p.down.length > 0 && p.r.op === "delete",
  )) {
    const name = key(policy.r.before?.name) ?? "";
    for (const flow of placed.filter((p) => p.r.kind === "OrchestrationFlow"))
      if (policiesNamed(flow.r.before).has(name) && !policiesNamed(flow.r.after).has(name))
        edge(last(flow.up.length > 0 ? flow.up : flow.down), first(policy.down));
  }
  return graph;
}

/**
 * The nodes in an order that respects every edge; among those free to go, the resource listed
 * first (in IOM's order of kinds) goes first. Throws on a cycle, which would be a bug in orderGraph.
 */
export function topologicalOrder(graph: OrderGraph): OrderNode[] {
  const incoming = new Map(graph.nodes.map((n) => [n.id, 0]));
  for (const [, to] of graph.edges) incoming.set(to, (incoming.get(to) ?? 0) + 1);
  const done: OrderNode[] = [];
  const left = [...graph.nodes];
  while (left.length > 0) {
    const at = left.findIndex((n) => incoming.get(n.id) === 0);
    if (at < 0)
      throw new Error(`the order of operations has a cycle among ${left.map((n) => n.id).join(", ")}`);
    const [node] = left.splice(at, 1) as [OrderNode];
    done.push(node);
    for (const [from, to] of graph.edges) if (from === node.id) incoming.set(to, (incoming.get(to) ?? 0) - 1);
  }
  return done;
}

/** Text safe inside a quoted Mermaid label: quotes and the characters Mermaid or HTML would read. */
export function mermaidLabel(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;");
}

/** The flowchart: one subgraph per resource (kind, name, operation), its steps inside, the order as arrows. */
export function mermaid(graph: OrderGraph): string {
  const lines = ["flowchart TD"];
  graph.resources.forEach((r, index) => {
    lines.push(`  subgraph s${index} ["${mermaidLabel(`${r.kind} · ${r.name} · ${r.op}`)}"]`);
    for (const node of graph.nodes.filter((n) => n.resource === index))
      lines.push(`    ${node.id}["${mermaidLabel(node.label)}"]`);
    lines.push("  end");
  });
  for (const [from, to] of graph.edges) lines.push(`  ${from} --> ${to}`);
  return lines.join("\n");
}
