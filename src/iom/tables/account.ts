// Account: the customers an order's Invoice Customer points at. [C: Dataverse account reference
// (accounts, accountid, name, accountnumber); dual-write customers carry msdyn_company]
import { activeInactive, lookup, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

export const account: TableDefinition = {
  logicalName: "account",
  entitySetName: "accounts",
  displayName: "Account",
  primaryIdAttribute: "accountid",
  primaryNameAttribute: "name",
  attributes: [
    primaryId("accountid", "Account"),
    text("name", "Account Name", 160, true),
    text("accountnumber", "Account Number", 20),
    lookup("msdyn_company", "Company", "cdm_company"),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [{ name: "account_accountnumber", attributes: ["accountnumber"] }],
};
