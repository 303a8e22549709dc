// Plant a client secret and the token it buys, then drive every path that writes text: the debug
// log (our logger and the stderr one), retries, typed errors from a server that echoes the
// request back, network errors that quote the token, and authentication failures. Neither value
// may appear anywhere.
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DataverseClient } from "../../../src/dataverse/client.js";
import { clearTokenCache } from "../../../src/dataverse/credentials.js";
import { dvError } from "./scripted-fetch.js";

const SECRET = "PLANTED~client~secret~9c1e44";
// Two tokens: one shaped like a JWT, which redaction also catches by its shape, and an opaque
// one that only the registration of secrets can catch (some identity providers issue those).
// Each test runs with both, so that neither mechanism can hide a failure of the other.
const JWT_TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlLXBsYW50ZWQ";
const OPAQUE_TOKEN = "planted-opaque-7Qm4Zx2Lr9Vt";
const TOKENS = [
  ["a JWT", JWT_TOKEN],
  ["an opaque token", OPAQUE_TOKEN],
] as const;

const identity = vi.hoisted(() => ({ mode: "ok" as "ok" | "fail", token: "" }));

vi.mock("@azure/identity", () => ({
  ClientSecretCredential: class {
    constructor(
      readonly tenantId: string,
      readonly clientId: string,
      readonly secret: string,
    ) {}
    async getToken() {
      if (identity.mode === "fail") {
        // Libraries have been known to quote the request they failed on.
        throw new Error(
          `AADSTS7000215: invalid secret in body client_secret=${this.secret}&scope=x; secret was ${this.secret}`,
        );
      }
      return { token: identity.token, expiresOnTimestamp: Date.now() + 3_600_000 };
    }
  },
}));

let lines: string[] = [];
let stderr: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  clearTokenCache();
  lines = [];
  identity.mode = "ok";
  identity.token = JWT_TOKEN;
  stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => stderr.mockRestore());

function echoingClient(debug: boolean) {
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const auth = headers.get("authorization") ?? "";
    const url = String(input);
    if (url.includes("drop")) {
      throw new TypeError("fetch failed", {
        cause: new Error(`socket hang up while sending Authorization: ${auth}`),
      });
    }
    if (url.includes("html")) {
      // A proxy page that quotes the token back bare, with a 200 the client must refuse.
      return new Response(`<html>token=${auth.slice(7)} ${auth.slice(7)}</html>`, {
        status: 200,
        headers: { "content-type": "text/html" },
      });
    }
    // A hostile or buggy server that quotes the request's Authorization header back.
    return new Response(
      JSON.stringify(dvError("0x80040220", `Principal denied; you sent ${auth} and token ${auth.slice(7)}`)),
      {
        status: url.includes("throttle") ? 429 : 403,
        headers: { "content-type": "application/json", "Retry-After": "0" },
      },
    );
  };
  const client = new DataverseClient(
    {
      environmentUrl: "https://contoso.crm.dynamics.com",
      auth: { kind: "client-secret", tenantId: "tenant", clientId: "client", clientSecret: SECRET },
      retry: { maxAttempts: 2 },
      debug,
      ...(debug ? {} : { logger: (event) => lines.push(JSON.stringify(event)) }),
    },
    { fetch, sleep: async () => undefined },
  );
  return { client };
}

function everything(error: unknown): string[] {
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? "",
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    String((error as { cause?: unknown }).cause ?? ""),
  ];
}

describe("a planted secret and its token appear in no log line and no error", () => {
  it.each(TOKENS.flatMap(([kind, token]) => [false, true].map((debug) => [kind, debug, token] as const)))(
    "with %s and debug=%s",
    async (_kind, debug, token) => {
      identity.token = token;
      const { client } = echoingClient(debug);
      const errors: unknown[] = [];
      for (const path of ["WhoAmI", "throttle", "drop", "html"]) {
        errors.push(await client.request({ method: "GET", path, accept: [200] }).catch((e: unknown) => e));
      }
      errors.push(await client.create("drop", { name: "x" }).catch((e: unknown) => e));
      expect(errors.every((e) => e instanceof Error)).toBe(true);
      expect(lines.length).toBeGreaterThan(0);
      // The server really did send the token back: what is checked below had it to leak.
      const echoed = (errors[0] as { dataverseMessage?: string }).dataverseMessage ?? "";
      expect(echoed).toContain("[redacted]");
      const texts = [...lines, ...errors.flatMap(everything), inspect(client), JSON.stringify(client)];
      for (const text of texts) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(token);
      }
      // The errors still say what happened.
      expect((errors[0] as Error).message).toContain("access denied");
      expect((errors[2] as Error).message).toContain("connection failed");
      expect((errors[3] as Error).message).toContain("is not JSON");
    },
  );

  it("in an authentication failure", async () => {
    identity.mode = "fail";
    const { client } = echoingClient(false);
    const error = await client.whoAmI().catch((e: unknown) => e);
    expect((error as Error).message).toContain("AADSTS7000215");
    for (const text of everything(error)) expect(text).not.toContain(SECRET);
  });
});
