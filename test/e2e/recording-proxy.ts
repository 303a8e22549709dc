// A pass-through HTTP proxy in front of the emulator that notes when each request arrived, its
// client request id (x-ms-client-request-id, the same on every attempt of one client call) and the
// status it got. The emulator counts requests but keeps no times: with this, a test can see that a
// retry after a 429 came no sooner than its Retry-After said, and how many attempts each call made.
// A connection the emulator drops is dropped to the client as well.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Exchange {
  /** Milliseconds since the proxy started, when the request arrived. */
  at: number;
  method: string;
  path: string;
  requestId: string | undefined;
  /** The status the emulator answered, or "dropped". */
  status: number | "dropped";
}

export class RecordingProxy {
  readonly log: Exchange[] = [];
  private readonly started = performance.now();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<RecordingProxy> {
    const upstream = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new RecordingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("request", (req, res) => {
      const exchange: Exchange = {
        at: performance.now() - proxy.started,
        method: req.method ?? "GET",
        path: req.url ?? "/",
        requestId: req.headers["x-ms-client-request-id"] as string | undefined,
        status: "dropped",
      };
      proxy.log.push(exchange);
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          exchange.status = answer.statusCode ?? 0;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => req.socket.destroy());
      req.pipe(forward);
    });
    return proxy;
  }

  /** The attempts of each client call, in order, by request id (requests without one left out). */
  calls(): Map<string, Exchange[]> {
    const calls = new Map<string, Exchange[]>();
    for (const exchange of this.log) {
      if (exchange.requestId === undefined) continue;
      calls.set(exchange.requestId, [...(calls.get(exchange.requestId) ?? []), exchange]);
    }
    return calls;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
