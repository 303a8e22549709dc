/* eslint-disable */
/**
 * Generated from schemas/dual-write-map.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * The parts of a dual-write table map that IOM needs: the Dataverse-side filter, field mappings and, if given, whether the map runs. The map is stopped while it is edited, then started again or put back in the state it was in.
 */
export interface DualWriteMap {
  /**
   * The map's name in this configuration. Unique among dual-write maps.
   */
  name: string;
  /**
   * The dual-write table map as F&O lists it, for example "CDS sales order headers (salesorders)".
   */
  map: string;
  /**
   * The logical name of the map's Dataverse table, for example "salesorder"; the filter's attributes are checked against its metadata.
   */
  table: string;
  /**
   * The Dataverse-side filter (an OData $filter expression, shown by F&O as the query on "Microsoft Dataverse.<table>"). Lookups are written as `_<lookup>_value`.
   */
  dataverseFilter: string;
  /**
   * The F&O-side filter, in F&O query-range syntax, for example "(accounttype == '3')". Left unchanged when omitted.
   */
  financeAndOperationsFilter?: string;
  /**
   * Whether the map must be running (dual-write syncing its rows). true: the map is started after it is edited, and whenever it is found stopped or paused; false: it is stopped. Omitted: it is put back in the run state it was found in.
   */
  running?: boolean;
  /**
   * Field mappings to add or change, keyed by their Dataverse field. Mappings not listed are left as they are.
   */
  fieldMappings?: FieldMapping[];
}
/**
 * One field mapping of the map.
 */
export interface FieldMapping {
  /**
   * The Dataverse column, for example "msdyn_isreadytosync".
   */
  dataverseField: string;
  /**
   * The F&O field. Omit it for a mapping with no F&O source (shown as "none"), typically one with a default value.
   */
  financeAndOperationsField?: string;
  /**
   * Which way values flow: financeAndOperationsToDataverse, dataverseToFinanceAndOperations or bidirectional.
   */
  direction: "financeAndOperationsToDataverse" | "dataverseToFinanceAndOperations" | "bidirectional";
  /**
   * How values are transformed: "default" (use defaultValue when the source has none) or "valueMap" (translate with valueMap).
   */
  transform?: "default" | "valueMap";
  /**
   * The value written when the source has none; required with transform "default".
   */
  defaultValue?: string | number | boolean;
  /**
   * Source value to destination value; required with transform "valueMap".
   */
  valueMap?: {
    [k: string]: string | number | boolean;
  };
}
