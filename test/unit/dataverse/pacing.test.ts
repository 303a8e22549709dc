// The pacer on a fake clock: how many requests it lets through, how long the next one waits, that
// no window ever holds more than the budget whatever the callers do at once, and that the client
// really waits on it (the last describe fails if the client's call to the pacer is removed).
import { afterEach, describe, expect, it } from "vitest";

import { DataverseClient } from "../../../src/dataverse/client.js";
import type { DataverseLogEvent } from "../../../src/dataverse/config.js";
import { dataverseConfigFromEnv } from "../../../src/dataverse/config.js";
import { ConfigError } from "../../../src/dataverse/errors.js";
import {
  DATAVERSE_REQUEST_LIMIT,
  DEFAULT_PACING_OPTIONS,
  RequestPacer,
  SlidingWindow,
  resolvePacingOptions,
  type PacerClock,
} from "../../../src/dataverse/pacing.js";
import { dvError, scriptedFetch, whoAmIBody } from "./scripted-fetch.js";

/** A clock whose timers fire only when the test advances it, in time order. */
class FakeClock implements PacerClock {
  time = 0;
  readonly #timers: Array<{ at: number; resolve: () => void; reject: (e: unknown) => void }> = [];

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = { at: this.time + ms, resolve, reject };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.#timers.splice(this.#timers.indexOf(timer), 1);
        reject(signal.reason);
      });
    });

  /** Moves time forward by `ms`, firing due timers one by one with their callers run in between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.time = next.at;
      next.resolve();
    }
    this.time = end;
    await settle();
  }

  get pending(): number {
    return this.#timers.length;
  }
}

/** Lets every promise callback that is ready run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Most sends in any window (t - windowMs, t]: checked at every send, where the count peaks. */
function peak(sends: readonly number[], windowMs: number): number {
  return Math.max(0, ...sends.map((t) => sends.filter((s) => s > t - windowMs && s <= t).length));
}

describe("SlidingWindow", () => {
  it("lets the budget through, then waits exactly until the oldest send leaves the window", () => {
    const window = new SlidingWindow({ budget: 3, windowMs: 1000 });
    for (const t of [0, 100, 200]) {
      expect(window.waitMs(t)).toBe(0);
      window.record(t);
    }
    expect(window.waitMs(250)).toBe(750);
    // At 1000 the send of 0 is a full window old: it has left, one place is free.
    expect(window.waitMs(999)).toBe(1);
    expect(window.waitMs(1000)).toBe(0);
    window.record(1000);
    expect(window.waitMs(1000)).toBe(100);
    expect(window.inWindow(1000)).toBe(3);
    expect(window.inWindow(2200)).toBe(0);
  });

  it("keeps sends in order when the clock goes backwards", () => {
    const window = new SlidingWindow({ budget: 2, windowMs: 1000 });
    window.record(500);
    window.record(400);
    // Both count as sent at 500: the wait is from the later time, never shorter.
    expect(window.waitMs(600)).toBe(900);
  });
});

describe("resolvePacingOptions", () => {
  it("defaults to 5,000 requests per 300 s, below Dataverse's 6,000", () => {
    expect(resolvePacingOptions(undefined)).toEqual({ budget: 5000, windowMs: 300_000 });
    expect(DEFAULT_PACING_OPTIONS.budget).toBeLessThan(DATAVERSE_REQUEST_LIMIT);
  });

  it("refuses a budget that is not a positive whole number and a window that is not positive", () => {
    for (const budget of [0, -1, 1.5, Number.NaN])
      expect(() => resolvePacingOptions({ budget })).toThrow(RangeError);
    for (const windowMs of [0, -5, Number.POSITIVE_INFINITY])
      expect(() => resolvePacingOptions({ windowMs })).toThrow(RangeError);
  });
});

