// The state a new (or reset) emulator starts in: IOM's provider catalog with the Finance and
// Operations provider, the two dual-write sales order maps as they come out of the box, and the
// reference rows (companies, sites, warehouses, customers) that policies point at. Ids are derived
// from names, so they are the same in every emulator and after every reset.
import { providerCatalog } from "../iom/catalog.js";
import { columns, logicType, primaryColumns } from "../iom/facts.js";
import { dualWrite, mapState, syncDirection } from "../iom/dual-write-facts.js";
import { msdyn_warehouse } from "../iom/tables/msdyn_warehouse.js";
import { stableId } from "./ids.js";
import type { TableRows } from "./journal.js";
import type { FieldValue, LookupValue, Row } from "./store.js";

const CREATED = "2024-01-01T00:00:00Z";

export const seedIds = {
  user: stableId("systemuser:emulator"),
  businessUnit: stableId("businessunit:root"),
  organization: stableId("organization:emulator"),
  providerDefinition: (logicalName: string) => stableId(`msdyn_iomproviderdefinition:${logicalName}`),
  company: (code: string) => stableId(`cdm_company:${code}`),
  site: (company: string, site: string) => stableId(`msdyn_operationalsite:${company}:${site}`),
  warehouse: (company: string, warehouse: string) => stableId(`msdyn_warehouse:${company}:${warehouse}`),
  account: (number: string) => stableId(`account:${number}`),
  map: (name: string) => stableId(`${dualWrite.table}:${name}`),
};

export const SALES_ORDER_HEADERS_MAP = "CDS sales order headers (salesorders)";
export const SALES_ORDER_LINES_MAP = "CDS sales order lines (salesorderdetails)";

const ref = (table: string, id: string): LookupValue => ({ id, table });
const active = { statecode: 0, statuscode: 1 };

const isReadyToSyncOutOfBox = {
  syncDirection: syncDirection.both,
  sourceField: null,
  destinationField: "msdyn_isreadytosync",
  valueTransforms: [],
  isSystemGenerated: false,
};

function field(
  source: string,
  destination: string,
  direction: number = syncDirection.both,
): Record<string, unknown> {
  return {
    syncDirection: direction,
    sourceField: source,
    destinationField: destination,
    valueTransforms: [],
    isSystemGenerated: false,
  };
}

/** The out-of-box maps: shapes from DWA DWFieldMapping.cs; field lists are representative. [I] */
function maps(): Array<{ name: string; displayName: string; mapping: unknown }> {
  const leg = (
    source: string,
    destination: string,
    reversedSourceFilter: string,
    fieldMappings: unknown[],
  ) => ({
    sourceSchema: source,
    sourceEnvironmentType: "AX",
    destinationSchema: destination,
    sourceFilter: "",
    reversedSourceFilter,
    isSourceFilterEditable: true,
    fieldMappings,
  });
  return [
    {
      name: SALES_ORDER_HEADERS_MAP,
      displayName: "CDS sales order headers",
      mapping: {
        entityMappingTasks: [
          {
            name: SALES_ORDER_HEADERS_MAP,
            legs: [
              leg("CDS sales order headers", "salesorders", "msdyn_ordertype eq 192350000", [
                field("SALESORDERNUMBER", "msdyn_salesordernumber"),
                field("ORDERINGCUSTOMERACCOUNTNUMBER", "customerid.accountnumber"),
                field("INVOICECUSTOMERACCOUNTNUMBER", "msdyn_invoicecustomer.accountnumber"),
                field("DEFAULTSHIPPINGSITEID", "msdyn_defaultshippingsite.msdyn_siteid"),
                field(
                  "DEFAULTSHIPPINGWAREHOUSEID",
                  "msdyn_defaultshippingwarehouse.msdyn_warehouseidentifier",
                ),
                field("CURRENCYCODE", "transactioncurrencyid.isocurrencycode"),
                {
                  syncDirection: syncDirection.financeToDataverse,
                  sourceField: null,
                  destinationField: "msdyn_ordertype",
                  valueTransforms: [{ transformType: "Default", defaultValue: "192350000" }],
                  isSystemGenerated: false,
                },
                isReadyToSyncOutOfBox,
              ]),
            ],
          },
        ],
      },
    },
    {
      name: SALES_ORDER_LINES_MAP,
      displayName: "CDS sales order lines",
      mapping: {
        entityMappingTasks: [
          {
            name: SALES_ORDER_LINES_MAP,
            legs: [
              leg("CDS sales order lines", "salesorderdetails", "", [
                field("SALESORDERNUMBER", "salesorderid.msdyn_salesordernumber"),
                field("LINECREATIONSEQUENCENUMBER", "lineitemnumber"),
                field("ORDEREDSALESQUANTITY", "quantity"),
                field("SALESPRICE", "priceperunit"),
                field("SHIPPINGSITEID", "msdyn_shippingsite.msdyn_siteid"),
                field("SHIPPINGWAREHOUSEID", "msdyn_shippingwarehouse.msdyn_warehouseidentifier"),
                isReadyToSyncOutOfBox,
              ]),
            ],
          },
        ],
      },
    },
  ];
}

