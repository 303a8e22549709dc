// Answers a Dataverse client must not trust: bodies that are not JSON (a proxy's sign-in page),
// JSON cut short, JSON of the wrong shape, collection links that loop, and bodies far larger than
// any Dataverse answer. Each is a typed UnexpectedResponseError naming the request, raised before
// the caller can act on it, never retried into a duplicate, and never a crash.
import { afterEach, describe, expect, it } from "vitest";
import { DataverseClient, MAX_RESPONSE_BYTES } from "../../../src/dataverse/client.js";
import { UnavailableError, UnexpectedResponseError } from "../../../src/dataverse/errors.js";
import { scriptedFetch, whoAmIBody } from "./scripted-fetch.js";
import type { Step } from "./scripted-fetch.js";

const ENV = "https://contoso.crm.dynamics.com";
const ROOT = `${ENV}/api/data/v9.2/`;
const ID = "5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e";
const SIGN_IN_PAGE = "<!DOCTYPE html><html><body>Sign in to your account</body></html>";

let script: ReturnType<typeof scriptedFetch> | undefined;
afterEach(() => script?.verify());

function client(steps: Step[]): DataverseClient {
  script = scriptedFetch(steps);
  return new DataverseClient(
    {
      environmentUrl: ENV,
      auth: { kind: "static-token", token: "unit-token" },
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
    },
    { fetch: script.fetch, sleep: async () => undefined },
  );
}

async function failure(promise: Promise<unknown>): Promise<UnexpectedResponseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnexpectedResponseError);
  expect((error as UnexpectedResponseError).code).toBe("unexpected");
  return error as UnexpectedResponseError;
}

const html = { status: 200, body: SIGN_IN_PAGE, headers: { "content-type": "text/html" } };
const truncated = {
  status: 200,
  body: '{"value":[{"name":"a"',
  headers: { "content-type": "application/json" },
};

describe("a body that is not JSON", () => {
  it.each([
    ["a sign-in page", html, /the response body is not JSON \(content type "text\/html"\)/],
    ["JSON cut short", truncated, /the response body is not valid JSON \(21 bytes/],
    ["plain text", { status: 200, body: "ok" }, /is not JSON \(content type "text\/plain;charset=UTF-8"\)/],
    [
      "no content type at all",
      { status: 200, stream: () => new Blob(["{}"]).stream() },
      /is not JSON \(content type "none"\)/,
    ],
  ])("is refused as %s, on the first attempt, naming the request", async (_label, answer, message) => {
    const dv = client([{ method: "GET", path: "accounts(", answer }]);
    const error = await failure(dv.retrieve("accounts", ID, { select: ["name"] }));
    expect(error.message).toMatch(message);
    expect(error).toMatchObject({ status: 200, method: "GET", attempts: 1 });
    expect(error.path).toBe(`accounts(${ID})?$select=name`);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).not.toContain("Sign in");
  });

  it("is refused on a create, which is then not sent again: no duplicate", async () => {
    const dv = client([{ method: "POST", path: "accounts", answer: { ...html, status: 201 } }]);
    await failure(
      dv.create("accounts", { name: "a" }, { primaryIdAttribute: "accountid", select: ["name"] }),
    );
    expect(script?.seen).toHaveLength(1);
  });

  it("still maps an error answer by its status when the gateway's body is HTML", async () => {
    const gateway = {
      status: 502,
      body: "<html>Bad gateway</html>",
      headers: { "content-type": "text/html" },
    };
    const dv = client(Array.from({ length: 4 }, () => ({ method: "GET", path: "WhoAmI", answer: gateway })));
    const error = await dv.whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 502, attempts: 4 });
  });
});

