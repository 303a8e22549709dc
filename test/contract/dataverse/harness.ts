// The contract-test harness: one emulator on port 0 per test file, a client with a fake clock
// (waits are recorded, not slept, so Retry-After and backoff are asserted exactly without timing
// anything), and the emulator's admin endpoints for resets, faults and request counters.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { DataverseClient } from "../../../src/dataverse/client.js";
import type { ClientInternals } from "../../../src/dataverse/client.js";
import type { DataverseLogEvent } from "../../../src/dataverse/config.js";
import { clearTokenCache } from "../../../src/dataverse/credentials.js";
import { clearMetadataCache } from "../../../src/dataverse/metadata.js";
import type { RetryOptions } from "../../../src/dataverse/retry.js";
import { startEmulator } from "../../../src/emulator/index.js";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import type { FaultRule } from "../../../src/emulator/admin.js";

export type { FaultRule };

export interface Counters {
  total: number;
  byMethod: Record<string, number>;
  byRoute: Record<string, number>;
}

export interface Harness {
  emulator(): RunningEmulator;
  client(retry?: Partial<RetryOptions>, internals?: Partial<ClientInternals>): TestClient;
  admin(method: string, route: string, body?: unknown): Promise<Response>;
  faults(rules: FaultRule[]): Promise<void>;
  counters(): Promise<Counters>;
  resetCounters(): Promise<void>;
}

export interface TestClient {
  dv: DataverseClient;
  sleeps: number[];
  events: DataverseLogEvent[];
}

/** Registers the emulator's lifecycle hooks in the calling test file. */
export function useEmulator(): Harness {
  let emulator: RunningEmulator | undefined;
  const running = (): RunningEmulator => {
    if (!emulator) throw new Error("the emulator is not running");
    return emulator;
  };

  const admin = async (method: string, route: string, body?: unknown): Promise<Response> => {
    const em = running();
    return fetch(`${em.url}/_emulator/${route}`, {
      method,
      headers: { Authorization: `Bearer ${em.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    // Each test starts from the seeded state with no faults, zero counters and cold caches.
    expect((await admin("POST", "reset")).status).toBe(204);
    clearMetadataCache();
    clearTokenCache();
  });
  afterEach(async () => {
    // Strict: no fault rule may be left unused by the test that set it.
    const response = await admin("GET", "faults");
    const rules = (await response.json()) as { rules?: FaultRule[] } | FaultRule[];
    const left = (Array.isArray(rules) ? rules : (rules.rules ?? [])).filter(
      (r) => r.count !== undefined && r.count > 0,
    );
    expect(left, "fault rules left unused").toEqual([]);
  });

  return {
    emulator: running,
    admin,
    client(retry = {}, internals = {}) {
      const em = running();
      const sleeps: number[] = [];
      const events: DataverseLogEvent[] = [];
      let now = Date.now();
      const dv = new DataverseClient(
        {
          environmentUrl: em.url,
          auth: { kind: "static-token", token: em.token },
          dualWriteUrl: em.dualWriteUrl,
          financeAndOperationsUrl: em.financeAndOperationsUrl,
          retry: { maxAttempts: 5, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 2000, ...retry },
          logger: (event) => events.push(event),
        },
        {
          now: () => now,
          sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
          },
          ...internals,
        },
      );
      return { dv, sleeps, events };
    },
    async faults(rules) {
      expect((await admin("PUT", "faults", { seed: 7, rules })).status).toBe(204);
    },
    async counters() {
      const response = await admin("GET", "counters");
      expect(response.status).toBe(200);
      return (await response.json()) as Counters;
    },
    async resetCounters() {
      expect((await admin("DELETE", "counters")).status).toBe(204);
    },
  };
}
