// `iom explain` against the emulator: the article's configuration applied through the resource
// kinds, orders made for the purpose, and for the header and each line whether it would sync,
// clause by clause, with the values read from the environment.
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runExplain } from "../../../src/cli/commands/explain.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { loadDesiredState, type DesiredState } from "../../../src/config/validate.js";
import type { DataverseRecord } from "../../../src/dataverse/client.js";
import { eq } from "../../../src/dataverse/odata.js";
import { projectRoot } from "../../../src/engine/engine.js";
import { bind } from "../../../src/resources/common/records.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { dualWriteMap } from "../../../src/resources/dual-write-map/provider.js";
import { iomProviderActivation } from "../../../src/resources/iom-provider/activation.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import { orchestrationFlow } from "../../../src/resources/orchestration-flow/provider.js";
import { policy } from "../../../src/resources/policy/provider.js";
import { providerConnection } from "../../../src/resources/provider-connection/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { sessionOn } from "../resources/setup.js";

const h = useEmulator();
let s: Session;

beforeEach(async () => {
  s = await sessionOn(h);
});

async function articleState(): Promise<DesiredState> {
  const { state, validation } = await loadDesiredState(path.join(projectRoot, "stacks", "local.iom.yaml"), {
    cwd: projectRoot,
  });
  expect(validation.findings).toEqual([]);
  return state as DesiredState;
}

/** The article's stack applied through the kinds, in the program's order (maps as given). */
async function applyArticle(state: DesiredState): Promise<void> {
  const id = (name: string) => derivedId("contract", "explain", name);
  for (const p of state.policies) await policy.create({ ...p, recordId: id(p.name) }, s);
  for (const m of state.dualWriteMaps) await dualWriteMap.create(m, s);
  const [provider] = state.providers;
  const installed = await iomProvider.create({ ...provider!, recordId: id(provider!.name) }, s);
  for (const c of state.connections)
    await providerConnection.create({ ...c, recordId: id(c.name), providerId: installed.id }, s);
  await iomProviderActivation.create(
    { name: provider!.name, providerId: installed.id, providerAdopted: false },
    s,
  );
  for (const f of state.orchestrationFlows)
    await orchestrationFlow.create(
      { ...f, recordId: id(f.name), providerIds: { [provider!.name]: installed.id } },
      s,
    );
}

async function create(table: string, body: DataverseRecord): Promise<string> {
  const set = await s.client.metadata.entitySetName(table);
  return (await s.client.create(set, body)).id;
}

/** The row of `table` whose `column` is `value` (the emulator seeds the article's master data), made if missing. */
async function row(
  table: string,
  column: string,
  value: string,
  body: () => Promise<DataverseRecord>,
): Promise<string> {
  const set = await s.client.metadata.entitySetName(table);
  const id = `${table}id`;
  const [found] = await s.client.list(set, { select: [id], filter: eq(column, value) });
  return found ? String(found[id]) : create(table, { [column]: value, ...(await body()) });
}

/** usmf, its site 1 and warehouse 11, and the customer US-001. */
async function masterData(): Promise<{ company: string; site: string; warehouse: string; customer: string }> {
  const company = await row("cdm_company", "cdm_companycode", "usmf", async () => ({
    cdm_name: "Contoso USA",
  }));
  const site = await row("msdyn_operationalsite", "msdyn_siteid", "1", () =>
    bind(s, "msdyn_operationalsite", "msdyn_company", "cdm_company", company),
  );
  const warehouse = await row("msdyn_warehouse", "msdyn_name", "11", () =>
    bind(s, "msdyn_warehouse", "msdyn_company", "cdm_company", company),
  );
  const customer = await row("account", "name", "US-001", async () => ({}));
  return { company, site, warehouse, customer };
}

async function order(
  number: string,
  values: DataverseRecord,
  refs: Awaited<ReturnType<typeof masterData>>,
  lines: DataverseRecord[],
): Promise<void> {
  const id = await create("salesorder", {
    name: number,
    ordernumber: number,
    ...values,
    ...(await bind(s, "salesorder", "customerid", "account", refs.customer)),
    ...(await bind(s, "salesorder", "msdyn_company", "cdm_company", refs.company)),
  });
  for (const line of lines)
    await create("salesorderdetail", {
      quantity: 1,
      ...line,
      ...(await bind(s, "salesorderdetail", "salesorderid", "salesorder", id)),
    });
}

async function explain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const em = h.emulator();
  const code = await runExplain(args, {
    cwd: projectRoot,
    write: (t) => (out += t),
    writeError: (t) => (err += t),
    env: {
      IOM_DATAVERSE_URL: em.url,
      IOM_TOKEN: em.token,
      IOM_DUALWRITE_URL: em.dualWriteUrl,
      IOM_FINOPS_URL: em.financeAndOperationsUrl,
    },
  });
  return { code, out, err };
}

