// The $batch wire format (multipart/mixed, OData 4.0 as Dataverse implements it): a writer for
// requests and change sets, and a reader for the response. Pure text in, text out.

import { randomUUID } from "node:crypto";

export type BatchMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface BatchOperation {
  method: BatchMethod;
  /** Relative to the Web API root (`accounts(…)`), or `$1` to refer to an earlier change set part. */
  path: string;
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

export type BatchItem =
  | { kind: "request"; request: BatchOperation }
  /** Applied atomically: all its operations or none. No GET inside. */
  | { kind: "changeset"; requests: readonly BatchOperation[] };

export interface BatchPartResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  contentId?: string;
}

/** One response item, as the reader finds them in order. */
export type RawBatchResponseItem =
  { kind: "response"; response: BatchPartResponse } | { kind: "changeset"; responses: BatchPartResponse[] };

const CRLF = "\r\n";

export interface WrittenBatch {
  contentType: string;
  body: string;
}

/**
 * Write a batch. `apiRoot` is the absolute Web API root (ending in "/"): Dataverse's documented
 * examples give each part an absolute URL. Change set parts get Content-IDs 1, 2, … (unique
 * across the batch) so that later parts can reference `$n`.
 */
export function writeBatch(
  items: readonly BatchItem[],
  apiRoot: string,
  id: () => string = randomUUID,
): WrittenBatch {
  if (items.length === 0) throw new RangeError("a $batch needs at least one request");
  const count = items.reduce((n, item) => n + (item.kind === "request" ? 1 : item.requests.length), 0);
  if (count > 1000) throw new RangeError(`a $batch holds at most 1000 requests, got ${count}`);
  const batchBoundary = `batch_${id()}`;
  let contentId = 0;
  const lines: string[] = [];
  for (const item of items) {
    lines.push(`--${batchBoundary}`);
    if (item.kind === "request") {
      lines.push(...partLines(item.request, apiRoot, undefined));
      continue;
    }
    if (item.requests.length === 0) throw new RangeError("a change set needs at least one request");
    const changeBoundary = `changeset_${id()}`;
    lines.push(`Content-Type: multipart/mixed; boundary=${changeBoundary}`, "");
    for (const request of item.requests) {
      if (request.method === "GET") throw new RangeError("a change set cannot hold a GET");
      contentId += 1;
      lines.push(`--${changeBoundary}`, ...partLines(request, apiRoot, String(contentId)));
    }
    lines.push(`--${changeBoundary}--`, "");
  }
  lines.push(`--${batchBoundary}--`, "");
  return { contentType: `multipart/mixed; boundary=${batchBoundary}`, body: lines.join(CRLF) };
}

function partLines(op: BatchOperation, apiRoot: string, contentId: string | undefined): string[] {
  const url = op.path.startsWith("$") ? op.path : new URL(op.path, apiRoot).toString();
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `${op.method} ${url} HTTP/1.1`);
  const headers: Record<string, string> = { ...(op.headers ?? {}) };
  if (op.body !== undefined) headers["Content-Type"] ??= "application/json; type=entry";
  if (op.method === "GET") headers["Accept"] ??= "application/json";
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value))
      throw new RangeError(`header ${name} holds a line break`);
    lines.push(`${name}: ${value}`);
  }
  lines.push("");
  // A body-less part still needs the blank line that ends its headers.
  lines.push(op.body !== undefined ? JSON.stringify(op.body) : "");
  return lines;
}

/** The boundary parameter of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^multipart\/mixed/i.test(contentType.trim())) return undefined;
  const match = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export class BatchFormatError extends Error {
  override readonly name = "BatchFormatError";
}

/** Read a $batch response body into its items, in order. */
export function readBatch(contentType: string | null, text: string): RawBatchResponseItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new BatchFormatError(`not a multipart/mixed response: ${contentType ?? "(none)"}`);
  return splitParts(text, boundary).map((part): RawBatchResponseItem => {
    const { headers, body } = splitHeaders(part);
    const inner = boundaryOf(headers["content-type"]);
    if (inner) {
      return { kind: "changeset", responses: splitParts(body, inner).map(readHttpPart) };
    }
    return { kind: "response", response: readHttpPart(part) };
  });
}

function splitParts(text: string, boundary: string): string[] {
  const normal = text.replace(/\r\n/g, "\n");
  const delimiter = `--${boundary}`;
  const pieces = normal.split(new RegExp(`^${escapeRegExp(delimiter)}(--)?[ \\t]*$`, "m"));
  // split with a capture group interleaves the "--" captures; keep the text between delimiters.
  const parts: string[] = [];
  for (let i = 2; i < pieces.length; i += 2) {
    const closing = pieces[i - 1] === "--";
    if (closing) break;
    parts.push((pieces[i] ?? "").replace(/^\n/, "").replace(/\n$/, ""));
  }
  return parts;
}

function splitHeaders(text: string): { headers: Record<string, string>; body: string } {
  if (text.startsWith("\n")) return { headers: {}, body: text.slice(1) };
  const at = text.indexOf("\n\n");
  const head = at === -1 ? text : text.slice(0, at);
  const body = at === -1 ? "" : text.slice(at + 2);
  const headers: Record<string, string> = {};
  for (const line of head.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function readHttpPart(part: string): BatchPartResponse {
  const outer = splitHeaders(part);
  const inner = outer.body;
  const newline = inner.indexOf("\n");
  const statusLine = newline === -1 ? inner : inner.slice(0, newline);
  const match = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine.trim());
  if (!match) throw new BatchFormatError(`a $batch part has no HTTP status line: ${statusLine.slice(0, 80)}`);
  const { headers, body } = splitHeaders(newline === -1 ? "" : inner.slice(newline + 1));
  const text = body.trim();
  let parsed: unknown = undefined;
  if (text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const response: BatchPartResponse = { status: Number(match[1]), headers, body: parsed };
  const contentId = outer.headers["content-id"];
  if (contentId !== undefined) response.contentId = contentId;
  return response;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
