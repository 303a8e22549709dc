// Connection Reference: the standard Dataverse table that points a solution's flows at a Power
// Platform connection by id. [C: PA/reference/entities/connectionreference.md]
import { activeInactive, memo, picklist, primaryId, text, timestamps } from "./attributes.js";
import type { TableDefinition } from "./types.js";

export const connectionreference: TableDefinition = {
  logicalName: "connectionreference",
  entitySetName: "connectionreferences",
  displayName: "Connection Reference",
  primaryIdAttribute: "connectionreferenceid",
  primaryNameAttribute: "connectionreferencedisplayname",
  attributes: [
    primaryId("connectionreferenceid", "Connection Reference"),
    text("connectionreferencedisplayname", "Display Name", 100),
    text("connectionreferencelogicalname", "Connection Reference Logical Name", 200, true),
    text("connectorid", "Connector ID", 1000, true),
    text("connectionid", "Connection ID", 100),
    text("customconnectorid", "Custom Connector ID", 100),
    memo("description", "Description", 1000),
    picklist("promptingbehavior", "Prompting Behavior", [
      { value: 0, label: "Prompt on import" },
      { value: 1, label: "Skip prompting on import" },
    ]),
    ...activeInactive(),
    ...timestamps(),
  ],
  alternateKeys: [
    { name: "connectionreference_logicalname", attributes: ["connectionreferencelogicalname"] },
  ],
};
