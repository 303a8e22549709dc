// Typed errors for everything the Dataverse client can fail with. The codes are a closed list so
// that callers (providers, the CLI, drift) branch on them and tests pin them; every error says
// what went wrong, on which request, and what to do about it. No error ever carries a token, a
// secret or a header: messages go through redact(), and `cause` is reduced to a name and code.

import { inspect } from "node:util";
import { redact } from "./redact.js";

export type DataverseErrorCode =
  /** 404, or Dataverse's 0x80040217: the row, table or segment does not exist. */
  | "not-found"
  /** 0x80040237, or a create-only upsert that met an existing row. */
  | "duplicate"
  /** 412: the row changed since it was read (ETag mismatch). */
  | "precondition-failed"
  /** 429 until the retry bounds ran out. */
  | "throttled"
  /** 408, 502, 503, 504 or dropped connections until the retry bounds ran out. */
  | "unavailable"
  /** 401 or 403. */
  | "access-denied"
  /** 400 and other request mistakes Dataverse reports. */
  | "bad-request"
  /** A status the call does not accept and no rule above explains, or a malformed response. */
  | "unexpected"
  /** The client's own configuration is incomplete or contradictory. */
  | "invalid-config"
  /** Authentication failed before any request reached Dataverse. */
  | "authentication-failed"
  /** A label or value that the environment's option set does not have. */
  | "unknown-option"
  /** A lookup column (or a target of it) that the table's relationship metadata does not have. */
  | "unknown-lookup"
  /** The dual-write gateway took a request (stop, start, …) and reported it failed, or never finished it. */
  | "dual-write-request-failed";

export const DATAVERSE_ERROR_CODES: readonly DataverseErrorCode[] = [
  "not-found",
  "duplicate",
  "precondition-failed",
  "throttled",
  "unavailable",
  "access-denied",
  "bad-request",
  "unexpected",
  "invalid-config",
  "authentication-failed",
  "unknown-option",
  "unknown-lookup",
  "dual-write-request-failed",
];

export interface DataverseErrorDetails {
  /** HTTP status of the last response; undefined when no response came (dropped connection). */
  status?: number;
  /** Dataverse's own error code, e.g. "0x80040217"; empty or undefined when it gave none. */
  dataverseCode?: string;
  /** Dataverse's error message, as sent. */
  dataverseMessage?: string;
  /** The request's method and path (relative to the Web API root, query included, never headers). */
  method?: string;
  path?: string;
  /** How many attempts were made (more than one when retries happened). */
  attempts?: number;
  /** The client request id sent as x-ms-client-request-id, to find the call in service logs. */
  requestId?: string;
  /** A sentence telling the user what to do. */
  hint: string;
  cause?: unknown;
}

const DEFAULT_HINTS: Record<DataverseErrorCode, string> = {
  "not-found":
    "Check that the row, table or action exists in this environment; if it was deleted outside iom-gitops, run a refresh.",
  duplicate:
    "A row with the same id or alternate key already exists; adopt it instead of creating it, or change the key.",
  "precondition-failed":
    "The row changed since it was read; refresh to read the current version, then apply again.",
  throttled:
    "Dataverse service protection limits were hit; wait a few minutes or raise the retry bounds (IOM_RETRY_MAX_ELAPSED_MS).",
  unavailable:
    "Dataverse did not answer successfully within the retry bounds; check the environment's health and the network, then try again.",
  "access-denied":
    "Check that the identity has a Dataverse application user (or user) with a security role that grants this operation.",
  "bad-request":
    "Dataverse rejected the request; check the field names and values named in the message against the table's metadata.",
  unexpected:
    "This response was not expected; run with IOM_DEBUG_HTTP=1 and report the request id if it persists.",
  "invalid-config":
    "Fix the Dataverse connection settings; see docs/dataverse-client.md for the settings of each authentication choice.",
  "authentication-failed":
    "Check the credentials of the chosen authentication method; see docs/dataverse-client.md.",
  "unknown-option": "Use one of the labels the environment defines for this column (listed in the message).",
  "unknown-lookup":
    "Use one of the lookup columns the environment defines for this table (listed in the message); `iom doctor` checks them all.",
  "dual-write-request-failed":
    "See the map in Finance and Operations (Data management > Dual-write) and its error log; fix the cause there, then apply again.",
};

