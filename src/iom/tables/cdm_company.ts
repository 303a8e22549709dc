// Company (legal entity), synchronised from Finance + Operations by dual-write; orders and lines
// point at it through msdyn_company. [3P: Business Central's CRM Company table (cdm_company,
// cdm_companycode as its code and dropdown); dual-write maps use msdyn_company.cdm_companycode]
import { activeInactive, primaryId, text, timestamps, yesNo } from "./attributes.js";
import type { TableDefinition } from "./types.js";

export const cdm_company: TableDefinition = {
  logicalName: "cdm_company",
  entitySetName: "cdm_companies",
  displayName: "Company",
  primaryIdAttribute: "cdm_companyid",
  primaryNameAttribute: "cdm_companycode",
  attributes: [
    primaryId("cdm_companyid", "Company"),
    text("cdm_companycode", "Company Code", 30, true),
    text("cdm_name", "Name", 100),
    yesNo("cdm_isenabledfordualwrite", "Is Enabled for Dual Write"),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [{ name: "cdm_company_companycode", attributes: ["cdm_companycode"] }],
};