describe("iom explain", () => {
  it("says for the header and each line whether it would sync, clause by clause, with the values read", async () => {
    await applyArticle(await articleState());
    const refs = await masterData();
    await order(
      "IOM-1001",
      { msdyn_ordertype: 192350000, msdyn_isreadytosync: true, statecode: 0, statuscode: 1 },
      refs,
      [
        {
          salesorderdetailname: "with warehouse",
          msdyn_isreadytosync: true,
          ...(await bind(s, "salesorderdetail", "msdyn_company", "cdm_company", refs.company)),
          ...(await bind(s, "salesorderdetail", "msdyn_shippingsite", "msdyn_operationalsite", refs.site)),
          ...(await bind(
            s,
            "salesorderdetail",
            "msdyn_shippingwarehouse",
            "msdyn_warehouse",
            refs.warehouse,
          )),
        },
        { salesorderdetailname: "without warehouse", msdyn_isreadytosync: true, msdyn_statuscode: 192350001 },
      ],
    );
    const { code, out, err } = await explain(["IOM-1001"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("Order IOM-1001, orchestration flow 'Order orchestration with F&O'");
    // The header: every clause holds; the company is read by name through the lookup.
    expect(out).toMatch(
      /the order \([0-9a-f-]{36}\):\n {2}values read: .*_msdyn_company_value = 'usmf' \([0-9a-f-]{36}\)/i,
    );
    expect(out).toContain("  syncs through 'CDS sales order headers (salesorders)':");
    expect(out).toContain("    ✓ statuscode ne 100003: statuscode is 1 (New)");
    expect(out).toContain("    ✓ msdyn_ordertype eq 192350000: msdyn_ordertype is 192350000 (Item based)");
    // The header's rule: Invoice Customer is empty, so the policy would set it.
    expect(out).toContain(
      "  rule applies: FinOps sales order parameters › Assign company and invoice customer (sets Company = 'usmf', Invoice Customer = 'US-001')",
    );
    // Line 1 has everything but an IOM status: an empty column and `ne` let nothing through.
    expect(out).toMatch(
      /line 1 \(with warehouse\) [^\n]*\n(?: {2}[^\n]*\n)*? {2}held back through 'CDS sales order lines \(salesorderdetails\)' by `msdyn_statuscode ne 192350001`:\n(?: {4}[^\n]*\n)*? {4}✗ msdyn_statuscode ne 192350001: msdyn_statuscode is empty/,
    );
    expect(out).toContain(
      "    ✓ _msdyn_shippingwarehouse_value ne null: _msdyn_shippingwarehouse_value is '11'",
    );
    // Line 2: the order product policy would set its company, site and warehouse; its status is the one the filter holds back.
    expect(out).toContain(
      "  rule applies: FinOps order product parameters › Assign company, site and warehouse (sets Company = 'usmf', Shipping Site = '1', Shipping Warehouse = '11')",
    );
    expect(out).toContain(
      "    ✗ msdyn_statuscode ne 192350001: msdyn_statuscode is 192350001 (Undocumented (192350001))",
    );
  });

  it("holds back an invoiced order by statuscode ne 100003, in JSON too", async () => {
    await applyArticle(await articleState());
    const refs = await masterData();
    await order(
      "IOM-1002",
      { msdyn_ordertype: 192350000, msdyn_isreadytosync: true, statecode: 4, statuscode: 100003 },
      refs,
      [],
    );
    const { code, out } = await explain(["IOM-1002", "--format", "json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      records: Array<{
        label: string;
        maps: Array<{ syncs: boolean; decidedBy?: { text: string; reason: string } }>;
      }>;
    };
    expect(json.records).toHaveLength(1);
    expect(json.records[0]?.maps[0]).toMatchObject({
      syncs: false,
      decidedBy: { text: "statuscode ne 100003", reason: "statuscode is 100003 (Invoiced)" },
    });
  });

  it("with --stack, names maps as the stack does and points out a filter changed in the environment", async () => {
    const state = await articleState();
    const [headers, lines] = state.dualWriteMaps;
    await applyArticle({
      ...state,
      dualWriteMaps: [
        { ...headers!, dataverseFilter: "msdyn_ordertype eq 192350000 and msdyn_isreadytosync eq true" },
        lines!,
      ],
    });
    const refs = await masterData();
    await order(
      "IOM-1003",
      { msdyn_ordertype: 192350000, msdyn_isreadytosync: true, statecode: 4, statuscode: 100003 },
      refs,
      [],
    );
    const { code, out } = await explain(["IOM-1003", "--stack", "local"]);
    expect(code).toBe(0);
    // The invoiced order syncs, because the environment's filter lost `statuscode ne 100003`.
    expect(out).toContain("  syncs through 'sales-order-headers':");
    expect(out).toContain(
      "    note: the environment's filter differs from the stack's (msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003)",
    );
  });

  it("exits 1 for an order the environment does not have, 2 without an order number or an environment", async () => {
    await applyArticle(await articleState());
    const missing = await explain(["NO-SUCH-ORDER"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("the environment has no order with Order ID (ordernumber) 'NO-SUCH-ORDER'");
    await expect(explain([])).rejects.toThrow(UsageError);
    await expect(
      runExplain(["IOM-1"], { cwd: projectRoot, write: () => {}, writeError: () => {}, env: {} }),
    ).rejects.toThrow(UsageError);
  });
});
