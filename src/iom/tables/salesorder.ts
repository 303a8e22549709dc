// The Order (salesorder) table, limited to the columns iom-gitops reads, filters on or sets.
// Names, types and choices follow the Dynamics 365 Sales "Order (SalesOrder)" entity reference
// and its Supply Chain (dual-write) and Field Service extensions.
import { lookup, memo, primaryId, text, timestamps, yesNo } from "./attributes.js";
import type { OptionDefinition, TableDefinition } from "./types.js";

/** An order's states (statecode); an order product shows its order's as salesorderstatecode. */
export const orderStates: OptionDefinition[] = [
  { value: 0, label: "Active" },
  { value: 1, label: "Submitted" },
  { value: 2, label: "Canceled" },
  { value: 3, label: "Fulfilled" },
  { value: 4, label: "Invoiced" },
];

export const salesorder: TableDefinition = {
  logicalName: "salesorder",
  entitySetName: "salesorders",
  displayName: "Order",
  primaryIdAttribute: "salesorderid",
  primaryNameAttribute: "name",
  attributes: [
    primaryId("salesorderid", "Order"),
    text("name", "Name", 300, true),
    text("ordernumber", "Order ID", 100),
    memo("description", "Description", 2000),
    {
      logicalName: "customerid",
      displayName: "Customer",
      type: "Customer",
      targets: ["account", "contact"],
      required: true,
    },
    lookup("pricelevelid", "Price List", "pricelevel"),
    lookup("transactioncurrencyid", "Currency", "transactioncurrency", { required: true }),
    { logicalName: "totalamount", displayName: "Total Amount", type: "Money" },
    { logicalName: "requestdeliveryby", displayName: "Requested Delivery Date", type: "DateTime" },
    {
      logicalName: "msdyn_ordertype",
      displayName: "Order Type",
      type: "Picklist",
      options: [
        { value: 192350000, label: "Item based" },
        { value: 192350001, label: "Work based" },
        { value: 690970002, label: "Service-Maintenance Based" },
      ],
    },
    lookup("msdyn_company", "Company", "cdm_company", { required: true }),
    lookup("msdyn_invoicecustomer", "Invoice Customer", "account"),
    {
      logicalName: "msdyn_invoicecustomerid",
      displayName: "Invoice Customer",
      type: "Customer",
      targets: ["account", "contact"],
    },
    lookup("msdyn_defaultshippingsite", "Default Shipping Site", "msdyn_operationalsite"),
    lookup("msdyn_defaultshippingwarehouse", "Default Shipping Warehouse", "msdyn_warehouse"),
    yesNo("msdyn_isreadytosync", "Is Ready To Sync"),
    text("msdyn_salesordernumber", "Sales Order Number", 20),
    {
      logicalName: "statecode",
      displayName: "Status",
      type: "State",
      required: true,
      options: orderStates,
    },
    {
      // Each reason belongs to one state: New, Pending and the second In Progress (700970000) to
      // Active; In Progress (3) to Submitted; No Money to Canceled; Complete and Partial to
      // Fulfilled; Invoiced to Invoiced.
      logicalName: "statuscode",
      displayName: "Status Reason",
      type: "Status",
      options: [
        { value: 1, label: "New" },
        { value: 2, label: "Pending" },
        { value: 3, label: "In Progress" },
        { value: 4, label: "No Money" },
        { value: 100001, label: "Complete" },
        { value: 100002, label: "Partial" },
        { value: 100003, label: "Invoiced" },
        { value: 700970000, label: "In Progress" },
      ],
    },
    { logicalName: "ownerid", displayName: "Owner", type: "Owner", targets: ["systemuser", "team"] },
    ...timestamps(),
  ],
};
