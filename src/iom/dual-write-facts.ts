// Facts about dual-write table maps and the dual-write management gateway, each with its evidence
// (./evidence.ts). Dual-write's management API is not documented: Microsoft's own automation tool
// (DWA: microsoft/Dual-write-automations, DWLibary/) is the best source of its requests and answers,
// a third-party map viewer (MAPVIEWER) the only one of how Dataverse stores a map version. The code
// uses the plain values below (`dualWrite.x`, `mapState`, `mapAction`); docs/evidence.md is generated
// from the `*Facts` trees. The emulator does not read this module (src/emulator/gateway-contract.ts
// keeps its own copy of the contract), so that a wrong guess here shows up as a failing test.
import { confirmed, inferred, thirdParty, valuesOf } from "./evidence.js";

const VIEWER_QUERY = "MAPVIEWER:src/hooks/useDataverseApi.ts";
const VIEWER_PREVIEW = "MAPVIEWER:src/components/DualWriteMapPreview.tsx";
const HTTP = "DWA:DWHttp.cs";
const MAP_ENGINE = "DWA:Engines/DWMapEngine.cs";
const COMMON_ENGINE = "DWA:Engines/DWCommonEngine.cs";
const ENUMS = "DWA:DWEnums.cs";

/** Dataverse's side of a map: one row of msdyn_dualwriteentitymap per saved version of the map. */
export const dualWriteTableFacts = {
  table: thirdParty("msdyn_dualwriteentitymap", VIEWER_QUERY),
  entitySetName: thirdParty("msdyn_dualwriteentitymaps", VIEWER_QUERY),
  primaryId: thirdParty("msdyn_dualwriteentitymapid", VIEWER_QUERY),
  name: inferred(
    "msdyn_name",
    "Dataverse names a custom table's primary name column <prefix>_name; the viewer reads only the display name",
  ),
  displayName: thirdParty("msdyn_displayname", VIEWER_QUERY),
  /**
   * The version's mapping as JSON: one entity mapping task, `{ name?, legs: [...] }`, legs at the
   * top level, as the viewer parses it (not the gateway's `entityMappingTasks` wrapper).
   */
  mapping: thirdParty("msdyn_mapping", VIEWER_PREVIEW),
  solutionId: thirdParty("solutionid", VIEWER_QUERY),
};

/** The dual-write management gateway: its address, token and requests. */
export const dualWriteGatewayFacts = {
  /** What a real gateway's root looks like, for messages: DWA's test value, its region elided. */
  hostPattern: confirmed(
    "https://projectmanagementservice.<region>.gateway.prod.island.powerapps.com",
    "DWA:GlobalVar.cs",
  ),
  managementPath: confirmed("/api/DualWriteManagement/1.0/", HTTP),
  /**
   * The token scope DWA asks for (a delegated token of its public client). Whether the gateway
   * accepts an application's own token is not known: see docs/dual-write-gateway.md.
   */
  scope: confirmed("https://IntegratorApp.com/.default", "DWA:TokenRefresh.cs"),
  /** `GET Environments?targetType=AX&identifier=<F&O host>`: a list, the first entry's cid is used. */
  environmentsPath: confirmed("Environments", "DWA:DWEnvCalls.cs"),
  /** The F&O side's target type, in Environments and Entities queries. */
  financeTargetType: confirmed("AX", "DWA:DWEnvCalls.cs"),
  /** DWA passes the host name of its `-e` argument (the F&O environment) as the identifier. */
  identifierIsFinanceHost: confirmed(true, "DWA:ArgsHandler.cs"),
  /** `GET Entities?targetType=AX&cid=<cid>`: a bare JSON array of maps. */
  entitiesPath: confirmed("Entities", COMMON_ENGINE),
  /** `GET <pid>/FieldMappings`: the active version's document, `entityMappingTasks[].legs[]`. */
  fieldMappingsSegment: confirmed("FieldMappings", COMMON_ENGINE),
  /** `POST Start` `{action, details: [{tid, pid, cid, parameters}]}` answers `{requestId}`. */
  startPath: confirmed("Start", MAP_ENGINE),
  /** `GET Status/<requestId>`: a list of maps whose `detail.lastRequests` holds the request. */
  statusPath: confirmed("Status", MAP_ENGINE),
  /** `POST SolutionAware/<cid>/SwitchActive/<templateId>?pid=<pid>`, body the template id. */
  switchActivePath: confirmed("SolutionAware/{cid}/SwitchActive/{templateId}", MAP_ENGINE),
  /** The parameters of a start: DWA's defaults, initial sync skipped, Dataverse the master. */
  startParameters: {
    skipInitialSync: confirmed(true, MAP_ENGINE),
    conflictOption: confirmed("1", MAP_ENGINE),
    master: confirmed("CRM", ENUMS),
  },
  /**
   * A template id (detail.templates[].id) is the id of the version's msdyn_dualwriteentitymap row,
   * so a version row written through the Web API is one SwitchActive can make active. Unverified.
   */
  templateIsVersionRow: inferred(
    true,
    "both are 'a saved version of a map' (DW:app-lifecycle-management.md names the Dual Write table map solution component; DWA switches versions by template id); no source says the ids are the same",
    MAP_ENGINE,
  ),
  /**
   * Map names: DWA matches its configured names against detail.tName, and its sample names maps
   * "<Dataverse entity set> - <map name>" ("contacts - Customers V3"); the F&O UI and the IOM docs
   * say "<map name> (<entity set>)". Both forms name the same map.
   */
  tNameSeparator: inferred(
    " - ",
    "DWA's sample configuration names maps '<entity set> - <map name>' (DualWriteHelper/App.config); the UI's 'CDS sales order headers (salesorders)' is taken to be the same map",
    "DWA:Engines/DWMapEngine.cs",
  ),
};

