// Service protection over real sockets: past the limit the emulator answers as Dataverse does
// [PA/api-limits.md] (429, Retry-After in seconds, error 0x80072322 and its message), in a sliding
// window that a fake clock crosses without waiting; the gateway, the administration endpoints,
// refused tokens and a $batch's inner requests are not counted; off unless asked for.
import { describe, expect, it } from "vitest";

import { body, useEmulator } from "./harness.js";

type Protection = {
  limit: { requests: number; windowSeconds: number } | null;
  throttled: number;
  inWindow: Record<string, number>;
};

let now = 0;

describe("with a limit of 3 requests in 60 s", () => {
  const h = useEmulator({ serviceProtection: { requests: 3, windowSeconds: 60 }, now: () => now });

  async function state(): Promise<Protection> {
    const res = await h.raw("/_emulator/service-protection");
    expect(res.status).toBe(200);
    return body<Protection>(res);
  }

  it("lets 3 through, then answers 429 with Retry-After and Dataverse's code and message", async () => {
    now = 1_000_000;
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.api("WhoAmI");
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("x-ms-ratelimit-burst-remaining-xrm-requests"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    now += 15_000;
    const refused = await h.api("WhoAmI");
    expect(refused.status).toBe(429);
    // The oldest request leaves the window 45 s from now.
    expect(refused.headers.get("Retry-After")).toBe("45");
    expect(await body(refused)).toEqual({
      error: {
        code: "0x80072322",
        message: "Number of requests exceeded the limit of 3 over time window of 60 seconds.",
      },
    });
    expect(await state()).toMatchObject({ limit: { requests: 3, windowSeconds: 60 }, throttled: 1 });
  });

  it("slides: a place frees when the oldest request is a full window old, not before", async () => {
    now = 2_000_000;
    for (const at of [0, 20_000, 40_000]) {
      now = 2_000_000 + at;
      expect((await h.api("WhoAmI")).status).toBe(200);
    }
    now = 2_000_000 + 59_999;
    const early = await h.api("WhoAmI");
    expect(early.status).toBe(429);
    expect(early.headers.get("Retry-After")).toBe("1");
    now = 2_000_000 + 60_000;
    expect((await h.api("WhoAmI")).status).toBe(200);
    // Full again: the next place frees when the request of 20 s leaves, at 80 s.
    now = 2_000_000 + 61_000;
    const next = await h.api("WhoAmI");
    expect(next.status).toBe(429);
    expect(next.headers.get("Retry-After")).toBe("19");
  });

  it("counts a $batch as one request, and neither the gateway, the admin endpoints nor refused tokens", async () => {
    now = 3_000_000;
    const batch = [
      "--batch_1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "",
      "GET WhoAmI HTTP/1.1",
      "",
      "--batch_1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "",
      "GET WhoAmI HTTP/1.1",
      "",
      "--batch_1--",
      "",
    ].join("\r\n");
    const res = await h.api("$batch", {
      method: "POST",
      body: batch,
      headers: { "Content-Type": "multipart/mixed; boundary=batch_1" },
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await h.gateway("Environments")).status).not.toBe(429);
      await state();
      const anonymous = await fetch(`${h.emulator.apiUrl}WhoAmI`, {
        headers: { Authorization: "Bearer no" },
      });
      expect(anonymous.status).toBe(401);
    }
    const [user] = Object.values((await state()).inWindow);
    expect(user).toBe(1);
    expect((await h.api("WhoAmI")).status).toBe(200);
    expect((await h.api("WhoAmI")).status).toBe(200);
    expect((await h.api("WhoAmI")).status).toBe(429);
  });

  it("is changed, turned off and restored by its administration endpoint and a reset", async () => {
    now = 4_000_000;
    const put = (json: unknown) => h.raw("/_emulator/service-protection", { method: "PUT", json });
    expect((await put({ requests: 1, windowSeconds: 10 })).status).toBe(204);
    expect((await h.api("WhoAmI")).status).toBe(200);
    expect((await h.api("WhoAmI")).status).toBe(429);
    for (const wrong of [
      { requests: 0, windowSeconds: 10 },
      { requests: 5 },
      { requests: 5, windowSeconds: 1, x: 1 },
    ]) {
      const res = await put(wrong);
      expect(res.status).toBe(400);
      expect((await body<{ error: { message: string } }>(res)).error.message).toMatch(
        /^Invalid service protection limit: /,
      );
    }
    expect((await h.raw("/_emulator/service-protection", { method: "DELETE" })).status).toBe(204);
    for (let i = 0; i < 10; i++) expect((await h.api("WhoAmI")).status).toBe(200);
    expect((await state()).limit).toBeNull();
    // A reset returns to the limit the emulator was started with.
    expect((await h.raw("/_emulator/reset", { method: "POST" })).status).toBe(204);
    expect(await state()).toEqual({ limit: { requests: 3, windowSeconds: 60 }, throttled: 0, inWindow: {} });
  });
});

describe("without a limit", () => {
  const h = useEmulator();

  it("answers every request and sends no rate-limit header", async () => {
    for (let i = 0; i < 50; i++) {
      const res = await h.api("WhoAmI");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ms-ratelimit-burst-remaining-xrm-requests")).toBeNull();
    }
    expect(await body(await h.raw("/_emulator/service-protection"))).toEqual({
      limit: null,
      throttled: 0,
      inWindow: {},
    });
  });
});
