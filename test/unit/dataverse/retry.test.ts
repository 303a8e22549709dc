import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_OPTIONS,
  backoffDelay,
  decideRetry,
  parseRetryAfter,
  resolveRetryOptions,
} from "../../../src/dataverse/retry.js";
import type { RetryContext } from "../../../src/dataverse/retry.js";

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

describe("parseRetryAfter", () => {
  it.each([
    ["3", 3000],
    ["0", 0],
    [" 12 ", 12_000],
    ["1.5", 1500],
    [new Date(NOW + 7000).toUTCString(), 7000],
    [new Date(NOW - 7000).toUTCString(), 0],
  ])("reads %j as %d ms", (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  it.each([null, undefined, "", "soon", "-3"])("ignores %j", (header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  const options = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 100, maxDelayMs: 1000 };

  it("doubles the ceiling per attempt and caps it at maxDelayMs", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it("spreads delays with jitter between zero and the ceiling", () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
  });
});

describe("decideRetry", () => {
  const base: RetryContext = {
    attempt: 1,
    startedAtMs: NOW,
    nowMs: NOW,
    status: 503,
    retryAfterMs: undefined,
    idempotent: true,
    options: { maxAttempts: 4, maxElapsedMs: 10_000, baseDelayMs: 100, maxDelayMs: 1000 },
    random: () => 0.5,
  };

  it.each([
    [{ status: 429 }, { retry: true, delayMs: 50 }],
    [{ status: 408 }, { retry: true, delayMs: 50 }],
    [{ status: 502 }, { retry: true, delayMs: 50 }],
    [{ status: 503 }, { retry: true, delayMs: 50 }],
    [{ status: 504 }, { retry: true, delayMs: 50 }],
    [{ status: undefined }, { retry: true, delayMs: 50 }],
    [{ status: 400 }, { retry: false, reason: "not-retryable" }],
    [{ status: 404 }, { retry: false, reason: "not-retryable" }],
    [{ status: 412 }, { retry: false, reason: "not-retryable" }],
    [{ status: 500 }, { retry: false, reason: "not-retryable" }],
    [
      { status: 429, retryAfterMs: 2000 },
      { retry: true, delayMs: 2000 },
    ],
    [
      { status: 503, retryAfterMs: 0 },
      { retry: true, delayMs: 0 },
    ],
  ] as const)("%j -> %j", (change, expected) => {
    expect(decideRetry({ ...base, ...change })).toEqual(expected);
  });

  it("retries a request that is not idempotent only when the server says it was not applied (429)", () => {
    expect(decideRetry({ ...base, idempotent: false, status: 429 })).toEqual({ retry: true, delayMs: 50 });
    for (const status of [undefined, 408, 502, 503, 504]) {
      expect(decideRetry({ ...base, idempotent: false, status })).toEqual({
        retry: false,
        reason: "not-idempotent",
      });
    }
  });

  it("stops at maxAttempts", () => {
    expect(decideRetry({ ...base, attempt: 3 }).retry).toBe(true);
    expect(decideRetry({ ...base, attempt: 4 })).toEqual({ retry: false, reason: "max-attempts" });
  });

  it("stops when the wait would pass maxElapsedMs, even if the server asked for it", () => {
    expect(decideRetry({ ...base, nowMs: NOW + 9000, retryAfterMs: 1000 })).toEqual({
      retry: true,
      delayMs: 1000,
    });
    expect(decideRetry({ ...base, nowMs: NOW + 9000, retryAfterMs: 1001 })).toEqual({
      retry: false,
      reason: "max-elapsed",
    });
    expect(decideRetry({ ...base, retryAfterMs: 60_000 })).toEqual({ retry: false, reason: "max-elapsed" });
  });
});

describe("resolveRetryOptions", () => {
  it("fills defaults and refuses nonsense", () => {
    expect(resolveRetryOptions({ maxAttempts: 2, maxDelayMs: undefined })).toEqual({
      ...DEFAULT_RETRY_OPTIONS,
      maxAttempts: 2,
    });
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ baseDelayMs: -1 })).toThrow(RangeError);
  });
});
