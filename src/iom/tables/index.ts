// The registry of every table iom-gitops knows: what the emulator serves and publishes under
// EntityDefinitions, and what offline validation checks filters against.
import { account } from "./account.js";
import { cdm_company } from "./cdm_company.js";
import { connectionreference } from "./connectionreference.js";
import { msdyn_iomactiontype } from "./msdyn_iomactiontype.js";
import { msdyn_dualwriteentitymap } from "./msdyn_dualwriteentitymap.js";
import { msdyn_iomdesigner } from "./msdyn_iomdesigner.js";
import { msdyn_iompolicy } from "./msdyn_iompolicy.js";
import { msdyn_iomprovider } from "./msdyn_iomprovider.js";
import { msdyn_iomproviderconnectionreference } from "./msdyn_iomproviderconnectionreference.js";
import { msdyn_iomproviderdefinition } from "./msdyn_iomproviderdefinition.js";
import { msdyn_iomproviderdefinitionconnectionref } from "./msdyn_iomproviderdefinitionconnectionref.js";
import { msdyn_iomproviderdefinitionlogicdefinition } from "./msdyn_iomproviderdefinitionlogicdefinition.js";
import { msdyn_iomproviderdefinitionparameter } from "./msdyn_iomproviderdefinitionparameter.js";
import { msdyn_iomproviderparameter } from "./msdyn_iomproviderparameter.js";
import { msdyn_iomrule } from "./msdyn_iomrule.js";
import { msdyn_operationalsite } from "./msdyn_operationalsite.js";
import { msdyn_warehouse } from "./msdyn_warehouse.js";
import { salesorder } from "./salesorder.js";
import { salesorderdetail } from "./salesorderdetail.js";
import type { TableDefinition } from "./types.js";

export const tables: readonly TableDefinition[] = [
  msdyn_iomproviderdefinition,
  msdyn_iomprovider,
  msdyn_iomproviderconnectionreference,
  msdyn_iomproviderdefinitionconnectionref,
  msdyn_iomproviderdefinitionparameter,
  msdyn_iomproviderparameter,
  msdyn_iomproviderdefinitionlogicdefinition,
  msdyn_iomactiontype,
  msdyn_iompolicy,
  msdyn_iomrule,
  msdyn_iomdesigner,
  connectionreference,
  msdyn_dualwriteentitymap,
  salesorder,
  salesorderdetail,
  cdm_company,
  msdyn_operationalsite,
  msdyn_warehouse,
  account,
];

/** The table with this logical name, if iom-gitops knows it. */
export function findTable(logicalName: string): TableDefinition | undefined {
  return tables.find((t) => t.logicalName === logicalName);
}
