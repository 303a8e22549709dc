// Emulator throughput against a bare node:http server answering a fixed JSON body.
//
// Run (Node 24 strips the types itself; the emulator is loaded from the build):
//   npm run build && node --no-warnings bench/emulator.ts
//
// Seeds 10,000 policies, then measures, one after the other on 127.0.0.1 with the same keep-alive
// client: the bare server, GET by id, a filtered query on an equality (index), and a filtered
// query that has to scan every row. Prints requests/second and each as a ratio to the bare server
// (target for GET by id and the filtered query: at least 0.5). Request loops are bounded.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

import type * as Emulator from "../src/emulator/index.js";

const ROWS = 10_000;
const REQUESTS = 20_000;
const CONCURRENCY = 16;
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

/** Requests per second for `count` requests made `CONCURRENCY` at a time; every answer must be 200. */
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
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
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

async function main(): Promise<void> {
  // process.argv[1] rather than __dirname or import.meta: Node runs this file as ESM, tsc checks it as CJS.
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
  const ids = await seed(emulator.apiUrl);
  const api = (p: string): URL => new URL(`${emulator.apiUrl}${p}`);
  const pick = (i: number): number => (i * 7919) % ROWS;

  const scenarios: Array<[string, (i: number) => URL, number]> = [
    ["bare node:http, fixed JSON", () => bareUrl, REQUESTS],
    ["GET by id", (i) => api(`msdyn_iompolicies(${ids[pick(i)]})?$select=msdyn_name`), REQUESTS],
    [
      "filtered query (eq on a column)",
      (i) => api(`msdyn_iompolicies?$select=msdyn_name&$filter=msdyn_name eq 'Policy ${pick(i)}'`),
      REQUESTS,
    ],
    [
      "filtered query (full scan, contains)",
      (i) =>
        api(
          `msdyn_iompolicies?$select=msdyn_name&$filter=contains(msdyn_description,'row ${pick(i)}9')&$top=5`,
        ),
      2_000,
    ],
  ];
  for (const [, urls] of scenarios) await measure(urls, 500); // warm-up: JIT, sockets, lazy indexes

  const results: Array<[string, number]> = [];
  for (const [name, urls, count] of scenarios) results.push([name, await measure(urls, count)]);
  const baseline = results[0]?.[1] ?? 1;
  console.log(
    `emulator benchmark: ${ROWS} rows, ${CONCURRENCY} concurrent keep-alive clients, node ${process.version}`,
  );
  for (const [name, rps] of results)
    console.log(
      `  ${name.padEnd(40)} ${rps.toFixed(0).padStart(8)} req/s   ratio ${(rps / baseline).toFixed(2)}`,
    );
  const byId = (results[1]?.[1] ?? 0) / baseline;
  const filtered = (results[2]?.[1] ?? 0) / baseline;
  console.log(
    `target (GET by id and filtered query >= 0.5 of bare): ${byId >= 0.5 && filtered >= 0.5 ? "met" : "NOT met"}`,
  );

  await emulator.close();
  agent.destroy();
  await new Promise<void>((resolve) => bare.close(() => resolve()));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
