// P6: emulator throughput against a bare node:http server answering a fixed JSON body.
//
// Part of `npm run bench` (bench/run.mts), and runnable alone on the build:
//   npm run build && node --no-warnings bench/emulator.ts [--quick]
//
// Seeds 10,000 policies, then measures on 127.0.0.1 with the same keep-alive client, in four rounds
// that take each scenario in turn: the bare server, GET by id, a filtered query on an equality
// (index), and a filtered query that has to scan every row. The figure is the lower of the GET by
// id and filtered-query ratios to the bare server (target: at least 0.5). Request loops are
// bounded.
//
// A .ts file that Node runs as ESM with its types stripped while tsc checks it as CommonJS: hence
// process.argv[1] rather than import.meta to find the build, and no top-level await.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

import type * as Emulator from "../src/emulator/index.js";
import type { Figure } from "./lib/figure.mjs";

export interface EmulatorOptions {
  /** Requests per scenario (a tenth of it for the full scan). */
  requests: number;
}

const ROWS = 10_000;
const CONCURRENCY = 16;
const ROUNDS = 4;
const TOKEN = "bench-token";

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { agent, headers: { Authorization: `Bearer ${TOKEN}`, Accept: "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", agent, headers: { Authorization: `Bearer ${TOKEN}`, ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Seconds taken by `count` requests made `CONCURRENCY` at a time; every answer must be 200. */
async function measure(urls: (i: number) => URL, count: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const status = await get(urls(next++));
        if (status !== 200) throw new Error(`unexpected status ${status}`);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function seed(apiUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < ROWS; start += 1000) {
    const parts: string[] = [];
    for (let i = start; i < start + 1000; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      ids.push(id);
      const row = {
        msdyn_iompolicyid: id,
        msdyn_name: `Policy ${i}`,
        msdyn_policytype: 192350000 + (i % 2),
        msdyn_description: `Bench row ${i}`,
      };
      parts.push(
        [
          "--batch_b",
          "Content-Type: application/http",
          "Content-Transfer-Encoding: binary",
          "",
          "POST msdyn_iompolicies HTTP/1.1",
          "Content-Type: application/json",
          "",
          JSON.stringify(row),
        ].join("\r\n"),
      );
    }
    const res = await post(new URL(`${apiUrl}$batch`), `${parts.join("\r\n")}\r\n--batch_b--\r\n`, {
      "Content-Type": "multipart/mixed; boundary=batch_b",
    });
    if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${res.text.slice(0, 300)}`);
  }
  return ids;
}

/** Measures the emulator against the bare server; `progress` says what is being done. */
export async function emulatorFigure(
  options: EmulatorOptions,
  progress: (message: string) => void = () => undefined,
): Promise<Figure> {
  // The build is found from the script Node was started with: bench/run.mts or this file.
  const dist = pathToFileURL(
    path.resolve(path.dirname(process.argv[1] ?? "."), "../dist/emulator/index.js"),
  ).href;
  const { startEmulator } = (await import(dist)) as typeof Emulator;

  const sample = JSON.stringify({
    "@odata.context": "http://127.0.0.1/api/data/v9.2/$metadata#msdyn_iompolicies/$entity",
    "@odata.etag": 'W/"12345"',
    msdyn_iompolicyid: "00000000-0000-4000-8000-000000001234",
    msdyn_name: "Policy 1234",
  });
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(sample);
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const bareUrl = new URL(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);

  const emulator = await startEmulator({ token: TOKEN });
  try {
    progress(`P6: seeding ${ROWS} policies`);
    const ids = await seed(emulator.apiUrl);
    const api = (p: string): URL => new URL(`${emulator.apiUrl}${p}`);
    const pick = (i: number): number => (i * 7919) % ROWS;

    const scenarios: Array<[string, (i: number) => URL, number]> = [
      ["bare node:http, fixed JSON", () => bareUrl, options.requests],
      ["GET by id", (i) => api(`msdyn_iompolicies(${ids[pick(i)]})?$select=msdyn_name`), options.requests],
      [
        "filtered query (eq on a column)",
        (i) => api(`msdyn_iompolicies?$select=msdyn_name&$filter=msdyn_name eq 'Policy ${pick(i)}'`),
        options.requests,
      ],
      [
        "filtered query (full scan, contains)",
        (i) =>
          api(
            `msdyn_iompolicies?$select=msdyn_name&$filter=contains(msdyn_description,'row ${pick(i)}9')&$top=5`,
          ),
        Math.ceil(options.requests / 10),
      ],
    ];
    progress("P6: warming up");
    for (const [, urls] of scenarios) await measure(urls, 500); // JIT, sockets, lazy indexes

    // In rounds, each scenario in turn: a machine whose load drifts weighs on all of them alike.
    const seconds = scenarios.map(() => 0);
    for (let round = 0; round < ROUNDS; round++) {
      progress(`P6: round ${round + 1} of ${ROUNDS}`);
      for (const [i, [, urls, count]] of scenarios.entries())
        seconds[i] = (seconds[i] as number) + (await measure(urls, Math.ceil(count / ROUNDS)));
    }
    const results = scenarios.map(([name, , count], i): [string, number] => [
      name,
      (ROUNDS * Math.ceil(count / ROUNDS)) / (seconds[i] as number),
    ]);
    const baseline = results[0]?.[1] ?? 1;
    const byId = (results[1]?.[1] ?? 0) / baseline;
    const filtered = (results[2]?.[1] ?? 0) / baseline;
    return {
      id: "P6",
      name: "emulator",
      value: Math.min(byId, filtered),
      target: { atLeast: 0.75 },
      details: [
        `throughput, ${ROWS} rows, ${CONCURRENCY} concurrent keep-alive clients, node ${process.version}; the figure is the lower of GET by id and the filtered query (eq), as a ratio to the bare server:`,
        ...results.map(
          ([name, rps]) =>
            `  ${name.padEnd(38)} ${rps.toFixed(0).padStart(7)} req/s   ratio ${(rps / baseline).toFixed(2)}`,
        ),
      ],
    };
  } finally {
    await emulator.close();
    agent.destroy();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  }
}

if (path.basename(process.argv[1] ?? "") === "emulator.ts") {
  const quick = process.argv.includes("--quick");
  emulatorFigure({ requests: quick ? 4_000 : 20_000 }, (m) => process.stderr.write(`bench: ${m}\n`)).then(
    (figure) => {
      // --json: for bench/run.mts, which runs this figure in a process of its own.
      if (process.argv.includes("--json")) return void console.log(JSON.stringify(figure));
      console.log(`${figure.id} ${figure.name}: ${figure.value.toFixed(2)} (target at least 0.5)`);
      for (const line of figure.details) console.log(line);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
