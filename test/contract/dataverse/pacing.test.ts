// The client against the emulator enforcing service protection, both on one fake clock that moves
// only when the client waits: a client paced at the limit sends request after request and never
// meets a 429; the same client without a budget of that size is throttled and has to be told to
// wait by the server. Real sockets, no real waiting.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DataverseClient } from "../../../src/dataverse/client.js";
import type { DataverseLogEvent } from "../../../src/dataverse/config.js";
import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";

const LIMIT = { requests: 5, windowSeconds: 60 };
let now = 0;
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, serviceProtection: LIMIT, now: () => now });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  now = 1_000_000;
  const res = await fetch(`${emulator.url}/_emulator/reset`, {
    method: "POST",
    headers: { Authorization: `Bearer ${emulator.token}` },
  });
  expect(res.status).toBe(204);
});

async function throttled(): Promise<number> {
  const res = await fetch(`${emulator.url}/_emulator/service-protection`, {
    headers: { Authorization: `Bearer ${emulator.token}` },
  });
  return ((await res.json()) as { throttled: number }).throttled;
}

function client(budget: number) {
  const sentAt: number[] = [];
  const events: DataverseLogEvent[] = [];
  const inFlight = new Set<Promise<Response>>();
  const dv = new DataverseClient(
    {
      environmentUrl: emulator.url,
      auth: { kind: "static-token", token: emulator.token },
      pacing: { budget, windowMs: LIMIT.windowSeconds * 1000 },
      retry: { maxAttempts: 10, maxElapsedMs: 600_000 },
      logger: (e) => events.push(e),
    },
    {
      fetch: async (input, init) => {
        sentAt.push(now);
        const answer = fetch(input, init);
        inFlight.add(answer);
        try {
          return await answer;
        } finally {
          inFlight.delete(answer);
        }
      },
      now: () => now,
      // Waiting moves the clock the emulator counts on too, once the requests already sent have
      // arrived: the time a request takes to reach the server is far shorter than the waits.
      sleep: async (ms) => {
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        now += ms;
      },
    },
  );
  return { dv, sentAt, events };
}

describe("a client paced at the emulator's limit", () => {
  it("sends 12 requests, 5 per window, and never meets a 429", async () => {
    const { dv, sentAt, events } = client(LIMIT.requests);
    await Promise.all(Array.from({ length: 12 }, () => dv.whoAmI()));
    expect(await throttled()).toBe(0);
    expect(events.filter((e) => e.kind === "retry")).toEqual([]);
    expect(events.filter((e) => e.kind === "pace").length).toBeGreaterThan(0);
    const start = 1_000_000;
    expect(sentAt.map((t) => t - start)).toEqual([
      ...Array<number>(5).fill(0),
      ...Array<number>(5).fill(60_000),
      ...Array<number>(2).fill(120_000),
    ]);
  });

  it("is throttled by the server when its budget is above the limit (what pacing spares it)", async () => {
    const { dv, events } = client(1000);
    await Promise.all(Array.from({ length: 12 }, () => dv.whoAmI()));
    expect(await throttled()).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === "retry").length).toBeGreaterThan(0);
  });
});
