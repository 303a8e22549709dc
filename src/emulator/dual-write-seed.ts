// The dual-write maps a new (or reset) emulator has: the article's two sales order maps, running,
// and "CDS sales order lines V2", stopped (today's IOM docs name it; tenants can have both lines
// maps [C: IOM:set-up-finops-provider.md and its history]). Each map is a gateway project (pid,
// active version, state) plus one version row of msdyn_dualwriteentitymap. Ids derive from names.
import { MAP_STATE, PROJECTS_TABLE, VERSION_TABLE } from "./gateway-contract.js";
import { stableId } from "./ids.js";
import type { TableRows } from "./journal.js";
import type { FieldValue } from "./store.js";

/** The gateway's tName of each seeded map: "<entity set> - <map name>" [I: DWA's sample config]. */
export const SALES_ORDER_HEADERS_MAP = "salesorders - CDS sales order headers";
export const SALES_ORDER_LINES_MAP = "salesorderdetails - CDS sales order lines";
export const SALES_ORDER_LINES_V2_MAP = "salesorderdetails - CDS sales order lines V2";

export const dualWriteSeedIds = {
  /** The project id of a seeded map. */
  project: (tName: string) => stableId(`dualwrite-project:${tName}`),
  /** The id of a seeded map's first version row (its template id). */
  version: (tName: string) => stableId(`${VERSION_TABLE.table}:${tName}:1`),
};

type Add = (table: string, id: string, values: Record<string, FieldValue>) => void;

function field(source: string | null, destination: string, direction = 3): Record<string, unknown> {
  return {
    syncDirection: direction,
    sourceField: source,
    destinationField: destination,
    valueTransforms: [],
    isSystemGenerated: false,
  };
}

/** Out of the box, msdyn_isreadytosync is mapped both ways with no transform; the article changes it. */
const isReadyToSync = field(null, "msdyn_isreadytosync");

/** The map's one leg, F&O to Dataverse [C: DWA:Struct/DWFieldMapping.cs Leg]; field lists are representative. [I] */
function leg(finance: string, dataverse: string, reversedSourceFilter: string, fieldMappings: unknown[]) {
  return {
    id: stableId(`dualwrite-leg:${finance}`),
    sourceEnvironmentType: "AX",
    sourceSchema: finance,
    destinationSchema: dataverse,
    sourceFilter: "",
    reversedSourceFilter,
    isSourceFilterEditable: true,
    fieldMappings,
  };
}

const lines = (label: string) =>
  leg(label, "salesorderdetails", "", [
    field("SALESORDERNUMBER", "salesorderid.msdyn_salesordernumber"),
    field("LINECREATIONSEQUENCENUMBER", "lineitemnumber"),
    field("ORDEREDSALESQUANTITY", "quantity"),
    field("SALESPRICE", "priceperunit"),
    field("SHIPPINGSITEID", "msdyn_shippingsite.msdyn_siteid"),
    field("SHIPPINGWAREHOUSEID", "msdyn_shippingwarehouse.msdyn_warehouseidentifier"),
    isReadyToSync,
  ]);

interface SeedMap {
  tName: string;
  label: string;
  financeEntity: string;
  dataverseEntity: string;
  state: string;
  leg: Record<string, unknown>;
}

function maps(): SeedMap[] {
  return [
    {
      tName: SALES_ORDER_HEADERS_MAP,
      label: "CDS sales order headers",
      financeEntity: "CDS sales order headers",
      dataverseEntity: "salesorders",
      state: MAP_STATE.running,
      leg: leg("CDS sales order headers", "salesorders", "msdyn_ordertype eq 192350000", [
        field("SALESORDERNUMBER", "msdyn_salesordernumber"),
        field("ORDERINGCUSTOMERACCOUNTNUMBER", "customerid.accountnumber"),
        field("INVOICECUSTOMERACCOUNTNUMBER", "msdyn_invoicecustomer.accountnumber"),
        field("DEFAULTSHIPPINGSITEID", "msdyn_defaultshippingsite.msdyn_siteid"),
        field("DEFAULTSHIPPINGWAREHOUSEID", "msdyn_defaultshippingwarehouse.msdyn_warehouseidentifier"),
        field("CURRENCYCODE", "transactioncurrencyid.isocurrencycode"),
        // The out-of-box default of the order type [C: DW:mapping-reference.md].
        {
          ...field(null, "msdyn_ordertype", 1),
          valueTransforms: [{ transformType: "Default", defaultValue: "192350000" }],
        },
        isReadyToSync,
      ]),
    },
    {
      tName: SALES_ORDER_LINES_MAP,
      label: "CDS sales order lines",
      financeEntity: "CDS sales order lines",
      dataverseEntity: "salesorderdetails",
      state: MAP_STATE.running,
      leg: lines("CDS sales order lines"),
    },
    {
      tName: SALES_ORDER_LINES_V2_MAP,
      label: "CDS sales order lines V2",
      financeEntity: "CDS sales order lines V2",
      dataverseEntity: "salesorderdetails",
      state: MAP_STATE.stopped,
      leg: lines("CDS sales order lines V2"),
    },
  ];
}

/**
 * Adds the maps: per map its project (the gateway's state, PROJECTS_TABLE) and its first version
 * row. The version rows of a map share its template name, which is its tName here. [E]
 */
export function seedDualWrite(add: Add): void {
  for (const map of maps()) {
    const version = dualWriteSeedIds.version(map.tName);
    add(VERSION_TABLE.table, version, {
      [VERSION_TABLE.name]: map.tName,
      [VERSION_TABLE.displayName]: map.label,
      [VERSION_TABLE.mapping]: JSON.stringify({ name: map.tName, legs: [map.leg] }),
      statecode: 0,
      statuscode: 1,
    });
    add(PROJECTS_TABLE, dualWriteSeedIds.project(map.tName), {
      tName: map.tName,
      templateName: map.tName,
      financeEntity: map.financeEntity,
      dataverseEntity: map.dataverseEntity,
      template: version,
      state: map.state,
      requests: "[]",
    });
  }
}

/**
 * A data directory written before the emulator played the gateway has map rows but no projects:
 * the gateway would list no maps. Such data gets the seeded maps added (new version rows and their
 * projects; the old rows stay, belonging to no map), and says so, so that the caller persists it.
 */
export function addGatewayProjects(data: TableRows): boolean {
  if ((data.get(PROJECTS_TABLE)?.size ?? 0) > 0) return false;
  let version = 0;
  for (const rows of data.values()) for (const row of rows.values()) version = Math.max(version, row.version);
  const now = new Date().toISOString();
  seedDualWrite((table, id, values) => {
    let rows = data.get(table);
    if (!rows) data.set(table, (rows = new Map()));
    if (!rows.has(id))
      rows.set(id, { id, version: ++version, values: { ...values, createdon: now, modifiedon: now } });
  });
  return true;
}
