// Pacing: the client keeps the requests it sends to Dataverse under a budget per sliding window,
// waiting before a send rather than waiting for Dataverse's 429s. Dataverse limits each user to
// 6,000 requests per web server in a 300 s sliding window, answers 429 with Retry-After past it,
// error code 0x80072322 [PA/api-limits.md], and says that a client which keeps sending past the
// limit gets longer Retry-After durations [PA/api-limits.md, "The Retry-After duration"]: a client
// that leans on the 429s is paused for longer than one that never meets them. Why a budget per
// process and why 5,000: docs/adr/0013-request-pacing.md.
//
// The window arithmetic is pure (a clock is passed in), as retry.ts's rules are; the pacer adds
// the queue of callers and the waiting, with now() and sleep() supplied by the client, so the
// tests drive it with a fake clock.
import { performance } from "node:perf_hooks";

/** Dataverse's number-of-requests limit per user and web server [PA/api-limits.md]. */
export const DATAVERSE_REQUEST_LIMIT = 6000;
/** The sliding window it is evaluated in: 5 minutes [PA/api-limits.md]. */
export const DATAVERSE_WINDOW_MS = 300_000;

/**
 * The default budget: five sixths of Dataverse's limit. The 1,000 left over are for what this
 * process does not see but Dataverse counts against the same user: the Pulumi program's own
 * process (its checks of the environment, about 50 to 130 requests per run), another tool or
 * pipeline signed in as the same identity (a drift check, `iom doctor`, a person in the maker
 * portal with the same account), and requests that arrive closer together than they were sent
 * (a window of send times is not quite a window of arrival times). Microsoft also says the
 * limits "are subject to change and may vary between different environments" [PA/api-limits.md]:
 * iom:requestBudget sets another.
 */
export const DEFAULT_REQUEST_BUDGET = 5000;

export interface PacingOptions {
  /** Most requests sent in any window. @default DEFAULT_REQUEST_BUDGET */
  budget: number;
  /** The window's length. @default DATAVERSE_WINDOW_MS */
  windowMs: number;
}

export const DEFAULT_PACING_OPTIONS: Readonly<PacingOptions> = Object.freeze({
  budget: DEFAULT_REQUEST_BUDGET,
  windowMs: DATAVERSE_WINDOW_MS,
});

export function resolvePacingOptions(partial: Partial<PacingOptions> | undefined): PacingOptions {
  const merged: PacingOptions = {
    budget: partial?.budget ?? DEFAULT_PACING_OPTIONS.budget,
    windowMs: partial?.windowMs ?? DEFAULT_PACING_OPTIONS.windowMs,
  };
  if (!Number.isInteger(merged.budget) || merged.budget < 1)
    throw new RangeError(`the request budget must be an integer of at least 1, got ${merged.budget}`);
  if (!Number.isFinite(merged.windowMs) || merged.windowMs <= 0)
    throw new RangeError(
      `the pacing window must be a positive number of milliseconds, got ${merged.windowMs}`,
    );
  return merged;
}

/**
 * The send times of the last window, oldest first. A send at time s counts in every window
 * (t - windowMs, t] that holds it; the budget holds for all of them at once when, before each
 * send, fewer than `budget` sends are younger than windowMs.
 */
export class SlidingWindow {
  readonly #options: PacingOptions;
  /** Send times, ascending, from #head on; the part before #head has left the window. */
  #sent: number[] = [];
  #head = 0;

  constructor(options: PacingOptions) {
    this.#options = options;
  }

  /** Sends still in the window at `nowMs`. */
  inWindow(nowMs: number): number {
    this.#drop(nowMs);
    return this.#sent.length - this.#head;
  }

