// CRUD, upsert, ETags and paging against the emulator, with exact request counts.
import { describe, expect, it } from "vitest";
import { etagOf } from "../../../src/dataverse/client.js";
import { DuplicateError, NotFoundError, PreconditionFailedError } from "../../../src/dataverse/errors.js";
import { eq, filter, startsWith } from "../../../src/dataverse/odata.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();
const POLICIES = "msdyn_iompolicies";
const ID = "0b7f6d3e-2c1a-4e5f-9a8b-7c6d5e4f3a2b";

describe("create, read, update, delete", () => {
  it("round-trips a row with a client-chosen id, one request per call", async () => {
    const { dv } = h.client();
    const created = await dv.create(
      POLICIES,
      { msdyn_name: "Set company" },
      { primaryIdAttribute: "msdyn_iompolicyid", id: ID },
    );
    expect(created).toEqual({ id: ID, replayed: false });

    const row = await dv.retrieve(POLICIES, ID, { select: ["msdyn_name"] });
    expect(row).toMatchObject({ msdyn_name: "Set company", msdyn_iompolicyid: ID });
    expect(etagOf(row)).toMatch(/^W\/"\d+"$/);

    await dv.update(POLICIES, ID, { msdyn_name: "Set company and customer" });
    expect((await dv.retrieve(POLICIES, ID, { select: ["msdyn_name"] })).msdyn_name).toBe(
      "Set company and customer",
    );

    expect(await dv.delete(POLICIES, ID)).toEqual({ deleted: true });
    expect(await dv.retrieveIfExists(POLICIES, ID, { select: ["msdyn_name"] })).toBeUndefined();
    await expect(dv.retrieve(POLICIES, ID, { select: ["msdyn_name"] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(dv.delete(POLICIES, ID)).rejects.toBeInstanceOf(NotFoundError);
    expect(await dv.delete(POLICIES, ID, { ignoreMissing: true })).toEqual({ deleted: false });

    const counters = await h.counters();
    expect(counters.byMethod).toEqual({ POST: 1, GET: 4, PATCH: 1, DELETE: 3 });
  });

  it("creates without a client id and reads the id from OData-EntityId", async () => {
    const { dv } = h.client();
    const { id } = await dv.create(POLICIES, { msdyn_name: "No id given" });
    expect((await dv.retrieve(POLICIES, id, { select: ["msdyn_name"] })).msdyn_name).toBe("No id given");
  });

  it("returns the representation when asked", async () => {
    const { dv } = h.client();
    const { record } = await dv.create(
      POLICIES,
      { msdyn_name: "With body" },
      { primaryIdAttribute: "msdyn_iompolicyid", select: ["msdyn_name"] },
    );
    expect(record).toMatchObject({ msdyn_name: "With body" });
    expect(etagOf(record ?? {})).toMatch(/^W\/"\d+"$/);
  });

  it("never creates a row through update (If-Match: *)", async () => {
    const { dv } = h.client();
    await expect(dv.update(POLICIES, ID, { msdyn_name: "ghost" })).rejects.toBeInstanceOf(NotFoundError);
    expect(await dv.list(POLICIES, { select: ["msdyn_name"], filter: eq("msdyn_name", "ghost") })).toEqual(
      [],
    );
  });

  it("reports a duplicate id as DuplicateError", async () => {
    const { dv } = h.client();
    await dv.create(POLICIES, { msdyn_name: "first" }, { primaryIdAttribute: "msdyn_iompolicyid", id: ID });
    const error = await dv
      .create(POLICIES, { msdyn_name: "second" }, { primaryIdAttribute: "msdyn_iompolicyid", id: ID })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect(error).toMatchObject({ dataverseCode: "0x80040237", method: "POST", path: `${POLICIES}` });
  });
});

describe("upsert", () => {
  it("creates, then updates, by alternate key", async () => {
    const { dv } = h.client();
    const key = { accountnumber: "NL-0'42" };
    const first = await dv.upsert(
      "accounts",
      key,
      { name: "Litware BV" },
      { select: ["name", "accountnumber"] },
    );
    expect(first.created).toBe(true);
    expect(first.record).toMatchObject({ name: "Litware BV", accountnumber: "NL-0'42" });
    const second = await dv.upsert("accounts", key, { name: "Litware B.V." }, { select: ["name"] });
    expect(second.created).toBe(false);
    const rows = await dv.list("accounts", { select: ["name"], filter: eq("accountnumber", "NL-0'42") });
    expect(rows.map((r) => r["name"])).toEqual(["Litware B.V."]);
  });

  it("refuses a create-only upsert of an existing key with DuplicateError", async () => {
    const { dv } = h.client();
    const error = await dv
      .upsert("accounts", { accountnumber: "US-001" }, { name: "again" }, { createOnly: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect((error as DuplicateError).status).toBe(412);
  });

  it("creates with a create-only upsert by id", async () => {
    const { dv } = h.client();
    const result = await dv.upsert(POLICIES, ID, { msdyn_name: "by id" }, { createOnly: true });
    expect(result.id).toBe(ID);
    expect((await dv.retrieve(POLICIES, ID, { select: ["msdyn_name"] })).msdyn_name).toBe("by id");
  });
});

describe("ETags", () => {
  it("applies an update with the current ETag and refuses one with a stale ETag", async () => {
    const { dv } = h.client();
    await dv.create(POLICIES, { msdyn_name: "v1" }, { primaryIdAttribute: "msdyn_iompolicyid", id: ID });
    const read = await dv.retrieve(POLICIES, ID, { select: ["msdyn_name"] });
    const stale = etagOf(read);
    await dv.update(POLICIES, ID, { msdyn_name: "v2" }, { etag: stale });

    const conflict = await dv
      .update(POLICIES, ID, { msdyn_name: "v3" }, { etag: stale })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(PreconditionFailedError);
    expect(conflict).toMatchObject({ status: 412, method: "PATCH", attempts: 1 });
    expect((conflict as Error).message).toMatch(/refresh/);

    await expect(dv.delete(POLICIES, ID, { etag: stale })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await dv.retrieve(POLICIES, ID, { select: ["msdyn_name"] })).msdyn_name).toBe("v2");
    // No 412 was retried: one PATCH per update, one DELETE.
    expect((await h.counters()).byMethod).toMatchObject({ PATCH: 2, DELETE: 1 });
  });
});

describe("paging", () => {
  it("follows @odata.nextLink across pages, one request per page", async () => {
    const { dv } = h.client();
    const names = Array.from({ length: 7 }, (_, i) => `Paged policy ${i} 'quoted'`);
    await dv.batch([
      {
        kind: "changeset",
        requests: names.map((name) => ({
          method: "POST" as const,
          path: POLICIES,
          body: { msdyn_name: name },
        })),
      },
    ]);
    await h.resetCounters();

    const pages: string[][] = [];
    for await (const page of dv.listPages(
      POLICIES,
      { select: ["msdyn_name"], filter: startsWith("msdyn_name", "Paged policy"), orderBy: ["msdyn_name"] },
      { pageSize: 3 },
    )) {
      pages.push(page.map((r) => String(r["msdyn_name"])));
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...names].sort());
    expect((await h.counters()).byMethod).toEqual({ GET: 3 });
  });

  it("keeps a quote in a value from changing the filter", async () => {
    const { dv } = h.client();
    await dv.create(POLICIES, { msdyn_name: "O'Brien" }, { primaryIdAttribute: "msdyn_iompolicyid" });
    await dv.create(POLICIES, { msdyn_name: "Other" }, { primaryIdAttribute: "msdyn_iompolicyid" });
    const hostile = "x' or msdyn_name ne 'x";
    expect(await dv.list(POLICIES, { select: ["msdyn_name"], filter: eq("msdyn_name", hostile) })).toEqual(
      [],
    );
    const exact = await dv.list(POLICIES, {
      select: ["msdyn_name"],
      filter: filter`msdyn_name eq ${"O'Brien"}`,
    });
    expect(exact.map((r) => r["msdyn_name"])).toEqual(["O'Brien"]);
  });
});