/** The seeded rows, by table. */
export function seedRows(): TableRows {
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

  for (const entry of providerCatalog) {
    const definitionId = seedIds.providerDefinition(entry.logicalName);
    const c = columns.providerDefinition;
    add("msdyn_iomproviderdefinition", definitionId, {
      [primaryColumns.msdyn_iomproviderdefinition.name]: entry.name,
      [c.logicalName]: entry.logicalName,
      [c.description]: entry.description,
      [c.isActive]: true,
      [c.serviceType]: entry.serviceType,
      ...active,
    });
    const definition = ref("msdyn_iomproviderdefinition", definitionId);
    for (const connection of entry.connections) {
      const connectionReferenceId = stableId(`connectionreference:${connection.logicalName}`);
      add("connectionreference", connectionReferenceId, {
        connectionreferencedisplayname: connection.name,
        connectionreferencelogicalname: connection.logicalName,
        connectorid: connection.connector,
        promptingbehavior: 0,
        ...active,
      });
      add(
        "msdyn_iomproviderdefinitionconnectionref",
        stableId(`msdyn_iomproviderdefinitionconnectionref:${connection.logicalName}`),
        {
          [primaryColumns.msdyn_iomproviderdefinitionconnectionref.name]: connection.name,
          [columns.definitionConnectionRef.definition]: definition,
          [columns.definitionConnectionRef.connectionReference]: ref(
            "connectionreference",
            connectionReferenceId,
          ),
          ...active,
        },
      );
    }
    for (const action of entry.actions) {
      const l = columns.logicDefinition;
      add(
        "msdyn_iomproviderdefinitionlogicdefinition",
        stableId(`msdyn_iomproviderdefinitionlogicdefinition:${action.logicalName}`),
        {
          [primaryColumns.msdyn_iomproviderdefinitionlogicdefinition.name]: action.name,
          [l.logicalName]: action.logicalName,
          [l.definition]: definition,
          [l.logicType]: logicType[action.type].value,
          [l.workflowName]: action.workflow,
          [l.timeoutMinutes]: 60,
          [l.maxRetryAttempts]: 3,
          ...active,
        },
      );
    }
    for (const parameter of entry.parameters ?? []) {
      const p = columns.definitionParameter;
      add(
        "msdyn_iomproviderdefinitionparameter",
        stableId(`msdyn_iomproviderdefinitionparameter:${parameter.logicalName}`),
        {
          [primaryColumns.msdyn_iomproviderdefinitionparameter.name]: parameter.name,
          [p.definition]: definition,
          [p.logicalName]: parameter.logicalName,
          [p.defaultValue]: parameter.defaultValue,
          ...active,
        },
      );
    }
  }

  for (const map of maps())
    add(dualWrite.table, seedIds.map(map.name), {
      [dualWrite.name]: map.name,
      [dualWrite.displayName]: map.displayName,
      [dualWrite.mapping]: JSON.stringify(map.mapping),
      [dualWrite.runState]: mapState.running.value,
      ...active,
    });

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
      [msdyn_warehouse.primaryNameAttribute]: name,
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
