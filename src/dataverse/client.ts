// The one HTTP client for Dataverse. It owns the Authorization header, retries and throttling,
// pacing under Dataverse's service protection limit (pacing.ts), error mapping and the debug log; per-kind API modules only build paths and map results. Every
// call names the statuses it accepts: anything else becomes a typed error.
//
// Construction is cheap (no I/O, no identity library loaded) because Pulumi providers build a
// client inside each method; tokens and metadata are cached per process, not per client.

import { randomUUID } from "node:crypto";
import { writeBatch, readBatch, boundaryOf } from "./batch.js";
import type { BatchItem, BatchPartResponse, RawBatchResponseItem } from "./batch.js";
import { DEFAULT_DUAL_WRITE_WAIT_MS, normalizeConfig, dataverseConfigFromEnv } from "./config.js";
import type { DataverseClientConfig, DataverseLogEvent, DataverseLogger } from "./config.js";
import { dualWrite } from "../iom/dual-write-facts.js";
import { scopeFor, tokenSourceFor } from "./credentials.js";
import type { TokenSource } from "./credentials.js";
import {
  ConfigError,
  DATAVERSE_CODES,
  DataverseError,
  DuplicateError,
  NotFoundError,
  UnavailableError,
  UnexpectedResponseError,
  errorFromResponse,
  parseErrorBody,
} from "./errors.js";
import { Metadata } from "./metadata.js";
import {
  idFromEntityIdHeader,
  identifier,
  keySegment,
  qualifiedName,
  queryString,
  recordPath,
} from "./odata.js";
import type { QueryOptions, RecordKey } from "./odata.js";
import { processPacer, RequestPacer, resolvePacingOptions } from "./pacing.js";
import { redact } from "./redact.js";
import { decideRetry, parseRetryAfter, resolveRetryOptions } from "./retry.js";
import type { RetryOptions } from "./retry.js";

export const API_VERSION = "v9.2";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RequestSpec {
  method: HttpMethod;
  /** Relative to the Web API root (`accounts(…)?$select=…`), or an absolute URL under it (nextLink). */
  path: string;
  /** Which service the path is relative to: the Web API (default) or dual-write management. */
  service?: "web-api" | "dual-write";
  /** The statuses this call treats as success; every other status becomes a typed error. */
  accept: readonly number[];
  /** JSON body. */
  body?: unknown;
  /** A non-JSON body, e.g. a $batch. */
  rawBody?: { contentType: string; text: string };
  headers?: Readonly<Record<string, string>>;
  /**
   * Whether the request may be sent again unchanged after an unknown outcome (dropped
   * connection, 502/503/504/408) without ever applying twice. Default: true for GET, PUT, PATCH
   * and DELETE, false for POST. A non-idempotent request is retried only on 429, which Dataverse
   * answers before doing any work.
   */
  idempotent?: boolean;
  /**
   * After an attempt whose outcome is unknown, a later attempt may meet the effect of the earlier
   * one (a create answered "duplicate", a delete answered 404). When this returns true for such a
   * response, the call succeeds with `replayed: true` instead of failing.
   */
  earlierAttemptApplied?: (status: number, body: unknown) => boolean;
  /**
   * What an accepted answer's body must be: JSON (the default; anything else is a typed error,
   * never handed to the caller as a string) or any text (a $batch's multipart body).
   */
  responseType?: "json" | "text";
  /** Also accept a response this predicate approves (e.g. a $batch's multipart error answer). */
  acceptIf?: (status: number, headers: Headers) => boolean;
  signal?: AbortSignal;
}

export interface DataverseResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text of a non-JSON body, or undefined when there was none. */
  body: T;
  /** The x-ms-client-request-id sent with every attempt of this call. */
  requestId: string;
  attempts: number;
  /** True when success was inferred from an earlier attempt whose answer was lost. */
  replayed: boolean;
}

/** Seams for tests and embedding; production code passes none of them. */
export interface ClientInternals {
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  tokenSource?: TokenSource;
  /**
   * The pacer the client's Web API requests wait on. Default: the process's pacer for the
   * environment (shared by every client of the process), or, when `now` or `sleep` is given, one
   * of this client's own on that clock: a fake clock must not mix with the process's real one.
   */
  pacer?: RequestPacer;
}

export interface WhoAmI {
  UserId: string;
  BusinessUnitId: string;
  OrganizationId: string;
}

/** A row as the Web API returns it; `@odata.etag` is present on single-row reads. */
export type DataverseRecord = Record<string, unknown>;

