// Authentication, request counters, fault injection and reset through /_emulator/.
import { describe, expect, it } from "vitest";

import { body, useEmulator } from "./harness.js";

const h = useEmulator({ token: "secret-token" });
type Counters = { total: number; byMethod: Record<string, number>; byRoute: Record<string, number> };

async function counters(): Promise<Counters> {
  const res = await h.raw("/_emulator/counters");
  expect(res.status).toBe(200);
  return body<Counters>(res);
}

async function faults(rules: unknown[], seed?: number): Promise<void> {
  const res = await h.raw("/_emulator/faults", {
    method: "PUT",
    json: seed === undefined ? { rules } : { seed, rules },
  });
  expect(res.status, await res.clone().text()).toBe(204);
}

describe("authentication", () => {
  it("answers 401 with a Dataverse error body without the right bearer token", async () => {
    for (const auth of [undefined, "Bearer wrong", "secret-token", "Bearer secret-token2"]) {
      const res = await fetch(`${h.emulator.apiUrl}accounts`, {
        headers: auth ? { Authorization: auth } : {},
      });
      expect(res.status).toBe(401);
      const json = await body<{ error: { code: string; message: string } }>(res);
      expect(json.error.code).toMatch(/^0x[0-9a-f]+$/);
      expect(json.error.message).not.toContain("secret-token");
    }
    expect((await fetch(`${h.emulator.url}/_emulator/counters`)).status).toBe(401);
    expect((await h.api("accounts")).status).toBe(200);
  });
});

describe("counters", () => {
  it("count API requests by method and normalised route, not admin calls, and reset", async () => {
    const id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    await h.api("accounts?$select=name");
    await h.api("accounts");
    await h.api(`accounts(${id})`);
    await h.api("accounts", { method: "POST", json: { name: "n" } });
    await fetch(`${h.emulator.apiUrl}accounts`); // unauthorised: still counted
    const got = await counters();
    expect(got).toEqual({
      total: 5,
      byMethod: { GET: 4, POST: 1 },
      byRoute: {
        "GET /api/data/v9.2/accounts": 3,
        "GET /api/data/v9.2/accounts(id)": 1,
        "POST /api/data/v9.2/accounts": 1,
      },
    });
    expect((await h.raw("/_emulator/counters", { method: "DELETE" })).status).toBe(204);
    expect(await counters()).toEqual({ total: 0, byMethod: {}, byRoute: {} });
  });
});

describe("faults", () => {
  it("answers the next N matching requests with 429 and Retry-After, then recovers; faulted requests count", async () => {
    await faults([{ status: 429, retryAfter: 7, count: 2, method: "GET", path: "/accounts" }]);
    expect((await h.api("cdm_companies")).status).toBe(200);
    expect((await h.api("accounts", { method: "POST", json: { name: "x" } })).status).toBe(204);
    for (let i = 0; i < 2; i++) {
      const res = await h.api("accounts");
      expect(res.status).toBe(429);
      expect(res.headers.get("Retry-After")).toBe("7");
      expect((await body<{ error: { code: string } }>(res)).error.code).toBe("0x80072322");
    }
    expect((await h.api("accounts")).status).toBe(200);
    expect((await counters()).byRoute["GET /api/data/v9.2/accounts"]).toBe(3);
    expect(await body(await h.raw("/_emulator/faults"))).toEqual({ seed: 1, rules: [] });
  });

  it("answers 503", async () => {
    await faults([{ status: 503, count: 1 }]);
    expect((await h.api("accounts")).status).toBe(503);
    expect((await h.api("accounts")).status).toBe(200);
  });

  it("faults a fraction of requests, the same ones again under the same seed", async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      await faults([{ status: 429, probability: 0.3, retryAfter: 1 }], seed);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await h.api("WhoAmI")).status);
      return statuses;
    };
    const first = await pattern(42);
    const second = await pattern(42);
    expect(second).toEqual(first);
    const throttled = first.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(3);
    expect(throttled).toBeLessThan(25);
    expect(await pattern(7)).not.toEqual(first);
  });

  it("adds latency: a delayed request answers after a later one", async () => {
    await faults([{ latencyMs: 400, path: "/cdm_companies" }]);
    const order: string[] = [];
    const slow = h.api("cdm_companies").then((r) => order.push(`slow ${r.status}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fast = h.api("accounts").then((r) => order.push(`fast ${r.status}`));
    await Promise.all([slow, fast]);
    expect(order).toEqual(["fast 200", "slow 200"]);
  });

  it("drops the connection without an answer", async () => {
    await faults([{ drop: true, count: 1 }]);
    await expect(h.api("accounts")).rejects.toThrow();
    expect((await h.api("accounts")).status).toBe(200);
  });

  it("refuses invalid rules, and clears them with DELETE", async () => {
    for (const bad of [
      { rules: [{ status: 200 }] },
      { rules: [{ probability: 2, status: 429 }] },
      { rules: [{ colour: 1 }] },
      { rules: [{}] },
      {},
    ]) {
      const res = await h.raw("/_emulator/faults", { method: "PUT", json: bad });
      expect(res.status).toBe(400);
    }
    await faults([{ status: 503 }]);
    expect((await h.raw("/_emulator/faults", { method: "DELETE" })).status).toBe(204);
    expect((await h.api("accounts")).status).toBe(200);
  });
});

describe("reset", () => {
  it("returns to the seeded state and clears faults and counters", async () => {
    await h.api("accounts", { method: "POST", json: { name: "temporary" } });
    await faults([{ status: 503, path: "/cdm_companies" }]);
    expect((await h.raw("/_emulator/reset", { method: "POST" })).status).toBe(204);
    expect(await counters()).toEqual({ total: 0, byMethod: {}, byRoute: {} });
    expect((await h.api("cdm_companies")).status).toBe(200);
    const accounts = await body<{ value: Array<{ name: string }> }>(await h.api("accounts?$select=name"));
    expect(accounts.value.map((a) => a.name)).not.toContain("temporary");
    expect(accounts.value).toHaveLength(4);
    expect((await h.raw("/_emulator/nothing")).status).toBe(404);
  });
});
