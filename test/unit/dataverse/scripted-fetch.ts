// A strict fake of fetch for client unit tests: each expected request is listed in order with
// its answer; an unexpected request fails the test, and so does an answer left unused.
import { expect } from "vitest";

export type Answer =
  { status: number; body?: unknown; headers?: Record<string, string> } | { drop: true; message?: string };

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

export function scriptedFetch(steps: Step[]) {
  const queue = [...steps];
  const seen: SeenRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    seen.push({ method, url, headers, body: typeof init?.body === "string" ? init.body : undefined });
    const step = queue.shift();
    if (!step) throw new Error(`unexpected request: ${method} ${url}`);
    expect(`${method} ${url}`).toContain(`${step.method} `);
    expect(url).toContain(step.path);
    const answer = step.answer;
    if ("drop" in answer) {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error(answer.message ?? "other side closed"), { code: "UND_ERR_SOCKET" }),
      });
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
    assertAllUsed: () => expect(queue, "answers left unused").toEqual([]),
  };
}

export const dvError = (code: string, message: string) => ({ error: { code, message } });