describe("RequestPacer", () => {
  it("lets N through at once and holds the N+1th until the oldest leaves the window", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ budget: 3, windowMs: 1000 }, clock);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) waits.push(await pacer.acquire());
    expect(waits).toEqual([0, 0, 0]);

    let fourth: number | undefined;
    const told: number[] = [];
    void pacer.acquire(undefined, (ms) => told.push(ms)).then((w) => (fourth = w));
    await clock.advance(999);
    expect(fourth).toBeUndefined();
    expect(told).toEqual([1000]);
    await clock.advance(1);
    expect(fourth).toBe(1000);
    // The three sent at 0 have left the window at 1000; the fourth is the one left in it.
    expect(pacer.inWindow()).toBe(1);
  });

  it("never lets more than the budget into any window under concurrent callers, in their order", async () => {
    const clock = new FakeClock();
    const windowMs = 1000;
    const pacer = new RequestPacer({ budget: 5, windowMs }, clock);
    const sends: number[] = [];
    const order: number[] = [];
    const calls: Array<Promise<unknown>> = [];
    // Bursts of callers at once, and more arriving while earlier ones wait.
    const start = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const id = order.length + calls.length;
        calls.push(
          pacer.acquire().then(() => {
            sends.push(clock.now());
            order.push(id);
          }),
        );
      }
    };
    start(12);
    await clock.advance(300);
    start(6);
    await clock.advance(450);
    start(9);
    await clock.advance(10_000);
    await Promise.all(calls);

    expect(sends).toHaveLength(27);
    expect(peak(sends, windowMs)).toBe(5);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Not slower than it must be: 27 sends at 5 per window need five full windows after the first.
    expect(sends.at(-1)).toBe(5000);
    expect(clock.pending).toBe(0);
  });

  it("counts nothing for a caller whose signal aborts while it waits", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ budget: 1, windowMs: 1000 }, clock);
    await pacer.acquire();
    const controller = new AbortController();
    const aborted = pacer.acquire(controller.signal);
    const after = pacer.acquire();
    controller.abort(new Error("cancelled"));
    await expect(aborted).rejects.toThrow("cancelled");
    await clock.advance(1000);
    // The caller behind it got the place the aborted one would have taken, at 1000, not 2000.
    await expect(after).resolves.toBe(1000);
    expect(pacer.inWindow()).toBe(1);
  });
});

const ENV = "https://contoso.crm.dynamics.com";
let script: ReturnType<typeof scriptedFetch> | undefined;
afterEach(() => script?.verify());

/** A client on a fake clock that jumps when the client sleeps, with a small budget. */
function pacedClient(steps: Parameters<typeof scriptedFetch>[0], budget: number, windowMs = 10_000) {
  script = scriptedFetch(steps);
  let now = 50_000;
  const sentAt: number[] = [];
  const events: DataverseLogEvent[] = [];
  const fetch = script.fetch;
  const dv = new DataverseClient(
    {
      environmentUrl: ENV,
      auth: { kind: "static-token", token: "unit-token" },
      dualWriteUrl: "https://projectmanagementservice.example.gateway.prod.island.powerapps.com",
      retry: { maxAttempts: 3, maxElapsedMs: 5_000, baseDelayMs: 100, maxDelayMs: 1000 },
      pacing: { budget, windowMs },
      logger: (e) => events.push(e),
    },
    {
      fetch: (input, init) => {
        sentAt.push(now);
        return fetch(input, init);
      },
      now: () => now,
      random: () => 0.5,
      sleep: async (ms) => {
        now += ms;
      },
    },
  );
  return { dv, sentAt, events };
}

const whoAmI = { method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } };

describe("the client waits on its pacer", () => {
  it("sends the budget at once, then holds the next request for the rest of the window and logs why", async () => {
    const { dv, sentAt, events } = pacedClient([whoAmI, whoAmI, whoAmI], 2);
    await dv.whoAmI();
    await dv.whoAmI();
    await dv.whoAmI();
    // Without pacing all three would go at 50,000.
    expect(sentAt).toEqual([50_000, 50_000, 60_000]);
    const paced = events.filter((e) => e.kind === "pace");
    expect(paced).toEqual([
      {
        kind: "pace",
        method: "GET",
        path: "WhoAmI",
        delayMs: 10_000,
        attempt: 1,
        inWindow: 2,
        budget: 2,
        windowMs: 10_000,
        requestId: expect.any(String) as string,
      },
    ]);
  });

  it("counts retries, since Dataverse counts every attempt, without spending the retry bounds on the wait", async () => {
    const throttled = {
      method: "GET",
      path: "WhoAmI",
      answer: { status: 429, body: dvError("0x80072322", "limit"), headers: { "Retry-After": "1" } },
    };
    const { dv, sentAt } = pacedClient([whoAmI, throttled, whoAmI], 2);
    await dv.whoAmI();
    // The second call's first attempt fills the budget; its retry waits out Retry-After (1 s),
    // then the 9 s left of the window. maxElapsedMs is 5 s: the pacer's wait is not counted.
    await dv.whoAmI();
    expect(sentAt).toEqual([50_000, 50_000, 60_000]);
  });

  it("does not pace the dual-write gateway's requests, which Dataverse does not count", async () => {
    const gateway = { method: "GET", path: "DualWriteManagement", answer: { status: 200, body: {} } };
    const { dv, sentAt, events } = pacedClient([whoAmI, gateway, gateway, gateway], 1);
    await dv.whoAmI();
    for (let i = 0; i < 3; i++)
      await dv.request({ service: "dual-write", method: "GET", path: "Projects", accept: [200] });
    expect(sentAt).toEqual([50_000, 50_000, 50_000, 50_000]);
    expect(events.filter((e) => e.kind === "pace")).toEqual([]);
  });

  it("writes a paced request's wait to the debug log", async () => {
    script = scriptedFetch([whoAmI, whoAmI]);
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof write;
    let now = 0;
    try {
      const dv = new DataverseClient(
        {
          environmentUrl: ENV,
          auth: { kind: "static-token", token: "t" },
          debug: true,
          pacing: { budget: 1 },
        },
        { fetch: script.fetch, now: () => now, sleep: async (ms) => void (now += ms) },
      );
      await dv.whoAmI();
      await dv.whoAmI();
    } finally {
      process.stderr.write = write;
    }
    expect(lines.filter((l) => l.includes("paced"))).toEqual([
      expect.stringMatching(
        /^dataverse GET WhoAmI attempt=1 request=\S+ paced: waits 300000ms, 1 requests sent in the last 300s \(budget 1, iom:requestBudget\)\n$/,
      ) as string,
    ]);
  });
});

describe("the notice of a wait without the debug log", () => {
  it("tells stderr once a minute, not once per paced request", async () => {
    script = scriptedFetch(Array.from({ length: 6 }, () => whoAmI));
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof write;
    let now = 0;
    try {
      const dv = new DataverseClient(
        {
          environmentUrl: ENV,
          auth: { kind: "static-token", token: "t" },
          pacing: { budget: 1, windowMs: 20_000 },
        },
        { fetch: script.fetch, now: () => now, sleep: async (ms) => void (now += ms) },
      );
      // Sent at 0, 20, 40, 60, 80 and 100 s: five waits, two of them a minute or more apart.
      for (let i = 0; i < 6; i++) await dv.whoAmI();
    } finally {
      process.stderr.write = write;
    }
    expect(now).toBe(100_000);
    expect(lines).toEqual([
      "iom: 1 Dataverse requests sent in the last 20 s, the budget (iom:requestBudget) is 1: waiting 20 s before the next one, to stay under Dataverse's service protection limit\n",
      "iom: 1 Dataverse requests sent in the last 20 s, the budget (iom:requestBudget) is 1: waiting 20 s before the next one, to stay under Dataverse's service protection limit\n",
    ]);
  });
});

describe("IOM_REQUEST_BUDGET", () => {
  const base = { IOM_DATAVERSE_URL: ENV, IOM_TOKEN: "t" };

  it("sets the budget, and leaves the default when unset", () => {
    expect(dataverseConfigFromEnv({ ...base, IOM_REQUEST_BUDGET: "2500" }).pacing).toEqual({ budget: 2500 });
    expect(dataverseConfigFromEnv(base).pacing).toBeUndefined();
  });

  it("refuses what is not a whole number of at least 1, naming the setting", () => {
    for (const value of ["0", "-3", "12.5", "lots"]) {
      const error = (() => {
        try {
          dataverseConfigFromEnv({ ...base, IOM_REQUEST_BUDGET: value });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("IOM_REQUEST_BUDGET");
    }
  });
});
