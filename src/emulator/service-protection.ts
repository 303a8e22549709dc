// Service protection, when asked for: the number-of-requests limit Dataverse enforces per user in
// a sliding window, 6,000 requests in 300 s by default, answered past it with 429, a Retry-After
// in seconds and error 0x80072322, "Number of requests exceeded the limit of 6000 over time window
// of 300 seconds." [PA/api-limits.md]. Off unless an option, `--service-protection` or
// PUT /_emulator/service-protection turns it on: the emulator's other users (tests, the demo) send
// requests as fast as they can and must not be slowed down by it.
//
// What it does not model: the execution-time and concurrency limits, a limit per web server (the
// emulator is one server), and Dataverse lengthening Retry-After for a client that keeps sending
// while throttled [PA/api-limits.md, "The Retry-After duration"]. A request answered 429 is not
// counted: Dataverse does not say whether it is, and counting it would only lengthen the wait.
import { ApiError, ErrorCode } from "./errors.js";

export interface ServiceProtectionLimit {
  /** Requests a user may make in any window. */
  requests: number;
  /** The window's length in seconds (Dataverse: 300). */
  windowSeconds: number;
}

/** Dataverse's defaults per web server [PA/api-limits.md]. */
export const DATAVERSE_LIMIT: Readonly<ServiceProtectionLimit> = Object.freeze({
  requests: 6000,
  windowSeconds: 300,
});

export type Admission = { admitted: true; remaining: number } | { admitted: false; error: ApiError };

function invalid(message: string): ApiError {
  return new ApiError(400, ErrorCode.payload, `Invalid service protection limit: ${message}`);
}

/** Checks a limit from an admin request or an option; throws a 400 ApiError naming the field. */
export function checkLimit(value: unknown): ServiceProtectionLimit {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid('the body must be {"requests": number, "windowSeconds": number}');
  for (const key of Object.keys(value))
    if (key !== "requests" && key !== "windowSeconds")
      throw invalid(`${key} is not a known field (requests, windowSeconds)`);
  const { requests, windowSeconds } = value as Record<string, unknown>;
  if (typeof requests !== "number" || !Number.isInteger(requests) || requests < 1)
    throw invalid("requests must be an integer of at least 1");
  if (typeof windowSeconds !== "number" || !Number.isFinite(windowSeconds) || windowSeconds <= 0)
    throw invalid("windowSeconds must be a positive number");
  return { requests, windowSeconds };
}

export class ServiceProtection {
  #limit: ServiceProtectionLimit | undefined;
  /** Arrival times of the requests admitted, per user, oldest first. */
  #arrivals = new Map<string, number[]>();
  #throttled = 0;

  /**
   * @param initial the limit set at start, which a reset returns to
   * @param now milliseconds on a clock that never goes back; tests pass their own
   */
  constructor(
    private readonly initial: ServiceProtectionLimit | undefined,
    private readonly now: () => number,
  ) {
    this.#limit = initial;
  }

  set(body: unknown): void {
    this.#limit = checkLimit(body);
    this.#arrivals.clear();
    this.#throttled = 0;
  }

  clear(): void {
    this.#limit = undefined;
    this.#arrivals.clear();
    this.#throttled = 0;
  }

  /** Back to the limit set at start, nothing counted. */
  reset(): void {
    this.#limit = this.initial;
    this.#arrivals.clear();
    this.#throttled = 0;
  }

  /** Counts a request of `user` arriving now, or refuses it with Dataverse's 429. */
  admit(user: string): Admission {
    const limit = this.#limit;
    if (!limit) return { admitted: true, remaining: Number.POSITIVE_INFINITY };
    const now = this.now();
    const windowMs = limit.windowSeconds * 1000;
    const arrivals = this.#arrivals.get(user) ?? [];
    this.#arrivals.set(user, arrivals);
    let gone = 0;
    while (gone < arrivals.length && (arrivals[gone] as number) <= now - windowMs) gone++;
    if (gone > 0) arrivals.splice(0, gone);
    if (arrivals.length < limit.requests) {
      arrivals.push(now);
      return { admitted: true, remaining: limit.requests - arrivals.length };
    }
    this.#throttled++;
    // Until the oldest counted request leaves the window, in whole seconds as Dataverse sends it.
    const waitMs = (arrivals[0] as number) + windowMs - now;
    const error = new ApiError(
      429,
      ErrorCode.throttled,
      `Number of requests exceeded the limit of ${limit.requests} over time window of ${limit.windowSeconds} seconds.`,
      { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) },
    );
    return { admitted: false, error };
  }

  toJSON(): { limit: ServiceProtectionLimit | null; throttled: number; inWindow: Record<string, number> } {
    const inWindow: Record<string, number> = {};
    const now = this.now();
    const windowMs = (this.#limit?.windowSeconds ?? 0) * 1000;
    for (const [user, arrivals] of this.#arrivals)
      inWindow[user] = arrivals.filter((t) => t > now - windowMs).length;
    return { limit: this.#limit ?? null, throttled: this.#throttled, inWindow };
  }
}