export interface ReadOptions {
  select: readonly [string, ...string[]];
  expand?: QueryOptions["expand"];
  /** e.g. "OData.Community.Display.V1.FormattedValue", sent in Prefer: odata.include-annotations. */
  includeAnnotations?: string;
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Rows per page (Prefer: odata.maxpagesize). @default 5000, Dataverse's maximum */
  pageSize?: number;
  includeAnnotations?: string;
  signal?: AbortSignal;
}

export interface CreateOptions {
  /**
   * The table's primary id column (e.g. msdyn_iompolicyid). With it, the client chooses the id
   * and puts it in the body, which makes the create safe to retry: a replay after a lost answer
   * meets "duplicate" for its own id and is recognised as already done. Without it, the create is
   * retried only on 429 (see docs/adr/0005-dataverse-client-retries.md).
   */
  primaryIdAttribute?: string;
  /** The id to use; a fresh random one when omitted. */
  id?: string;
  /** Return the created row (Prefer: return=representation) with these columns. */
  select?: readonly [string, ...string[]];
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface CreateResult {
  id: string;
  record?: DataverseRecord;
  /** The create's answer was lost and the row was found to exist on a retry. */
  replayed: boolean;
}

export interface WriteOptions {
  /** Only if the row still has this ETag (If-Match); 412 becomes PreconditionFailedError. */
  etag?: string;
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface UpsertOptions {
  /** Create only: fail with DuplicateError when the row exists (If-None-Match: *). */
  createOnly?: boolean;
  /** Return the row with these columns; then `created` says which of the two happened. */
  select?: readonly [string, ...string[]];
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface UpsertResult {
  id: string | undefined;
  /** Known only when `select` was given (201 = created, 200 = updated). */
  created: boolean | undefined;
  record?: DataverseRecord;
}

export interface DeleteOptions extends WriteOptions {
  /** Treat a missing row as deleted instead of throwing NotFoundError. @default false */
  ignoreMissing?: boolean;
}

export interface BatchOptions {
  /** Prefer: odata.continue-on-error: later items run after a failure. @default false */
  continueOnError?: boolean;
  signal?: AbortSignal;
}

export interface BatchResult {
  item: BatchItem;
  /** not-run: an earlier failure stopped the batch before this item. */
  outcome: "succeeded" | "failed" | "not-run";
  responses: BatchPartResponse[];
  error?: DataverseError;
}

export class DataverseClient {
  readonly environmentUrl: string;
  /** Absolute Web API root, ending in "/". */
  readonly apiRoot: string;
  /** Absolute root of the dual-write gateway, ending in "/"; undefined when not configured. */
  readonly dualWriteRoot: string | undefined;
  /** The host name of the F&O environment the gateway knows this environment's maps by. */
  readonly financeAndOperationsHost: string | undefined;
  /** How long a gateway request is awaited (DualWriteManagementClient). */
  readonly dualWriteWaitMs: number;
  readonly metadata: Metadata;
  readonly #config: DataverseClientConfig;
  readonly #retry: RetryOptions;
  readonly #fetch: typeof globalThis.fetch;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #tokens: TokenSource;
  /** Tokens for the dual-write management endpoint: the same source unless it has its own scope. */
  readonly #dualWriteTokens: TokenSource;
  readonly #log: DataverseLogger | undefined;
  readonly #pacer: RequestPacer;

  constructor(config: DataverseClientConfig, internals: ClientInternals = {}) {
    this.#config = normalizeConfig(config);
    this.environmentUrl = this.#config.environmentUrl;
    this.apiRoot = `${this.environmentUrl}/api/data/${API_VERSION}/`;
    this.dualWriteRoot = this.#config.dualWriteUrl;
    this.financeAndOperationsHost = this.#config.financeAndOperationsUrl;
    this.dualWriteWaitMs = this.#config.dualWriteWaitMs ?? DEFAULT_DUAL_WRITE_WAIT_MS;
    this.#retry = resolveRetryOptions(this.#config.retry);
    this.#fetch = internals.fetch ?? globalThis.fetch;
    this.#sleep = internals.sleep ?? abortableSleep;
    this.#now = internals.now ?? Date.now;
    this.#random = internals.random ?? Math.random;
    const credentialOptions = this.#config.authorityHost ? { authorityHost: this.#config.authorityHost } : {};
    this.#tokens =
      internals.tokenSource ??
      tokenSourceFor(this.#config.auth, scopeFor(this.environmentUrl), credentialOptions);
    // The gateway is another resource with its own audience [C: DWA:TokenRefresh.cs].
    const dualWriteScope = this.#config.dualWriteScope ?? dualWrite.gatewayScope;
    this.#dualWriteTokens =
      internals.tokenSource ??
      (dualWriteScope === scopeFor(this.environmentUrl)
        ? this.#tokens
        : tokenSourceFor(this.#config.auth, dualWriteScope, credentialOptions));
    this.#log = this.#config.logger ?? (this.#config.debug ? stderrLogger : undefined);
    const pacing = resolvePacingOptions(this.#config.pacing);
    this.#pacer =
      internals.pacer ??
      (internals.now || internals.sleep
        ? new RequestPacer(pacing, { now: this.#now, sleep: this.#sleep })
        : processPacer(this.environmentUrl, pacing));
    this.metadata = new Metadata({
      environmentUrl: this.environmentUrl,
      getJson: async (path) => (await this.request({ method: "GET", path, accept: [200] })).body,
    });
  }

  /** A client configured from IOM_* and AZURE_* environment variables (docs/dataverse-client.md). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, internals: ClientInternals = {}): DataverseClient {
    return new DataverseClient(dataverseConfigFromEnv(env), internals);
  }

  toJSON(): Record<string, unknown> {
    return { environmentUrl: this.environmentUrl, auth: this.#config.auth.kind };
  }

  /** The low-level call: auth, retries, error mapping. Prefer the typed methods below. */
  async request<T = unknown>(spec: RequestSpec): Promise<DataverseResponse<T>> {
    const root = spec.service === "dual-write" ? this.#gatewayRoot() : this.apiRoot;
    const url = this.#resolve(spec.path, root);
    const path = this.#displayPath(url, root);
    const requestId = randomUUID();
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const startedAt = this.#now();
    /** Time spent waiting on the pacer: it does not count against the retry bounds. */
    let pacedMs = 0;
    let unknownOutcomeBefore = false;
    for (let attempt = 1; ; attempt++) {
      // Every attempt is a request Dataverse counts, retries included. The gateway's are not
      // Dataverse requests (another service, another host): they are not paced.
      if (spec.service !== "dual-write") {
        pacedMs += await this.#pacer.acquire(spec.signal, (delayMs, inWindow) =>
          this.#paced({
            kind: "pace",
            method: spec.method,
            path,
            delayMs,
            attempt,
            inWindow,
            budget: this.#pacer.options.budget,
            windowMs: this.#pacer.options.windowMs,
            requestId,
          }),
        );
      }
      const token = await (spec.service === "dual-write" ? this.#dualWriteTokens : this.#tokens).getToken(
        spec.signal,
      );
      const headers = this.#headers(spec, token, requestId);
      const attemptStart = this.#now();
      let response: Response | undefined;
      let networkError: unknown;
      const timeout = AbortSignal.timeout(this.#config.requestTimeoutMs ?? 120_000);
      try {
        response = await this.#fetch(url, {
          method: spec.method,
          headers,
          body: spec.rawBody?.text ?? (spec.body !== undefined ? JSON.stringify(spec.body) : undefined),
          redirect: "manual",
          signal: spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout,
        });
      } catch (error) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        networkError = error;
      }

      let status: number | undefined;
      let body: unknown;
      let malformed: string | undefined;
      let retryAfterMs: number | undefined;
      if (response) {
        status = response.status;
        try {
          ({ body, malformed } = await readBody(response));
        } catch (error) {
          if (error instanceof ResponseTooLargeError) {
            throw new UnexpectedResponseError(error.message, {
              method: spec.method,
              path,
              status,
              attempts: attempt,
              requestId,
              hint: "The server sent far more than any Dataverse answer holds; check the environment URL (a proxy or another service may be answering) and report the request id if it persists.",
            });
          }
          // The connection dropped while the body was streaming: the same as no answer at all.
          if (spec.signal?.aborted) throw spec.signal.reason;
          networkError = error;
          status = undefined;
        }
      }
      const durationMs = this.#now() - attemptStart;

      if (response && status !== undefined) {
        this.#emit({ kind: "response", method: spec.method, path, status, durationMs, attempt, requestId });
        const accepted = spec.accept.includes(status) || spec.acceptIf?.(status, response.headers) === true;
        // An answer that says an earlier attempt, whose answer was lost, already did the work.
        const replayed =
          !accepted && unknownOutcomeBefore && spec.earlierAttemptApplied?.(status, body) === true;
        if (accepted && malformed && (spec.responseType ?? "json") === "json") {
          // Never handed on as a string the caller would take for data: a proxy's sign-in page, a
          // body cut short, a server that is not Dataverse.
          throw new UnexpectedResponseError(`the response body ${malformed}`, {
            method: spec.method,
            path,
            status,
            attempts: attempt,
            requestId,
          });
        }
        if (accepted || replayed) {
          return {
            status,
            headers: response.headers,
            body: body as T,
            requestId,
            attempts: attempt,
            replayed,
          };
        }
        retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.#now());
      } else {
        this.#emit({
          kind: "network-error",
          method: spec.method,
          path,
          error: describeNetworkError(networkError),
          durationMs,
          attempt,
          requestId,
        });
      }

      const decision = decideRetry({
        attempt,
        startedAtMs: startedAt + pacedMs,
        nowMs: this.#now(),
        status,
        retryAfterMs,
        idempotent,
        options: this.#retry,
        random: this.#random,
      });
      if (!decision.retry) {
        const notReplayed =
          decision.reason === "not-idempotent"
            ? "It may or may not have taken effect; it was not sent again because a replay could apply it twice. Refresh (or read the row) before trying again."
            : undefined;
        if (status === undefined) {
          throw new UnavailableError(
            `connection failed after ${attempt} attempt(s): ${describeNetworkError(networkError)}`,
            {
              method: spec.method,
              path,
              attempts: attempt,
              requestId,
              cause: networkError,
              ...(notReplayed ? { hint: notReplayed } : {}),
            },
          );
        }
        const error = errorFromResponse({
          status,
          body,
          method: spec.method,
          path,
          attempts: attempt,
          requestId,
        });
        if (notReplayed && error.code === "unavailable") {
          throw new UnavailableError(`Dataverse answered ${status} and the request was not retried`, {
            status,
            ...parseErrorBodyDetails(body),
            method: spec.method,
            path,
            attempts: attempt,
            requestId,
            hint: notReplayed,
          });
        }
        throw error;
      }
      if (status === undefined || status !== 429) unknownOutcomeBefore = true;
      this.#emit({
        kind: "retry",
        method: spec.method,
        path,
        delayMs: decision.delayMs,
        attempt,
        reason: status === undefined ? "connection dropped" : `status ${status}`,
        requestId,
      });
      await this.#sleep(decision.delayMs, spec.signal);
    }
  }

