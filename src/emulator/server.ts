// The HTTP side: node:http on 127.0.0.1, bearer-token check, request counters and injected faults
// for everything under /api/, body size limit, and dispatch to the Web API and the /_emulator/
// administration endpoints; and a second listener, the dual-write management gateway's own host
// (a real tenant's gateway is not on the environment's host), with the same token, counters and
// faults; and the read-only console at the root of the first listener (console/).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import { Counters, Faults, faultError, type FaultRule } from "./admin.js";
import { RequestLog } from "./request-log.js";
import { EmulatorConsole } from "./console/index.js";
import type { Context } from "./context.js";
import { addGatewayProjects } from "./dual-write-seed.js";
import { DualWriteGateway, versionRowRules } from "./dual-write.js";
import { ApiError, ErrorCode, unknownSegment } from "./errors.js";
import { GATEWAY_PATH, PROJECTS_TABLE } from "./gateway-contract.js";
import { JSON_TYPE, type ApiResponse } from "./http-types.js";
import { iomRules } from "./iom-rules.js";
import { Journal } from "./journal.js";
import { builtInMetadata, type EmulatorMetadata } from "./metadata-file.js";
import { resolveRoles } from "./roles.js";
import { Schema } from "./schema.js";
import { seedIds, seedRows } from "./seed.js";
import { ServiceProtection, type ServiceProtectionLimit } from "./service-protection.js";
import { Store } from "./store.js";
import type { TableDefinition } from "./tables.js";
import { errorResponse, handleApi } from "./web-api.js";

export const API_ROOT = "/api/data/v9.2/";
const ADMIN_ROOT = "/_emulator/";
/** Larger bodies get 413; Dataverse's own limit is higher, but no IOM payload comes near this. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ServerOptions {
  port: number;
  dataDir: string | undefined;
  token: string;
  seed: number;
  /** WhoAmI's OrganizationId. */
  organizationId: string;
  /** The dual-write gateway's port; 0 (the default) picks a free one. */
  gatewayPort?: number;
  /** The metadata served (tables and the roles of the IOM rules); the built-in file unless given. */
  metadata?: EmulatorMetadata;
  /** The tables served, instead of the metadata's (the IOM rules keep the metadata's roles). */
  tables?: readonly TableDefinition[];
  /** Enforce Dataverse's number-of-requests limit on the Web API (service-protection.ts). */
  serviceProtection?: ServiceProtectionLimit;
  /** Milliseconds on a clock that never goes back, for service protection; tests pass a fake one. */
  now?: () => number;
}

function send(res: ServerResponse, response: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  if (response.body === undefined) {
    res.writeHead(response.status, response.headers);
    res.end();
    return;
  }
  // With the length declared, node:http sends the head and the body in one write; without it,
  // writeHead commits to chunked framing: four pieces per answer, which the client takes apart.
  res.writeHead(response.status, {
    ...response.headers,
    "Content-Length": String(Buffer.byteLength(response.body)),
  });
  res.end(response.body);
}

function sendError(res: ServerResponse, error: ApiError): void {
  send(res, errorResponse(error));
}

/** A request whose handling threw: a 500 in Dataverse's error shape. */
function failed(res: ServerResponse, err: unknown): void {
  sendError(
    res,
    new ApiError(500, ErrorCode.unexpected, `Unexpected error in the emulator: ${(err as Error).message}`),
  );
}

class BodyTooLarge extends Error {}

/**
 * Whether the request carries a body. Without Transfer-Encoding or Content-Length a request's body
 * is empty (RFC 9112, 6.3), and node:http's parser reads it so: such a request (most GETs) is then
 * answered in the same turn of the event loop, without waiting for its 'end' event.
 */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Reads the whole body; past the limit it keeps draining (so the client sees our 413) but stores nothing. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () =>
      tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString("utf8")),
    );
    req.on("error", reject);
  });
}

