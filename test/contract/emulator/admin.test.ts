// Authentication, request counters, fault injection and reset through /_emulator/.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";

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

/** The local addresses of the sockets listening on a TCP port, from the kernel's own tables. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const found: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      // State 0A is LISTEN; the local address is hex, IPv4 in little-endian byte order.
      if (state === "0A" && local?.endsWith(`:${hexPort}`)) found.push(local.slice(0, -5));
    }
  }
  return found;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe("network exposure", () => {
  it("listens on 127.0.0.1 only: one listening socket, on loopback, refused on every other address", async () => {
    const port = Number(new URL(h.emulator.url).port);
    // 0100007F is 127.0.0.1; a wildcard listener would show as 00000000 or an IPv6 address.
    expect(listeners(port)).toEqual(["0100007F"]);
    expect(await accepts("127.0.0.1", port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && !a.address.startsWith("fe80"))
      .map((a) => a!.address);
    // Without another address to try, the refusals below would prove nothing: say so, loudly.
    expect(others.length, "this machine has no non-loopback address to try the emulator on").toBeGreaterThan(
      0,
    );
    for (const address of others) expect(await accepts(address, port), address).toBe(false);
  });

  it("refuses a missing or wrong token on every surface, and a refused write changes nothing", async () => {
    const surfaces: Array<[string, string, unknown?]> = [
      ["GET", "/api/data/v9.2/WhoAmI"],
      ["POST", "/api/data/v9.2/accounts", { name: "intruder" }],
      ["POST", "/api/data/v9.2/$batch"],
      ["GET", "/api/DualWriteManagement/1.0/Entities"],
      ["POST", "/_emulator/reset"],
      ["PUT", "/_emulator/faults", { rules: [{ status: 503 }] }],
      ["GET", "/_emulator/counters"],
    ];
    for (const [method, path, json] of surfaces) {
      for (const auth of [undefined, "Bearer wrong", "Basic c2VjcmV0LXRva2Vu", "bearer secret-token"]) {
        const res = await fetch(`${h.emulator.url}${path}`, {
          method,
          headers: { ...(auth ? { Authorization: auth } : {}), "Content-Type": "application/json" },
          body: json === undefined ? undefined : JSON.stringify(json),
        });
        expect(res.status, `${method} ${path} with ${auth ?? "no token"}`).toBe(401);
      }
    }
    const rows = await body<{ value: unknown[] }>(
      await h.api("accounts?$select=name&$filter=name eq 'intruder'"),
    );
    expect(rows.value).toEqual([]);
    expect(await body<{ rules: unknown[] }>(await h.raw("/_emulator/faults"))).toMatchObject({ rules: [] });
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

  it("lets the first matching requests through with skip, then faults the next ones", async () => {
    await faults([{ status: 503, path: "/accounts", skip: 2, count: 1 }]);
    expect((await h.api("cdm_companies")).status).toBe(200);
    expect((await h.api("accounts")).status).toBe(200);
    expect((await h.api("accounts")).status).toBe(200);
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
      { rules: [{ status: 503, skip: -1 }] },
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

describe("the request log", () => {
  it("lists the writes in arrival order with their bodies, leaves reads out, and is emptied on request", async () => {
    expect((await h.raw("/_emulator/requests", { method: "DELETE" })).status).toBe(204);
    const created = await h.api("accounts", { method: "POST", json: { name: "First" } });
    expect(created.status).toBe(204);
    const id = /\(([^)]+)\)/.exec(created.headers.get("OData-EntityId") ?? "")?.[1];
    expect((await h.api(`accounts(${id})`)).status).toBe(200);
    expect((await h.api(`accounts(${id})`, { method: "PATCH", json: { name: "Second" } })).status).toBe(204);
    expect((await h.api(`accounts(${id})`, { method: "DELETE" })).status).toBe(204);
    const log = await body<{
      requests: Array<{ seq: number; method: string; path: string; body?: unknown }>;
    }>(await h.raw("/_emulator/requests"));
    expect(log.requests.map((r) => [r.method, r.path.replace(/\(.*\)/, "(id)"), r.body])).toEqual([
      ["POST", "/api/data/v9.2/accounts", { name: "First" }],
      ["PATCH", "/api/data/v9.2/accounts(id)", { name: "Second" }],
      ["DELETE", "/api/data/v9.2/accounts(id)", undefined],
    ]);
    expect(log.requests.map((r) => r.seq)).toEqual([...log.requests.map((r) => r.seq)].sort((a, b) => a - b));
    expect((await h.raw("/_emulator/requests", { method: "DELETE" })).status).toBe(204);
    expect(await body<{ requests: unknown[] }>(await h.raw("/_emulator/requests"))).toEqual({ requests: [] });
  });
});
