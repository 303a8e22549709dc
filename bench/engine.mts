// P1, P2 and P3: the real engine on a stack of N resources of our kinds (the article's stack grown
// with policies of one rule each) against the emulator, beside N trivial dynamic resources that
// make no API call (bench/programs/trivial.cjs), each in a throwaway project with its own file
// backend. Both stacks are applied once; the previews are then taken in turns, so that the load
// of a shared machine falls on both alike.
import { execFile } from "node:child_process";
import path from "node:path";

import type { Figure } from "./lib/figure.mjs";
import type * as FigureModule from "./lib/figure.mjs";
import type * as ProjectModule from "./lib/project.mjs";
import type { LoggedRequest } from "./lib/request-log.mjs";
import type * as RequestLogModule from "./lib/request-log.mjs";
import type * as StackModule from "./lib/stack.mjs";

// Sibling modules are imported by URL: Node runs them with their types stripped and needs the
// real file name (.mts), which tsc refuses in a static import without allowImportingTsExtensions.
const sibling = <T,>(relative: string): Promise<T> => import(new URL(relative, import.meta.url).href);
const { median, ms } = await sibling<typeof FigureModule>("./lib/figure.mts");
const { counters, createProject, progress, resetCounters, ROOT, startEmulator } =
  await sibling<typeof ProjectModule>("./lib/project.mts");
const { assertValid, grownFiles } = await sibling<typeof StackModule>("./lib/stack.mts");
const { startRequestLog } = await sibling<typeof RequestLogModule>("./lib/request-log.mts");

export interface EngineOptions {
  /** Resources of each stack. */
  resources: number;
  /** Timed previews of each stack (the median is taken). */
  previews: number;
}

interface StateResource {
  type: string;
  inputs?: Record<string, unknown>;
}

/** The resources of one kind of provider in an exported state, and their average size. */
function stateWeight(exported: string, isOurs: (type: string) => boolean) {
  const resources = (JSON.parse(exported) as { deployment: { resources: StateResource[] } }).deployment
    .resources;
  const ours = resources.filter((r) => isOurs(r.type));
  if (ours.length === 0) throw new Error("the exported state holds none of the resources measured");
  const bytes = ours.map((r) => Buffer.byteLength(JSON.stringify(r)));
  const provider = ours.map((r) => Buffer.byteLength(String(r.inputs?.["__provider"] ?? "")));
  return {
    count: ours.length,
    perResource: bytes.reduce((a, b) => a + b, 0) / bytes.length,
    provider: provider.reduce((a, b) => a + b, 0) / provider.length,
  };
}

const isIom = (type: string): boolean => type.startsWith("pulumi-nodejs:dynamic/iom:");
const isDynamic = (type: string): boolean => type.startsWith("pulumi-nodejs:dynamic");

/** Metadata requests (the same URL) made more than once in one process's share of the log. */
function repeatedMetadata(entries: readonly LoggedRequest[]): number {
  const seen = new Set<string>();
  let repeated = 0;
  for (const e of entries.filter((x) => /RetrieveMetadataChanges|EntityDefinitions/.test(x.path))) {
    if (seen.has(e.path)) repeated++;
    seen.add(e.path);
  }
  return repeated;
}

/**
 * Requests that are metadata (RetrieveMetadataChanges, EntityDefinitions) or WhoAmI, from the
 * emulator's route counters.
 */
function metadataRequests(byRoute: Record<string, number>): number {
  return Object.entries(byRoute)
    .filter(([route]) => /RetrieveMetadataChanges|EntityDefinitions|WhoAmI/.test(route))
    .reduce((n, [, count]) => n + count, 0);
}

