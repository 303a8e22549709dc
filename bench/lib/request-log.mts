// A recording proxy in front of the emulator: every request the program and the provider plugin
// make passes through it unchanged, and it notes when each was sent and answered. The emulator
// counts requests; the order and overlap of requests, which the engine figures need, are only
// seen here.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

export interface LoggedRequest {
  method: string;
  /** The path and query, decoded. */
  path: string;
  /** Milliseconds since the log started, when the request arrived and when it was answered. */
  start: number;
  end: number;
  status: number;
}

export interface RequestLog {
  /** "http://127.0.0.1:PORT": use it where the emulator's URL would go. */
  url: string;
  entries: LoggedRequest[];
  /** Milliseconds since the log started. */
  now(): number;
  close(): Promise<void>;
}

export async function startRequestLog(target: string): Promise<RequestLog> {
  const origin = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const entries: LoggedRequest[] = [];
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const server = http.createServer((req, res) => {
    const start = now();
    const upstream = http.request(
      {
        host: origin.hostname,
        port: origin.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => {
          let path = req.url ?? "";
          try {
            path = decodeURIComponent(path);
          } catch {
            // Logged as sent.
          }
          entries.push({
            method: req.method ?? "?",
            path,
            start,
            end: now(),
            status: answer.statusCode ?? 0,
          });
        });
      },
    );
    // A connection the emulator drops (fault injection) is dropped here too.
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    now,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
