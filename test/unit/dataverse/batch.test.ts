import { describe, expect, it } from "vitest";
import { boundaryOf, readBatch, writeBatch } from "../../../src/dataverse/batch.js";

const ROOT = "https://contoso.crm.dynamics.com/api/data/v9.2/";

function ids(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

describe("writeBatch", () => {
  it("writes requests and change sets with CRLF, absolute URLs and Content-IDs", () => {
    const written = writeBatch(
      [
        { kind: "request", request: { method: "GET", path: "accounts?$select=name" } },
        {
          kind: "changeset",
          requests: [
            { method: "POST", path: "accounts", body: { name: "a" } },
            {
              method: "PATCH",
              path: "accounts(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e)",
              body: { name: "b" },
              headers: { "If-Match": "*" },
            },
          ],
        },
      ],
      ROOT,
      ids(),
    );
    expect(written.contentType).toBe("multipart/mixed; boundary=batch_id1");
    expect(written.body.split("\r\n")).toEqual([
      "--batch_id1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "",
      `GET ${ROOT}accounts?$select=name HTTP/1.1`,
      "Accept: application/json",
      "",
      "",
      "--batch_id1",
      "Content-Type: multipart/mixed; boundary=changeset_id2",
      "",
      "--changeset_id2",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 1",
      "",
      `POST ${ROOT}accounts HTTP/1.1`,
      "Content-Type: application/json; type=entry",
      "",
      '{"name":"a"}',
      "--changeset_id2",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 2",
      "",
      `PATCH ${ROOT}accounts(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e) HTTP/1.1`,
      "If-Match: *",
      "Content-Type: application/json; type=entry",
      "",
      '{"name":"b"}',
      "--changeset_id2--",
      "",
      "--batch_id1--",
      "",
    ]);
  });

  it("refuses what Dataverse refuses", () => {
    expect(() => writeBatch([], ROOT)).toThrow(RangeError);
    expect(() =>
      writeBatch([{ kind: "changeset", requests: [{ method: "GET", path: "accounts" }] }], ROOT),
    ).toThrow(/GET/);
    const many = Array.from({ length: 1001 }, () => ({
      kind: "request" as const,
      request: { method: "GET" as const, path: "x" },
    }));
    expect(() => writeBatch(many, ROOT)).toThrow(/1000/);
    expect(() =>
      writeBatch(
        [
          {
            kind: "request",
            request: { method: "GET", path: "x", headers: { "X-A": "1\r\nAuthorization: x" } },
          },
        ],
        ROOT,
      ),
    ).toThrow(/line break/);
  });
});

describe("readBatch", () => {
  it("reads plain responses and change set responses in order", () => {
    const text = [
      "--batchresponse_1",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "",
      "HTTP/1.1 200 OK",
      "Content-Type: application/json; odata.metadata=minimal",
      "OData-Version: 4.0",
      "",
      '{"value":[{"name":"a"}]}',
      "--batchresponse_1",
      'Content-Type: multipart/mixed; boundary="changesetresponse_2"',
      "",
      "--changesetresponse_2",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 1",
      "",
      "HTTP/1.1 204 No Content",
      "OData-EntityId: https://x/api/data/v9.2/accounts(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e)",
      "",
      "",
      "--changesetresponse_2--",
      "--batchresponse_1--",
      "",
    ].join("\r\n");
    expect(readBatch('multipart/mixed; boundary="batchresponse_1"', text)).toEqual([
      {
        kind: "response",
        response: {
          status: 200,
          headers: { "content-type": "application/json; odata.metadata=minimal", "odata-version": "4.0" },
          body: { value: [{ name: "a" }] },
        },
      },
      {
        kind: "changeset",
        responses: [
          {
            status: 204,
            headers: {
              "odata-entityid": "https://x/api/data/v9.2/accounts(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e)",
            },
            body: undefined,
            contentId: "1",
          },
        ],
      },
    ]);
  });

  it("reads a failed change set answered by a single error part, with LF line ends", () => {
    const text = [
      "--batchresponse_9",
      "Content-Type: application/http",
      "",
      "HTTP/1.1 400 Bad Request",
      "",
      '{"error":{"code":"0x0","message":"bad"}}',
      "--batchresponse_9--",
    ].join("\n");
    expect(readBatch("multipart/mixed; boundary=batchresponse_9", text)).toEqual([
      {
        kind: "response",
        response: { status: 400, headers: {}, body: { error: { code: "0x0", message: "bad" } } },
      },
    ]);
  });

  it("rejects what is not a multipart response", () => {
    expect(() => readBatch("application/json", "{}")).toThrow(/multipart/);
    expect(boundaryOf('multipart/mixed; boundary="a b"')).toBe("a b");
  });
});