function parseJson(text: string, message: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, ErrorCode.payload, message);
  }
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const headers = req.headers;
  for (const name in headers) {
    const value = headers[name];
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export class EmulatorServer {
  private readonly server: Server;
  private readonly counters = new Counters();
  private readonly requests = new RequestLog();
  private readonly faults: Faults;
  private readonly protection: ServiceProtection;
  private readonly store: Store;
  private readonly ctx: Context;
  private readonly gatewayServer: Server;
  private readonly dualWrite: DualWriteGateway;
  private readonly token: Buffer;
  /** The Authorization header of the request being checked, compared with `token`. */
  private readonly given: Buffer;
  private readonly console: EmulatorConsole;
  private closing: Promise<void> | undefined;
  url = "";
  /** The gateway's origin, "http://127.0.0.1:PORT" (requests go to GATEWAY_PATH under it). */
  gatewayUrl = "";
  /** What the served metadata leaves out of the emulator's behaviour (IOM rules it cannot enforce). */
  readonly warnings: string[] = [];

  constructor(private readonly options: ServerOptions) {
    const metadata = options.metadata ?? builtInMetadata();
    const schema = new Schema(options.tables ?? metadata.tables);
    // A file without roles (a captured environment's) is served with the built-in roles.
    const roles = resolveRoles(metadata.roles ?? builtInMetadata().roles ?? {}, schema.definitions);
    const iom = iomRules(roles.roles);
    if (iom.off.length > 0)
      this.warnings.push(`IOM rules not enforced: ${iom.off.join(", ")} (${roles.problems.join("; ")})`);
    let journal: Journal | undefined;
    let data;
    if (options.dataDir !== undefined) ({ journal, data } = Journal.open(options.dataDir));
    this.store = new Store(schema, journal, [PROJECTS_TABLE]);
    // Data from before the emulator played the dual-write gateway gets its maps' projects (persisted).
    const migrated = data !== undefined && addGatewayProjects(data);
    this.store.load(data ?? seedRows(schema), data === undefined || migrated);
    this.faults = new Faults(options.seed);
    this.protection = new ServiceProtection(
      options.serviceProtection,
      options.now ?? (() => performance.now()),
    );
    this.token = Buffer.from(`Bearer ${options.token}`);
    this.given = Buffer.alloc(this.token.length);
    this.ctx = {
      schema,
      store: this.store,
      serviceRoot: "",
      rules: new Map([...iom.rules, versionRowRules]),
      identity: {
        userId: seedIds.user,
        businessUnitId: seedIds.businessUnit,
        organizationId: options.organizationId,
      },
    };
    this.dualWrite = new DualWriteGateway(this.ctx);
    this.console = new EmulatorConsole(
      { ctx: this.ctx, roles: roles.roles, requests: () => this.requests.toJSON().requests },
      this.token,
    );
    const handler = (gateway: boolean) => (req: IncomingMessage, res: ServerResponse) => {
      let pending: Promise<void> | undefined;
      try {
        pending = this.onRequest(req, res, gateway);
      } catch (err) {
        failed(res, err);
      }
      // Any request may have changed the data (a gateway action is carried out when its status is
      // read): open console pages get the new view if it differs.
      if (pending === undefined) this.console.touch();
      else pending.catch((err: unknown) => failed(res, err)).finally(() => this.console.touch());
    };
    this.server = createServer({ keepAliveTimeout: 5_000 }, handler(false));
    this.gatewayServer = createServer({ keepAliveTimeout: 5_000 }, handler(true));
  }

  async listen(): Promise<void> {
    const listen = (server: Server, port: number) =>
      new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
    await listen(this.server, this.options.port);
    await listen(this.gatewayServer, this.options.gatewayPort ?? 0);
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.gatewayUrl = `http://127.0.0.1:${(this.gatewayServer.address() as AddressInfo).port}`;
    this.ctx.serviceRoot = `${this.url}${API_ROOT}`;
    this.console.listening(this.url);
  }

  private authorized(req: IncomingMessage): boolean {
    const given = req.headers.authorization ?? "";
    // Into a buffer kept for the purpose rather than a new one per request; only a header of the
    // token's exact length in bytes is compared, as before, and in constant time.
    if (Buffer.byteLength(given) !== this.token.length) return false;
    this.given.write(given);
    return timingSafeEqual(this.given, this.token);
  }

  private unauthorized(res: ServerResponse): void {
    sendError(
      res,
      new ApiError(
        401,
        ErrorCode.unauthorized,
        "The request has no valid bearer token: send 'Authorization: Bearer <token>' with the emulator's token.",
        {
          "WWW-Authenticate": 'Bearer realm="iom-emulator"',
        },
      ),
    );
  }

  /**
   * Handles one request; returns a promise only when it has to wait (a body to read, an injected
   * latency, the console, the administration endpoints), so that a request without a body is
   * answered synchronously, as a plain node:http handler would.
   */
  private onRequest(req: IncomingMessage, res: ServerResponse, gateway: boolean): Promise<void> | undefined {
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? "" : url.slice(q + 1);

    if (!gateway && this.console.handles(path)) return this.console.handle(req, res, method, path, query);
    if (path.startsWith(ADMIN_ROOT) && !gateway) {
      if (!this.authorized(req)) return void this.unauthorized(res);
      return this.admin(req, method, path.slice(ADMIN_ROOT.length)).then((response) => send(res, response));
    }
    if (!path.startsWith("/api/")) return void sendError(res, unknownSegment(path));

    this.counters.record(method, path);
    if (!this.authorized(req)) return void this.unauthorized(res);
    // Dataverse's limit is per user, on the Dataverse web servers: the gateway, another service,
    // does not count. A $batch is one request (it "will avoid the number of requests limit"
    // [PA/api-limits.md]). Checked before injected faults: those stand for answers of the server.
    let remaining: number | undefined;
    if (!gateway) {
      const admission = this.protection.admit(this.ctx.identity.userId);
      if (!admission.admitted) return void sendError(res, admission.error);
      if (Number.isFinite(admission.remaining)) remaining = admission.remaining;
    }
    const fault = this.faults.pick(method, path);
    if (fault) return this.withFault(req, res, fault, gateway, method, path, query, remaining);
    return this.withBody(req, res, gateway, method, path, query, remaining);
  }

  private async withFault(
    req: IncomingMessage,
    res: ServerResponse,
    fault: FaultRule,
    gateway: boolean,
    method: string,
    path: string,
    query: string,
    remaining: number | undefined,
  ): Promise<void> {
    if (fault.latencyMs) await sleep(fault.latencyMs);
    if (fault.drop) {
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) {
      const error = faultError(fault.status);
      if (fault.retryAfter !== undefined) error.headers["Retry-After"] = String(fault.retryAfter);
      return sendError(res, error);
    }
    return this.withBody(req, res, gateway, method, path, query, remaining);
  }

  private withBody(
    req: IncomingMessage,
    res: ServerResponse,
    gateway: boolean,
    method: string,
    path: string,
    query: string,
    remaining: number | undefined,
  ): Promise<void> | undefined {
    if (!hasBody(req)) return void this.dispatch(req, res, gateway, method, path, query, "", remaining);
    return readBody(req).then(
      (body) => this.dispatch(req, res, gateway, method, path, query, body, remaining),
      (err: unknown) => {
        if (err instanceof BodyTooLarge)
          return sendError(
            res,
            new ApiError(413, ErrorCode.tooLarge, `The request body is larger than ${MAX_BODY_BYTES} bytes.`),
          );
        throw err;
      },
    );
  }

  private dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    gateway: boolean,
    method: string,
    path: string,
    query: string,
    body: string,
    /** Requests the user has left under service protection, when it is enforced. */
    remaining: number | undefined,
  ): void {
    this.requests.record(method, path, body);
    const request = { method, query, headers: headerMap(req), body };
    if (gateway && path.startsWith(GATEWAY_PATH)) {
      try {
        return send(res, this.dualWrite.handle({ ...request, path }, path.slice(GATEWAY_PATH.length)));
      } catch (err) {
        return send(res, errorResponse(err));
      }
    }
    if (!gateway && path.startsWith(API_ROOT)) {
      const response = handleApi(this.ctx, { ...request, path: path.slice(API_ROOT.length) });
      // Dataverse's debugging header for the requests left [PA/api-limits.md], sent while the
      // limit is enforced.
      if (remaining !== undefined)
        response.headers = {
          ...response.headers,
          "x-ms-ratelimit-burst-remaining-xrm-requests": String(remaining),
        };
      return send(res, response);
    }
    return sendError(res, unknownSegment(path));
  }

  private async admin(req: IncomingMessage, method: string, route: string): Promise<ApiResponse> {
    const ok = (status: number, body?: unknown): ApiResponse =>
      body === undefined
        ? { status, headers: {} }
        : { status, headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify(body) };
    try {
      const text = await readBody(req);
      switch (`${method} ${route}`) {
        case "POST reset":
          this.store.load(seedRows(this.ctx.schema), true);
          this.faults.clear();
          this.protection.reset();
          this.counters.reset();
          this.requests.clear();
          return ok(204);
        case "GET requests":
          return ok(200, this.requests);
        case "DELETE requests":
          this.requests.clear();
          return ok(204);
        case "GET counters":
          return ok(200, this.counters);
        case "DELETE counters":
          this.counters.reset();
          return ok(204);
        case "GET faults":
          return ok(200, this.faults);
        case "PUT faults": {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            throw new ApiError(400, ErrorCode.payload, "The fault rules must be JSON.");
          }
          this.faults.set(body);
          return ok(204);
        }
        case "DELETE faults":
          this.faults.clear();
          return ok(204);
        case "GET service-protection":
          return ok(200, this.protection);
        case "PUT service-protection":
          this.protection.set(parseJson(text, "The service protection limit must be JSON."));
          return ok(204);
        case "DELETE service-protection":
          this.protection.clear();
          return ok(204);
        default:
          throw new ApiError(
            404,
            ErrorCode.unknownSegment,
            `No administrative endpoint '${method} ${ADMIN_ROOT}${route}'.`,
          );
      }
    } catch (err) {
      if (err instanceof BodyTooLarge)
        return errorResponse(new ApiError(413, ErrorCode.tooLarge, "The request body is too large."));
      return errorResponse(err);
    }
  }

  /** Stops listening, ends open connections and releases the data directory. Idempotent. */
  close(): Promise<void> {
    const close = (server: Server) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    this.console.close();
    this.closing ??= Promise.all([close(this.server), close(this.gatewayServer)]).then(() =>
      this.store.close(),
    );
    return this.closing;
  }
}
