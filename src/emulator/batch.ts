// $batch: a multipart/mixed body of requests and change sets. A change set is atomic (one store
// transaction) and its parts can refer to earlier parts' new rows as $<Content-ID>. Without
// Prefer: odata.continue-on-error the batch stops at the first failure.
import { STATUS_CODES } from "node:http";
import { randomUUID } from "node:crypto";

import type { Context } from "./context.js";
import { ApiError, ErrorCode } from "./errors.js";
import type { ApiRequest, ApiResponse } from "./http-types.js";
import { splitKeySegment } from "./keys.js";
import { errorResponse, handleApi, splitPath } from "./web-api.js";

/** Dataverse accepts at most 1000 requests in a batch. */
export const MAX_BATCH_REQUESTS = 1000;

interface Part {
  headers: Record<string, string>;
  content: string;
}

interface BatchRequest {
  contentId: string | undefined;
  request: ApiRequest;
}

type Item = { kind: "request"; request: BatchRequest } | { kind: "changeset"; requests: BatchRequest[] };

function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : undefined;
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitMultipart(body: string, boundary: string): Part[] {
  const lines = body.split(/\r?\n/);
  const parts: Part[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    if (line === `--${boundary}` || line === `--${boundary}--`) {
      if (current) parts.push(toPart(current));
      current = line.endsWith("--") && line !== `--${boundary}` ? undefined : [];
      if (!current) {
        closed = true;
        break;
      }
    } else current?.push(line);
  }
  if (!closed)
    throw new ApiError(
      400,
      ErrorCode.payload,
      `The batch body does not end with the closing delimiter --${boundary}--.`,
    );
  return parts;
}

function toPart(lines: string[]): Part {
  const blank = lines.indexOf("");
  const headerLines = blank < 0 ? lines : lines.slice(0, blank);
  const content = blank < 0 ? "" : lines.slice(blank + 1).join("\r\n");
  return { headers: parseHeaders(headerLines), content };
}

function parseRequest(part: Part, serviceRoot: string): BatchRequest {
  const lines = part.content.split(/\r?\n/);
  const requestLine = (lines[0] ?? "").trim();
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/1\.1)?$/.exec(requestLine);
  if (!m)
    throw new ApiError(
      400,
      ErrorCode.payload,
      `The batch part's request line '${requestLine}' is not 'METHOD URL HTTP/1.1'.`,
    );
  const blank = lines.indexOf("", 1);
  const headers = parseHeaders(blank < 0 ? lines.slice(1) : lines.slice(1, blank));
  const body =
    blank < 0
      ? ""
      : lines
          .slice(blank + 1)
          .join("\n")
          .trim();
  let url = m[2] as string;
  const root = url.indexOf("/api/data/v9.2/");
  if (root >= 0) url = url.slice(root + "/api/data/v9.2/".length);
  else if (url.startsWith(serviceRoot)) url = url.slice(serviceRoot.length);
  url = url.replace(/^\/+/, "");
  const q = url.indexOf("?");
  return {
    contentId: part.headers["content-id"] ?? headers["content-id"],
    request: {
      method: m[1] as string,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? "" : url.slice(q + 1),
      headers,
      body,
    },
  };
}

function parseBatch(req: ApiRequest, serviceRoot: string): Item[] {
  const boundary = boundaryOf(req.headers["content-type"]);
  if (!boundary || !/^multipart\/mixed/i.test(req.headers["content-type"] ?? ""))
    throw new ApiError(
      400,
      ErrorCode.payload,
      "A $batch request needs Content-Type: multipart/mixed; boundary=batch_<id>.",
    );
  const items: Item[] = [];
  let count = 0;
  for (const part of splitMultipart(req.body, boundary)) {
    const type = part.headers["content-type"] ?? "";
    if (/^multipart\/mixed/i.test(type)) {
      const inner = boundaryOf(type);
      if (!inner) throw new ApiError(400, ErrorCode.payload, "A change set needs a boundary.");
      const requests = splitMultipart(part.content, inner).map((p) => parseRequest(p, serviceRoot));
      for (const r of requests) {
        if (r.request.method === "GET")
          throw new ApiError(400, ErrorCode.payload, "A change set cannot contain GET requests.");
        if (r.request.path.startsWith("$batch"))
          throw new ApiError(400, ErrorCode.payload, "Batches cannot be nested.");
      }
      count += requests.length;
      items.push({ kind: "changeset", requests });
    } else {
      const request = parseRequest(part, serviceRoot);
      if (request.request.path.startsWith("$batch"))
        throw new ApiError(400, ErrorCode.payload, "Batches cannot be nested.");
      count++;
      items.push({ kind: "request", request });
    }
  }
  if (count > MAX_BATCH_REQUESTS)
    throw new ApiError(
      400,
      ErrorCode.payload,
      `The batch contains ${count} requests; the maximum is ${MAX_BATCH_REQUESTS}.`,
    );
  return items;
}

