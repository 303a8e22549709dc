// The emulator's read-only console, at the root of its Web API listener (docs/emulator.md,
// "Console"; the choices: docs/adr/0012-emulator-console.md).
//
//   GET  /                      the page (signed in), else the sign-in page (401)
//   GET  /?token=T, POST /      checks the token, sets a session cookie and redirects to /
//   GET  /_console/events       server-sent events: "view", the view's HTML, at once and on change
//   GET  /_console/model        the model as JSON, with an ETag (If-None-Match gets 304)
//   GET  /_console/static/…     htmx and its SSE extension (from node_modules), the stylesheet
//
// The token never reaches the page: the browser holds a random session id in an HttpOnly,
// SameSite=Strict cookie (per port: cookies ignore ports), and requests with the bearer token are
// accepted too (curl, tests). Requests whose Host is not the loopback address are refused, so a
// page served under another name (DNS rebinding) cannot use the console.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";

import { buildModel, type ConsoleSource } from "./model.js";
import { renderPage, renderSignIn, renderView } from "./render.js";
import { CONSOLE_CSS } from "./styles.js";

export { buildModel, type ConsoleModel, type ConsoleSource } from "./model.js";

const CONSOLE_ROOT = "/_console/";
/** Re-render at most this often while pages are open: a `pulumi up` makes hundreds of requests. */
const DEBOUNCE_MS = 150;
/** A comment line now and then, so that idle event streams are not taken for dead. */
const HEARTBEAT_MS = 20_000;
/** Sessions kept; the oldest is forgotten past this (its page signs in again). */
const SESSIONS_KEPT = 100;
/** A form post carries a token, nothing more. */
const MAX_FORM_BYTES = 4096;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

interface Asset {
  type: string;
  body: () => Buffer | string;
}

// Resolved from this file, so the packages are found wherever the project is installed.
/** A small mark for the browser tab (without one, browsers ask for /favicon.ico and log a 404). */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0f3b68"/><path d="M4 4h2v8H4zM8 4h4v2H8zm0 3h4v2H8zm0 3h4v2H8z" fill="#fff"/></svg>';

const requireFromHere = createRequire(__filename);
const fromPackage = (specifier: string) => {
  let cached: Buffer | undefined;
  return () => (cached ??= readFileSync(requireFromHere.resolve(specifier)));
};

const ASSETS: Readonly<Record<string, Asset>> = {
  "htmx.min.js": { type: "text/javascript; charset=utf-8", body: fromPackage("htmx.org/dist/htmx.min.js") },
  "sse.js": { type: "text/javascript; charset=utf-8", body: fromPackage("htmx-ext-sse/dist/sse.js") },
  "console.css": { type: "text/css; charset=utf-8", body: () => CONSOLE_CSS },
  "icon.svg": { type: "image/svg+xml", body: () => ICON },
};

interface Client {
  res: ServerResponse;
  /** The hash of the last view sent. */
  sent: string;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 27);
}

