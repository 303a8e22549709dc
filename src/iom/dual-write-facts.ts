// Facts about dual-write table maps and the dual-write management gateway (domain.md section 2).
// To be reworked into sourced facts (./evidence.ts).

/**
 * Dual-write table maps. Dataverse stores them in `msdyn_dualwriteentitymap` with the mapping as
 * JSON in `msdyn_mapping` [3P]; the running state lives in the dual-write service, not in
 * Dataverse, so the emulator keeps it in a column of its own choosing. [E]
 */
export const dualWrite = {
  table: "msdyn_dualwriteentitymap", // [3P]
  entitySetName: "msdyn_dualwriteentitymaps", // [3P]
  primaryId: "msdyn_dualwriteentitymapid", // [3P]
  name: "msdyn_name", // [3P]
  displayName: "msdyn_displayname", // [3P]
  mapping: "msdyn_mapping", // JSON: entityMappingTasks[].legs[] [3P; shape C: DWA DWFieldMapping.cs]
  solutionId: "solutionid", // [3P]
  runState: "msdyn_runstate", // [E]
  /** The management endpoint, modelled on the DualWriteManagement gateway, served by the emulator. [E] */
  managementPath: "/api/DualWriteManagement/1.0/",
  /**
   * The token scope of the DualWriteManagement gateway, used when the endpoint is on a host of its
   * own (`iom:dualWriteUrl`): the scope Microsoft's dual-write tool asks for [C: DWA]. Whether the
   * gateway accepts an application's token, not only a signed-in user's, is unknown. [I]
   */
  gatewayScope: "https://IntegratorApp.com/.default",
} as const;

/** The gateway's map states [C: DWA DWEnums.cs]; the emulator stores them as they are. */
export const mapState = {
  stopped: { value: 1, label: "Stopped" },
  initialSync: { value: 2, label: "InitialSync" },
  catchUp: { value: 3, label: "CatchUp" },
  running: { value: 4, label: "Running" },
  paused: { value: 5, label: "Paused" },
  notRunning: { value: 6, label: "NotRunning" },
} as const;

/** The gateway's `POST Start` actions [C: DWA DWLibary]. */
export const mapAction = { start: 1, stop: 4, pause: 5, resume: 6, initialSync: 8 } as const;

/** Sync directions of a field mapping [C: DWA DWEnums.cs]. */
export const syncDirection = { financeToDataverse: 1, dataverseToFinance: 2, both: 3 } as const;