export async function engineFigures(options: EngineOptions): Promise<Figure[]> {
  const { resources, previews } = options;
  const emulator = await startEmulator();
  // Our stack talks to the emulator through the recording proxy from its first `up` on: a
  // refresh acts with the provider configuration stored at the last update, so the plugin's
  // requests reach the proxy only if that one named it. (The proxy adds well under a millisecond
  // per request, to our side of P1 only.)
  const log = await startRequestLog(emulator.url);
  const environment = {
    "iom:environmentUrl": log.url,
    "iom:token": emulator.token,
    // Dual-write maps are managed on the emulator's gateway, its own listener.
    "iom:dualWriteUrl": emulator.dualWriteUrl,
    "iom:financeAndOperationsUrl": emulator.financeAndOperationsUrl,
  };
  const projects: Array<{ dispose(): void }> = [];
  try {
    const ours = await createProject("ours", {
      main: path.join(ROOT, "dist", "program", "index.js"),
      files: grownFiles(resources),
      config: environment,
    });
    projects.push(ours);
    await assertValid(ours.dir);
    const trivial = await createProject("trivial", {
      main: path.join(ROOT, "bench", "programs", "trivial.cjs"),
      env: { BENCH_COUNT: String(resources) },
    });
    projects.push(trivial);

    progress(`P1-P3: up of ${resources} resources of our kinds`);
    await ours.pulumi(["up", "--yes", "--skip-preview"]);
    progress(`P1-P3: up of ${resources} trivial dynamic resources`);
    await trivial.pulumi(["up", "--yes", "--skip-preview"]);

    // P1. One untimed preview each first: the engine's and Node's caches warm up alike.
    const preview = ["preview", "--expect-no-changes"];
    await ours.pulumi(preview);
    await trivial.pulumi(preview);
    const oursMs: number[] = [];
    const trivialMs: number[] = [];
    let programRequests = 0;
    for (let i = 0; i < previews; i++) {
      progress(`P1: no-change previews, round ${i + 1} of ${previews}`);
      trivialMs.push((await trivial.pulumi(preview)).ms);
      await resetCounters(emulator);
      oursMs.push((await ours.pulumi(preview)).ms);
      // Without --refresh only the program talks to the environment (its assumption check and
      // online validation): the share of P2 that does not depend on the number of resources.
      programRequests = (await counters(emulator)).total;
    }
    const p1: Figure = {
      id: "P1",
      name: "engine overhead",
      value: median(oursMs) / median(trivialMs),
      target: { atMost: 1.3 },
      details: [
        `no-change \`pulumi preview\`, median of ${previews}: ${resources} resources of our kinds ${ms(median(oursMs))}, ${resources} trivial dynamic resources ${ms(median(trivialMs))}`,
        `runs: ours ${oursMs.map(ms).join(", ")}; trivial ${trivialMs.map(ms).join(", ")}`,
      ],
    };

    // P2. The engine refreshes first (the plugin's reads), then runs the program, whose requests
    // are as many as in a preview without refresh: the log splits there, one process each side.
    progress("P2: no-change preview --refresh, counting the emulator's requests");
    await resetCounters(emulator);
    const from = log.entries.length;
    await ours.pulumi(["preview", "--refresh", "--expect-no-changes"]);
    const refresh = await counters(emulator);
    const entries = log.entries.slice(from).sort((a, b) => a.start - b.start);
    const plugin = entries.slice(0, entries.length - programRequests);
    const program = entries.slice(entries.length - programRequests);
    const apart = plugin.every((e) => e.end <= (program[0]?.start ?? Infinity));
    const askedAgain = apart
      ? String(repeatedMetadata(plugin) + repeatedMetadata(program))
      : "not told apart (the processes' requests overlapped)";
    const metadata = metadataRequests(refresh.byRoute);
    const p2: Figure = {
      id: "P2",
      name: "API economy",
      value: refresh.total / resources,
      target: { atMost: 1.0, aim: "aim 0.1" },
      details: [
        `no-change \`pulumi preview --refresh\` of ${resources} resources: ${refresh.total} requests`,
        `of which ${metadata} metadata and WhoAmI, a cost per run whatever the number of resources (${programRequests} by the program's checks, the rest by the provider plugin; metadata requests repeated within one process: ${askedAgain}), and ${refresh.total - metadata} reads of records (${((refresh.total - metadata) / resources).toFixed(2)} per resource)`,
      ],
    };

    // P3.
    progress("P3: state weight");
    const oursState = stateWeight(await ours.exportState(), isIom);
    if (oursState.count !== resources)
      throw new Error(`the stack holds ${oursState.count} resources of our kinds, not ${resources}`);
    const trivialState = stateWeight(await trivial.exportState(), isDynamic);
    const naive = await naiveWeight(trivialState);
    const p3: Figure = {
      id: "P3",
      name: "state weight",
      value: oursState.perResource / trivialState.perResource,
      target: { atMost: 1.5 },
      details: [
        `bytes of exported state per resource: ours ${Math.round(oursState.perResource)} (provider ${Math.round(oursState.provider)} of them, stored in inputs and outputs alike), trivial ${Math.round(trivialState.perResource)} (provider ${Math.round(trivialState.provider)})`,
        ...naive,
      ],
    };
    return [p1, p2, p3];
  } finally {
    for (const p of projects) p.dispose();
    await log.close();
    await emulator.close();
  }
}

/**
 * P3's naive providers (bench/programs/naive.cjs): the provider text Pulumi would store, run in a
 * CommonJS process of its own as a program would be. Their state per resource is the trivial
 * one's with the trivial provider's text replaced by theirs, in the inputs and in the outputs.
 */
async function naiveWeight(trivial: { perResource: number; provider: number }) {
  progress("P3: serialising the naive providers");
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bench", "programs", "naive.cjs")],
      { env: { ...process.env, IOM_GITOPS_ROOT: ROOT } },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
  const serialised = JSON.parse(output) as Record<"client" | "metadata", { bytes?: number; error?: string }>;
  const describe = (name: "client" | "metadata", what: string): string => {
    const { bytes, error } = serialised[name];
    if (bytes === undefined) return `${what}: Pulumi cannot serialise it (${error ?? "no reason given"})`;
    const perResource = trivial.perResource + 2 * (bytes - trivial.provider);
    return `${what}: ${bytes} bytes of provider, so ${Math.round(perResource)} bytes per resource (${(perResource / trivial.perResource).toFixed(1)} times the trivial one)`;
  };
  return [
    describe("metadata", "naive provider importing the client's metadata reader at module scope"),
    describe("client", "naive provider importing the whole client at module scope"),
  ];
}
