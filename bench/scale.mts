// P7 and P8: the stack at 2,000 resources (the article's grown with policies of one rule each,
// bench/lib/stack.mts), on the real engine.
//
// P8 first: `up` from empty against the emulator enforcing Dataverse's service protection limit
// at its real numbers (6,000 requests per user in any 300 s, 429 past it [PA/api-limits.md]),
// through the recording proxy: the requests per resource, the busiest 300 s of request start
// times against the 6,000, and every 429 seen. The client is meant to stay under the limit by
// pacing itself (src/dataverse/pacing.ts), not by being throttled.
//
// P7 then uses that stack: no-change previews of it against previews of as many trivial dynamic
// resources (bench/programs/trivial.cjs), and against previews of the same stack grown to a tenth
// of the size, all taken in turns so that the load of a shared machine falls on each alike.
import path from "node:path";

import type * as PacingModule from "../src/dataverse/pacing.js";
import type * as EmulatorModule from "../src/emulator/index.js";
import type { Figure } from "./lib/figure.mjs";
import type * as FigureModule from "./lib/figure.mjs";
import type * as ProjectModule from "./lib/project.mjs";
import type { LoggedRequest } from "./lib/request-log.mjs";
import type * as RequestLogModule from "./lib/request-log.mjs";
import type * as StackModule from "./lib/stack.mjs";

// Sibling modules are imported by URL: see bench/engine.mts.
const sibling = <T,>(relative: string): Promise<T> => import(new URL(relative, import.meta.url).href);
const { median, ms } = await sibling<typeof FigureModule>("./lib/figure.mts");
const { admin, counters, createProject, dist, progress, resetCounters, ROOT, startEmulator } =
  await sibling<typeof ProjectModule>("./lib/project.mts");
const { assertValid, grownFiles } = await sibling<typeof StackModule>("./lib/stack.mts");
const { startRequestLog } = await sibling<typeof RequestLogModule>("./lib/request-log.mts");

export interface ScaleOptions {
  /** Resources of the large stacks (ours and the trivial one). */
  resources: number;
  /** Resources of our small stack, for the growth (a tenth of `resources` in both runs). */
  small: number;
  /** Timed previews of each stack (the median is taken). */
  previews: number;
  /** Which figures to measure: P8's `up` is P7's set-up, so it runs either way. */
  figures: ReadonlyArray<"P7" | "P8">;
}

/** The most request starts in any window [t, t + windowMs), and where it begins. */
export function busiestWindow(starts: readonly number[], windowMs: number): { count: number; from: number } {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = { count: 0, from: sorted[0] ?? 0 };
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    if (last - first + 1 > best.count) best = { count: last - first + 1, from: sorted[first] as number };
  }
  return best;
}

const seconds = (value: number): string => `${(value / 1000).toFixed(1)} s`;

