// Table metadata read from a live environment (or the emulator) through the Dataverse client, for
// `iom validate --online` and for the Pulumi program when it has an environment to ask. Filters
// and policy columns are then checked against what the environment really has, customisations
// included, instead of the snapshot shipped with the project.
import type { DataverseClient } from "../dataverse/client.js";
import { NotFoundError } from "../dataverse/errors.js";
import type { AttributeType, TableDefinition } from "../iom/tables/types.js";
import type { TableMetadataSource } from "./metadata.js";

const KNOWN_TYPES: ReadonlySet<string> = new Set<AttributeType>([
  "String",
  "Memo",
  "Integer",
  "BigInt",
  "Decimal",
  "Double",
  "Money",
  "Boolean",
  "DateTime",
  "Uniqueidentifier",
  "Lookup",
  "Customer",
  "Owner",
  "Picklist",
  "State",
  "Status",
]);

/**
 * The checks only need to tell lookups from other columns and to name them; a type they do not
 * model (Virtual, EntityName, PartyList, …) is kept as a plain, non-lookup column.
 */
function attributeType(dataverseType: string): AttributeType {
  return KNOWN_TYPES.has(dataverseType) ? (dataverseType as AttributeType) : "String";
}

export class OnlineMetadataSource implements TableMetadataSource {
  readonly description: string;

  constructor(private readonly client: DataverseClient) {
    this.description = `the metadata of ${client.environmentUrl}`;
  }

  async getTable(logicalName: string): Promise<TableDefinition | undefined> {
    let entity;
    try {
      entity = await this.client.metadata.entity(logicalName);
    } catch (err) {
      // A table the environment does not have: the checks report it like an unknown table.
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    const attributes = await this.client.metadata.attributes(logicalName);
    return {
      logicalName: entity.logicalName,
      entitySetName: entity.entitySetName,
      displayName: entity.logicalName,
      primaryIdAttribute: entity.primaryIdAttribute,
      primaryNameAttribute: entity.primaryNameAttribute ?? "",
      attributes: attributes.map((a) => ({
        logicalName: a.logicalName,
        displayName: a.displayName ?? a.logicalName,
        type: attributeType(a.attributeType),
      })),
    };
  }
}
