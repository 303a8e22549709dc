// The Dataverse Web API under /api/data/v9.2/: routing, entity-set reads and writes with their
// status codes and headers, WhoAmI, EntityDefinitions, RetrieveMetadataChanges and $batch.
import type { Context } from "./context.js";
import { ApiError, ErrorCode, notFoundRow, unknownSegment } from "./errors.js";
import { stableId } from "./ids.js";
import { handleBatch } from "./batch.js";
import { json, noContent, parsePrefer, type ApiRequest, type ApiResponse } from "./http-types.js";
import { resolveKey, splitKeySegment } from "./keys.js";
import { metadataResponse } from "./metadata.js";
import { retrieveMetadataChanges } from "./metadata-changes.js";
import { checkMaxPageSize, queryCollection, readQueryOptions, shapeOf, type QueryOptions } from "./query.js";
import { annotationFilter, attributeValue, formatRow, noAnnotations, type AnnotationFilter } from "./rows.js";
import { propertyName, type TableModel } from "./schema.js";
import type { Row } from "./store.js";
import { deleteRow, idForCreate, readChanges, saveRow } from "./write.js";

/** Splits a path on "/" outside quotes and parentheses, decoding each segment. */
export function splitPath(path: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const text = decodeURIComponent(path);
  // By index and slices: the characters that matter are ASCII, and this runs on every request.
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x27) quoted = !quoted;
    else if (!quoted && ch === 0x28) depth++;
    else if (!quoted && ch === 0x29) depth--;
    else if (ch === 0x2f && depth === 0 && !quoted) {
      segments.push(text.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(text.slice(start));
  return segments;
}

interface Preferences {
  representation: boolean;
  annotations: AnnotationFilter;
  annotationsText: string | undefined;
  maxPageSize: number | undefined;
  continueOnError: boolean;
}

function preferences(req: ApiRequest): Preferences {
  const prefer = parsePrefer(req.headers.prefer);
  const size = prefer.get("odata.maxpagesize");
  const annotationsText = prefer.get("odata.include-annotations");
  return {
    representation: prefer.get("return") === "representation",
    annotations: annotationFilter(annotationsText),
    annotationsText,
    maxPageSize: size === undefined ? undefined : checkMaxPageSize(Number(size)),
    continueOnError: prefer.has("odata.continue-on-error"),
  };
}

function applied(prefs: Preferences, extra: string[] = []): Record<string, string> {
  const list = [...extra];
  if (prefs.annotationsText !== undefined) list.push(`odata.include-annotations="${prefs.annotationsText}"`);
  return list.length > 0 ? { "Preference-Applied": list.join(",") } : {};
}

function parseBody(req: ApiRequest): unknown {
  if (req.body.trim() === "")
    throw new ApiError(400, ErrorCode.payload, "The request body is empty; a JSON object is required.");
  try {
    return JSON.parse(req.body);
  } catch (err) {
    throw new ApiError(
      400,
      ErrorCode.payload,
      `Error identified in Payload provided by the user: the body is not valid JSON (${(err as Error).message}).`,
    );
  }
}

function etagOf(row: Row): string {
  return `W/"${row.version}"`;
}

function checkIfMatch(req: ApiRequest, model: TableModel, row: Row | undefined, keyText: string): void {
  const ifMatch = req.headers["if-match"];
  if (ifMatch === undefined) return;
  if (!row) throw notFoundRow(model.logicalName, keyText);
  if (ifMatch.trim() !== "*" && !ifMatch.split(",").some((t) => t.trim() === etagOf(row)))
    throw new ApiError(
      412,
      ErrorCode.versionMismatch,
      "The version of the existing record doesn't match the RowVersion property provided.",
    );
}

/**
 * The OData-EntityId header: the row's URL, with the key as it was addressed (an id, or the
 * alternate key's form). The key is percent-encoded where a URL path cannot carry it as it is,
 * which a header could not either: a key value may hold spaces, control characters or any Unicode.
 */
function entityId(ctx: Context, model: TableModel, keyText: string): string {
  return `${ctx.serviceRoot}${model.entitySetName}(${encodePathText(keyText)})`;
}

/** Percent-encodes (UTF-8) every character but RFC 3986's unreserved ones, sub-delims, ':' and '@'. */
function encodePathText(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu, (c) =>
    [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

/** The query options a row's representation takes. */
const REPRESENTATION_OPTIONS: ReadonlySet<string> = new Set(["$select", "$expand"]);

function representationOptions(req: ApiRequest): QueryOptions {
  return readQueryOptions(new URLSearchParams(req.query), REPRESENTATION_OPTIONS);
}

function representation(
  ctx: Context,
  model: TableModel,
  row: Row,
  options: QueryOptions,
  prefs: Preferences,
): Record<string, unknown> {
  const shape = shapeOf(ctx, model, options, prefs.annotations);
  const context = `${ctx.serviceRoot}$metadata#${model.entitySetName}${options.$select ? `(${options.$select})` : ""}/$entity`;
  return formatRow(ctx, model, row, shape, context);
}

function create(ctx: Context, model: TableModel, req: ApiRequest, prefs: Preferences): ApiResponse {
  const body = parseBody(req);
  const row = ctx.store.transaction(() => {
    const changes = readChanges(ctx, model, body);
    const id = idForCreate(model, changes);
    if (ctx.store.get(model.logicalName, id))
      throw new ApiError(
        412,
        ErrorCode.duplicateKey,
        `A record with the id ${id} already exists: cannot insert duplicate key.`,
      );
    return saveRow(ctx, model, undefined, id, changes);
  });
  if (prefs.representation)
    return json(201, representation(ctx, model, row, representationOptions(req), prefs), {
      ...applied(prefs, ["return=representation"]),
      ETag: etagOf(row),
    });
  return noContent({ "OData-EntityId": entityId(ctx, model, row.id) });
}

function upsert(
  ctx: Context,
  model: TableModel,
  keyText: string,
  req: ApiRequest,
  prefs: Preferences,
): ApiResponse {
  const body = parseBody(req);
  let created = false;
  const [row, text] = ctx.store.transaction(() => {
    const key = resolveKey(ctx, model, keyText);
    const before = key.row;
    checkIfMatch(req, model, before, key.text);
    if (req.headers["if-none-match"]?.trim() === "*" && before)
      throw new ApiError(412, ErrorCode.duplicateKey, "A record with matching key values already exists.");
    const changes = readChanges(ctx, model, body);
    if (before && Object.keys(key.values).length > 0)
      for (const name of Object.keys(key.values)) delete changes[name];
    created = !before;
    const id = before?.id ?? key.id ?? idForCreate(model, changes);
    const saved = saveRow(ctx, model, before, id, before ? changes : { ...changes, ...key.values });
    return [saved, key.text] as const;
  });
  const headers = { "OData-EntityId": entityId(ctx, model, text) };
  if (prefs.representation)
    return json(created ? 201 : 200, representation(ctx, model, row, representationOptions(req), prefs), {
      ...applied(prefs, ["return=representation"]),
      ETag: etagOf(row),
    });
  return noContent(headers);
}

function remove(ctx: Context, model: TableModel, keyText: string, req: ApiRequest): ApiResponse {
  ctx.store.transaction(() => {
    const key = resolveKey(ctx, model, keyText);
    if (!key.row) throw notFoundRow(model.logicalName, key.text);
    checkIfMatch(req, model, key.row, key.text);
    deleteRow(ctx, model, key.row);
  });
  return noContent();
}

function readOne(
  ctx: Context,
  model: TableModel,
  keyText: string,
  rest: string[],
  req: ApiRequest,
  prefs: Preferences,
): ApiResponse {
  const key = resolveKey(ctx, model, keyText);
  if (!key.row) throw notFoundRow(model.logicalName, key.text);
  const row = key.row;
  if (rest.length === 0) {
    const options = representationOptions(req);
    const body = representation(ctx, model, row, options, prefs);
    const etag = etagOf(row);
    const ifNoneMatch = req.headers["if-none-match"];
    const plain = prefs.annotations === noAnnotations && options.$expand === undefined;
    if (plain && ifNoneMatch !== undefined && ifNoneMatch.split(",").some((t) => t.trim() === etag))
      return { status: 304, headers: { ETag: etag } };
    return json(200, body, { ...applied(prefs), ETag: etag });
  }
  // A single property: set(id)/name or set(id)/name/$value.
  const [name, raw, ...extra] = rest as [string, ...string[]];
  const attribute = model.byProperty.get(name);
  if (!attribute) throw unknownSegment(name);
  if (extra.length > 0 || (raw !== undefined && raw !== "$value"))
    throw unknownSegment(extra[0] ?? (raw as string));
  const value = attributeValue(model, attribute, row);
  if (raw === "$value") {
    if (value === null) return { status: 204, headers: {} };
    return {
      status: 200,
      headers: { "Content-Type": "text/plain", "OData-Version": "4.0" },
      body: String(value),
    };
  }
  return json(200, {
    "@odata.context": `${ctx.serviceRoot}$metadata#${model.entitySetName}(${row.id})/${propertyName(attribute)}`,
    value,
  });
}

function entitySet(ctx: Context, segments: string[], req: ApiRequest, prefs: Preferences): ApiResponse {
  const [first, ...rest] = segments as [string, ...string[]];
  const { name, key } = splitKeySegment(first);
  const model = ctx.schema.tableBySet(name);
  if (!model) throw unknownSegment(name);
  const method = req.method;
  if (key === undefined) {
    if (rest.length > 0) throw unknownSegment(rest[0] as string);
    if (method === "GET") {
      const options = readQueryOptions(new URLSearchParams(req.query));
      const result = queryCollection(ctx, model, options, prefs.maxPageSize, prefs.annotations, req.query);
      const extra =
        result.pageSizeApplied !== undefined ? [`odata.maxpagesize=${result.pageSizeApplied}`] : [];
      return json(200, result.body, applied(prefs, extra));
    }
    if (method === "POST") return create(ctx, model, req, prefs);
    throw methodNotAllowed(method);
  }
  if (rest.length > 0) {
    if (method !== "GET") throw methodNotAllowed(method);
    return readOne(ctx, model, key, rest, req, prefs);
  }
  switch (method) {
    case "GET":
      return readOne(ctx, model, key, rest, req, prefs);
    case "PATCH":
      return upsert(ctx, model, key, req, prefs);
    case "DELETE":
      return remove(ctx, model, key, req);
    default:
      throw methodNotAllowed(method);
  }
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, "", `The requested resource does not support http method '${method}'.`);
}

function whoAmI(ctx: Context, req: ApiRequest): ApiResponse {
  if (req.method !== "GET")
    throw new ApiError(
      404,
      "",
      `No HTTP resource was found that matches the request URI '${ctx.serviceRoot}WhoAmI'.`,
    );
  return json(200, {
    "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: ctx.identity.businessUnitId,
    UserId: ctx.identity.userId,
    OrganizationId: ctx.identity.organizationId,
  });
}

/**
 * RetrieveCurrentOrganization: the organization's details, with the Power Platform environment id
 * [C: PA:webapi/reference/retrievecurrentorganization, organizationdetail]. The emulator's
 * environment id is derived from its organization id, so each emulated organization has its own.
 */
function currentOrganization(ctx: Context, req: ApiRequest, segment: string): ApiResponse {
  if (req.method !== "GET") throw methodNotAllowed(req.method);
  if (
    !/^RetrieveCurrentOrganization\(AccessType=(@\w+|Microsoft\.Dynamics\.CRM\.EndpointAccessType'\w+')\)$/.test(
      segment,
    )
  )
    throw new ApiError(
      400,
      ErrorCode.querySyntax,
      "RetrieveCurrentOrganization takes one parameter, AccessType (Microsoft.Dynamics.CRM.EndpointAccessType'Default').",
    );
  return json(200, {
    "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`,
    Detail: {
      OrganizationId: ctx.identity.organizationId,
      EnvironmentId: stableId(`environment:${ctx.identity.organizationId}`),
      FriendlyName: "iom-gitops emulator",
      UniqueName: "iomemulator",
      UrlName: "iomemulator",
      State: "Enabled",
    },
  });
}

function serviceDocument(ctx: Context): ApiResponse {
  return json(200, {
    "@odata.context": `${ctx.serviceRoot}$metadata`,
    value: [...ctx.schema.tables].map((t) => ({
      name: t.entitySetName,
      kind: "EntitySet",
      url: t.entitySetName,
    })),
  });
}

/** Handles one Web API request; never throws: failures become Dataverse error responses. */
export function handleApi(ctx: Context, req: ApiRequest): ApiResponse {
  try {
    const prefs = preferences(req);
    const segments = splitPath(req.path);
    const first = segments[0] as string;
    if (first === "" && segments.length === 1) {
      if (req.method !== "GET") throw methodNotAllowed(req.method);
      return serviceDocument(ctx);
    }
    if (first === "$batch") {
      if (req.method !== "POST") throw methodNotAllowed(req.method);
      return handleBatch(ctx, req, prefs.continueOnError);
    }
    if (first === "WhoAmI" || first === "WhoAmI()") return whoAmI(ctx, req);
    if (first.startsWith("RetrieveCurrentOrganization(")) return currentOrganization(ctx, req, first);
    if (first === "RetrieveMetadataChanges" || first.startsWith("RetrieveMetadataChanges(")) {
      // A function: GET only [C: PA:webapi/reference/retrievemetadatachanges].
      if (req.method !== "GET") throw methodNotAllowed(req.method);
      if (segments.length > 1) throw unknownSegment(segments[1] as string);
      const params = new URLSearchParams(req.query);
      readQueryOptions(params, new Set());
      return json(200, retrieveMetadataChanges(ctx, first, params));
    }
    if (first === "EntityDefinitions" || first.startsWith("EntityDefinitions(")) {
      if (req.method !== "GET") throw methodNotAllowed(req.method);
      return json(200, metadataResponse(ctx, segments, new URLSearchParams(req.query)));
    }
    return entitySet(ctx, segments, req, prefs);
  } catch (err) {
    return errorResponse(err);
  }
}

export function errorResponse(err: unknown): ApiResponse {
  const error =
    err instanceof ApiError
      ? err
      : err instanceof URIError
        ? new ApiError(400, ErrorCode.querySyntax, "The request URL is not correctly percent-encoded.")
        : new ApiError(
            500,
            ErrorCode.unexpected,
            `Unexpected error in the emulator: ${(err as Error)?.message ?? String(err)}`,
          );
  return {
    status: error.status,
    headers: {
      "Content-Type": "application/json; odata.metadata=minimal",
      "OData-Version": "4.0",
      ...error.headers,
    },
    body: error.body(),
  };
}