/** The gateway's map states: strings on the wire ("4"), the enum's numbers as text. */
export const mapStateFacts = {
  stopped: { value: confirmed("1", ENUMS), label: confirmed("Stopped", ENUMS) },
  initialSync: { value: confirmed("2", ENUMS), label: confirmed("InitialSync", ENUMS) },
  catchUp: { value: confirmed("3", ENUMS), label: confirmed("CatchUp", ENUMS) },
  running: { value: confirmed("4", ENUMS), label: confirmed("Running", ENUMS) },
  paused: { value: confirmed("5", ENUMS), label: confirmed("Paused", ENUMS) },
  notRunning: { value: confirmed("6", ENUMS), label: confirmed("NotRunning", ENUMS) },
};

/** The `action` of `POST Start`, a string [C: DWA builds "1", "4", …]. */
export const mapActionFacts = {
  start: confirmed("1", MAP_ENGINE),
  stop: confirmed("4", MAP_ENGINE),
  pause: confirmed("5", MAP_ENGINE),
  resume: confirmed("6", MAP_ENGINE),
  initialSync: confirmed("8", MAP_ENGINE),
};

/** The state of a request in `detail.lastRequests[]`, a string. */
export const requestStateFacts = {
  waiting: confirmed("1", ENUMS),
  completed: confirmed("2", ENUMS),
  error: confirmed("3", ENUMS),
};

/** Sync directions of a field mapping: numbers in the FieldMappings document. */
export const syncDirectionFacts = {
  financeToDataverse: confirmed(1, ENUMS),
  dataverseToFinance: confirmed(2, ENUMS),
  both: confirmed(3, ENUMS),
};

const table = valuesOf(dualWriteTableFacts);
const gateway = valuesOf(dualWriteGatewayFacts);

/** The plain values: Dataverse's map version table and the gateway's requests. */
export const dualWrite = {
  ...table,
  managementPath: gateway.managementPath,
  gatewayScope: gateway.scope,
  hostPattern: gateway.hostPattern,
  financeTargetType: gateway.financeTargetType,
  tNameSeparator: gateway.tNameSeparator,
  startParameters: gateway.startParameters,
} as const;

export const mapState = valuesOf(mapStateFacts);
export const mapAction = valuesOf(mapActionFacts);
export const requestState = valuesOf(requestStateFacts);
export const syncDirection = valuesOf(syncDirectionFacts);
