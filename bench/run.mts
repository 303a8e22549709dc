// `npm run bench`: P1-P8 of docs/benchmarks.md, each a ratio of two measurements taken in this
// run (the machines are shared and noisy: never an absolute time), then a summary with the
// measurements behind each figure. Progress goes to stderr, figures to stdout.
//
//   npm run bench                      the full run (sizes of docs/benchmarks.md; P7 and P8 on
//                                      2,000 resources take most of it, see the docs for times)
//   npm run bench -- --quick           smaller sizes and fewer repetitions, for a fast check
//   npm run bench -- --only P2,P4      some figures only
//
// It runs on the build (dist/) and the engine on PATH, which scripts/run.sh provides.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

import type * as EngineBench from "./engine.mjs";
import type { Figure } from "./lib/figure.mjs";
import type * as FigureModule from "./lib/figure.mjs";
import type * as ParallelismBench from "./parallelism.mjs";
import type * as ScaleBench from "./scale.mjs";
import type * as ValidationBench from "./validation.mjs";

// Sibling modules are imported by URL: see bench/engine.mts.
const sibling = <T,>(relative: string): Promise<T> => import(new URL(relative, import.meta.url).href);
const { figureLine, met } = await sibling<typeof FigureModule>("./lib/figure.mts");

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? "").toUpperCase().split(",")) : undefined;
const unknown = args.filter((a, i) => a !== "--quick" && a !== "--only" && (onlyAt < 0 || i !== onlyAt + 1));
if (unknown.length > 0 || (only && ![...only].every((id) => /^P[1-8]$/.test(id)))) {
  console.error("usage: node bench/run.mts [--quick] [--only P1,P2,...]");
  process.exit(2);
}

/** Each group measures some figures; sizes are the full run's, then the quick run's. */
const groups: Array<{ ids: string[]; run: () => Promise<Figure[]> }> = [
  {
    ids: ["P1", "P2", "P3"],
    run: async () =>
      (await sibling<typeof EngineBench>("./engine.mts")).engineFigures(
        quick ? { resources: 50, previews: 2 } : { resources: 200, previews: 5 },
      ),
  },
  {
    ids: ["P4"],
    run: async () => [
      await (
        await sibling<typeof ParallelismBench>("./parallelism.mts")
      ).parallelismFigure({
        pairs: quick ? 1 : 5,
      }),
    ],
  },
  {
    ids: ["P5"],
    run: async () => [
      await (
        await sibling<typeof ValidationBench>("./validation.mts")
      ).validationFigure(quick ? { rules: 1000, rounds: 5 } : { rules: 5000, rounds: 15 }),
    ],
  },
  {
    ids: ["P6"],
    // In a process of its own: the load, the emulator and the bare server share one event loop and
    // one heap, which the figures before it leave large (their emulators' stores, request logs). In
    // this process P6 read 0.50 after them against 0.65-0.73 run alone.
    run: async () => [await emulatorFigureInItsOwnProcess()],
  },
  {
    ids: ["P7", "P8"],
    // P8's `up` of the large stack is P7's set-up. The full run takes many minutes: the `up` of
    // 2,000 resources is paced to stay under Dataverse's 6,000 requests per 300 s.
    run: async () =>
      (await sibling<typeof ScaleBench>("./scale.mts")).scaleFigures({
        ...(quick
          ? { resources: 300, small: 30, previews: 1 }
          : { resources: 2000, small: 200, previews: 3 }),
        figures: (["P7", "P8"] as const).filter((id) => !only || only.has(id)),
      }),
  },
];

/** bench/emulator.ts run by Node on its own, its figure read from its JSON output. */
function emulatorFigureInItsOwnProcess(): Promise<Figure> {
  const script = fileURLToPath(new URL("./emulator.ts", import.meta.url));
  const args = ["--no-warnings", script, "--json", ...(quick ? ["--quick"] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      process.stderr.write(stderr);
      if (error) return reject(new Error(`bench/emulator.ts failed: ${stderr.trim() || error.message}`));
      try {
        resolve(JSON.parse(stdout) as Figure);
      } catch {
        reject(new Error(`bench/emulator.ts printed no figure: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

const started = Date.now();
const figures: Figure[] = [];
const failures: string[] = [];
for (const group of groups) {
  const wanted = group.ids.filter((id) => !only || only.has(id));
  if (wanted.length === 0) continue;
  try {
    for (const figure of await group.run()) {
      if (!wanted.includes(figure.id)) continue;
      figures.push(figure);
      console.log(figureLine(figure));
    }
  } catch (error) {
    // One group failing must not hide the others' figures; the run still fails at the end.
    const message = error instanceof Error ? error.message : String(error);
    for (const id of wanted) console.log(`${id}: not measured (${message.split("\n")[0]})`);
    failures.push(`${wanted.join(", ")}: ${message}`);
  }
}

const missed = figures.filter((f) => !met(f));
console.log(
  `\nsummary (${quick ? "quick" : "full"} run, ${Math.round((Date.now() - started) / 1000)} s): ` +
    `${figures.length - missed.length} of ${figures.length} targets met` +
    (missed.length > 0 ? `; not met: ${missed.map((f) => f.id).join(", ")}` : "") +
    (failures.length > 0 ? `; not measured: ${failures.length} group(s)` : "") +
    // Costs paid once per run (the engine's start, the metadata) weigh more on small stacks.
    (quick ? ". Quick run: smaller sizes; the targets are set for the full run" : ""),
);
for (const figure of figures) {
  console.log(`\n${figureLine(figure)}`);
  for (const line of figure.details) console.log(`  ${line}`);
}
for (const failure of failures) console.error(`\nbench failed: ${failure}`);
if (failures.length > 0) process.exitCode = 1;