function httpPart(res: ApiResponse, contentId: string | undefined): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ""}`);
  for (const [name, value] of Object.entries(res.headers)) lines.push(`${name}: ${value}`);
  lines.push("", res.body ?? "");
  return lines.join("\r\n");
}

class ChangeSetFailed extends Error {
  constructor(
    readonly response: ApiResponse,
    readonly contentId: string | undefined,
  ) {
    super("change set failed");
  }
}

/** Replaces $n references (in the URL and in @odata.bind values) by the rows they created. */
function substitute(request: ApiRequest, ids: Map<string, string>, serviceRoot: string): ApiRequest {
  const ref = /^\$(\w+)(.*)$/.exec(request.path);
  let path = request.path;
  if (ref) {
    const target = ids.get(ref[1] as string);
    if (target === undefined)
      throw new ApiError(
        400,
        ErrorCode.payload,
        `Content-ID reference $${ref[1]} does not refer to an earlier request of this change set.`,
      );
    path = target.slice(serviceRoot.length) + (ref[2] as string);
  }
  const body = request.body.replace(/"\$(\w+)"/g, (whole, id: string) => {
    const target = ids.get(id);
    return target === undefined ? whole : JSON.stringify(target.slice(serviceRoot.length - 1));
  });
  return { ...request, path, body };
}

/** The URL of the row a create or upsert made, for $n references. */
function createdUrl(ctx: Context, request: ApiRequest, res: ApiResponse): string | undefined {
  if (res.headers["OData-EntityId"]) return res.headers["OData-EntityId"];
  if (res.status !== 201 || !res.body) return undefined;
  const { name } = splitKeySegment(splitPath(request.path)[0] ?? "");
  const model = ctx.schema.tableBySet(name);
  const id = model ? (JSON.parse(res.body) as Record<string, unknown>)[model.primaryId] : undefined;
  return model && typeof id === "string" ? `${ctx.serviceRoot}${model.entitySetName}(${id})` : undefined;
}

export function handleBatch(ctx: Context, req: ApiRequest, continueOnError: boolean): ApiResponse {
  const items = parseBatch(req, ctx.serviceRoot);
  const batchBoundary = `batchresponse_${randomUUID()}`;
  const parts: string[] = [];
  let failure: number | undefined;
  const inherit = (r: ApiRequest): ApiRequest => ({ ...r, headers: { ...r.headers } });

  for (const item of items) {
    if (item.kind === "request") {
      const res = handleApi(ctx, inherit(item.request.request));
      parts.push(httpPart(res, item.request.contentId));
      if (res.status >= 400) failure ??= res.status;
    } else {
      const changesetBoundary = `changesetresponse_${randomUUID()}`;
      try {
        const responses = ctx.store.transaction(() => {
          const ids = new Map<string, string>();
          const out: string[] = [];
          for (const { contentId, request } of item.requests) {
            let res: ApiResponse;
            let resolved: ApiRequest;
            try {
              resolved = substitute(request, ids, ctx.serviceRoot);
              res = handleApi(ctx, inherit(resolved));
            } catch (err) {
              throw new ChangeSetFailed(errorResponse(err), contentId);
            }
            if (res.status >= 400) throw new ChangeSetFailed(res, contentId);
            const url = createdUrl(ctx, resolved, res);
            if (contentId !== undefined && url !== undefined) ids.set(contentId, url);
            out.push(`--${changesetBoundary}\r\n${httpPart(res, contentId)}`);
          }
          return out;
        });
        parts.push(
          `Content-Type: multipart/mixed; boundary=${changesetBoundary}\r\n\r\n${responses.join("\r\n")}\r\n--${changesetBoundary}--`,
        );
      } catch (err) {
        if (!(err instanceof ChangeSetFailed)) throw err;
        parts.push(httpPart(err.response, err.contentId));
        failure ??= err.response.status;
      }
    }
    if (failure !== undefined && !continueOnError) break;
  }
  const body = parts.map((p) => `--${batchBoundary}\r\n${p}`).join("\r\n") + `\r\n--${batchBoundary}--\r\n`;
  const headers: Record<string, string> = {
    "Content-Type": `multipart/mixed; boundary=${batchBoundary}`,
    "OData-Version": "4.0",
  };
  if (continueOnError) headers["Preference-Applied"] = "odata.continue-on-error";
  return { status: failure !== undefined && !continueOnError ? failure : 200, headers, body };
}
