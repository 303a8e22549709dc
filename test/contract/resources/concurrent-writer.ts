// What the concurrency contract tests share: someone else writing to the emulator at the worst
// moment. A fetch for the kind's client runs another writer's change just before the kind's n-th
// write reaches the emulator, so that the write meets a row changed since the kind read it. What
// happens is recorded and asserted after the call: an assertion thrown inside a fetch would be
// taken by the client's retry loop for a network error.
import type { Harness } from "../dataverse/harness.js";

export interface Write {
  method: string;
  /** The decoded URL after the Web API root or the dual-write prefix. */
  path: string;
  status: number;
}

export interface Interleaving {
  fetch: typeof globalThis.fetch;
  /** The kind's writes in order, with the status each got. */
  writes: Write[];
  /** The other writer's failures (empty when every change it meant to make was made). */
  problems: string[];
  /** How many of the other writer's changes ran. */
  ran: number;
}

/**
 * A fetch that calls `before[n]` (1-based) before forwarding the kind's n-th write (any method
 * but GET), and records every write's status.
 */
export function interleave(before: Record<number, () => Promise<void>>): Interleaving {
  const result: Interleaving = { fetch: undefined as never, writes: [], problems: [], ran: 0 };
  let count = 0;
  result.fetch = async (input, init) => {
    const method = (init?.method ?? "GET").toUpperCase();
    if (method !== "GET") {
      const other = before[++count];
      if (other) {
        try {
          await other();
          result.ran++;
        } catch (error) {
          result.problems.push(`before write ${count}: ${(error as Error).message}`);
        }
      }
    }
    const response = await fetch(input, init);
    if (method !== "GET") {
      const url = decodeURIComponent(String(input));
      result.writes.push({
        method,
        path: url.replace(/^.*?\/api\/data\/v9\.2\//, ""),
        status: response.status,
      });
    }
    return response;
  };
  return result;
}

/** Someone else: plain requests to the emulator with its token, failing on any error status. */
export function otherWriter(h: Harness) {
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const em = h.emulator();
    const response = await fetch(path.startsWith("/") ? `${em.url}${path}` : `${em.apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${em.token}`,
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  return {
    call,
    patch: (path: string, body: Record<string, unknown>) => call("PATCH", path, body).then(() => undefined),
    json: async <T>(path: string): Promise<T> => (await (await call("GET", path)).json()) as T,
  };
}
