// The Order Product (salesorderdetail) table, limited to the columns iom-gitops reads, filters
// on or sets. Names follow the Dynamics 365 Sales entity reference and its Supply Chain
// (dual-write) extension; msdyn_statuscode comes from IOM and its values are not published.
import type { TableDefinition } from "./types.js";

export const salesorderdetail: TableDefinition = {
  logicalName: "salesorderdetail",
  entitySetName: "salesorderdetails",
  displayName: "Order Product",
  primaryIdAttribute: "salesorderdetailid",
  primaryNameAttribute: "salesorderdetailname",
  attributes: [
    { logicalName: "salesorderdetailid", displayName: "Order Product", type: "Uniqueidentifier" },
    { logicalName: "salesorderdetailname", displayName: "Name", type: "String", maxLength: 500 },
    {
      logicalName: "salesorderid",
      displayName: "Order",
      type: "Lookup",
      targets: ["salesorder"],
      required: true,
    },
    { logicalName: "productid", displayName: "Existing Product", type: "Lookup", targets: ["product"] },
    { logicalName: "productdescription", displayName: "Write-In Product", type: "String", maxLength: 500 },
    {
      logicalName: "isproductoverridden",
      displayName: "Select Product",
      type: "Boolean",
      options: [
        { value: 0, label: "Existing" },
        { value: 1, label: "Write In" },
      ],
    },
    { logicalName: "quantity", displayName: "Quantity", type: "Decimal", required: true },
    { logicalName: "priceperunit", displayName: "Price Per Unit", type: "Money" },
    { logicalName: "extendedamount", displayName: "Extended Amount", type: "Money" },
    { logicalName: "uomid", displayName: "Unit", type: "Lookup", targets: ["uom"] },
    { logicalName: "lineitemnumber", displayName: "Line Item Number", type: "Integer" },
    { logicalName: "requestdeliveryby", displayName: "Requested Delivery Date", type: "DateTime" },
    { logicalName: "msdyn_company", displayName: "Company", type: "Lookup", targets: ["cdm_company"] },
    {
      logicalName: "msdyn_shippingsite",
      displayName: "Shipping Site",
      type: "Lookup",
      targets: ["msdyn_operationalsite"],
    },
    {
      logicalName: "msdyn_shippingwarehouse",
      displayName: "Shipping Warehouse",
      type: "Lookup",
      targets: ["msdyn_warehouse"],
    },
    {
      logicalName: "msdyn_isreadytosync",
      displayName: "Is Ready To Sync",
      type: "Boolean",
      options: [
        { value: 0, label: "No" },
        { value: 1, label: "Yes" },
      ],
    },
    {
      // IOM's line status. Microsoft does not publish its choices; the F&O article filters out
      // 192350001 without saying what it means (probably a cancelled line), so that is the only
      // value listed, labelled as unknown; an environment's own metadata takes precedence.
      logicalName: "msdyn_statuscode",
      displayName: "Status",
      type: "Picklist",
      options: [{ value: 192350001, label: "Undocumented (192350001)" }],
    },
    {
      logicalName: "salesorderstatecode",
      displayName: "Order Status",
      type: "Picklist",
      options: [
        { value: 0, label: "Active" },
        { value: 1, label: "Submitted" },
        { value: 2, label: "Canceled" },
        { value: 3, label: "Fulfilled" },
        { value: 4, label: "Invoiced" },
      ],
    },
    { logicalName: "ownerid", displayName: "Owner", type: "Owner", targets: ["systemuser", "team"] },
    { logicalName: "createdon", displayName: "Created On", type: "DateTime" },
    { logicalName: "modifiedon", displayName: "Modified On", type: "DateTime" },
  ],
};