  async whoAmI(signal?: AbortSignal): Promise<WhoAmI> {
    const response = await this.request<unknown>({ method: "GET", path: "WhoAmI", accept: [200], signal });
    const body = expectRecord(response, "GET", "WhoAmI", "the WhoAmI response");
    for (const key of ["UserId", "BusinessUnitId", "OrganizationId"] as const) {
      if (typeof body[key] !== "string" || body[key] === "") {
        throw new UnexpectedResponseError(`the WhoAmI response has no ${key}`, {
          method: "GET",
          path: "WhoAmI",
          status: response.status,
          requestId: response.requestId,
        });
      }
    }
    return body as unknown as WhoAmI;
  }

  /**
   * The Power Platform environment id of this Dataverse organization, from RetrieveCurrentOrganization
   * (OrganizationDetail.EnvironmentId [C: PA:webapi/reference/organizationdetail]); undefined when
   * the service does not answer that function (a 404) or leaves the id out.
   */
  async environmentId(signal?: AbortSignal): Promise<string | undefined> {
    const path = "RetrieveCurrentOrganization(AccessType=Microsoft.Dynamics.CRM.EndpointAccessType'Default')";
    let response: DataverseResponse<unknown>;
    try {
      response = await this.request<unknown>({ method: "GET", path, accept: [200], signal });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    const body = expectRecord(response, "GET", path, "the RetrieveCurrentOrganization response");
    const detail = body.Detail as Record<string, unknown> | null | undefined;
    const id = detail?.EnvironmentId;
    return typeof id === "string" && id.trim() !== "" ? id.trim() : undefined;
  }

  /** Read one row; NotFoundError when it does not exist. */
  async retrieve<T extends DataverseRecord = DataverseRecord>(
    entitySet: string,
    key: RecordKey,
    options: ReadOptions,
  ): Promise<T> {
    const path = `${recordPath(entitySet, key)}?${queryString({ select: options.select, expand: options.expand })}`;
    const response = await this.request<unknown>({
      method: "GET",
      path,
      accept: [200],
      headers: preferHeader([annotationsPreference(options.includeAnnotations)]),
      signal: options.signal,
    });
    return expectRecord(response, "GET", this.#displayPath(this.#resolve(path)), "the row") as T;
  }

  /** Read one row, or undefined when it does not exist (not-found handled on purpose). */
  async retrieveIfExists<T extends DataverseRecord = DataverseRecord>(
    entitySet: string,
    key: RecordKey,
    options: ReadOptions,
  ): Promise<T | undefined> {
    const path = `${recordPath(entitySet, key)}?${queryString({ select: options.select, expand: options.expand })}`;
    const response = await this.request<unknown>({
      method: "GET",
      path,
      accept: [200, 404],
      headers: preferHeader([annotationsPreference(options.includeAnnotations)]),
      signal: options.signal,
    });
    if (response.status === 404) return undefined;
    return expectRecord(response, "GET", this.#displayPath(this.#resolve(path)), "the row") as T;
  }

  /** Rows page by page, following @odata.nextLink until there is none. */
  async *listPages<T extends DataverseRecord = DataverseRecord>(
    entitySet: string,
    query: QueryOptions,
    options: ListOptions = {},
  ): AsyncGenerator<T[], void, undefined> {
    const pageSize = options.pageSize ?? 5000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) {
      throw new RangeError(`pageSize must be an integer from 1 to 5000, got ${pageSize}`);
    }
    const headers = preferHeader([
      `odata.maxpagesize=${pageSize}`,
      annotationsPreference(options.includeAnnotations),
    ]);
    let path: string | undefined = `${identifier(entitySet)}?${queryString(query)}`;
    // A server that hands back a link it already gave would keep this loop going for ever.
    const followed = new Set<string>();
    while (path !== undefined) {
      followed.add(path);
      const response: DataverseResponse<unknown> = await this.request({
        method: "GET",
        path,
        accept: [200],
        headers,
        signal: options.signal,
      });
      const body = response.body as { value?: unknown; "@odata.nextLink"?: unknown };
      const malformed = (what: string): UnexpectedResponseError =>
        new UnexpectedResponseError(`a collection response ${what}`, {
          method: "GET",
          path: this.#displayPath(this.#resolve(path as string)),
          status: response.status,
          requestId: response.requestId,
        });
      if (!Array.isArray(body?.value)) throw malformed("has no value array");
      if (!body.value.every(isRecord)) throw malformed("has a value that is not a row (a JSON object)");
      const next = body["@odata.nextLink"];
      if (next !== undefined && next !== null && typeof next !== "string")
        throw malformed("has an @odata.nextLink that is not a link");
      if (typeof next === "string" && followed.has(next))
        throw malformed("links back to a page already read (@odata.nextLink repeats)");
      yield body.value as T[];
      // The link is used as it is: Dataverse's $skiptoken must not be rebuilt or re-encoded.
      path = typeof next === "string" ? next : undefined;
    }
  }

  /** All rows of a query (every page). */
  async list<T extends DataverseRecord = DataverseRecord>(
    entitySet: string,
    query: QueryOptions,
    options: ListOptions = {},
  ): Promise<T[]> {
    const rows: T[] = [];
    for await (const page of this.listPages<T>(entitySet, query, options)) rows.push(...page);
    return rows;
  }

  /** Create a row; see {@link CreateOptions.primaryIdAttribute} for why a client-chosen id matters. */
  async create(entitySet: string, body: DataverseRecord, options: CreateOptions = {}): Promise<CreateResult> {
    const idAttribute =
      options.primaryIdAttribute !== undefined ? identifier(options.primaryIdAttribute) : undefined;
    let id = options.id !== undefined ? keySegment(options.id).slice(1, -1) : undefined;
    if (idAttribute) {
      const inBody = body[idAttribute];
      if (typeof inBody === "string" && id === undefined) id = keySegment(inBody).slice(1, -1);
      id ??= randomUUID();
    } else if (id !== undefined) {
      throw new RangeError("create: an id needs primaryIdAttribute to say where it goes");
    }
    const payload = idAttribute && id ? { ...body, [idAttribute]: id } : body;
    const path = options.select
      ? `${identifier(entitySet)}?${queryString({ select: options.select })}`
      : identifier(entitySet);
    const response = await this.request<DataverseRecord | undefined>({
      method: "POST",
      path,
      accept: options.select ? [201] : [204],
      body: payload,
      headers: {
        ...(options.headers ?? {}),
        ...preferHeader([options.select ? "return=representation" : undefined]),
      },
      // A client-chosen id makes a replay harmless: the second insert of the same id is refused.
      idempotent: idAttribute !== undefined,
      earlierAttemptApplied: (_status, errorBody) =>
        idAttribute !== undefined &&
        parseErrorBody(errorBody).code?.toLowerCase() === DATAVERSE_CODES.duplicateKey,
      signal: options.signal,
    });
    const createdId = id ?? idFromEntityIdHeader(response.headers.get("odata-entityid"));
    if (!createdId) {
      throw new UnexpectedResponseError("the create response has no OData-EntityId", {
        method: "POST",
        path,
        status: response.status,
      });
    }
    const result: CreateResult = { id: createdId, replayed: response.replayed };
    if (options.select && !response.replayed)
      result.record = expectRecord(
        response,
        "POST",
        this.#displayPath(this.#resolve(path)),
        "the created row",
      );
    if (options.select && response.replayed) {
      result.record = await this.retrieve(entitySet, createdId, {
        select: options.select,
        signal: options.signal,
      });
    }
    return result;
  }

  /** Update an existing row (never creates it): If-Match is the ETag given, or "*". */
  async update(
    entitySet: string,
    key: RecordKey,
    body: DataverseRecord,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.request({
      method: "PATCH",
      path: recordPath(entitySet, key),
      accept: [204],
      body,
      headers: { ...(options.headers ?? {}), "If-Match": options.etag ?? "*" },
      signal: options.signal,
    });
  }

  /**
   * PATCH upsert by id or alternate key: creates the row or updates it. Idempotent, so retried
   * like a read. With createOnly, a row that already exists is a DuplicateError.
   */
  async upsert(
    entitySet: string,
    key: RecordKey,
    body: DataverseRecord,
    options: UpsertOptions = {},
  ): Promise<UpsertResult> {
    const base = recordPath(entitySet, key);
    const path = options.select ? `${base}?${queryString({ select: options.select })}` : base;
    const headers: Record<string, string> = {
      ...(options.headers ?? {}),
      ...preferHeader([options.select ? "return=representation" : undefined]),
    };
    if (options.createOnly) headers["If-None-Match"] = "*";
    let response: DataverseResponse<DataverseRecord | undefined>;
    try {
      response = await this.request<DataverseRecord | undefined>({
        method: "PATCH",
        path,
        accept: options.select ? [200, 201] : [204],
        body,
        headers,
        // A create-only upsert replayed after a lost answer meets its own row: that is success.
        earlierAttemptApplied: (status) => options.createOnly === true && status === 412,
        signal: options.signal,
      });
    } catch (error) {
      if (options.createOnly && error instanceof DataverseError && error.status === 412) {
        throw new DuplicateError(`a row with the key ${redact(keySegment(key))} already exists`, {
          status: 412,
          dataverseCode: error.dataverseCode,
          dataverseMessage: error.dataverseMessage,
          method: "PATCH",
          path: this.#displayPath(this.#resolve(path)),
          attempts: error.attempts,
          requestId: error.requestId,
        });
      }
      throw error;
    }
    const id =
      idFromEntityIdHeader(response.headers.get("odata-entityid")) ??
      (typeof key === "string" ? key.toLowerCase() : undefined);
    // A replayed create-only upsert created the row on the attempt whose answer was lost.
    const created = response.replayed ? true : options.select ? response.status === 201 : undefined;
    const result: UpsertResult = { id, created };
    // A replayed create-only upsert's answer is the 412 that recognised it, not the row.
    if (options.select && !response.replayed)
      result.record = expectRecord(
        response,
        "PATCH",
        this.#displayPath(this.#resolve(path)),
        "the upserted row",
      );
    return result;
  }

  /** Delete a row. A missing row is NotFoundError unless ignoreMissing. */
  async delete(
    entitySet: string,
    key: RecordKey,
    options: DeleteOptions = {},
  ): Promise<{ deleted: boolean }> {
    const response = await this.request({
      method: "DELETE",
      path: recordPath(entitySet, key),
      accept: options.ignoreMissing ? [204, 404] : [204],
      headers: { ...(options.headers ?? {}), ...(options.etag ? { "If-Match": options.etag } : {}) },
      // A delete whose answer was lost and that then finds nothing did its job.
      earlierAttemptApplied: (status) => status === 404,
      signal: options.signal,
    });
    return { deleted: response.status === 204 };
  }

  /** Change a row's state and status reason (the SetState message, as a PATCH). */
  async setState(
    entitySet: string,
    key: RecordKey,
    state: { statecode: number; statuscode: number },
    options: WriteOptions = {},
  ): Promise<void> {
    await this.update(entitySet, key, { statecode: state.statecode, statuscode: state.statuscode }, options);
  }

  /**
   * Call an action (POST). Actions are not idempotent in general, so they are retried only on 429;
   * pass idempotent: true for one that is known to be safe to repeat.
   */
  async callAction<T = unknown>(
    name: string,
    parameters: DataverseRecord,
    options: {
      bound?: { entitySet: string; key: RecordKey };
      idempotent?: boolean;
      signal?: AbortSignal;
    } = {},
  ): Promise<T | undefined> {
    const action = qualifiedName(name);
    const path = options.bound
      ? `${recordPath(options.bound.entitySet, options.bound.key)}/Microsoft.Dynamics.CRM.${action}`
      : action;
    const response = await this.request<T | undefined>({
      method: "POST",
      path,
      accept: [200, 204],
      body: parameters,
      idempotent: options.idempotent ?? false,
      signal: options.signal,
    });
    return response.status === 204 ? undefined : response.body;
  }

  /**
   * Send many requests in one $batch. Each change set is atomic. Results come back per item; a
   * failed item carries its typed error, and items after a failure are "not-run" unless
   * continueOnError. A batch of reads only is retried like a read; one with writes only on 429.
   */
  async batch(items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult[]> {
    const written = writeBatch(items, this.apiRoot);
    const readsOnly = items.every((item) => item.kind === "request" && item.request.method === "GET");
    const response = await this.request<string>({
      method: "POST",
      path: "$batch",
      accept: [200],
      // Dataverse answers a batch stopped by a failure with that failure's status and a multipart body.
      acceptIf: (status, headers) =>
        status >= 400 &&
        status < 500 &&
        status !== 429 &&
        boundaryOf(headers.get("content-type")) !== undefined,
      rawBody: { contentType: written.contentType, text: written.body },
      responseType: "text",
      headers: preferHeader([options.continueOnError ? "odata.continue-on-error" : undefined]),
      idempotent: readsOnly,
      signal: options.signal,
    });
    let raw: RawBatchResponseItem[];
    try {
      raw = readBatch(
        response.headers.get("content-type"),
        typeof response.body === "string" ? response.body : "",
      );
    } catch (error) {
      throw new UnexpectedResponseError(
        `the $batch response could not be read: ${(error as Error).message}`,
        {
          method: "POST",
          path: "$batch",
          status: response.status,
          requestId: response.requestId,
        },
      );
    }
    return matchBatch(items, raw);
  }

  /** The gateway's root, or the error that says how to set it: nothing defaults to another host. */
  #gatewayRoot(): string {
    if (this.dualWriteRoot !== undefined) return this.dualWriteRoot;
    throw new ConfigError("the dual-write gateway's address is not set", {
      hint: `Set iom:dualWriteUrl (or IOM_DUALWRITE_URL) to the gateway of the environment's region, ${dualWrite.hostPattern} (for the emulator: the gateway address \`iom emulator\` prints). Dual-write maps are managed there, not on the environment's host; see docs/dual-write-gateway.md.`,
    });
  }

  #resolve(path: string, root = this.apiRoot): string {
    if (/^https?:\/\//i.test(path)) {
      // Only links under our own service root are followed: the bearer token goes nowhere else.
      if (!path.startsWith(root)) {
        throw new UnexpectedResponseError("refusing to follow a link outside the environment's Web API", {
          hint: "The server returned a link to another host; report this response.",
        });
      }
      return path;
    }
    return root + path.replace(/^\/+/, "");
  }

  #displayPath(url: string, root = this.apiRoot): string {
    const relative = url.startsWith(root) ? url.slice(root.length) : url;
    try {
      return redact(decodeURIComponent(relative));
    } catch {
      return redact(relative);
    }
  }

