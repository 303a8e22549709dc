// P4: how much 50 ms added to every request slows `up` of the article's stack from empty, against
// the least it must: the longest chain of requests that depend on each other, times 50 ms.
//
// The engine's own start-up (the CLI, the language host, the program and the provider plugin, a
// few seconds here) does not depend on requests, so `up` is timed in pairs in the same run, without
// latency and with it, and the figure is the time the latency added (the median of the pairs'
// differences) divided by the chain's:
//   P4 = (T(50 ms) - T(0)) / (chain x 50 ms).
// 1 means every request that could overlap did; sending every request after the one before would
// give about requests / chain. The whole `up` against the bound alone is printed beside it.
//
// The chain is derived, not assumed:
// - the program checks the environment before it declares anything: the metadata of every table it
//   uses, definitions, columns, option sets and relationships together (one round), then the
//   provider catalog, queried through the entity set that answer gives (a second round): 2;
// - the provider plugin needs the entity sets before its first request for a record: 1;
// - then the resources, along the longest path of the dependency graph the engine recorded in the
//   state (`dependencies`), each counting the rounds of requests for records its create makes: the
//   creates are replayed one at a time through the plugin's own code (dist/resources/runtime) on a
//   fresh emulator, and a request counts as a new round when it starts after an earlier one of the
//   same create was answered. Metadata (RetrieveMetadataChanges, EntityDefinitions) and WhoAmI are
//   left out there: they are the plugin's round above.
import path from "node:path";

import type * as DynamicModule from "../src/resources/common/dynamic.js";
import type * as DispatchModule from "../src/resources/runtime/dispatch.js";
import type * as MetadataModule from "../src/dataverse/metadata.js";
import type { Figure } from "./lib/figure.mjs";
import type * as FigureModule from "./lib/figure.mjs";
import type * as ProjectModule from "./lib/project.mjs";
import type { LoggedRequest } from "./lib/request-log.mjs";
import type * as RequestLogModule from "./lib/request-log.mjs";
import type * as StackModule from "./lib/stack.mjs";

// Sibling modules are imported by URL: see bench/engine.mts.
const sibling = <T,>(relative: string): Promise<T> => import(new URL(relative, import.meta.url).href);
const { median, ms } = await sibling<typeof FigureModule>("./lib/figure.mts");
const { admin, createProject, dist, progress, ROOT, startEmulator } =
  await sibling<typeof ProjectModule>("./lib/project.mts");
const { startRequestLog } = await sibling<typeof RequestLogModule>("./lib/request-log.mts");
const { ARTICLE_RESOURCES, articleFiles } = await sibling<typeof StackModule>("./lib/stack.mts");

export interface ParallelismOptions {
  /** `up` without and with latency, this many times each (the medians are taken). */
  pairs: number;
}

const LATENCY_MS = 50;
const PROGRAM_ROUNDS = 2;
const PLUGIN_METADATA_ROUNDS = 1;
/** Latency of the replay: enough for requests sent together to overlap unmistakably. */
const REPLAY_LATENCY_MS = 20;

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  dependencies?: string[];
}

const isMetadata = (r: LoggedRequest): boolean =>
  /RetrieveMetadataChanges|EntityDefinitions|\/WhoAmI/.test(r.path);

