// Errors the emulator answers with, shaped like Dataverse's: an HTTP status and a body
// {"error":{"code":"0x...","message":"..."}}. Codes are Dataverse's own where it documents them
// (domain.md section 3); every code the emulator uses is listed here, so they stay one closed set.

export const ErrorCode = {
  /** Unknown property in $select or $filter, and OData-level type mismatches. */
  odata: "0x0",
  /** Row not found (-2147220969). */
  notFound: "0x80040217",
  /** Duplicate key: an alternate key or an id already used (-2147220937). */
  duplicateKey: "0x80040237",
  /** Resource not found for the segment. */
  unknownSegment: "0x8006088a",
  /** Query syntax errors and unsupported query options. */
  querySyntax: "0x80060888",
  /**
   * A body property Dataverse does not declare, such as `<nav>@odata.bind` with a navigation name
   * in the wrong case; Dataverse answers it with the code of OData request errors.
   */
  undeclaredProperty: "0x80060888",
  /** If-Match etag does not match the row's version (ConcurrencyVersionMismatch). */
  versionMismatch: "0x80060882",
  /** Payload errors: malformed JSON, unknown property in a body. */
  payload: "0x80048d19",
  /** A value outside the choices of an option set. */
  optionOutOfRange: "0x8004431a",
  /** A string longer than the column's maximum length. */
  lengthExceeded: "0x80044331",
  /** Invalid argument, e.g. a status reason that does not belong to the state. */
  invalidArgument: "0x80040203",
  /** A business rule refused the change (the plug-in exception code). */
  businessRule: "0x80040265",
  /** A delete refused because a relationship with cascade Restrict still has referencing rows. */
  deleteRestricted: "0x80040233",
  /** Authentication failed. */
  unauthorized: "0x80072560",
  /** Service protection: too many requests. */
  throttled: "0x80072322",
  /** Unexpected server-side failure. */
  unexpected: "0x80040216",
  /** Request body too large. */
  tooLarge: "0x8004a001",
  /** Service unavailable (fault injection). */
  unavailable: "0x80040224",
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ErrorCodeValue | "",
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message } });
  }
}

export const notFoundRow = (logicalName: string, id: string): ApiError =>
  new ApiError(404, ErrorCode.notFound, `${logicalName} With Id = ${id} Does Not Exist`);

export const unknownSegment = (segment: string): ApiError =>
  new ApiError(404, ErrorCode.unknownSegment, `Resource not found for the segment '${segment}'.`);

/** `hint`, when given, follows Dataverse's own message: it is the emulator's advice. */
export const unknownProperty = (name: string, type: string, hint = ""): ApiError =>
  new ApiError(
    400,
    ErrorCode.odata,
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${type}'.${hint}`,
  );

/** The advice for a navigation property named in the wrong case. */
export const caseHint = (right: string | undefined): string =>
  right === undefined ? "" : ` Navigation property names are case-sensitive: use '${right}'.`;

export const badQuery = (message: string): ApiError => new ApiError(400, ErrorCode.querySyntax, message);
