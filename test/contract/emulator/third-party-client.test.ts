// The emulator against a Dataverse client we did not write: dynamics-web-api, a widely used
// TypeScript client with its own HTTP stack (Node's http module) and its own OData, $batch and
// error parsing. It is used unchanged, only pointed at the emulator, as a user would point it at
// an environment. Anything it cannot do here is a difference from Dataverse worth knowing.
import { DynamicsWebApi } from "dynamics-web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";

let emulator: RunningEmulator;
let api: DynamicsWebApi;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  api = new DynamicsWebApi({
    serverUrl: emulator.url,
    dataApi: { version: "9.2" },
    onTokenRefresh: async () => emulator.token,
  });
});

afterAll(async () => {
  await emulator.close();
});

interface Account {
  accountid: string;
  name: string;
  accountnumber?: string;
  "@odata.etag"?: string;
}

describe("a third-party Dataverse client (dynamics-web-api) against the emulator", () => {
  it("calls WhoAmI", async () => {
    const who = await api.callFunction<{ UserId: string; OrganizationId: string }>("WhoAmI");
    expect(who.UserId).toMatch(/^[0-9a-f-]{36}$/);
    expect(who.OrganizationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("creates with a representation, reads back, and deletes", async () => {
    const created = await api.create<Partial<Account>, Account>({
      collection: "accounts",
      data: { name: "Third party Ltd", accountnumber: "TP-1" },
      returnRepresentation: true,
    });
    expect(created.name).toBe("Third party Ltd");
    expect(created["@odata.etag"]).toMatch(/^W\/"\d+"$/);

    const read = await api.retrieve<Account>({
      collection: "accounts",
      key: created.accountid,
      select: ["name"],
    });
    expect(read.name).toBe("Third party Ltd");

    // Alternate-key addressing, as the client writes it.
    const byKey = await api.retrieve<Account>({
      collection: "accounts",
      key: "accountnumber='TP-1'",
      select: ["name"],
    });
    expect(byKey.accountid).toBe(created.accountid);

    await api.deleteRecord({ collection: "accounts", key: created.accountid });
    const gone = await api
      .retrieve({ collection: "accounts", key: created.accountid })
      .catch((err: unknown) => err);
    expect(gone).toMatchObject({ status: 404, code: "0x80040217" });
  });

  it("refuses an update with a stale ETag (412), keeping the first writer's value", async () => {
    const created = await api.create<Partial<Account>, Account>({
      collection: "accounts",
      data: { name: "ETag test" },
      returnRepresentation: true,
    });
    const staleEtag = created["@odata.etag"] as string;
    await api.update({
      collection: "accounts",
      key: created.accountid,
      data: { name: "first writer" },
      ifmatch: staleEtag,
    });
    // The client's convention for a conditional update that fails with 412: it returns false.
    const second = await api.update({
      collection: "accounts",
      key: created.accountid,
      data: { name: "second writer" },
      ifmatch: staleEtag,
    });
    expect(second).toBe(false);
    const read = await api.retrieve<Account>({
      collection: "accounts",
      key: created.accountid,
      select: ["name"],
    });
    expect(read.name).toBe("first writer");
  });

  it("pages through a filtered query with its nextLink handling", async () => {
    for (let i = 0; i < 7; i++) {
      await api.create({ collection: "accounts", data: { name: `Paged ${i}`, accountnumber: `PG-${i}` } });
    }
    const all = await api.retrieveAll<Account>({
      collection: "accounts",
      select: ["name"],
      filter: "startswith(name,'Paged ')",
      orderBy: ["name asc"],
      maxPageSize: 3,
    });
    expect(all.value.map((a) => a.name)).toEqual(Array.from({ length: 7 }, (_, i) => `Paged ${i}`));
  });

  it("runs a $batch change set and sees each part's result", async () => {
    api.startBatch();
    api.create({ collection: "accounts", data: { name: "Batch A" } });
    api.create({ collection: "accounts", data: { name: "Batch B" } });
    const results = await api.executeBatch();
    expect(results).toHaveLength(2);
    const names = await api.retrieveMultiple<Account>({
      collection: "accounts",
      select: ["name"],
      filter: "startswith(name,'Batch ')",
      orderBy: ["name asc"],
    });
    expect(names.value.map((a) => a.name)).toEqual(["Batch A", "Batch B"]);
  });

  it("reads table metadata", async () => {
    const entity = await api.retrieveEntity<{ EntitySetName: string; PrimaryIdAttribute: string }>({
      key: "LogicalName='salesorder'",
      select: ["EntitySetName", "PrimaryIdAttribute"],
    });
    expect(entity).toMatchObject({ EntitySetName: "salesorders", PrimaryIdAttribute: "salesorderid" });
  });
});