describe("JSON of the wrong shape", () => {
  it.each<[string, unknown, RegExp]>([
    ["a list", [{ name: "a" }], /the row came back as a list, not a JSON object/],
    ["a string", "a", /the row came back as string/],
    ["a number", 7, /the row came back as number/],
    ["null", null, /the row came back as null, not a JSON object/],
  ])("is refused when a row is %s", async (_label, body, message) => {
    const dv = client([
      {
        method: "GET",
        path: "accounts(",
        answer: { status: 200, body: JSON.stringify(body), headers: { "content-type": "application/json" } },
      },
    ]);
    expect((await failure(dv.retrieve("accounts", ID, { select: ["name"] }))).message).toMatch(message);
  });

  it.each([
    ["nothing", {}, /no UserId/],
    ["no organization", { ...whoAmIBody, OrganizationId: undefined }, /no OrganizationId/],
    ["an empty user", { ...whoAmIBody, UserId: "" }, /no UserId/],
    ["a list", [whoAmIBody], /came back as a list/],
  ])("is refused when WhoAmI has %s", async (_label, body, message) => {
    const dv = client([{ method: "GET", path: "WhoAmI", answer: { status: 200, body } }]);
    expect((await failure(dv.whoAmI())).message).toMatch(message);
  });

  it.each<[string, unknown, RegExp]>([
    ["no value array", { value: { name: "a" } }, /has no value array/],
    ["a row that is not an object", { value: [{ name: "a" }, "b"] }, /a value that is not a row/],
    ["a nextLink that is not a link", { value: [], "@odata.nextLink": 5 }, /not a link/],
  ])("is refused when a collection has %s", async (_label, body, message) => {
    const dv = client([{ method: "GET", path: "accounts?", answer: { status: 200, body } }]);
    expect((await failure(dv.list("accounts", { select: ["name"] }))).message).toMatch(message);
  });

  it("stops a nextLink that leads back to a page already read, instead of paging for ever", async () => {
    const again = `${ROOT}accounts?$select=name&$skiptoken=1`;
    const dv = client([
      {
        method: "GET",
        path: "accounts?",
        answer: { status: 200, body: { value: [{}], "@odata.nextLink": again } },
      },
      {
        method: "GET",
        path: "$skiptoken=1",
        answer: { status: 200, body: { value: [{}], "@odata.nextLink": again } },
      },
    ]);
    expect((await failure(dv.list("accounts", { select: ["name"] }))).message).toMatch(
      /links back to a page/,
    );
  });

  it("is refused when a create asked for its row and got something else", async () => {
    const dv = client([{ method: "POST", path: "accounts", answer: { status: 201, body: ["x"] } }]);
    await failure(
      dv.create("accounts", { name: "a" }, { primaryIdAttribute: "accountid", select: ["name"] }),
    );
  });
});

describe("a body far larger than any Dataverse answer", () => {
  /** An endless body, counting how many chunks were pulled from it. */
  function endless(): { stream: () => ReadableStream<Uint8Array>; pulled: () => number } {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let pulled = 0;
    return {
      stream: () =>
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(chunk);
          },
        }),
      pulled: () => pulled,
    };
  }

  it("is cut off just past the limit, the stream cancelled, and not retried", async () => {
    const body = endless();
    const dv = client([
      {
        method: "GET",
        path: "accounts?",
        answer: { status: 200, stream: body.stream, headers: { "content-type": "application/json" } },
      },
    ]);
    const error = await failure(dv.list("accounts", { select: ["name"] }));
    expect(error.message).toContain(`larger than the ${MAX_RESPONSE_BYTES} bytes`);
    // Read up to the limit and one chunk more, then stopped (a stream pulls a chunk or two ahead).
    expect(body.pulled()).toBeGreaterThan(MAX_RESPONSE_BYTES / (1024 * 1024));
    expect(body.pulled()).toBeLessThanOrEqual(MAX_RESPONSE_BYTES / (1024 * 1024) + 3);
  });

  it("is refused from its declared length without reading it", async () => {
    const body = endless();
    const headers = { "content-type": "application/json", "content-length": String(10 * MAX_RESPONSE_BYTES) };
    const dv = client([
      { method: "GET", path: "WhoAmI", answer: { status: 200, stream: body.stream, headers } },
    ]);
    const error = await failure(dv.whoAmI());
    expect(error.message).toContain(`declares ${10 * MAX_RESPONSE_BYTES} bytes`);
    expect(body.pulled()).toBeLessThanOrEqual(1);
  });

  it("is refused even as an error answer, which would otherwise be read whole", async () => {
    const body = endless();
    const dv = client([
      {
        method: "GET",
        path: "WhoAmI",
        answer: { status: 503, stream: body.stream, headers: { "content-type": "text/html" } },
      },
    ]);
    await failure(dv.whoAmI());
  });
});

describe("a body cut off by the connection", () => {
  const broken = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"value":['));
        controller.error(
          new TypeError("terminated", {
            cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
          }),
        );
      },
    });

  it("is a lost answer: a read is sent again and succeeds", async () => {
    const dv = client([
      {
        method: "GET",
        path: "WhoAmI",
        answer: { status: 200, stream: broken, headers: { "content-type": "application/json" } },
      },
      { method: "GET", path: "WhoAmI", answer: { status: 200, body: whoAmIBody } },
    ]);
    expect(await dv.whoAmI()).toEqual(whoAmIBody);
  });

  it("is a lost answer: a create without a client id is not sent again", async () => {
    const dv = client([
      {
        method: "POST",
        path: "accounts",
        answer: { status: 204, stream: broken, headers: { "content-type": "application/json" } },
      },
    ]);
    const error = await dv.create("accounts", { name: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/not sent again/);
  });
});
