// Names with quotes and OData operators in them, through the client and the emulator's own
// parsers over HTTP: a query for one of them finds that row and no other, and a key made of one
// of them addresses that row and no other. Each name is built to widen a query or a key if it
// were pasted into the URL unescaped.
import { describe, expect, it } from "vitest";
import { contains, eq, filter } from "../../../src/dataverse/odata.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();
const POLICIES = "msdyn_iompolicies";

const NAMES = [
  "O'Brien",
  "x' or msdyn_name ne 'x",
  "') or (msdyn_name ne '",
  "a'' or ''1'' eq ''1",
  "name eq 'other'",
  "100% & counting #1 ?x=/y+z;",
  "$top=1&$filter=msdyn_name ne null",
  "tab\tand\nnew line",
  "\u00e9t\u00e9 \ud83d\ude00",
  "')/Microsoft.Dynamics.CRM.WhoAmI()",
  "*",
  "",
];

async function seed(): Promise<void> {
  const { dv } = h.client();
  for (const name of [...NAMES, "other"])
    await dv.create(POLICIES, { msdyn_name: name }, { primaryIdAttribute: "msdyn_iompolicyid" });
}

describe("a hostile name in a filter", () => {
  it("finds exactly its own row", async () => {
    await seed();
    const { dv } = h.client();
    for (const name of NAMES) {
      const rows = await dv.list(POLICIES, { select: ["msdyn_name"], filter: eq("msdyn_name", name) });
      expect(
        rows.map((r) => r["msdyn_name"]),
        JSON.stringify(name),
      ).toEqual([name]);
    }
  });

  it("stays one literal inside a larger filter and inside contains()", async () => {
    await seed();
    const { dv } = h.client();
    const both = await dv.list(POLICIES, {
      select: ["msdyn_name"],
      filter: filter`msdyn_name eq ${"x' or msdyn_name ne 'x"} or msdyn_name eq ${"other"}`,
    });
    expect(both.map((r) => r["msdyn_name"]).sort()).toEqual(["other", "x' or msdyn_name ne 'x"]);
    const quoted = await dv.list(POLICIES, {
      select: ["msdyn_name"],
      filter: contains("msdyn_name", "' or "),
    });
    expect(quoted.map((r) => r["msdyn_name"]).sort()).toEqual(
      NAMES.filter((n) => n.toLowerCase().includes("' or ")).sort(),
    );
  });
});

describe("a hostile value in an alternate key", () => {
  it("creates one row per value and addresses that row only", async () => {
    const { dv } = h.client();
    // Every name, control characters and emoji included: each is a row of its own.
    const keys = NAMES.filter((n) => n !== "").map((n, i) => `${i}:${n}`);
    for (const accountnumber of keys) {
      const result = await dv.upsert(
        "accounts",
        { accountnumber },
        { name: `account ${accountnumber}` },
        { createOnly: true, select: ["accountnumber", "name"] },
      );
      expect(result.record?.["accountnumber"], accountnumber).toBe(accountnumber);
    }
    for (const accountnumber of keys) {
      const rows = await dv.list("accounts", {
        select: ["accountnumber", "name"],
        filter: eq("accountnumber", accountnumber),
      });
      expect(rows.map((r) => r["name"])).toEqual([`account ${accountnumber}`]);
      // Updating through the key changes that row alone.
      await dv.upsert("accounts", { accountnumber }, { name: `renamed ${accountnumber}` });
    }
    const renamed = await dv.list("accounts", {
      select: ["accountnumber", "name"],
      filter: filter`startswith(name, ${"renamed "})`,
    });
    expect(renamed.map((r) => r["accountnumber"]).sort()).toEqual([...keys].sort());
  });

  it("is echoed percent-encoded in OData-EntityId, which decodes to the key as sent", async () => {
    const em = h.emulator();
    for (const [i, name] of NAMES.filter((n) => n !== "").entries()) {
      const key = `accountnumber='${`${i}:${name}`.replaceAll("'", "''")}'`;
      const response = await fetch(`${em.url}/api/data/v9.2/accounts(${encodeURIComponent(key)})`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${em.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: `account ${i}` }),
      });
      expect(response.status, JSON.stringify(name)).toBe(204);
      const entityId = response.headers.get("odata-entityid") ?? "";
      // Printable ASCII only, as a header must be; the key comes back intact.
      expect(entityId, JSON.stringify(name)).toMatch(/^[\x21-\x7e]+$/);
      expect(decodeURIComponent(/\/accounts\((.*)\)$/.exec(entityId)?.[1] ?? "")).toBe(key);
    }
  });
});
