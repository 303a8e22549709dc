// The Order Product (salesorderdetail) table, limited to the columns iom-gitops reads, filters
// on or sets. Names follow the Dynamics 365 Sales entity reference and its Supply Chain
// (dual-write) extension; msdyn_statuscode comes from IOM and its values are not published.
import { integer, lookup, primaryId, text, timestamps, yesNo } from "./attributes.js";
import { orderStates } from "./salesorder.js";
import type { TableDefinition } from "./types.js";

export const salesorderdetail: TableDefinition = {
  logicalName: "salesorderdetail",
  entitySetName: "salesorderdetails",
  displayName: "Order Product",
  primaryIdAttribute: "salesorderdetailid",
  primaryNameAttribute: "salesorderdetailname",
  attributes: [
    primaryId("salesorderdetailid", "Order Product"),
    text("salesorderdetailname", "Name", 500),
    lookup("salesorderid", "Order", "salesorder", { required: true }),
    lookup("productid", "Existing Product", "product"),
    text("productdescription", "Write-In Product", 500),
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
    lookup("uomid", "Unit", "uom"),
    integer("lineitemnumber", "Line Item Number"),
    { logicalName: "requestdeliveryby", displayName: "Requested Delivery Date", type: "DateTime" },
    lookup("msdyn_company", "Company", "cdm_company"),
    lookup("msdyn_shippingsite", "Shipping Site", "msdyn_operationalsite"),
    lookup("msdyn_shippingwarehouse", "Shipping Warehouse", "msdyn_warehouse"),
    yesNo("msdyn_isreadytosync", "Is Ready To Sync"),
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
      options: orderStates,
    },
    { logicalName: "ownerid", displayName: "Owner", type: "Owner", targets: ["systemuser", "team"] },
    ...timestamps(),
  ],
};