  #headers(spec: RequestSpec, token: string, requestId: string): Headers {
    const headers = new Headers({
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      "x-ms-client-request-id": requestId,
    });
    if (this.#config.correlationId) headers.set("x-ms-correlation-request-id", this.#config.correlationId);
    if (spec.rawBody) headers.set("Content-Type", spec.rawBody.contentType);
    else if (spec.body !== undefined) headers.set("Content-Type", "application/json");
    for (const [name, value] of Object.entries(spec.headers ?? {})) {
      if (name.toLowerCase() === "authorization")
        throw new RangeError("the Authorization header is the client's to set");
      headers.set(name, value);
    }
    headers.set("Authorization", `Bearer ${token}`);
    return headers;
  }

  /**
   * A wait on the pacer goes to the debug log like every event; without one it is still told on
   * stderr, at most once a minute per process, so that a user who sees `up` slow down knows why
   * (the Pulumi CLI shows the provider plugin's stderr).
   */
  #paced(event: Extract<DataverseLogEvent, { kind: "pace" }>): void {
    if (this.#log) return this.#emit(event);
    if (!this.#pacer.noticeDue(PACE_NOTICE_EVERY_MS)) return;
    process.stderr.write(
      `iom: ${event.inWindow} Dataverse requests sent in the last ${event.windowMs / 1000} s, the budget (iom:requestBudget) is ${event.budget}: ` +
        `waiting ${Math.ceil(event.delayMs / 1000)} s before the next one, to stay under Dataverse's service protection limit\n`,
    );
  }

  #emit(event: DataverseLogEvent): void {
    if (!this.#log) return;
    try {
      this.#log(event);
    } catch {
      // A broken logger must not break the call it is logging.
    }
  }
}

/** How often a user without the debug log is told that requests are being paced. */
const PACE_NOTICE_EVERY_MS = 60_000;

/** Build a client. Same as `new DataverseClient(config)`. */
export function createDataverseClient(
  config: DataverseClientConfig,
  internals: ClientInternals = {},
): DataverseClient {
  return new DataverseClient(config, internals);
}

/** The ETag of a row read from the Web API. */
export function etagOf(record: DataverseRecord): string | undefined {
  const etag = record["@odata.etag"];
  return typeof etag === "string" ? etag : undefined;
}

function matchBatch(items: readonly BatchItem[], raw: RawBatchResponseItem[]): BatchResult[] {
  return items.map((item, index): BatchResult => {
    const answer = raw[index];
    if (!answer) return { item, outcome: "not-run", responses: [] };
    const responses = answer.kind === "changeset" ? answer.responses : [answer.response];
    const failed = responses.find((r) => r.status >= 400);
    if (!failed) return { item, outcome: "succeeded", responses };
    const request = item.kind === "request" ? item.request : item.requests[0];
    return {
      item,
      outcome: "failed",
      responses,
      error: errorFromResponse({
        status: failed.status,
        body: failed.body,
        method: request?.method ?? "POST",
        path: `$batch ${item.kind === "changeset" ? `change set #${index + 1}` : (request?.path ?? "")}`,
      }),
    };
  });
}

function preferHeader(preferences: ReadonlyArray<string | undefined>): Record<string, string> {
  const present = preferences.filter((p): p is string => p !== undefined);
  return present.length > 0 ? { Prefer: present.join(",") } : {};
}

function annotationsPreference(annotations: string | undefined): string | undefined {
  return annotations ? `odata.include-annotations="${annotations.replaceAll('"', "")}"` : undefined;
}

/**
 * The most bytes one response body may have. Dataverse's largest answers (a 5000-row page of
 * wide rows, a table's full metadata) stay well under this; a body that passes it is not an
 * answer to trust, and reading it whole could take the process's memory.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
}

/**
 * The body, parsed when it is JSON, read no further than MAX_RESPONSE_BYTES. `malformed` says
 * what is wrong with a body that should have been JSON; whether that matters is the caller's call
 * (an error answer from a gateway is often HTML, and is still an error answer).
 */
async function readBody(response: Response): Promise<{ body: unknown; malformed?: string }> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(
      `the response declares ${declared} bytes, more than the ${MAX_RESPONSE_BYTES} a Dataverse answer may have`,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new ResponseTooLargeError(
          `the response is larger than the ${MAX_RESPONSE_BYTES} bytes a Dataverse answer may have`,
        );
      }
      chunks.push(value);
    }
  }
  if (size === 0) return { body: undefined };
  const text = new TextDecoder().decode(Buffer.concat(chunks, size));
  const type = response.headers.get("content-type") ?? "";
  if (!/json/i.test(type)) {
    return { body: text, malformed: `is not JSON (content type ${JSON.stringify(type || "none")})` };
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { body: text, malformed: `is not valid JSON (${size} bytes, cut short or not JSON at all)` };
  }
}

