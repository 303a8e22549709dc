import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  BadRequestError,
  DataverseError,
  DuplicateError,
  NotFoundError,
  PreconditionFailedError,
  ThrottledError,
  UnavailableError,
  UnexpectedResponseError,
  errorFromResponse,
} from "../../../src/dataverse/errors.js";

const body = (code: string, message: string) => ({ error: { code, message } });

describe("errorFromResponse", () => {
  it.each([
    [404, body("0x80040217", "msdyn_iompolicy With Id = x Does Not Exist"), NotFoundError, "not-found"],
    [400, body("0x80040217", "Does Not Exist"), NotFoundError, "not-found"],
    [404, body("0x8006088a", "Resource not found for the segment 'x'."), NotFoundError, "not-found"],
    [
      412,
      body("0x80040237", "A record with matching key values already exists."),
      DuplicateError,
      "duplicate",
    ],
    [400, body("0x80040237", "Cannot insert duplicate key."), DuplicateError, "duplicate"],
    [
      412,
      body("0x80060882", "The version of the existing record doesn't match"),
      PreconditionFailedError,
      "precondition-failed",
    ],
    [429, body("0x80072322", "Number of requests exceeded"), ThrottledError, "throttled"],
    [503, body("", "Service unavailable"), UnavailableError, "unavailable"],
    [504, undefined, UnavailableError, "unavailable"],
    [401, undefined, AccessDeniedError, "access-denied"],
    [
      403,
      body("0x80040220", "Principal user is missing prvReadmsdyn_iompolicy"),
      AccessDeniedError,
      "access-denied",
    ],
    [400, body("0x0", "Could not find a property named 'x'"), BadRequestError, "bad-request"],
    [500, body("0x80040265", "plug-in failed"), UnexpectedResponseError, "unexpected"],
    [302, "", UnexpectedResponseError, "unexpected"],
  ] as const)("%d %j -> %s", (status, errorBody, klass, code) => {
    const error = errorFromResponse({ status, body: errorBody, method: "GET", path: "msdyn_iompolicies(1)" });
    expect(error).toBeInstanceOf(klass);
    expect(error).toBeInstanceOf(DataverseError);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
  });

  it("carries status, Dataverse code and message, method and path, and says what to do", () => {
    const error = errorFromResponse({
      status: 412,
      body: body(
        "0x80060882",
        "The version of the existing record doesn't match the RowVersion property provided.",
      ),
      method: "PATCH",
      path: "msdyn_iompolicies(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e)",
      attempts: 1,
      requestId: "r-1",
    });
    expect(error).toMatchObject({
      status: 412,
      dataverseCode: "0x80060882",
      dataverseMessage: "The version of the existing record doesn't match the RowVersion property provided.",
      method: "PATCH",
      path: "msdyn_iompolicies(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e)",
      requestId: "r-1",
    });
    expect(error.message).toBe(
      "PATCH msdyn_iompolicies(5d1a1f52-0c4b-4b7c-9e2f-8b1f0d2c3a4e): precondition failed: The version of the existing record doesn't match the RowVersion property provided. (HTTP 412, 0x80060882). The row changed since it was read; refresh to read the current version, then apply again.",
    );
    expect(error.hint).toMatch(/refresh/);
  });

  it("prints and serialises only its safe fields", () => {
    const error = errorFromResponse({
      status: 404,
      body: body("0x80040217", "gone"),
      method: "GET",
      path: "x",
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      code: "not-found",
      status: 404,
      name: "NotFoundError",
    });
    expect(inspect(error)).toBe(`NotFoundError [not-found]: ${error.message}`);
  });
});