export class DataverseError extends Error {
  override readonly name: string = "DataverseError";
  readonly code: DataverseErrorCode;
  readonly status: number | undefined;
  readonly dataverseCode: string | undefined;
  readonly dataverseMessage: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly attempts: number | undefined;
  readonly requestId: string | undefined;
  readonly hint: string;

  constructor(code: DataverseErrorCode, summary: string, details: Partial<DataverseErrorDetails> = {}) {
    const hint = details.hint ?? DEFAULT_HINTS[code];
    const where = details.method && details.path ? `${details.method} ${details.path}: ` : "";
    const status = details.status != null ? ` (HTTP ${details.status}` : "";
    const dvCode = details.dataverseCode ? `${status ? ", " : " ("}${details.dataverseCode}` : "";
    const close = status || dvCode ? ")" : "";
    super(redact(`${where}${summary}${status}${dvCode}${close}. ${hint}`));
    this.code = code;
    this.status = details.status;
    this.dataverseCode = details.dataverseCode || undefined;
    this.dataverseMessage = details.dataverseMessage != null ? redact(details.dataverseMessage) : undefined;
    this.method = details.method;
    this.path = details.path != null ? redact(details.path) : undefined;
    this.attempts = details.attempts;
    this.requestId = details.requestId;
    this.hint = hint;
    if (details.cause !== undefined) {
      Object.defineProperty(this, "cause", { value: safeCause(details.cause), enumerable: false });
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      dataverseCode: this.dataverseCode,
      dataverseMessage: this.dataverseMessage,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
      requestId: this.requestId,
      hint: this.hint,
    };
  }

  // The default inspect prints own properties and the cause chain; show only the safe view.
  [inspect.custom](): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

export class NotFoundError extends DataverseError {
  override readonly name = "NotFoundError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("not-found", summary, details);
  }
}

export class DuplicateError extends DataverseError {
  override readonly name = "DuplicateError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("duplicate", summary, details);
  }
}

export class PreconditionFailedError extends DataverseError {
  override readonly name = "PreconditionFailedError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("precondition-failed", summary, details);
  }
}

export class ThrottledError extends DataverseError {
  override readonly name = "ThrottledError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("throttled", summary, details);
  }
}

export class UnavailableError extends DataverseError {
  override readonly name = "UnavailableError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("unavailable", summary, details);
  }
}

export class AccessDeniedError extends DataverseError {
  override readonly name = "AccessDeniedError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("access-denied", summary, details);
  }
}

export class BadRequestError extends DataverseError {
  override readonly name = "BadRequestError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("bad-request", summary, details);
  }
}

export class UnexpectedResponseError extends DataverseError {
  override readonly name = "UnexpectedResponseError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("unexpected", summary, details);
  }
}

export class ConfigError extends DataverseError {
  override readonly name = "ConfigError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("invalid-config", summary, details);
  }
}

export class AuthenticationError extends DataverseError {
  override readonly name = "AuthenticationError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("authentication-failed", summary, details);
  }
}

export class UnknownOptionError extends DataverseError {
  override readonly name = "UnknownOptionError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("unknown-option", summary, details);
  }
}

/**
 * A lookup that the environment's ManyToOneRelationships do not have, or a target it does not
 * point to. Not an UnknownOptionError: the mistake is in a column or table name, not a label.
 */
export class UnknownLookupError extends DataverseError {
  override readonly name = "UnknownLookupError";
  constructor(summary: string, details: Partial<DataverseErrorDetails> = {}) {
    super("unknown-lookup", summary, details);
  }
}

/**
 * A request the dual-write gateway accepted (it answered a request id) and then reported failed
 * (`state` "3" with its message), or did not finish within the wait (`outcome` "timed-out").
 */
export class DualWriteRequestError extends DataverseError {
  override readonly name = "DualWriteRequestError";
  constructor(
    summary: string,
    details: Partial<DataverseErrorDetails> & {
      outcome?: "failed" | "timed-out";
      gatewayRequestId?: string;
    } = {},
  ) {
    super("dual-write-request-failed", summary, details);
    this.outcome = details.outcome ?? "failed";
    this.gatewayRequestId = details.gatewayRequestId;
  }
  readonly outcome: "failed" | "timed-out";
  /** The gateway's request id (Status/<id>), not the client's x-ms-client-request-id. */
  readonly gatewayRequestId: string | undefined;
}

