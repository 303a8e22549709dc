import { afterEach, describe, expect, it } from "vitest";
import { DataverseClient } from "../../../src/dataverse/client.js";
import type { ClientInternals } from "../../../src/dataverse/client.js";
import type { DataverseLogEvent } from "../../../src/dataverse/config.js";
import {
  DuplicateError,
  NotFoundError,
  PreconditionFailedError,
  ThrottledError,
  UnavailableError,
  UnexpectedResponseError,
} from "../../../src/dataverse/errors.js";
import { eq } from "../../../src/dataverse/odata.js";
import { dvError, scriptedFetch, whoAmIBody } from "./scripted-fetch.js";
import type { Step } from "./scripted-fetch.js";

const ENV = "https://contoso.crm.dynamics.com";
const ROOT = `${ENV}/api/data/v9.2/`;
const ID = "5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e";

let script: ReturnType<typeof scriptedFetch> | undefined;
afterEach(() => script?.verify());

function client(steps: Step[], retry = {}, extra: Partial<ClientInternals> = {}) {
  script = scriptedFetch(steps);
  const sleeps: number[] = [];
  const events: DataverseLogEvent[] = [];
  let now = 1_000_000;
  const dv = new DataverseClient(
    {
      environmentUrl: ENV,
      auth: { kind: "static-token", token: "unit-token" },
      retry: { maxAttempts: 4, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 1000, ...retry },
      logger: (e) => events.push(e),
    },
    {
      fetch: script.fetch,
      now: () => now,
      random: () => 0.5,
      // Waiting advances the fake clock, so elapsed-time bounds are tested without real time.
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      ...extra,
    },
  );
  return { dv, sleeps, events, seen: script.seen };
}

describe("the scripted fetch these tests use", () => {
  // The pattern this guards against: an assertion thrown inside a fake fetch is caught by the
  // client as a dropped connection, retried, and ends as an UnavailableError, which a test about
  // failures may well expect. Mismatches must fail verify() whatever the call did with them.
  it("fails verify() on a wrong request even when the call's own failure looks expected", async () => {
    const fake = scriptedFetch([{ method: "GET", path: "WhoAmI", answer: { drop: true } }]);
    const dv = new DataverseClient(
      { environmentUrl: ENV, auth: { kind: "static-token", token: "t" }, retry: { maxAttempts: 3 } },
      { fetch: fake.fetch, sleep: async () => undefined },
    );
    const error = await dv
      .request({ method: "GET", path: "accounts", accept: [200] })
      .catch((e: unknown) => e);
    // The client saw a 501 (never retried), not an exception it could mistake for the network.
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(fake.seen).toHaveLength(1);
    expect(() => fake.verify()).toThrow(/did not match the script/);
    expect(fake.mismatches).toEqual([`request 1: GET ${ROOT}accounts, expected GET …WhoAmI…`]);
  });

  it("fails verify() on an answer left unused and on a request past the script", async () => {
    const unused = scriptedFetch([
      { method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } },
    ]);
    expect(() => unused.verify()).toThrow(/answers left unused/);
    const extra = scriptedFetch([]);
    await extra.fetch(`${ROOT}WhoAmI`);
    expect(() => extra.verify()).toThrow(/did not match the script/);
  });
});

