// Talks to an in-process emulator with plain fetch, as any Dataverse client would.
import { afterAll, beforeAll, beforeEach } from "vitest";

import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../src/emulator/index.js";

export interface Harness {
  emulator: RunningEmulator;
  /** fetch relative to the service root, with the bearer token and OData headers. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** fetch relative to the emulator's origin, with the bearer token. */
  raw(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** fetch relative to the dual-write gateway's root (its own listener, /api/DualWriteManagement/1.0/). */
  gateway(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

function request(
  base: string,
  token: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${token}`);
  headers.set("Accept", "application/json");
  headers.set("OData-MaxVersion", "4.0");
  headers.set("OData-Version", "4.0");
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(init.json);
  }
  return fetch(new URL(path, base), { ...init, headers, body });
}

/** Starts one emulator for the file, reset to its seeded state before each test. */
export function useEmulator(options: EmulatorOptions = {}): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    harness.emulator = await startEmulator(options);
    harness.api = (path, init) => request(harness.emulator.apiUrl, harness.emulator.token, path, init);
    harness.raw = (path, init) => request(harness.emulator.url, harness.emulator.token, path, init);
    harness.gateway = (path, init) =>
      request(
        `${harness.emulator.dualWriteUrl}/api/DualWriteManagement/1.0/`,
        harness.emulator.token,
        path,
        init,
      );
  });
  beforeEach(async () => {
    const res = await harness.raw("/_emulator/reset", { method: "POST" });
    if (res.status !== 204) throw new Error(`reset failed: ${res.status}`);
  });
  afterAll(async () => {
    await harness.emulator?.close();
  });
  return harness;
}

export async function body<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The id at the end of an OData-EntityId header. */
export function idFrom(res: Response): string {
  const header = res.headers.get("OData-EntityId") ?? "";
  const m = /\(([^)]+)\)$/.exec(header);
  if (!m) throw new Error(`no OData-EntityId in ${res.status} response`);
  return m[1] as string;
}