export async function scaleFigures(options: ScaleOptions): Promise<Figure[]> {
  const { resources, small, previews } = options;
  const { DATAVERSE_LIMIT } = dist<typeof EmulatorModule>("emulator/index");
  const { DEFAULT_REQUEST_BUDGET } = dist<typeof PacingModule>("dataverse/pacing");
  const emulator = await startEmulator({ serviceProtection: DATAVERSE_LIMIT });
  // The small stack gets an emulator of its own: its generated policies have the names of the
  // large stack's first ones, and would be adopted from it instead of created.
  const smallEmulator = await startEmulator();
  const log = await startRequestLog(emulator.url);
  const environment = (em: typeof emulator, url: string) => ({
    "iom:environmentUrl": url,
    "iom:token": em.token,
    "iom:dualWriteUrl": em.dualWriteUrl,
    "iom:financeAndOperationsUrl": em.financeAndOperationsUrl,
  });
  const projects: Array<{ dispose(): void }> = [];
  try {
    const ours = await createProject("scale-ours", {
      main: path.join(ROOT, "dist", "program", "index.js"),
      files: grownFiles(resources),
      config: environment(emulator, log.url),
    });
    projects.push(ours);
    await assertValid(ours.dir);

    // P8: `up` from empty. Everything the program and the plugin send to the Web API passes the
    // proxy; the gateway's requests go to the emulator's second listener (another service, which
    // Dataverse's limit does not cover), counted apart from the emulator's counters.
    progress(
      `P8: up from empty of ${resources} resources of our kinds, service protection at 6,000 per 300 s`,
    );
    await resetCounters(emulator);
    const from = log.entries.length;
    const t0 = log.now();
    const up = await ours.pulumi(["up", "--yes", "--skip-preview"]);
    const entries = log.entries.slice(from);
    const all = await counters(emulator);
    const protection = (await admin<{ throttled: number }>(emulator, "GET", "service-protection")) as {
      throttled: number;
    };
    const windowMs = DATAVERSE_LIMIT.windowSeconds * 1000;
    const busiest = busiestWindow(
      entries.map((e) => e.start),
      windowMs,
    );
    const throttled = entries.filter((e: LoggedRequest) => e.status === 429).length;
    const gatewayRequests = all.total - entries.length;
    const durationMs = up.ms;
    // The client tells each paced wait on stderr at most once a minute, and the CLI prints it.
    const notices =
      (up.stdout + up.stderr).match(/requests sent in the last \d+ s, the budget/g)?.length ?? 0;
    const p8: Figure = {
      id: "P8",
      name: "service-protection budget",
      value: busiest.count / DATAVERSE_LIMIT.requests,
      target: { atMost: 1.0, aim: "and no 429" },
      details: [
        `\`up\` from empty of ${resources} resources of our kinds against the emulator enforcing ${DATAVERSE_LIMIT.requests} requests per ${DATAVERSE_LIMIT.windowSeconds} s: ${seconds(durationMs)}, ${entries.length} Web API requests, ${(entries.length / resources).toFixed(2)} per resource (and ${gatewayRequests} to the dual-write gateway, which Dataverse's limit does not cover)`,
        `busiest ${DATAVERSE_LIMIT.windowSeconds} s of request start times: ${busiest.count} requests (from ${seconds(busiest.from - t0)} into the run), ${(busiest.count / DATAVERSE_LIMIT.requests).toFixed(2)} of Dataverse's ${DATAVERSE_LIMIT.requests} (the program's process and the provider plugin's together; the client's budget is ${DEFAULT_REQUEST_BUDGET} per process)`,
        `the client's notices of a paced wait (at most one a minute per process): ${notices}`,
        `429 answers: ${throttled} in the log, ${protection.throttled} from service protection by the emulator's count${throttled + protection.throttled === 0 ? " (none: the client paced itself)" : " NOT MET: the client was throttled"}`,
      ],
    };
    // A 429 from service protection means a window went past the limit at the server: NOT MET
    // whatever the start times say.
    if (protection.throttled > 0)
      p8.value = Math.max(p8.value, (DATAVERSE_LIMIT.requests + 1) / DATAVERSE_LIMIT.requests);
    if (!options.figures.includes("P7")) return [p8];

    // P7 measures the engine and the plugin, not the pacing: each preview's program is a new
    // process with a budget of its own, and the emulator stops counting so that the up's window
    // cannot slow the first previews down.
    await admin(emulator, "DELETE", "service-protection");
    const trivial = await createProject("scale-trivial", {
      main: path.join(ROOT, "bench", "programs", "trivial.cjs"),
      env: { BENCH_COUNT: String(resources) },
    });
    projects.push(trivial);
    const smallOurs = await createProject("scale-small", {
      main: path.join(ROOT, "dist", "program", "index.js"),
      files: grownFiles(small),
      config: environment(smallEmulator, smallEmulator.url),
    });
    projects.push(smallOurs);
    await assertValid(smallOurs.dir);
    progress(`P7: up of ${resources} trivial dynamic resources`);
    const trivialUp = await trivial.pulumi(["up", "--yes", "--skip-preview"]);
    progress(`P7: up of ${small} resources of our kinds`);
    const smallUp = await smallOurs.pulumi(["up", "--yes", "--skip-preview"]);

    const preview = ["preview", "--expect-no-changes"];
    // One untimed preview each first: the engine's and Node's caches warm up alike.
    await trivial.pulumi(preview);
    await ours.pulumi(preview);
    await smallOurs.pulumi(preview);
    const oursMs: number[] = [];
    const trivialMs: number[] = [];
    const smallMs: number[] = [];
    for (let i = 0; i < previews; i++) {
      progress(`P7: no-change previews, round ${i + 1} of ${previews}`);
      trivialMs.push((await trivial.pulumi(preview)).ms);
      oursMs.push((await ours.pulumi(preview)).ms);
      smallMs.push((await smallOurs.pulumi(preview)).ms);
    }
    const factor = resources / small;
    const runs = `runs: ours ${oursMs.map(ms).join(", ")}; trivial ${trivialMs.map(ms).join(", ")}; ours at ${small} ${smallMs.map(ms).join(", ")}`;
    const p7: Figure = {
      id: "P7",
      name: "scale",
      value: median(oursMs) / median(trivialMs),
      target: { atMost: 1.3 },
      details: [
        `no-change \`pulumi preview\`, median of ${previews}: ${resources} resources of our kinds ${ms(median(oursMs))}, ${resources} trivial dynamic resources ${ms(median(trivialMs))}`,
        runs,
        // Not a figure: \`up\` from empty writes the whole state at every step (the engine's file
        // backend), which previews do not; the time of each up says how much that weighs.
        `\`up\` from empty, once each: ${resources} of our kinds ${seconds(durationMs)} (P8), ${resources} trivial ${seconds(trivialUp.ms)}, ${small} of our kinds ${seconds(smallUp.ms)}`,
      ],
    };
    const growth: Figure = {
      id: "P7",
      name: "growth",
      value: median(oursMs) / median(smallMs),
      // Linear, with a tenth of slack: ten times the resources, at most eleven times the time.
      target: { atMost: Number((factor * 1.1).toFixed(2)) },
      details: [
        `no-change \`pulumi preview\` of our stack, median of ${previews}: ${resources} resources ${ms(median(oursMs))}, ${small} resources ${ms(median(smallMs))} (${factor.toFixed(0)} times as many resources; the costs paid once per run weigh on the small one, so linear growth reads below ${factor.toFixed(0)})`,
      ],
    };
    return options.figures.includes("P8") ? [p7, growth, p8] : [p7, growth];
  } finally {
    for (const p of projects) p.dispose();
    await log.close();
    await emulator.close();
    await smallEmulator.close();
  }
}