function isRecord(value: unknown): value is DataverseRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body of an accepted answer that must be one row (a JSON object). */
function expectRecord(
  response: DataverseResponse<unknown>,
  method: string,
  path: string,
  what: string,
): DataverseRecord {
  if (isRecord(response.body)) return response.body;
  const shape =
    response.body === undefined
      ? "nothing"
      : response.body === null
        ? "null"
        : Array.isArray(response.body)
          ? "a list"
          : typeof response.body;
  throw new UnexpectedResponseError(`${what} came back as ${shape}, not a JSON object`, {
    method,
    path,
    status: response.status,
    attempts: response.attempts,
    requestId: response.requestId,
  });
}

function parseErrorBodyDetails(body: unknown): { dataverseCode?: string; dataverseMessage?: string } {
  const { code, message } = parseErrorBody(body);
  return { ...(code ? { dataverseCode: code } : {}), ...(message ? { dataverseMessage: message } : {}) };
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return redact(String(error));
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  const detail = cause instanceof Error ? cause.message : error.message;
  return redact(typeof code === "string" ? `${code} (${detail})` : detail);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
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

function stderrLogger(event: DataverseLogEvent): void {
  const base = `dataverse ${event.method} ${event.path} attempt=${event.attempt} request=${event.requestId}`;
  const line =
    event.kind === "response"
      ? `${base} status=${event.status} ${event.durationMs}ms`
      : event.kind === "network-error"
        ? `${base} error="${event.error}" ${event.durationMs}ms`
        : event.kind === "pace"
          ? `${base} paced: waits ${event.delayMs}ms, ${event.inWindow} requests sent in the last ${event.windowMs / 1000}s (budget ${event.budget}, iom:requestBudget)`
          : `${base} retry in ${event.delayMs}ms after ${event.reason}`;
  process.stderr.write(`${redact(line)}\n`);
}
