// Each retry rule under the emulator's fault injection, with the exact number of requests that
// reached it (its counters) and the exact waits the client chose (a fake clock records them).
import { describe, expect, it } from "vitest";
import { ThrottledError, UnavailableError } from "../../../src/dataverse/errors.js";
import { eq } from "../../../src/dataverse/odata.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();
const POLICIES = "msdyn_iompolicies";
const POLICY_ID = "msdyn_iompolicyid";
const WHOAMI = "GET /api/data/v9.2/WhoAmI";
const CREATE = `POST /api/data/v9.2/${POLICIES}`;

async function rowsNamed(name: string): Promise<number> {
  const { dv } = h.client();
  return (await dv.list(POLICIES, { select: ["msdyn_name"], filter: eq("msdyn_name", name) })).length;
}

/** A fetch that lets the request through to the emulator, then loses the answer (once). */
function losingAnswers(times: number, method: string): typeof globalThis.fetch {
  let left = times;
  return async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? "GET") === method && left > 0) {
      left--;
      await response.arrayBuffer();
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
      });
    }
    return response;
  };
}

describe("429 with Retry-After", () => {
  it("rides out a storm of three: four requests, waits of exactly Retry-After", async () => {
    const { dv, sleeps } = h.client();
    await h.faults([{ status: 429, retryAfter: 1, count: 3, path: "WhoAmI" }]);
    expect((await dv.whoAmI()).UserId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await h.counters()).byRoute[WHOAMI]).toBe(4);
    expect(sleeps).toEqual([1000, 1000, 1000]);
  });

  it("stops at maxAttempts with ThrottledError", async () => {
    const { dv } = h.client({ maxAttempts: 3 });
    await h.faults([{ status: 429, retryAfter: 1, count: 3, path: "WhoAmI" }]);
    const error = await dv.whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ status: 429, attempts: 3, dataverseCode: "0x80072322", path: "WhoAmI" });
    expect((await h.counters()).total).toBe(3);
  });

  it("stops when the next wait would pass maxElapsedMs", async () => {
    const { dv, sleeps } = h.client({ maxElapsedMs: 8000 });
    await h.faults([{ status: 429, retryAfter: 5, count: 2, path: "WhoAmI" }]);
    await expect(dv.whoAmI()).rejects.toMatchObject({ code: "throttled", attempts: 2 });
    expect(sleeps).toEqual([5000]);
    expect((await h.counters()).total).toBe(2);
  });

  it("resends a create without a client id: Dataverse refused it before doing anything", async () => {
    const { dv } = h.client();
    await h.faults([{ status: 429, retryAfter: 1, count: 1, method: "POST", path: POLICIES }]);
    await dv.create(POLICIES, { msdyn_name: "after 429" });
    expect((await h.counters()).byRoute[CREATE]).toBe(2);
    expect(await rowsNamed("after 429")).toBe(1);
  });
});

describe("503 and backoff", () => {
  it("retries a read with exponential backoff and jitter", async () => {
    const { dv, sleeps } = h.client({ baseDelayMs: 100 }, { random: () => 0.5 });
    await h.faults([{ status: 503, count: 2, path: "WhoAmI" }]);
    await dv.whoAmI();
    expect(sleeps).toEqual([50, 100]);
    expect((await h.counters()).total).toBe(3);
  });

  it("does not resend a create without a client id", async () => {
    const { dv } = h.client();
    await h.faults([{ status: 503, count: 1, method: "POST", path: POLICIES }]);
    const error = await dv.create(POLICIES, { msdyn_name: "no id, 503" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, attempts: 1 });
    expect((await h.counters()).byRoute[CREATE]).toBe(1);
    expect(await rowsNamed("no id, 503")).toBe(0);
  });

  it("resends a create with a client-chosen id and makes exactly one row", async () => {
    const { dv } = h.client();
    await h.faults([{ status: 503, count: 2, method: "POST", path: POLICIES }]);
    const result = await dv.create(POLICIES, { msdyn_name: "id, 503" }, { primaryIdAttribute: POLICY_ID });
    expect(result.replayed).toBe(false);
    expect((await h.counters()).byRoute[CREATE]).toBe(3);
    expect(await rowsNamed("id, 503")).toBe(1);
  });

  it("gives up with UnavailableError at maxAttempts", async () => {
    const { dv } = h.client({ maxAttempts: 2 });
    await h.faults([{ status: 503, count: 2, path: "WhoAmI" }]);
    await expect(dv.whoAmI()).rejects.toMatchObject({ code: "unavailable", status: 503, attempts: 2 });
    expect((await h.counters()).total).toBe(2);
  });
});