  /**
   * How long a send must wait at `nowMs`: 0 when the window has room, else the time until the
   * oldest send in it leaves (the window is full, so that frees exactly one place).
   */
  waitMs(nowMs: number): number {
    if (this.inWindow(nowMs) < this.#options.budget) return 0;
    return (this.#sent[this.#head] as number) + this.#options.windowMs - nowMs;
  }

  /** Counts a send at `nowMs`; the caller has checked waitMs() is 0 at the same time. */
  record(nowMs: number): void {
    // A clock that went backwards must not put a send before older ones: the oldest-first order
    // is what waitMs() relies on.
    const last = this.#sent[this.#sent.length - 1];
    this.#sent.push(last !== undefined && last > nowMs ? last : nowMs);
  }

  #drop(nowMs: number): void {
    while (
      this.#head < this.#sent.length &&
      (this.#sent[this.#head] as number) <= nowMs - this.#options.windowMs
    )
      this.#head++;
    // Compact now and then rather than shifting on every send.
    if (this.#head > 1024 && this.#head * 2 > this.#sent.length) {
      this.#sent = this.#sent.slice(this.#head);
      this.#head = 0;
    }
  }
}

export interface PacerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Callers take their turn in the order they asked (a request that has waited is never overtaken
 * by one that came later), so that under concurrent callers the wait is shared fairly and the
 * budget is checked and spent by one caller at a time.
 */
export class RequestPacer {
  readonly options: PacingOptions;
  readonly #window: SlidingWindow;
  readonly #clock: PacerClock;
  /** The turn of the last caller to ask; the next one goes after it. */
  #tail: Promise<unknown> = Promise.resolve();
  /** When the last notice of a wait was given (noticeDue). */
  #lastNotice = Number.NEGATIVE_INFINITY;

  constructor(options: PacingOptions, clock: PacerClock) {
    this.options = options;
    this.#window = new SlidingWindow(options);
    this.#clock = clock;
  }

  /** Sends counted in the window now (for tests and reports). */
  inWindow(): number {
    return this.#window.inWindow(this.#clock.now());
  }

  /**
   * Whether a wait should be told to a user who has not asked for the debug log: at most once per
   * `everyMs` for all the clients sharing this pacer, so that a long paced run says why it is
   * slow without a line per request.
   */
  noticeDue(everyMs: number): boolean {
    const now = this.#clock.now();
    if (now - this.#lastNotice < everyMs) return false;
    this.#lastNotice = now;
    return true;
  }

  /**
   * Resolves, with the milliseconds waited, once a request may be sent; it is then counted as
   * sent. `onWait` is told each wait before it starts, so that the log shows why a call is slow
   * while it is slow. Rejects with the signal's reason if it aborts first (nothing is counted).
   */
  acquire(signal?: AbortSignal, onWait?: (delayMs: number, inWindow: number) => void): Promise<number> {
    const turn = this.#tail.then(async () => {
      let waited = 0;
      for (;;) {
        signal?.throwIfAborted();
        const now = this.#clock.now();
        const wait = this.#window.waitMs(now);
        if (wait <= 0) {
          this.#window.record(now);
          return waited;
        }
        onWait?.(wait, this.#window.inWindow(now));
        await this.#clock.sleep(wait, signal);
        waited += wait;
      }
    });
    // The next caller's turn comes after this one's, however this one ends.
    this.#tail = turn.catch(() => undefined);
    if (!signal) return turn;
    // A caller still queued behind others stops waiting as soon as its signal aborts; its turn,
    // when it comes, then counts nothing (throwIfAborted above).
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      turn.then(
        (waited) => {
          signal.removeEventListener("abort", onAbort);
          resolve(waited);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }
}

const processPacers = new Map<string, RequestPacer>();

/**
 * The pacer this process shares for one environment: every client of the process for the same
 * environment and the same pacing options spends one budget (the program and the provider plugin
 * build several clients). It runs on the monotonic clock, so that a change of the system time
 * neither frees nor blocks the budget.
 */
export function processPacer(environmentUrl: string, options: PacingOptions): RequestPacer {
  const key = `${environmentUrl} ${options.budget}/${options.windowMs}`;
  let pacer = processPacers.get(key);
  if (!pacer) {
    pacer = new RequestPacer(options, { now: () => performance.now(), sleep: monotonicSleep });
    processPacers.set(key, pacer);
  }
  return pacer;
}

/** Forgets the process's pacers (tests that need a fresh budget). */
export function clearProcessPacers(): void {
  processPacers.clear();
}

function monotonicSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
