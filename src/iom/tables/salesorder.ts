// The Order (salesorder) table, limited to the columns iom-gitops reads, filters on or sets.
// Names, types and choices follow the Dynamics 365 Sales "Order (SalesOrder)" entity reference
// and its Supply Chain (dual-write) and Field Service extensions.
import type { TableDefinition } from "./types.js";

const yesNo = [
  { value: 0, label: "No" },
  { value: 1, label: "Yes" },
];

export const salesorder: TableDefinition = {
  logicalName: "salesorder",
  entitySetName: "salesorders",
  displayName: "Order",
  primaryIdAttribute: "salesorderid",
  primaryNameAttribute: "name",
  attributes: [
    { logicalName: "salesorderid", displayName: "Order", type: "Uniqueidentifier" },
    { logicalName: "name", displayName: "Name", type: "String", maxLength: 300, required: true },
    { logicalName: "ordernumber", displayName: "Order ID", type: "String", maxLength: 100 },
    { logicalName: "description", displayName: "Description", type: "Memo", maxLength: 2000 },
    {
      logicalName: "customerid",
      displayName: "Customer",
      type: "Customer",
      targets: ["account", "contact"],
      required: true,
    },
    { logicalName: "pricelevelid", displayName: "Price List", type: "Lookup", targets: ["pricelevel"] },
    {
      logicalName: "transactioncurrencyid",
      displayName: "Currency",
      type: "Lookup",
      targets: ["transactioncurrency"],
      required: true,
    },
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
    {
      logicalName: "msdyn_company",
      displayName: "Company",
      type: "Lookup",
      targets: ["cdm_company"],
      required: true,
    },
    {
      logicalName: "msdyn_invoicecustomer",
      displayName: "Invoice Customer",
      type: "Lookup",
      targets: ["account"],
    },
    {
      logicalName: "msdyn_invoicecustomerid",
      displayName: "Invoice Customer",
      type: "Customer",
      targets: ["account", "contact"],
    },
    {
      logicalName: "msdyn_defaultshippingsite",
      displayName: "Default Shipping Site",
      type: "Lookup",
      targets: ["msdyn_operationalsite"],
    },
    {
      logicalName: "msdyn_defaultshippingwarehouse",
      displayName: "Default Shipping Warehouse",
      type: "Lookup",
      targets: ["msdyn_warehouse"],
    },
    { logicalName: "msdyn_isreadytosync", displayName: "Is Ready To Sync", type: "Boolean", options: yesNo },
    {
      logicalName: "msdyn_salesordernumber",
      displayName: "Sales Order Number",
      type: "String",
      maxLength: 20,
    },
    {
      logicalName: "statecode",
      displayName: "Status",
      type: "State",
      required: true,
      options: [
        { value: 0, label: "Active" },
        { value: 1, label: "Submitted" },
        { value: 2, label: "Canceled" },
        { value: 3, label: "Fulfilled" },
        { value: 4, label: "Invoiced" },
      ],
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
    { logicalName: "createdon", displayName: "Created On", type: "DateTime" },
    { logicalName: "modifiedon", displayName: "Modified On", type: "DateTime" },
  ],
};
