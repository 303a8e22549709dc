// Creates, upserts, updates and deletes: status codes, headers, ETags, lookups by @odata.bind,
// alternate keys, state changes, validation, and that failed writes leave nothing behind.
import { describe, expect, it } from "vitest";

import { seedIds } from "../../../src/emulator/seed.js";
import { body, idFrom, useEmulator } from "./harness.js";

const h = useEmulator();
type Err = { error: { code: string; message: string } };

async function createPolicy(name = "Order policy"): Promise<string> {
  const res = await h.api("msdyn_iompolicies", {
    method: "POST",
    json: { msdyn_name: name, msdyn_policytype: 192350001 },
  });
  expect(res.status).toBe(204);
  return idFrom(res);
}

async function count(set: string): Promise<number> {
  const res = await h.api(`${set}?$count=true&$top=0`);
  return (await body<{ "@odata.count": number }>(res))["@odata.count"];
}

describe("create", () => {
  it("answers 204 with OData-EntityId, and the row reads back with an etag", async () => {
    const res = await h.api("msdyn_iompolicies", {
      method: "POST",
      json: { msdyn_name: "P1", msdyn_criticality: 192350001 },
    });
    expect(res.status).toBe(204);
    const entityId = res.headers.get("OData-EntityId") ?? "";
    expect(entityId).toMatch(
      new RegExp(`^${h.emulator.apiUrl.replace(/[.]/g, "\\.")}msdyn_iompolicies\\([0-9a-f-]{36}\\)$`),
    );
    const get = await h.api(`msdyn_iompolicies(${idFrom(res)})`);
    expect(get.status).toBe(200);
    const row = await body(get);
    expect(row).toMatchObject({
      msdyn_name: "P1",
      msdyn_criticality: 192350001,
      statecode: 0,
      statuscode: 1,
    });
    expect(row["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    expect(get.headers.get("ETag")).toBe(row["@odata.etag"]);
  });

  it("answers 201 with the row under Prefer: return=representation", async () => {
    const res = await h.api("msdyn_iompolicies?$select=msdyn_name", {
      method: "POST",
      json: { msdyn_name: "P2" },
      headers: { Prefer: "return=representation" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("OData-EntityId")).toBeNull();
    expect(res.headers.get("Preference-Applied")).toBe("return=representation");
    const row = await body(res);
    expect(row.msdyn_name).toBe("P2");
    expect(row["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    expect(row.msdyn_iompolicyid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a chosen id and refuses it twice", async () => {
    const id = "11111111-2222-3333-4444-555555555555";
    expect((await h.api("accounts", { method: "POST", json: { accountid: id, name: "A" } })).status).toBe(
      204,
    );
    const again = await h.api("accounts", { method: "POST", json: { accountid: id, name: "B" } });
    expect(again.status).toBe(412);
    expect((await body<Err>(again)).error.code).toBe("0x80040237");
  });

  it("writes lookups with @odata.bind and reads them back as _x_value", async () => {
    const policy = await createPolicy();
    const res = await h.api("msdyn_iomrules", {
      method: "POST",
      headers: { Prefer: "return=representation" },
      json: { msdyn_name: "R1", "msdyn_Policy@odata.bind": `/msdyn_iompolicies(${policy})` },
    });
    expect(res.status).toBe(201);
    const rule = await body(res);
    expect(rule._msdyn_policy_value).toBe(policy);
    const missing = await h.api("msdyn_iomrules", {
      method: "POST",
      json: {
        msdyn_name: "R2",
        "msdyn_Policy@odata.bind": "/msdyn_iompolicies(00000000-0000-0000-0000-000000000001)",
      },
    });
    expect(missing.status).toBe(404);
    expect((await body<Err>(missing)).error.code).toBe("0x80040217");
    const clear = await h.api(`msdyn_iomrules(${rule.msdyn_iomruleid as string})`, {
      method: "PATCH",
      json: { "msdyn_Policy@odata.bind": null },
    });
    expect(clear.status).toBe(204);
    expect(
      (await body(await h.api(`msdyn_iomrules(${rule.msdyn_iomruleid as string})`)))._msdyn_policy_value,
    ).toBeNull();
  });
});

describe("upsert and update", () => {
  it("creates on PATCH to a new id, then updates (204 both); 201 then 200 with representation", async () => {
    const id = "aaaaaaaa-0000-4000-8000-000000000001";
    expect(
      (await h.api(`msdyn_iompolicies(${id})`, { method: "PATCH", json: { msdyn_name: "U" } })).status,
    ).toBe(204);
    expect(
      (await h.api(`msdyn_iompolicies(${id})`, { method: "PATCH", json: { msdyn_description: "d" } })).status,
    ).toBe(204);
    expect(await body(await h.api(`msdyn_iompolicies(${id})`))).toMatchObject({
      msdyn_name: "U",
      msdyn_description: "d",
    });
    const rep = { Prefer: "return=representation" };
    const id2 = "aaaaaaaa-0000-4000-8000-000000000002";
    expect(
      (await h.api(`msdyn_iompolicies(${id2})`, { method: "PATCH", json: { msdyn_name: "V" }, headers: rep }))
        .status,
    ).toBe(201);
    const updated = await h.api(`msdyn_iompolicies(${id2})`, {
      method: "PATCH",
      json: { msdyn_name: "W" },
      headers: rep,
    });
    expect(updated.status).toBe(200);
    expect((await body(updated)).msdyn_name).toBe("W");
  });

  it("forbids create with If-Match: * and update with If-None-Match: *", async () => {
    const missing = "aaaaaaaa-0000-4000-8000-000000000003";
    const res = await h.api(`msdyn_iompolicies(${missing})`, {
      method: "PATCH",
      json: { msdyn_name: "X" },
      headers: { "If-Match": "*" },
    });
    expect(res.status).toBe(404);
    expect((await body<Err>(res)).error.code).toBe("0x80040217");
    expect((await h.api(`msdyn_iompolicies(${missing})`)).status).toBe(404);
    const existing = await createPolicy();
    const conflict = await h.api(`msdyn_iompolicies(${existing})`, {
      method: "PATCH",
      json: { msdyn_name: "Y" },
      headers: { "If-None-Match": "*" },
    });
    expect(conflict.status).toBe(412);
    expect(await body<Err>(conflict)).toEqual({
      error: { code: "0x80040237", message: "A record with matching key values already exists." },
    });
    expect((await body(await h.api(`msdyn_iompolicies(${existing})`))).msdyn_name).toBe("Order policy");
  });

  it("refuses a stale If-Match with 412, so concurrent writers cannot lose updates", async () => {
    const id = await createPolicy();
    const etag = (await body(await h.api(`msdyn_iompolicies(${id})`)))["@odata.etag"] as string;
    const writers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.api(`msdyn_iompolicies(${id})`, {
          method: "PATCH",
          json: { msdyn_description: `writer ${i}` },
          headers: { "If-Match": etag },
        }),
      ),
    );
    const statuses = writers.map((r) => r.status).sort();
    expect(statuses).toEqual([204, ...Array(9).fill(412)]);
    const stale = writers.find((r) => r.status === 412) as Response;
    expect(await body<Err>(stale)).toEqual({
      error: {
        code: "0x80060882",
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      },
    });
    const fresh = (await body(await h.api(`msdyn_iompolicies(${id})`)))["@odata.etag"] as string;
    expect(fresh).not.toBe(etag);
    expect(
      (await h.api(`msdyn_iompolicies(${id})`, { method: "DELETE", headers: { "If-Match": etag } })).status,
    ).toBe(412);
    expect(
      (await h.api(`msdyn_iompolicies(${id})`, { method: "DELETE", headers: { "If-Match": fresh } })).status,
    ).toBe(204);
  });

  it("answers 304 to If-None-Match with the current etag", async () => {
    const id = await createPolicy();
    const etag = (await h.api(`msdyn_iompolicies(${id})`)).headers.get("ETag") as string;
    expect((await h.api(`msdyn_iompolicies(${id})`, { headers: { "If-None-Match": etag } })).status).toBe(
      304,
    );
    expect((await h.api(`msdyn_iompolicies(${id})`, { headers: { "If-None-Match": 'W/"1"' } })).status).toBe(
      200,
    );
  });

  it("changes state by PATCHing statecode or statuscode, and checks the pair", async () => {
    const id = await createPolicy();
    expect(
      (await h.api(`msdyn_iompolicies(${id})`, { method: "PATCH", json: { statecode: 1 } })).status,
    ).toBe(204);
    expect(await body(await h.api(`msdyn_iompolicies(${id})?$select=statecode,statuscode`))).toMatchObject({
      statecode: 1,
      statuscode: 2,
    });
    expect(
      (await h.api(`msdyn_iompolicies(${id})`, { method: "PATCH", json: { statuscode: 1 } })).status,
    ).toBe(204);
    expect(await body(await h.api(`msdyn_iompolicies(${id})`))).toMatchObject({
      statecode: 0,
      statuscode: 1,
    });
    const bad = await h.api(`msdyn_iompolicies(${id})`, {
      method: "PATCH",
      json: { statecode: 0, statuscode: 2 },
    });
    expect(bad.status).toBe(400);
    expect((await body<Err>(bad)).error.code).toBe("0x80040203");
  });

  it("reads one property, and one property's raw value", async () => {
    const id = await createPolicy("Props");
    expect(await body(await h.api(`msdyn_iompolicies(${id})/msdyn_name`))).toMatchObject({ value: "Props" });
    expect(await (await h.api(`msdyn_iompolicies(${id})/msdyn_name/$value`)).text()).toBe("Props");
  });
});

describe("alternate keys", () => {
  it("addresses rows by a one-column key", async () => {
    const res = await h.api(
      "msdyn_iomproviderdefinitions(msdyn_logicalname='msdyn_FinanceAndOperationsProvider')?$select=msdyn_displayname",
    );
    expect(res.status).toBe(200);
    expect((await body(res)).msdyn_displayname).toBe("Microsoft Finance and Operations apps");
  });

  it("upserts by key (creating with the key's value, echoing it in OData-EntityId), and refuses duplicates", async () => {
    const url = "connectionreferences(connectionreferencelogicalname='new_ref')";
    const created = await h.api(url, {
      method: "PATCH",
      json: { connectorid: "/providers/Microsoft.PowerApps/apis/shared_x" },
    });
    expect(created.status).toBe(204);
    expect(created.headers.get("OData-EntityId")).toBe(`${h.emulator.apiUrl}${url}`);
    const updated = await h.api(url, {
      method: "PATCH",
      json: { connectionreferencedisplayname: "New" },
      headers: { Prefer: "return=representation" },
    });
    expect(updated.status).toBe(200);
    expect(await body(updated)).toMatchObject({
      connectionreferencelogicalname: "new_ref",
      connectionreferencedisplayname: "New",
    });
    const duplicate = await h.api("connectionreferences", {
      method: "POST",
      json: { connectionreferencelogicalname: "NEW_REF", connectorid: "x" },
    });
    expect(duplicate.status).toBe(412);
    expect((await body<Err>(duplicate)).error.code).toBe("0x80040237");
  });

  it("addresses rows by a two-column key that includes a lookup", async () => {
    const usmf = seedIds.company("USMF");
    const res = await h.api(`msdyn_operationalsites(msdyn_siteid='2',_msdyn_company_value=${usmf})`);
    expect(res.status).toBe(200);
    expect((await body(res)).msdyn_operationalsiteid).toBe(seedIds.site("USMF", "2"));
    expect(
      (await h.api(`msdyn_operationalsites(msdyn_siteid='9',_msdyn_company_value=${usmf})`)).status,
    ).toBe(404);
    expect((await h.api("msdyn_operationalsites(msdyn_sitename='x')")).status).toBe(400);
  });
});

describe("delete", () => {
  it("answers 204, then 404", async () => {
    const id = await createPolicy();
    expect((await h.api(`msdyn_iompolicies(${id})`, { method: "DELETE" })).status).toBe(204);
    const again = await h.api(`msdyn_iompolicies(${id})`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await body<Err>(again)).error).toEqual({
      code: "0x80040217",
      message: `msdyn_iompolicy With Id = ${id} Does Not Exist`,
    });
    expect((await h.api(`msdyn_iompolicies(${id})`)).status).toBe(404);
  });

  it("deletes the rows of Cascade relationships with the row, and clears RemoveLink lookups", async () => {
    const definition = seedIds.providerDefinition("msdyn_FinanceAndOperationsProvider");
    const before = await count("msdyn_iomproviderdefinitionlogicdefinitions");
    expect((await h.api(`msdyn_iomproviderdefinitions(${definition})`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect(await count("msdyn_iomproviderdefinitionlogicdefinitions")).toBe(before - 3);
    const usrt = seedIds.company("USRT");
    const acct = await h.api("accounts", {
      method: "POST",
      json: { name: "X", "msdyn_Company@odata.bind": `/cdm_companies(${usrt})` },
    });
    const accountId = idFrom(acct);
    expect((await h.api(`cdm_companies(${usrt})`, { method: "DELETE" })).status).toBe(204);
    expect((await body(await h.api(`accounts(${accountId})`)))._msdyn_company_value).toBeNull();
  });
});

describe("invalid writes change nothing", () => {
  async function refused(
    path: string,
    init: RequestInit & { json?: unknown },
    status: number,
    code: string,
  ): Promise<string> {
    const before = await count("msdyn_iompolicies");
    const res = await h.api(path, { method: "POST", ...init });
    expect(res.status).toBe(status);
    const err = await body<Err>(res);
    expect(err.error.code).toBe(code);
    expect(await count("msdyn_iompolicies")).toBe(before);
    return err.error.message;
  }

  it("refuses malformed JSON", async () => {
    await refused(
      "msdyn_iompolicies",
      { body: '{"msdyn_name": "x"', headers: { "Content-Type": "application/json" } },
      400,
      "0x80048d19",
    );
  });

  it("refuses unknown properties, and lookups written as _x_value", async () => {
    expect(
      await refused(
        "msdyn_iompolicies",
        { json: { msdyn_name: "x", msdyn_colour: "red" } },
        400,
        "0x80048d19",
      ),
    ).toBe("Invalid property 'msdyn_colour' was found in entity 'Microsoft.Dynamics.CRM.msdyn_iompolicy'.");
    const message = await refused(
      "msdyn_iomrules",
      { json: { msdyn_name: "x", _msdyn_policy_value: seedIds.user } },
      400,
      "0x80048d19",
    );
    expect(message).toContain("msdyn_Policy@odata.bind");
  });

  it("refuses a lookup bound to a row that does not exist, naming its id as Dataverse does", async () => {
    const missing = "00000000-0000-4000-8000-00000000dead";
    expect(
      await refused(
        "msdyn_iomrules",
        { json: { msdyn_name: "x", "msdyn_Policy@odata.bind": `/msdyn_iompolicies(${missing})` } },
        404,
        "0x80040217",
      ),
    ).toBe(`msdyn_iompolicy With Id = ${missing} Does Not Exist`);
  });

  it("refuses wrong types, values out of range and strings that are too long", async () => {
    await refused("msdyn_iompolicies", { json: { msdyn_name: 5 } }, 400, "0x80048d19");
    await refused("msdyn_iompolicies", { json: { msdyn_name: "x", msdyn_policytype: 7 } }, 400, "0x8004431a");
    await refused("msdyn_iompolicies", { json: { msdyn_name: "x".repeat(201) } }, 400, "0x80044331");
  });

  it("reads a body sent in chunks, without Content-Length", async () => {
    // Requests without a body are answered at once; one with Transfer-Encoding must still be read.
    const text = JSON.stringify({ msdyn_name: "Chunked", msdyn_policytype: 192350001 });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text.slice(0, 10)));
        controller.enqueue(new TextEncoder().encode(text.slice(10)));
        controller.close();
      },
    });
    const res = await h.api("msdyn_iompolicies", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(204);
    expect(
      (
        await body(
          await fetch(res.headers.get("OData-EntityId") as string, {
            headers: { Authorization: `Bearer ${h.emulator.token}` },
          }),
        )
      ).msdyn_name,
    ).toBe("Chunked");
  });

  it("refuses a body larger than the limit with 413", async () => {
    await refused(
      "msdyn_iompolicies",
      { json: { msdyn_name: "x", msdyn_description: "y".repeat(17 * 1024 * 1024) } },
      413,
      "0x8004a001",
    );
  });

  it("leaves a row unchanged when an update is refused", async () => {
    const id = await createPolicy("Keep");
    const res = await h.api(`msdyn_iompolicies(${id})`, {
      method: "PATCH",
      json: { msdyn_name: "Changed", msdyn_criticality: 1 },
    });
    expect(res.status).toBe(400);
    expect((await body(await h.api(`msdyn_iompolicies(${id})`))).msdyn_name).toBe("Keep");
  });

  it("answers 405 for a method the resource does not support", async () => {
    expect((await h.api("msdyn_iompolicies", { method: "PATCH", json: {} })).status).toBe(405);
  });
});

describe("concurrency", () => {
  it("serves many concurrent creates without losing any", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.api("msdyn_iompolicies", { method: "POST", json: { msdyn_name: `C${i}` } }),
      ),
    );
    expect(results.every((r) => r.status === 204)).toBe(true);
    expect(new Set(results.map(idFrom)).size).toBe(50);
    expect(await count("msdyn_iompolicies")).toBe(50);
  });
});
