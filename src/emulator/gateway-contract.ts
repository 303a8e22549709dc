// The dual-write management gateway as the emulator plays it: its own copy of the contract, taken
// from the public sources (never from src/iom, so that a wrong guess on the client's side shows up
// as a failing test instead of being served back to it). Citations: DWA = microsoft/Dual-write-
// automations, DWLibary/<path>; MAPVIEWER = OliverFlint/pptb-dual-write-map-viewer (third party);
// [E] = the emulator's own choice where no source says anything.

/** The path every gateway request starts with, on the gateway's own host [C: DWA:DWHttp.cs]. */
export const GATEWAY_PATH = "/api/DualWriteManagement/1.0/";

/** Target types: "AX" for Finance and Operations [C: DWA:DWEnvCalls.cs]; "CRM" for Dataverse [I: DWA:DWEnums.cs DataMaster]. */
export const TARGET_TYPE = { finance: "AX", dataverse: "CRM" } as const;

/** The F&O environment the emulator's dual-write connection links to: what `identifier` must be. [E] */
export const EMULATOR_FINOPS_HOST = "finops.emulator.local";

/** Map states, strings on the wire [C: DWA:DWEnums.cs MapStatus; DWA:Struct/DWMaps.cs state is a string]. */
export const MAP_STATE = {
  stopped: "1",
  initialSync: "2",
  catchUp: "3",
  running: "4",
  paused: "5",
  notRunning: "6",
} as const;

export const MAP_STATE_LABEL: Readonly<Record<string, string>> = {
  "1": "Stopped",
  "2": "InitialSync",
  "3": "CatchUp",
  "4": "Running",
  "5": "Paused",
  "6": "NotRunning",
};

/** `POST Start` actions, strings [C: DWA:Engines/DWMapEngine.cs startStopMap]. */
export const ACTION = { start: "1", stop: "4", pause: "5", resume: "6", initialSync: "8" } as const;

export const ACTION_NAME: Readonly<Record<string, string>> = {
  "1": "start",
  "4": "stop",
  "5": "pause",
  "6": "resume",
  "8": "initial sync",
};

/** A request's state in detail.lastRequests [C: DWA:DWEnums.cs RequestStatus]. */
export const REQUEST_STATE = { waiting: "1", completed: "2", error: "3" } as const;

/** How many of a map's requests lastRequests lists. [E] */
export const LAST_REQUESTS_KEPT = 10;

/**
 * Dataverse's table of map versions, one row per saved version [3P: MAPVIEWER src/hooks/useDataverseApi.ts];
 * msdyn_mapping holds one entity mapping task with `legs` at its top level
 * [3P: MAPVIEWER src/components/DualWriteMapPreview.tsx]. The primary name column follows Dataverse's
 * convention [I]. A version row's id is the gateway's template id, and the rows of one map share
 * its template name [I; unverified, docs/dual-write-gateway.md].
 */
export const VERSION_TABLE = {
  table: "msdyn_dualwriteentitymap",
  primaryId: "msdyn_dualwriteentitymapid",
  name: "msdyn_name",
  displayName: "msdyn_displayname",
  mapping: "msdyn_mapping",
} as const;

/** Field mapping sync directions: 1 F&O to Dataverse, 2 Dataverse to F&O, 3 both [C: DWA:DWEnums.cs DWSyncDirection]. */
export const SYNC_DIRECTIONS: ReadonlySet<number> = new Set([1, 2, 3]);

/** Value transform types [C: DWA:Struct/DWFieldMapping.cs transformType; DW:customizing-mappings.md Default, Value map]. */
export const TRANSFORM_TYPES: ReadonlySet<string> = new Set(["Default", "ValueMap"]);

/**
 * The store's table of gateway projects (one per map: pid, active template, state, requests): the
 * gateway's own state, not Dataverse's, so the Web API cannot reach it. [E]
 */
export const PROJECTS_TABLE = "$dualwrite:project";
