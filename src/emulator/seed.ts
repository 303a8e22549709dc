// The state a new (or reset) emulator starts in: IOM's provider catalog with the Finance and
// Operations provider, the two dual-write sales order maps as they come out of the box, and the
// reference rows (companies, sites, warehouses, customers) that policies point at. Ids are derived
// from names, so they are the same in every emulator and after every reset.
import { catalogIds, seedCatalog } from "./catalog-seed.js";
import { seedDualWrite } from "./dual-write-seed.js";
import { PROJECTS_TABLE } from "./gateway-contract.js";
import { stableId } from "./ids.js";
import type { TableRows } from "./journal.js";
import type { Schema } from "./schema.js";
import type { FieldValue, LookupValue, Row } from "./store.js";

const CREATED = "2024-01-01T00:00:00Z";

export const seedIds = {
  user: stableId("systemuser:emulator"),
  businessUnit: stableId("businessunit:root"),
  organization: stableId("organization:emulator"),
  providerDefinition: catalogIds.definition,
  company: (code: string) => stableId(`cdm_company:${code}`),
  site: (company: string, site: string) => stableId(`msdyn_operationalsite:${company}:${site}`),
  warehouse: (company: string, warehouse: string) => stableId(`msdyn_warehouse:${company}:${warehouse}`),
  account: (number: string) => stableId(`account:${number}`),
};

export {
  SALES_ORDER_HEADERS_MAP,
  SALES_ORDER_LINES_MAP,
  SALES_ORDER_LINES_V2_MAP,
  dualWriteSeedIds,
} from "./dual-write-seed.js";

const ref = (table: string, id: string): LookupValue => ({ id, table });
const active = { statecode: 0, statuscode: 1 };

/**
 * The seeded rows, by table. With the schema served (`iom emulator --metadata`), rows of tables it
 * lacks are left out, and so are values of columns it lacks: the seed is written for the built-in
 * metadata, and a captured environment's may name things otherwise.
 */
export function seedRows(schema?: Schema): TableRows {
  const rows = allSeedRows();
  return schema ? fitToSchema(rows, schema) : rows;
}

/** Keeps the rows of served tables, each with the values of served columns only. */
export function fitToSchema(rows: TableRows, schema: Schema): TableRows {
  const fitted: TableRows = new Map();
  for (const [table, byId] of rows) {
    const model = schema.table(table);
    // The dual-write gateway's projects are the emulator's own state, not a served table.
    if (table === PROJECTS_TABLE) fitted.set(table, byId);
    if (!model) continue;
    const kept = new Map<string, Row>();
    for (const [id, row] of byId) {
      const values: Record<string, FieldValue> = {};
      for (const [name, value] of Object.entries(row.values)) {
        const attribute = model.byName.get(name);
        if (!attribute) continue;
        // A lookup to a table that is not served points nowhere.
        if (value !== null && typeof value === "object" && !schema.table(value.table)) continue;
        values[name] = value;
      }
      kept.set(id, { ...row, values });
    }
    fitted.set(table, kept);
  }
  return fitted;
}

function allSeedRows(): TableRows {
  const tables: TableRows = new Map();
  let version = 0;
  const add = (table: string, id: string, values: Record<string, FieldValue>): void => {
    let rows = tables.get(table);
    if (!rows) tables.set(table, (rows = new Map()));
    const row: Row = {
      id,
      version: ++version,
      values: { ...values, createdon: CREATED, modifiedon: CREATED },
    };
    rows.set(id, row);
  };

  seedCatalog(add);

  seedDualWrite(add);

  const companies = [
    ["USMF", "Contoso Entertainment System USA"],
    ["USRT", "Contoso Retail USA"],
    ["DEMF", "Contoso Entertainment System Germany"],
  ] as const;
  for (const [code, name] of companies)
    add("cdm_company", seedIds.company(code), {
      cdm_companycode: code,
      cdm_name: name,
      cdm_isenabledfordualwrite: true,
      ...active,
    });

  const sites = [
    ["USMF", "1", "Site 1"],
    ["USMF", "2", "Site 2"],
    ["DEMF", "1", "Site 1"],
  ] as const;
  for (const [company, site, name] of sites)
    add("msdyn_operationalsite", seedIds.site(company, site), {
      msdyn_siteid: site,
      msdyn_sitename: name,
      msdyn_company: ref("cdm_company", seedIds.company(company)),
      ...active,
    });

  const warehouses = [
    ["USMF", "1", "11", "Main warehouse"],
    ["USMF", "1", "12", "Overflow warehouse"],
    ["USMF", "2", "21", "Distribution center"],
    ["DEMF", "1", "11", "Zentrallager"],
  ] as const;
  for (const [company, site, warehouse, name] of warehouses)
    add("msdyn_warehouse", seedIds.warehouse(company, warehouse), {
      msdyn_name: name,
      msdyn_warehouseidentifier: warehouse,
      msdyn_operationalsite: ref("msdyn_operationalsite", seedIds.site(company, site)),
      msdyn_company: ref("cdm_company", seedIds.company(company)),
      ...active,
    });

  const accounts = [
    ["US-001", "Contoso Retail San Diego", "USMF"],
    ["US-002", "Contoso Retail Los Angeles", "USMF"],
    ["US-003", "Forest Wholesales", "USMF"],
    ["DE-001", "Fabrikam Handel GmbH", "DEMF"],
  ] as const;
  for (const [number, name, company] of accounts)
    add("account", seedIds.account(number), {
      name,
      accountnumber: number,
      msdyn_company: ref("cdm_company", seedIds.company(company)),
      ...active,
    });
  return tables;
}