/** The SSE frame of an event whose data may span lines. */
function event(name: string, data: string): string {
  return `event: ${name}\n${data
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(
        size > MAX_FORM_BYTES ? undefined : new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
      ),
    );
    req.on("error", reject);
  });
}

export class EmulatorConsole {
  private readonly sessions = new Set<string>();
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private origin = "";
  private cookieName = "iom_console";

  constructor(
    private readonly source: ConsoleSource,
    /** "Bearer <token>", the Authorization header the emulator accepts. */
    private readonly bearer: Buffer,
  ) {}

  /** Called once the emulator listens: the page names its address, the cookie its port. */
  listening(origin: string): void {
    this.origin = origin;
    this.cookieName = `iom_console_${new URL(origin).port}`;
  }

  /** Whether the console answers this path ("/" and everything under /_console/). */
  handles(path: string): boolean {
    return path === "/" || path.startsWith(CONSOLE_ROOT);
  }

  /** Something may have changed: open pages get the new view if it differs (debounced). */
  touch(): void {
    if (this.clients.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.push();
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: string,
  ): Promise<void> {
    if (!this.loopbackHost(req.headers.host))
      return this.send(res, 403, "text/plain", "The console answers on the loopback address only.\n");
    if (path.startsWith(`${CONSOLE_ROOT}static/`) && method === "GET") {
      const asset = ASSETS[path.slice(`${CONSOLE_ROOT}static/`.length)];
      if (asset) return this.send(res, 200, asset.type, asset.body());
      return this.send(res, 404, "text/plain", "No such file.\n");
    }
    if (path === "/") {
      if (method === "POST") {
        // A sign-in form from another site would sign the browser in to our console: same origin only.
        const from = req.headers.origin;
        if (from !== undefined && from !== this.origin)
          return this.send(res, 403, "text/plain", "Cross-site sign-in refused.\n");
        const form = await readForm(req);
        return this.signIn(res, form?.get("token") ?? "");
      }
      if (method !== "GET") return this.send(res, 405, "text/plain", "The console is read-only.\n");
      const token = new URLSearchParams(query).get("token");
      if (token !== null) return this.signIn(res, token);
      if (!this.authorized(req)) return this.send(res, 401, "text/html", renderSignIn(false));
      return this.send(res, 200, "text/html", renderPage(this.model(), this.origin));
    }
    if (!this.authorized(req))
      return this.send(
        res,
        401,
        "application/json",
        JSON.stringify({ error: "Sign in at / with the emulator's token, or send it as a bearer token." }),
      );
    if (method !== "GET") return this.send(res, 405, "text/plain", "The console is read-only.\n");
    if (path === `${CONSOLE_ROOT}model`) {
      const body = JSON.stringify(this.model());
      const etag = `"${hash(body)}"`;
      if (req.headers["if-none-match"] === etag)
        return this.send(res, 304, undefined, undefined, { ETag: etag });
      return this.send(res, 200, "application/json", body, { ETag: etag });
    }
    if (path === `${CONSOLE_ROOT}events`) return this.subscribe(res);
    return this.send(res, 404, "text/plain", "No such console page.\n");
  }

  /** Ends the event streams (the server closes their sockets) and stops the timers. */
  close(): void {
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.timer = this.heartbeat = undefined;
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private model() {
    return buildModel(this.source);
  }

  private loopbackHost(host: string | undefined): boolean {
    if (host === undefined || this.origin === "") return false;
    const port = new URL(this.origin).port;
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  }

  private validToken(given: string): boolean {
    const candidate = Buffer.from(`Bearer ${given}`);
    return candidate.length === this.bearer.length && timingSafeEqual(candidate, this.bearer);
  }

  private authorized(req: IncomingMessage): boolean {
    const header = Buffer.from(req.headers.authorization ?? "");
    if (header.length === this.bearer.length && timingSafeEqual(header, this.bearer)) return true;
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [name, value] = part.trim().split("=", 2);
      if (name === this.cookieName && value !== undefined && this.sessions.has(value)) return true;
    }
    return false;
  }

  /** A good token gets a session and a redirect to "/", so the token leaves the address bar at once. */
  private signIn(res: ServerResponse, token: string): void {
    if (!this.validToken(token)) return this.send(res, 401, "text/html", renderSignIn(true));
    const session = randomBytes(32).toString("base64url");
    this.sessions.add(session);
    if (this.sessions.size > SESSIONS_KEPT)
      this.sessions.delete(this.sessions.values().next().value as string);
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      Location: "/",
      "Set-Cookie": `${this.cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end();
  }

  private subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "Content-Type": "text/event-stream; charset=utf-8",
      Connection: "keep-alive",
    });
    const view = renderView(this.model());
    const client: Client = { res, sent: hash(view) };
    res.write(event("view", view));
    this.clients.add(client);
    res.on("close", () => {
      this.clients.delete(client);
      if (this.clients.size === 0) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
      }
    });
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.res.write(": still here\n\n");
    }, HEARTBEAT_MS).unref();
  }

  private push(): void {
    if (this.clients.size === 0) return;
    const view = renderView(this.model());
    const sent = hash(view);
    for (const client of this.clients) {
      if (client.sent === sent) continue;
      client.sent = sent;
      client.res.write(event("view", view));
    }
  }

  private send(
    res: ServerResponse,
    status: number,
    type: string | undefined,
    body: Buffer | string | undefined,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      ...(type ? { "Content-Type": type.includes("charset") ? type : `${type}; charset=utf-8` } : {}),
      ...headers,
    });
    res.end(body);
  }
}
