// A request and response as the Web API handlers see them: already authenticated, body read, so
// that $batch can run its parts through the same handlers.

export interface ApiRequest {
  method: string;
  /** Path after the service root, still percent-encoded, e.g. "accounts(…)". */
  path: string;
  /** Raw query string without "?". */
  query: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export const JSON_TYPE = "application/json; odata.metadata=minimal";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { "Content-Type": JSON_TYPE, "OData-Version": "4.0", ...headers },
    body: JSON.stringify(body),
  };
}

export function noContent(headers: Record<string, string> = {}): ApiResponse {
  return { status: 204, headers: { "OData-Version": "4.0", ...headers } };
}

/** Parses a Prefer header: `return=representation, odata.maxpagesize=10, odata.include-annotations="*"`. */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const prefs = new Map<string, string>();
  if (!header) return prefs;
  const re = /\s*([^=,\s]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,]*))?\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < header.length && (m = re.exec(header)) !== null) {
    const raw = (m[2] ?? "").trim();
    prefs.set((m[1] as string).toLowerCase(), raw.startsWith('"') ? raw.slice(1, -1) : raw);
    if (m[0] === "") break;
  }
  return prefs;
}
