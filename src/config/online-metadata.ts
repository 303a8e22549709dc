// Table metadata read from a live environment (or the emulator) through the Dataverse client, for
// `iom validate --online` and for the Pulumi program when it has an environment to ask. Filters
// and policy columns are then checked against what the environment really has, customisations
// included, instead of the snapshot shipped with the project.
import type { DataverseClient } from "../dataverse/client.js";
import { ATTRIBUTE_TYPES, type AttributeType, type TableDefinition } from "../iom/tables/types.js";
import type { TableMetadataSource } from "./metadata.js";

const KNOWN_TYPES: ReadonlySet<string> = new Set<AttributeType>(ATTRIBUTE_TYPES);

/**
 * The checks only need to tell lookups from other columns and to name them; a type they do not
 * model (Virtual, EntityName, PartyList, …) is kept as a plain, non-lookup column.
 */
function attributeType(dataverseType: string): AttributeType {
  return KNOWN_TYPES.has(dataverseType) ? (dataverseType as AttributeType) : "String";
}

export class OnlineMetadataSource implements TableMetadataSource {
  readonly description: string;
  #maps: Promise<readonly string[]> | undefined;

  constructor(private readonly client: DataverseClient) {
    this.description = `the metadata of ${client.environmentUrl}`;
  }

  /**
   * The maps the dual-write gateway lists for the environment's F&O environment, asked once; none
   * to check when the gateway is not configured (its absence is `iom doctor`'s and the map kind's
   * to report, where it matters).
   */
  dualWriteMaps(): Promise<readonly string[] | undefined> {
    if (this.client.dualWriteRoot === undefined || this.client.financeAndOperationsHost === undefined)
      return Promise.resolve(undefined);
    this.#maps ??= (async () => {
      const { DualWriteManagementClient } = await import("../dataverse/dual-write.js");
      return (await new DualWriteManagementClient(this.client).maps()).map((m) => m.name);
    })();
    return this.#maps;
  }

  async getTable(logicalName: string): Promise<TableDefinition | undefined> {
    // The lookups' targets say which table a policy's related-entity condition moves to.
    const found = await this.client.metadata.table(logicalName);
    // A table the environment does not have: the checks report it like an unknown table.
    if (!found) return undefined;
    const { entity, attributes, lookups } = found;
    const targets = new Map<string, string[]>();
    for (const l of lookups) targets.set(l.attribute, [...(targets.get(l.attribute) ?? []), l.target]);
    return {
      logicalName: entity.logicalName,
      entitySetName: entity.entitySetName,
      displayName: entity.logicalName,
      primaryIdAttribute: entity.primaryIdAttribute,
      primaryNameAttribute: entity.primaryNameAttribute ?? "",
      attributes: attributes.map((a) => {
        const type = attributeType(a.attributeType);
        const to = targets.get(a.logicalName);
        return {
          logicalName: a.logicalName,
          displayName: a.displayName ?? a.logicalName,
          type,
          ...(to ? { targets: to } : {}),
        };
      }),
    };
  }
}