/** The most requests of `log` that each started after the one before was answered. */
export function rounds(log: readonly LoggedRequest[]): number {
  const sorted = [...log].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((request, i) => {
    let before = 0;
    for (let j = 0; j < i; j++)
      if ((sorted[j] as LoggedRequest).end <= request.start) before = Math.max(before, depth[j] as number);
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}

export async function parallelismFigure(options: ParallelismOptions): Promise<Figure> {
  const emulator = await startEmulator();
  const log = await startRequestLog(emulator.url);
  const times: Record<"0" | "50", number[]> = { "0": [], "50": [] };
  let requests = 0;
  let state: StateResource[] = [];

  /** `up` of the article's stack from empty: the emulator reset, a new project and stack. */
  const upFromEmpty = async (name: string, latency: number) => {
    await admin(emulator, "POST", "reset");
    if (latency > 0) await admin(emulator, "PUT", "faults", { rules: [{ latencyMs: latency }] });
    const project = await createProject(name, {
      main: path.join(ROOT, "dist", "program", "index.js"),
      files: articleFiles(),
      config: {
        "iom:environmentUrl": log.url,
        "iom:token": emulator.token,
        // The maps are managed on the emulator's gateway, its own listener (not through the log).
        "iom:dualWriteUrl": emulator.dualWriteUrl,
        "iom:financeAndOperationsUrl": emulator.financeAndOperationsUrl,
      },
    });
    try {
      const before = log.entries.length;
      const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
      const exported = JSON.parse(await project.exportState()) as {
        deployment: { resources: StateResource[] };
      };
      const ours = exported.deployment.resources.filter((r) =>
        r.type.startsWith("pulumi-nodejs:dynamic/iom:"),
      );
      if (ours.length !== ARTICLE_RESOURCES)
        throw new Error(`the up left ${ours.length} resources of our kinds, not ${ARTICLE_RESOURCES}`);
      return { ms: up.ms, requests: log.entries.length - before, state: ours };
    } finally {
      project.dispose();
    }
  };

  try {
    // Untimed: the first `up` on a machine pays for cold caches that the later ones do not.
    progress("P4: a first up of the article's stack, untimed");
    await upFromEmpty("p4-warm-up", 0);
    for (let pair = 0; pair < options.pairs; pair++) {
      // Alternated, so that neither latency always runs first on a machine whose load drifts.
      const order = pair % 2 === 0 ? ([0, LATENCY_MS] as const) : ([LATENCY_MS, 0] as const);
      for (const latency of order) {
        progress(`P4: up from empty, ${latency} ms per request (${pair + 1} of ${options.pairs})`);
        const run = await upFromEmpty(`p4-${pair}-${latency}`, latency);
        times[String(latency) as "0" | "50"].push(run.ms);
        requests = run.requests;
        state = run.state;
      }
    }
  } finally {
    await log.close();
    await emulator.close();
  }

  progress("P4: replaying each create to count its rounds of requests");
  const chain = await criticalChain(state);
  const bound = chain.rounds * LATENCY_MS;
  const t0 = median(times["0"]);
  const t50 = median(times["50"]);
  // Each pair's two runs are next to each other: their difference is the least disturbed by a
  // load that drifts over the minutes the pairs take.
  const added = median(times["50"].map((t, i) => t - (times["0"][i] as number)));
  return {
    id: "P4",
    name: "parallelism",
    value: added / bound,
    target: { atMost: 2 },
    details: [
      `\`up\` of the article's stack from empty (${requests} requests), medians of ${options.pairs} pairs: ${ms(t0)} without latency, ${ms(t50)} with ${LATENCY_MS} ms per request; the latency added ${ms(added)} (median of the pairs' differences)`,
      `longest chain of dependent requests: ${chain.rounds} = program ${PROGRAM_ROUNDS} + plugin metadata ${PLUGIN_METADATA_ROUNDS} + ${chain.path.map((p) => `${p.name} ${p.rounds}`).join(" -> ")}; times ${LATENCY_MS} ms: ${ms(bound)}`,
      `sending every request after the one before would add ${ms(requests * LATENCY_MS)} (${(requests / chain.rounds).toFixed(1)} times the bound); the whole \`up\` with latency is ${(t50 / bound).toFixed(1)} times the bound`,
      `runs without latency: ${times["0"].map(ms).join(", ")}; with: ${times["50"].map(ms).join(", ")}`,
    ],
  };
}

interface Chain {
  rounds: number;
  path: Array<{ name: string; rounds: number }>;
}

/**
 * Replays every resource's create, in dependency order and one at a time, through the plugin's own
 * implementation against a fresh emulator, and returns the longest path of the dependency graph,
 * each resource weighing the rounds of requests for records its create made.
 */
async function criticalChain(resources: readonly StateResource[]): Promise<Chain> {
  const { load } = dist<typeof DispatchModule>("resources/runtime/dispatch");
  const { RESOURCE_TYPES } = dist<typeof DynamicModule>("resources/common/dynamic");
  const { clearMetadataCache } = dist<typeof MetadataModule>("dataverse/metadata");
  const kindOf = new Map<string, DynamicModule.ImplementationKind>(
    Object.entries(RESOURCE_TYPES).map(([kind, type]) => [type, kind as DynamicModule.ImplementationKind]),
  );

  const emulator = await startEmulator();
  const log = await startRequestLog(emulator.url);
  await admin(emulator, "PUT", "faults", { rules: [{ latencyMs: REPLAY_LATENCY_MS }] });
  // The plugin reads the environment's address from these when the stack config has none.
  const saved = { url: process.env.IOM_DATAVERSE_URL, token: process.env.IOM_TOKEN };
  process.env.IOM_DATAVERSE_URL = log.url;
  process.env.IOM_TOKEN = emulator.token;
  // The dual-write gateway is its own listener: its requests are not in the log (a map's rounds
  // count its version row write only).
  const savedGateway = { url: process.env.IOM_DUALWRITE_URL, finOps: process.env.IOM_FINOPS_URL };
  process.env.IOM_DUALWRITE_URL = emulator.dualWriteUrl;
  process.env.IOM_FINOPS_URL = emulator.financeAndOperationsUrl;
  clearMetadataCache();
  try {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const weight = new Map<string, number>();
    const configured = new Set<string>();
    const visit = async (resource: StateResource): Promise<void> => {
      if (weight.has(resource.urn)) return;
      for (const dependency of resource.dependencies ?? []) {
        const other = byUrn.get(dependency);
        if (other) await visit(other);
      }
      const kind = kindOf.get(resource.type.slice("pulumi-nodejs:dynamic/iom:".length));
      if (!kind) throw new Error(`no resource kind has the type ${resource.type}`);
      const provider = await load(kind);
      if (!configured.has(kind)) {
        await provider.configure?.({ config: { get: () => undefined } } as never);
        configured.add(kind);
      }
      const before = log.entries.length;
      await provider.create?.(resource.inputs ?? {});
      weight.set(resource.urn, rounds(log.entries.slice(before).filter((r) => !isMetadata(r))));
    };
    for (const resource of resources) await visit(resource);

    // Longest path: each resource's weight plus the heaviest path among what it depends on.
    const longest = new Map<string, Chain>();
    const pathTo = (resource: StateResource): Chain => {
      const known = longest.get(resource.urn);
      if (known) return known;
      let heaviest: Chain = { rounds: 0, path: [] };
      for (const dependency of resource.dependencies ?? []) {
        const other = byUrn.get(dependency);
        if (!other) continue;
        const chain = pathTo(other);
        if (chain.rounds > heaviest.rounds) heaviest = chain;
      }
      const own = weight.get(resource.urn) ?? 0;
      const name = `${resource.type.slice("pulumi-nodejs:dynamic/iom:".length)} '${resource.urn.split("::").pop()}'`;
      const chain = { rounds: heaviest.rounds + own, path: [...heaviest.path, { name, rounds: own }] };
      longest.set(resource.urn, chain);
      return chain;
    };
    const critical = resources.map(pathTo).reduce((a, b) => (b.rounds > a.rounds ? b : a));
    return { rounds: PROGRAM_ROUNDS + PLUGIN_METADATA_ROUNDS + critical.rounds, path: critical.path };
  } finally {
    if (saved.url === undefined) delete process.env.IOM_DATAVERSE_URL;
    else process.env.IOM_DATAVERSE_URL = saved.url;
    if (savedGateway.url === undefined) delete process.env.IOM_DUALWRITE_URL;
    else process.env.IOM_DUALWRITE_URL = savedGateway.url;
    if (savedGateway.finOps === undefined) delete process.env.IOM_FINOPS_URL;
    else process.env.IOM_FINOPS_URL = savedGateway.finOps;
    if (saved.token === undefined) delete process.env.IOM_TOKEN;
    else process.env.IOM_TOKEN = saved.token;
    clearMetadataCache();
    await log.close();
    await emulator.close();
  }
}
