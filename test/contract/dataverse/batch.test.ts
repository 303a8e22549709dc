// $batch against the emulator: reads and change sets, an atomic change set that fails, and
// continue-on-error. One HTTP request per batch, whatever it holds.
import { describe, expect, it } from "vitest";
import { BadRequestError } from "../../../src/dataverse/errors.js";
import { queryPath } from "../../../src/dataverse/odata.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();
const POLICIES = "msdyn_iompolicies";

async function policyNames(): Promise<string[]> {
  const { dv } = h.client();
  const rows = await dv.list(POLICIES, { select: ["msdyn_name"], orderBy: ["msdyn_name"] });
  return rows.map((r) => String(r["msdyn_name"]));
}

describe("$batch", () => {
  it("runs reads and a change set in one request", async () => {
    const { dv } = h.client();
    const results = await dv.batch([
      {
        kind: "request",
        request: { method: "GET", path: queryPath("accounts", { select: ["name"], top: 1 }) },
      },
      {
        kind: "changeset",
        requests: [
          { method: "POST", path: POLICIES, body: { msdyn_name: "batch a" } },
          { method: "POST", path: POLICIES, body: { msdyn_name: "batch b" } },
        ],
      },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["succeeded", "succeeded"]);
    expect(results[0]?.responses[0]?.status).toBe(200);
    expect((results[0]?.responses[0]?.body as { value: unknown[] }).value).toHaveLength(1);
    expect(results[1]?.responses.map((r) => r.status)).toEqual([204, 204]);
    expect(await h.counters()).toMatchObject({ total: 1, byMethod: { POST: 1 } });
    expect(await policyNames()).toEqual(["batch a", "batch b"]);
  });

  it("rolls back a failing change set, reports its typed error and stops the batch", async () => {
    const { dv } = h.client();
    const results = await dv.batch([
      { kind: "changeset", requests: [{ method: "POST", path: POLICIES, body: { msdyn_name: "kept" } }] },
      {
        kind: "changeset",
        requests: [
          { method: "POST", path: POLICIES, body: { msdyn_name: "rolled back" } },
          { method: "POST", path: POLICIES, body: { msdyn_name: "bad", msdyn_nosuchcolumn: 1 } },
        ],
      },
      {
        kind: "changeset",
        requests: [{ method: "POST", path: POLICIES, body: { msdyn_name: "never run" } }],
      },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["succeeded", "failed", "not-run"]);
    const error = results[1]?.error;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error?.status).toBe(400);
    expect(error?.dataverseMessage).toContain("msdyn_nosuchcolumn");
    expect(await policyNames()).toEqual(["kept"]);
    // A batch with writes is not replayed: exactly one POST reached the emulator.
    expect((await h.counters()).byRoute).toMatchObject({ "POST /api/data/v9.2/$batch": 1 });
  });

  it("goes on after a failure with continueOnError", async () => {
    const { dv } = h.client();
    const results = await dv.batch(
      [
        {
          kind: "changeset",
          requests: [{ method: "POST", path: POLICIES, body: { msdyn_name: "bad", nope: 1 } }],
        },
        { kind: "changeset", requests: [{ method: "POST", path: POLICIES, body: { msdyn_name: "after" } }] },
      ],
      { continueOnError: true },
    );
    expect(results.map((r) => r.outcome)).toEqual(["failed", "succeeded"]);
    expect(await policyNames()).toEqual(["after"]);
  });

  it("retries a batch of reads after 503, and a batch of writes only after 429", async () => {
    const { dv, sleeps } = h.client();
    await h.faults([{ status: 503, count: 1, path: "$batch" }]);
    const reads = await dv.batch([{ kind: "request", request: { method: "GET", path: "WhoAmI" } }]);
    expect(reads[0]?.outcome).toBe("succeeded");
    expect((await h.counters()).total).toBe(2);

    await h.resetCounters();
    await h.faults([{ status: 503, count: 1, path: "$batch" }]);
    const writes = dv.batch([
      { kind: "changeset", requests: [{ method: "POST", path: POLICIES, body: { msdyn_name: "w" } }] },
    ]);
    await expect(writes).rejects.toMatchObject({ code: "unavailable", status: 503, attempts: 1 });
    expect((await h.counters()).total).toBe(1);

    await h.resetCounters();
    await h.faults([{ status: 429, retryAfter: 2, count: 1, path: "$batch" }]);
    const retried = await dv.batch([
      { kind: "changeset", requests: [{ method: "POST", path: POLICIES, body: { msdyn_name: "w" } }] },
    ]);
    expect(retried[0]?.outcome).toBe("succeeded");
    expect((await h.counters()).total).toBe(2);
    expect(sleeps.at(-1)).toBe(2000);
    expect(await policyNames()).toEqual(["w"]);
  });
});