describe("request", () => {
  it("sends the OData headers, the bearer token and a request id", async () => {
    const { dv, seen } = client([
      { method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } },
    ]);
    await dv.whoAmI();
    const headers = seen[0]?.headers;
    expect(seen[0]?.url).toBe(`${ROOT}WhoAmI`);
    expect(headers?.get("authorization")).toBe("Bearer unit-token");
    expect(headers?.get("accept")).toBe("application/json");
    expect(headers?.get("odata-version")).toBe("4.0");
    expect(headers?.get("odata-maxversion")).toBe("4.0");
    expect(headers?.get("x-ms-client-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends the configured correlation id on every request", async () => {
    script = scriptedFetch([{ method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } }]);
    const dv = new DataverseClient(
      { environmentUrl: ENV, auth: { kind: "static-token", token: "t" }, correlationId: "run-42" },
      { fetch: script.fetch },
    );
    await dv.whoAmI();
    expect(script.seen[0]?.headers.get("x-ms-correlation-request-id")).toBe("run-42");
  });

  it("is built from environment variables", async () => {
    script = scriptedFetch([{ method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } }]);
    const dv = DataverseClient.fromEnv(
      { IOM_DATAVERSE_URL: "http://127.0.0.1:9999/", IOM_TOKEN: "env-token-123" },
      { fetch: script.fetch },
    );
    expect(dv.apiRoot).toBe("http://127.0.0.1:9999/api/data/v9.2/");
    expect(JSON.stringify(dv)).toBe('{"environmentUrl":"http://127.0.0.1:9999","auth":"static-token"}');
    await dv.whoAmI();
    expect(script.seen[0]?.headers.get("authorization")).toBe("Bearer env-token-123");
  });

  it("refuses a status the call does not accept", async () => {
    const { dv } = client([{ method: "GET", path: "WhoAmI", answer: { status: 204 } }]);
    await expect(dv.whoAmI()).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it("honours Retry-After on 429 and keeps the request id across attempts", async () => {
    const throttled = {
      status: 429,
      body: dvError("0x80072322", "Number of requests exceeded"),
      headers: { "Retry-After": "2" },
    };
    const { dv, sleeps, seen, events } = client([
      { method: "GET", path: "WhoAmI", answer: throttled },
      { method: "GET", path: "WhoAmI", answer: throttled },
      { method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } },
    ]);
    expect(await dv.whoAmI()).toEqual(whoAmIBody);
    expect(sleeps).toEqual([2000, 2000]);
    const ids = new Set(seen.map((s) => s.headers.get("x-ms-client-request-id")));
    expect(ids.size).toBe(1);
    expect(events.map((e) => e.kind)).toEqual(["response", "retry", "response", "retry", "response"]);
  });

  it("backs off exponentially with jitter when there is no Retry-After", async () => {
    const { dv, sleeps } = client([
      { method: "GET", path: "WhoAmI", answer: { status: 503, body: dvError("", "busy") } },
      { method: "GET", path: "WhoAmI", answer: { status: 502 } },
      { method: "GET", path: "WhoAmI", answer: { drop: true } },
      { method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } },
    ]);
    await dv.whoAmI();
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it("gives up after maxAttempts with ThrottledError", async () => {
    const throttled = {
      status: 429,
      body: dvError("0x80072322", "slow down"),
      headers: { "Retry-After": "1" },
    };
    const { dv } = client(
      Array.from({ length: 3 }, () => ({ method: "GET", path: "WhoAmI", answer: throttled })),
      {
        maxAttempts: 3,
      },
    );
    const error = await dv.whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({
      status: 429,
      attempts: 3,
      dataverseCode: "0x80072322",
      method: "GET",
      path: "WhoAmI",
    });
  });

  it("gives up when waiting would pass maxElapsedMs", async () => {
    const throttled = {
      status: 429,
      body: dvError("0x80072322", "slow down"),
      headers: { "Retry-After": "40" },
    };
    const { dv, sleeps } = client(
      [
        { method: "GET", path: "WhoAmI", answer: throttled },
        { method: "GET", path: "WhoAmI", answer: throttled },
      ],
      { maxElapsedMs: 60_000 },
    );
    await expect(dv.whoAmI()).rejects.toMatchObject({ code: "throttled", attempts: 2 });
    expect(sleeps).toEqual([40_000]);
  });

  it("does not retry 4xx answers other than 408 and 429", async () => {
    const { dv } = client([
      {
        method: "GET",
        path: "accounts",
        answer: { status: 404, body: dvError("0x80040217", "account With Id = x Does Not Exist") },
      },
    ]);
    await expect(dv.retrieve("accounts", ID, { select: ["name"] })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reports a connection that keeps dropping as UnavailableError", async () => {
    const { dv } = client(
      Array.from({ length: 2 }, () => ({
        method: "GET" as const,
        path: "WhoAmI",
        answer: { drop: true as const },
      })),
      { maxAttempts: 2 },
    );
    const error = await dv.whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain("UND_ERR_SOCKET");
  });

  it("never follows a nextLink to another host", async () => {
    const { dv } = client([
      {
        method: "GET",
        path: "accounts?",
        answer: {
          status: 200,
          body: {
            value: [{ name: "a" }],
            "@odata.nextLink": "https://evil.example/api/data/v9.2/accounts?$skiptoken=1",
          },
        },
      },
    ]);
    await expect(dv.list("accounts", { select: ["name"] })).rejects.toThrow(/outside the environment/);
  });
});

describe("creates are never replayed blindly", () => {
  it("does not resend a create without a client-chosen id after 503 or a dropped connection", async () => {
    for (const answer of [{ status: 503, body: dvError("", "busy") }, { drop: true as const }]) {
      const { dv, seen } = client([{ method: "POST", path: "accounts", answer }]);
      const error = await dv.create("accounts", { name: "a" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as Error).message).toMatch(/not sent again/);
      expect(seen).toHaveLength(1);
      script?.verify();
    }
  });

  it("resends a create without an id after 429, which Dataverse answers before doing anything", async () => {
    const { dv, seen } = client([
      {
        method: "POST",
        path: "accounts",
        answer: { status: 429, body: dvError("0x80072322", "x"), headers: { "Retry-After": "1" } },
      },
      {
        method: "POST",
        path: "accounts",
        answer: { status: 204, headers: { "OData-EntityId": `${ROOT}accounts(${ID})` } },
      },
    ]);
    expect(await dv.create("accounts", { name: "a" })).toEqual({ id: ID, replayed: false });
    expect(seen).toHaveLength(2);
  });

  it("puts a client-chosen id in the body and recognises its own earlier create on a replay", async () => {
    const { dv, seen } = client([
      { method: "POST", path: "accounts", answer: { drop: true } },
      {
        method: "POST",
        path: "accounts",
        answer: { status: 412, body: dvError("0x80040237", "Cannot insert duplicate key.") },
      },
    ]);
    const result = await dv.create("accounts", { name: "a" }, { primaryIdAttribute: "accountid", id: ID });
    expect(result).toEqual({ id: ID, replayed: true });
    expect(seen.map((s) => JSON.parse(s.body ?? "{}"))).toEqual([
      { name: "a", accountid: ID },
      { name: "a", accountid: ID },
    ]);
  });

  it("reports a duplicate on the first attempt as DuplicateError", async () => {
    const { dv } = client([
      {
        method: "POST",
        path: "accounts",
        answer: { status: 412, body: dvError("0x80040237", "Cannot insert duplicate key.") },
      },
    ]);
    await expect(
      dv.create("accounts", { name: "a" }, { primaryIdAttribute: "accountid", id: ID }),
    ).rejects.toBeInstanceOf(DuplicateError);
  });

  it("turns a create-only upsert that meets an existing row into DuplicateError", async () => {
    const { dv, seen } = client([
      {
        method: "PATCH",
        path: "accounts(name='a')",
        answer: {
          status: 412,
          body: dvError("0x80040237", "A record with matching key values already exists."),
        },
      },
    ]);
    await expect(
      dv.upsert("accounts", { name: "a" }, { name: "a" }, { createOnly: true }),
    ).rejects.toBeInstanceOf(DuplicateError);
    expect(seen[0]?.headers.get("if-none-match")).toBe("*");
  });
});

describe("updates and deletes", () => {
  it("sends If-Match with the ETag and maps 412", async () => {
    const { dv, seen } = client([
      {
        method: "PATCH",
        path: `accounts(${ID})`,
        answer: {
          status: 412,
          body: dvError(
            "0x80060882",
            "The version of the existing record doesn't match the RowVersion property provided.",
          ),
        },
      },
    ]);
    await expect(dv.update("accounts", ID, { name: "b" }, { etag: 'W/"7"' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(seen[0]?.headers.get("if-match")).toBe('W/"7"');
  });

  it("updates with If-Match: * so that an update never creates", async () => {
    const { dv, seen } = client([{ method: "PATCH", path: `accounts(${ID})`, answer: { status: 204 } }]);
    await dv.setState("accounts", ID, { statecode: 1, statuscode: 2 });
    expect(seen[0]?.headers.get("if-match")).toBe("*");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ statecode: 1, statuscode: 2 });
  });

  it("counts a delete whose answer was lost and that then finds nothing as done", async () => {
    const { dv } = client([
      { method: "DELETE", path: `accounts(${ID})`, answer: { drop: true } },
      {
        method: "DELETE",
        path: `accounts(${ID})`,
        answer: { status: 404, body: dvError("0x80040217", "Does Not Exist") },
      },
    ]);
    expect(await dv.delete("accounts", ID)).toEqual({ deleted: false });
  });

  it("treats a missing row as NotFoundError on delete unless told otherwise", async () => {
    const missing = { status: 404, body: dvError("0x80040217", "Does Not Exist") };
    const { dv } = client([
      { method: "DELETE", path: `accounts(${ID})`, answer: missing },
      { method: "DELETE", path: `accounts(${ID})`, answer: missing },
    ]);
    await expect(dv.delete("accounts", ID)).rejects.toBeInstanceOf(NotFoundError);
    expect(await dv.delete("accounts", ID, { ignoreMissing: true })).toEqual({ deleted: false });
  });
});

describe("queries", () => {
  it("sends $select and the filter escaped, asks for a page size and follows nextLink as given", async () => {
    const next = `${ROOT}accounts?$select=name&$skiptoken=%3Ccookie%20pagenumber=%222%22/%3E`;
    const { dv, seen } = client([
      {
        method: "GET",
        path: "accounts?$select=name",
        answer: { status: 200, body: { value: [{ name: "O'Brien" }], "@odata.nextLink": next } },
      },
      { method: "GET", path: "$skiptoken", answer: { status: 200, body: { value: [{ name: "b" }] } } },
    ]);
    const rows = await dv.list(
      "accounts",
      { select: ["name"], filter: eq("name", "O'Brien") },
      { pageSize: 1 },
    );
    expect(rows).toEqual([{ name: "O'Brien" }, { name: "b" }]);
    expect(new URL(seen[0]?.url ?? "").searchParams.get("$filter")).toBe("name eq 'O''Brien'");
    expect(seen[0]?.headers.get("prefer")).toBe("odata.maxpagesize=1");
    expect(seen[1]?.url).toBe(next);
  });

  it("returns undefined for a missing row only when asked to", async () => {
    const { dv } = client([
      {
        method: "GET",
        path: `accounts(${ID})?$select=name`,
        answer: { status: 404, body: dvError("0x80040217", "Does Not Exist") },
      },
    ]);
    expect(await dv.retrieveIfExists("accounts", ID, { select: ["name"] })).toBeUndefined();
  });
});
