// When to try a request again and how long to wait. Pure functions of the attempt history, so
// that the rules are unit-tested without sockets or clocks; the client supplies now(), random()
// and sleep().

export interface RetryOptions {
  /** Most attempts per call, the first included. @default 5 */
  maxAttempts: number;
  /** No new attempt starts once this much time has passed since the first one. @default 120000 */
  maxElapsedMs: number;
  /** First backoff step when the server gives no Retry-After. @default 500 */
  baseDelayMs: number;
  /** Largest backoff step (a server's Retry-After may ask for longer, within maxElapsedMs). @default 30000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 5,
  maxElapsedMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
});

/** Statuses that say "try later": the request may be sent again unchanged. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/**
 * What the failed attempt tells us about the server's state:
 * - "not-applied": the server said it did not process the request (429 with its error body);
 * - "unknown": it may or may not have (dropped connection, gateway errors, 408, 503);
 * - "final": a definitive answer that retrying will not change.
 */
export type AttemptOutcome = "not-applied" | "unknown" | "final";

export function outcomeOfStatus(status: number): AttemptOutcome {
  if (status === 429) return "not-applied";
  return RETRYABLE_STATUSES.has(status) ? "unknown" : "final";
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3). Returns milliseconds to
 * wait, or undefined when absent or unreadable (then backoff applies).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date always names its day or month; anything else (e.g. "-3") is not one.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** "Full jitter" exponential backoff: uniform in [0, min(maxDelay, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: "not-retryable" | "not-idempotent" | "max-attempts" | "max-elapsed" };

export interface RetryContext {
  /** Attempts made so far, the failed one included (1 after the first failure). */
  attempt: number;
  startedAtMs: number;
  nowMs: number;
  /** The failure: a status, or undefined for a connection that dropped without a response. */
  status: number | undefined;
  retryAfterMs: number | undefined;
  /** Whether sending the request again unchanged can never apply it twice. */
  idempotent: boolean;
  options: RetryOptions;
  random: () => number;
}

export function decideRetry(ctx: RetryContext): RetryDecision {
  const outcome: AttemptOutcome = ctx.status === undefined ? "unknown" : outcomeOfStatus(ctx.status);
  if (outcome === "final") return { retry: false, reason: "not-retryable" };
  // A request that is not idempotent is sent again only when the server told us it was not
  // applied; after an unknown outcome a replay could create a second row.
  if (!ctx.idempotent && outcome !== "not-applied") return { retry: false, reason: "not-idempotent" };
  if (ctx.attempt >= ctx.options.maxAttempts) return { retry: false, reason: "max-attempts" };
  const delayMs = ctx.retryAfterMs ?? backoffDelay(ctx.attempt, ctx.options, ctx.random);
  const elapsedAfterWait = ctx.nowMs - ctx.startedAtMs + delayMs;
  // Waiting past the budget only to fail later helps nobody: stop now with the real error.
  if (elapsedAfterWait > ctx.options.maxElapsedMs) return { retry: false, reason: "max-elapsed" };
  return { retry: true, delayMs };
}

export function resolveRetryOptions(partial: Partial<RetryOptions> | undefined): RetryOptions {
  const merged = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(partial ?? {}) };
  if (!Number.isInteger(merged.maxAttempts) || merged.maxAttempts < 1) {
    throw new RangeError(`retry maxAttempts must be an integer of at least 1, got ${merged.maxAttempts}`);
  }
  for (const key of ["maxElapsedMs", "baseDelayMs", "maxDelayMs"] as const) {
    if (!Number.isFinite(merged[key]) || merged[key] < 0) {
      throw new RangeError(`retry ${key} must be a non-negative number, got ${merged[key]}`);
    }
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