type ErrorClass = new (summary: string, details?: Partial<DataverseErrorDetails>) => DataverseError;

const CLASSES: Record<DataverseErrorCode, ErrorClass> = {
  "not-found": NotFoundError,
  duplicate: DuplicateError,
  "precondition-failed": PreconditionFailedError,
  throttled: ThrottledError,
  unavailable: UnavailableError,
  "access-denied": AccessDeniedError,
  "bad-request": BadRequestError,
  unexpected: UnexpectedResponseError,
  "invalid-config": ConfigError,
  "authentication-failed": AuthenticationError,
  "unknown-option": UnknownOptionError,
  "unknown-lookup": UnknownLookupError,
  "dual-write-request-failed": DualWriteRequestError,
};

/** Build the error of the right class for a code. */
export function dataverseError(
  code: DataverseErrorCode,
  summary: string,
  details: Partial<DataverseErrorDetails> = {},
): DataverseError {
  return new CLASSES[code](summary, details);
}

/** Dataverse error codes with a fixed meaning (domain.md section 3). */
export const DATAVERSE_CODES = {
  notFound: "0x80040217",
  duplicateKey: "0x80040237",
  segmentNotFound: "0x8006088a",
} as const;

/** The Web API's error body: {"error":{"code":"0x…","message":"…"}}. */
export function parseErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    code: typeof code === "string" ? code : undefined,
    message: typeof message === "string" ? message : undefined,
  };
}

/** Map a response that the call did not accept to its typed error. */
export function errorFromResponse(input: {
  status: number;
  body: unknown;
  method: string;
  path: string;
  attempts?: number;
  requestId?: string;
  retriesExhausted?: boolean;
}): DataverseError {
  const { code: dataverseCode, message: dataverseMessage } = parseErrorBody(input.body);
  const details: Partial<DataverseErrorDetails> = {
    status: input.status,
    dataverseCode,
    dataverseMessage,
    method: input.method,
    path: input.path,
    attempts: input.attempts,
    requestId: input.requestId,
  };
  const said = dataverseMessage ? `: ${dataverseMessage}` : "";
  const code = classify(input.status, dataverseCode);
  const summaries: Record<DataverseErrorCode, string> = {
    "not-found": `not found${said}`,
    duplicate: `duplicate record${said}`,
    "precondition-failed": `precondition failed${said}`,
    throttled: `throttled by Dataverse after ${input.attempts ?? 1} attempt(s)${said}`,
    unavailable: `Dataverse unavailable after ${input.attempts ?? 1} attempt(s)${said}`,
    "access-denied": `access denied${said}`,
    "bad-request": `bad request${said}`,
    unexpected: `unexpected response${said}`,
    "invalid-config": `invalid configuration${said}`,
    "authentication-failed": `authentication failed${said}`,
    "unknown-option": `unknown option${said}`,
    "unknown-lookup": `unknown lookup${said}`,
    "dual-write-request-failed": `dual-write request failed${said}`,
  };
  return dataverseError(code, summaries[code], details);
}

function classify(status: number, dataverseCode: string | undefined): DataverseErrorCode {
  const dv = dataverseCode?.toLowerCase();
  if (dv === DATAVERSE_CODES.duplicateKey) return "duplicate";
  if (status === 404 || dv === DATAVERSE_CODES.notFound) return "not-found";
  if (status === 412) return "precondition-failed";
  if (status === 429) return "throttled";
  if (status === 408 || status === 502 || status === 503 || status === 504) return "unavailable";
  if (status === 401 || status === 403) return "access-denied";
  if (status === 400) return "bad-request";
  return "unexpected";
}

// A cause is kept for its name, code and redacted message only: undici errors can hold the
// request they failed on, and identity errors can quote the token endpoint's answer.
function safeCause(cause: unknown): Error {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code =
      (cause as { code?: unknown }).code ?? (inner as { code?: unknown } | undefined)?.code ?? undefined;
    const copy = new Error(redact(cause.message));
    copy.name = cause.name;
    if (typeof code === "string") (copy as Error & { code?: string }).code = code;
    copy.stack = undefined;
    return copy;
  }
  return new Error(redact(String(cause)));
}