describe("dropped connections", () => {
  it("retries a read", async () => {
    const { dv, events } = h.client();
    await h.faults([{ drop: true, count: 2, path: "WhoAmI" }]);
    await dv.whoAmI();
    expect((await h.counters()).total).toBe(3);
    expect(events.filter((e) => e.kind === "network-error")).toHaveLength(2);
  });

  it("gives up with UnavailableError at maxAttempts", async () => {
    const { dv } = h.client({ maxAttempts: 3 });
    await h.faults([{ drop: true, count: 3, path: "WhoAmI" }]);
    const error = await dv.whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: undefined, attempts: 3 });
    expect((await h.counters()).total).toBe(3);
  });

  it("does not replay a dropped create without a client id", async () => {
    const { dv } = h.client();
    await h.faults([{ drop: true, count: 1, method: "POST", path: POLICIES }]);
    const error = await dv.create(POLICIES, { msdyn_name: "dropped, no id" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/not sent again/);
    expect((await h.counters()).byRoute[CREATE]).toBe(1);
    // The emulator drops the connection before it applies the request.
    expect(await rowsNamed("dropped, no id")).toBe(0);
  });

  it("resends a dropped create with a client-chosen id: exactly one row", async () => {
    const { dv } = h.client();
    await h.faults([{ drop: true, count: 1, method: "POST", path: POLICIES }]);
    const result = await dv.create(
      POLICIES,
      { msdyn_name: "dropped, id" },
      { primaryIdAttribute: POLICY_ID },
    );
    expect((await h.counters()).byRoute[CREATE]).toBe(2);
    expect(await rowsNamed("dropped, id")).toBe(1);
    const { dv: reader } = h.client();
    expect((await reader.retrieve(POLICIES, result.id, { select: ["msdyn_name"] })).msdyn_name).toBe(
      "dropped, id",
    );
  });

  it("recognises its own create when the answer was lost after the row was made", async () => {
    const { dv } = h.client({}, { fetch: losingAnswers(1, "POST") });
    const result = await dv.create(
      POLICIES,
      { msdyn_name: "answer lost" },
      { primaryIdAttribute: POLICY_ID, select: ["msdyn_name"] },
    );
    expect(result.replayed).toBe(true);
    expect(result.record).toMatchObject({ msdyn_name: "answer lost" });
    expect((await h.counters()).byMethod).toEqual({ POST: 2, GET: 1 });
    expect(await rowsNamed("answer lost")).toBe(1);
  });

  it("recognises its own create-only upsert when the answer was lost", async () => {
    const { dv } = h.client({}, { fetch: losingAnswers(1, "PATCH") });
    const result = await dv.upsert(
      "accounts",
      { accountnumber: "SE-900" },
      { name: "Lost answer AB" },
      { createOnly: true },
    );
    expect(result.created).toBe(true);
    expect((await h.counters()).byMethod).toEqual({ PATCH: 2 });
    const { dv: reader } = h.client();
    expect(
      await reader.list("accounts", { select: ["name"], filter: eq("accountnumber", "SE-900") }),
    ).toHaveLength(1);
  });

  it("counts a delete whose answer was lost as done", async () => {
    const { dv: setup } = h.client();
    const { id } = await setup.create(
      POLICIES,
      { msdyn_name: "to delete" },
      { primaryIdAttribute: POLICY_ID },
    );
    await h.resetCounters();
    const { dv } = h.client({}, { fetch: losingAnswers(1, "DELETE") });
    expect(await dv.delete(POLICIES, id)).toEqual({ deleted: false });
    expect((await h.counters()).byMethod).toEqual({ DELETE: 2 });
    expect(await rowsNamed("to delete")).toBe(0);
  });
});
