// A strict fake of fetch for client unit tests: each expected request is listed in order with
// its answer; an unexpected request fails the test, and so does an answer left unused.
//
// It never asserts inside fetch. The client treats anything fetch throws as a dropped connection
// and retries it, so an assertion thrown there would be swallowed and surface, if at all, as an
// UnavailableError that a test about failures might even expect. Instead a request that does not
// match is recorded and answered with 501 (which the client does not retry), and verify(), run
// after the call (the test files call it in afterEach), fails on anything recorded.
import { expect } from "vitest";

export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { drop: true; message?: string }
  /** A body given as a stream, for answers too large or too broken to build as a string. */
  | { status: number; stream: () => ReadableStream<Uint8Array>; headers?: Record<string, string> };

export interface Step {
  method: string;
  /** The URL must contain this. */
  path: string;
  answer: Answer;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
}

export interface ScriptedFetch {
  fetch: typeof globalThis.fetch;
  seen: SeenRequest[];
  /** Requests that did not match their step (or came after the last one), in order. */
  mismatches: string[];
  /** Fails when a request did not match, or when answers were left unused. */
  verify(): void;
}

export function scriptedFetch(steps: Step[]): ScriptedFetch {
  const queue = [...steps];
  const seen: SeenRequest[] = [];
  const mismatches: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    seen.push({ method, url, headers, body: typeof init?.body === "string" ? init.body : undefined });
    const step = queue.shift();
    if (!step || step.method !== method || !url.includes(step.path)) {
      mismatches.push(
        `request ${seen.length}: ${method} ${url}, ${step ? `expected ${step.method} …${step.path}…` : "after the last scripted answer"}`,
      );
      return new Response(JSON.stringify({ error: { code: "0x0", message: "unscripted request" } }), {
        status: 501,
        headers: { "content-type": "application/json" },
      });
    }
    const answer = step.answer;
    if ("drop" in answer) {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error(answer.message ?? "other side closed"), { code: "UND_ERR_SOCKET" }),
      });
    }
    if ("stream" in answer) {
      return new Response(answer.stream(), { status: answer.status, headers: answer.headers ?? {} });
    }
    const text =
      answer.body === undefined
        ? null
        : typeof answer.body === "string"
          ? answer.body
          : JSON.stringify(answer.body);
    return new Response(text, {
      status: answer.status,
      headers: {
        ...(typeof answer.body === "object" ? { "content-type": "application/json" } : {}),
        ...(answer.headers ?? {}),
      },
    });
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    seen,
    mismatches,
    verify: () => {
      expect(mismatches, "requests that did not match the script").toEqual([]);
      expect(
        queue.map((s) => `${s.method} …${s.path}…`),
        "answers left unused",
      ).toEqual([]);
    },
  };
}

export const dvError = (code: string, message: string) => ({ error: { code, message } });

/** A WhoAmI answer with every field the client checks. */
export const whoAmIBody = {
  UserId: "7a6c3f0e-1d2b-4c5a-9e8f-0a1b2c3d4e5f",
  BusinessUnitId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
  OrganizationId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
};
