// The dual-write map kind, provider side. A table map comes with the environment: the resource
// never creates or deletes one. It takes over the settings IOM needs (the Dataverse filter, maybe
// the F&O filter, some field mappings), remembers what they were, and gives them back on destroy.
// Dual-write only accepts a mapping while the map is stopped, so every save stops the map and
// then puts it back in the state it was in (or the one `running` asks for); a save that changes
// nothing is never made.
import { didYouMean } from "../../config/did-you-mean.js";
import {
  DataverseError,
  DualWriteManagementClient,
  mapsNamed,
  stateLabel,
  uiMapName,
  type GatewayMap,
} from "../../dataverse/index.js";
import { mapAction, mapState } from "../../iom/dual-write-facts.js";
import type { KindImplementation, Outputs } from "../runtime/kind.js";
import { PartialApplyError } from "../runtime/kind.js";
import type { Session } from "../runtime/session.js";
import { DualWriteMapError } from "./errors.js";
import type { DualWriteMapInputs } from "./index.js";
import {
  applySettings,
  canonicalSettings,
  carryFound,
  readSettings,
  restoreSettings,
  sameMappings,
  snapshot,
  versionTask,
  type EditedDocument,
  type FoundSettings,
} from "./mapping.js";

export interface DualWriteMapOutputs extends Outputs<DualWriteMapInputs> {
  /** The managed settings as they were before this stack first changed them; destroy restores them. */
  found: FoundSettings;
  /**
   * Only after an interrupted apply left the map stopped: the state it was in before (a mapState
   * value, "4"; states written by earlier versions were numbers). The next apply, or destroy, puts
   * the map back to it.
   */
  stoppedFrom?: string;
}

const EDITABLE: ReadonlySet<string> = new Set([mapState.stopped.value, mapState.notRunning.value]);
/** States in which the map syncs rows, or is on its way to: what `running: true` means. */
const RUNNING: ReadonlySet<string> = new Set([
  mapState.running.value,
  mapState.initialSync.value,
  mapState.catchUp.value,
]);

/**
 * The `running` setting that says a map's run state as it is (`iom import`): true while it syncs,
 * false when stopped, nothing for a paused map, which neither value would leave as it is.
 */
export function runningSetting(state: string): boolean | undefined {
  if (RUNNING.has(state)) return true;
  return EDITABLE.has(state) ? false : undefined;
}

function isNotFound(error: unknown): boolean {
  return error instanceof DataverseError && error.code === "not-found";
}

/**
 * The map `name` names, in the UI's form ("CDS sales order headers (salesorders)") or the gateway's
 * ("salesorders - CDS sales order headers"), or an error naming the maps there are. The resource's
 * id is the map's project id (pid): the gateway's requests take it, and it stays the same when a
 * new version of the map is made active, which a template id (and the version row's id) does not.
 */
async function findMap(dw: DualWriteManagementClient, name: string): Promise<GatewayMap & { pid: string }> {
  const maps = await dw.maps();
  const hits = mapsNamed(maps, name);
  if (hits.length > 1)
    throw new DualWriteMapError(
      "ambiguous-map",
      `${hits.length} dual-write table maps are named '${name}' (${hits.map((m) => `'${m.name}' project ${m.pid ?? "none"}`).join(", ")}); give the map's exact name as the gateway lists it, or remove the extra ones in Finance and Operations`,
    );
  const [hit] = hits;
  if (!hit) {
    const names = maps.map((m) => `'${uiMapName(m.name)}'`).sort();
    const suggestion = didYouMean(
      uiMapName(name),
      maps.map((m) => uiMapName(m.name)),
    );
    throw new DualWriteMapError(
      "map-not-found",
      `no dual-write table map is named '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ""} ${names.length > 0 ? `The environment has ${names.join(", ")}` : "The environment has none"}. Set 'map' to one of them, or install the solution that brings the map`,
    );
  }
  if (!hit.pid)
    throw new DualWriteMapError(
      "map-without-project",
      `the table map '${hit.name}' has no project id (detail.pid): it has never been run in this environment. Run it once in Finance and Operations (Data management > Dual-write), then apply again`,
    );
  return hit as GatewayMap & { pid: string };
}

/** Puts a map that was `before` back in that state after it was stopped for an edit. */
async function restoreRunState(dw: DualWriteManagementClient, pid: string, before: string): Promise<void> {
  if (before === mapState.running.value) await dw.run(mapAction.start, pid);
  else if (before === mapState.paused.value) {
    // A stopped map cannot be paused: start it, then pause it.
    await dw.run(mapAction.start, pid);
    await dw.run(mapAction.pause, pid);
  }
}

/**
 * Saves an edited mapping: a new version of the map (a msdyn_dualwriteentitymap row) made active
 * with SwitchActive, which dual-write only allows while the map is stopped. This is how the F&O UI's
 * "save with a new version" is taken to work [I; unverified, docs/dual-write-gateway.md]: no
 * source shows a request that saves a mapping in place.
 */
async function saveVersion(
  dw: DualWriteManagementClient,
  map: GatewayMap & { pid: string },
  edited: EditedDocument,
): Promise<void> {
  const templateId = await dw.saveVersion(map, versionTask(edited.document));
  await dw.switchActive(map.pid, templateId);
}

/**
 * Saves an edited mapping the way dual-write requires: stop the map unless it is stopped already,
 * save, then put it back in its earlier state, or the one `running` asks for. The state is put
 * back even when the save fails, and then the save's failure is reported. When nothing changed,
 * nothing is saved: the map is only started or stopped as `running` asks, or put back where an
 * interrupted run left it; with neither, not even its state is read.
 *
 * `stoppedFrom` is the state an earlier, interrupted run stopped the map from: while the map is
 * still stopped, that is the state it goes back to, even when nothing needs saving any more.
 * Whenever this run leaves the map stopped, or may have (a stop whose answer was lost), the
 * error says from which state (DualWriteMapError.stoppedFrom), so that it can be kept.
 */
async function saveWhileStopped(
  dw: DualWriteManagementClient,
  pid: string,
  mapName: string,
  edited: EditedDocument,
  stoppedFrom?: string,
  running?: boolean,
): Promise<void> {
  if (!edited.changed && stoppedFrom === undefined && running === undefined) return;
  const map = { ...(await dw.map(pid)), pid };
  const current = map.state;
  // Where the map ends: the state the YAML asks for, else the one it was in before any stop.
  const before =
    running === true
      ? mapState.running.value
      : running === false
        ? mapState.stopped.value
        : stoppedFrom !== undefined && EDITABLE.has(current)
          ? stoppedFrom
          : current;
  if (!edited.changed) {
    if (running === false && !EDITABLE.has(current)) await stopForGood(dw, pid, mapName, current);
    // The restart an interrupted run owes, or the YAML asks for, if the map is stopped or paused.
    else if (EDITABLE.has(current) || (running === true && current === mapState.paused.value))
      await putBack(dw, pid, mapName, before, undefined, current);
    return;
  }
  if (!EDITABLE.has(current) && current !== mapState.running.value && current !== mapState.paused.value)
    throw new DualWriteMapError(
      "map-busy",
      `the table map '${mapName}' is ${stateLabel(current)}; it is not stopped in the middle of that. Wait until it is Running, Paused or Stopped, then apply again`,
    );
  if (!EDITABLE.has(current)) {
    try {
      await dw.run(mapAction.stop, pid);
    } catch (error) {
      // The stop may have happened with its answer lost (or be still under way): the map is then
      // stopped by this run.
      const cause = error instanceof Error ? error.message : String(error);
      throw new DualWriteMapError(
        "run-state-not-restored",
        `${cause}; the table map '${mapName}' may now be stopped: the next apply puts it back to ${stateLabel(before)}`,
        false,
        before,
      );
    }
  }
  // Nothing saves on a condition: the document is read again now that the map is stopped (no one
  // can switch a running map's version), and a change someone saved since the first read is not
  // written over.
  let saveError: unknown;
  try {
    if (!sameMappings(await dw.fieldMappings(pid), edited.base))
      saveError = new DualWriteMapError(
        "changed-meanwhile",
        `the table map '${mapName}' had its mapping saved by someone else after iom-gitops read it; nothing was saved over it. Run pulumi refresh to read it as it is now, look at the difference with pulumi preview --diff, then run pulumi up again`,
      );
    else await saveVersion(dw, map, edited);
  } catch (error) {
    saveError = error;
  }
  await putBack(dw, pid, mapName, before, saveError);
  if (saveError !== undefined) throw saveError;
}

/** Stops a map the YAML wants stopped (`running: false`); not in the middle of a sync. */
async function stopForGood(
  dw: DualWriteManagementClient,
  pid: string,
  mapName: string,
  current: string,
): Promise<void> {
  if (current !== mapState.running.value && current !== mapState.paused.value)
    throw new DualWriteMapError(
      "map-busy",
      `the table map '${mapName}' is ${stateLabel(current)}; it is not stopped in the middle of that. Wait until it is Running or Paused, then apply again`,
    );
  await dw.run(mapAction.stop, pid);
}

/**
 * Puts a stopped map back in the state `before` (nothing when that is a stopped state); a paused
 * one (`from`) that must run is resumed. A failure says whether the new mapping was saved
 * (`saveError` undefined) and keeps `before` to retry.
 */
async function putBack(
  dw: DualWriteManagementClient,
  pid: string,
  mapName: string,
  before: string,
  saveError: unknown,
  from: string = mapState.stopped.value,
): Promise<void> {
  try {
    if (from === mapState.paused.value && before === mapState.running.value)
      await dw.run(mapAction.resume, pid);
    else await restoreRunState(dw, pid, before);
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    const saved = saveError === undefined;
    throw new DualWriteMapError(
      "run-state-not-restored",
      `the table map '${mapName}' was stopped to be edited and could not be put back to ${stateLabel(before)}: ${cause}` +
        (saved
          ? "; its new mapping was saved. "
          : `; saving its mapping had failed as well, so the mapping is unchanged (${saveError instanceof Error ? saveError.message : String(saveError)}). `) +
        `The next apply puts it back to ${stateLabel(before)}; or do it in Finance and Operations (Data management > Dual-write)`,
      saved,
      before,
    );
  }
}

/**
 * Saves, and settles the outputs: on success the map is back in its state and `stoppedFrom` goes;
 * when the map is left stopped, the engine keeps the resource (a partial apply) with the state to
 * put back, so that the next `up` finishes the job instead of taking the stopped map as found.
 */
async function apply(
  dw: DualWriteManagementClient,
  pid: string,
  outs: DualWriteMapOutputs,
  edited: EditedDocument,
): Promise<DualWriteMapOutputs> {
  const { stoppedFrom, ...settled } = outs;
  try {
    await saveWhileStopped(dw, pid, outs.map, edited, stoppedFrom, outs.running);
    return settled;
  } catch (error) {
    if (error instanceof DualWriteMapError && (error.saved || error.stoppedFrom !== undefined))
      throw new PartialApplyError(error.message, pid, {
        ...settled,
        ...(error.stoppedFrom !== undefined ? { stoppedFrom: error.stoppedFrom } : {}),
      });
    throw error;
  }
}

function outputs(inputs: DualWriteMapInputs, s: Session, found: FoundSettings): DualWriteMapOutputs {
  return { ...inputs, organizationId: s.organizationId, adopted: true, found };
}

/** A recorded stoppedFrom, as a state string (earlier versions recorded the number). */
function recordedState(value: unknown): { stoppedFrom: string } | Record<string, never> {
  return value === undefined || value === null ? {} : { stoppedFrom: String(value) };
}

export const dualWriteMap: KindImplementation<DualWriteMapInputs, DualWriteMapOutputs> = {
  label: "dual-write map",
  schema: "dual-write-map",
  programInputs: [],
  outputsOnly: ["found", "stoppedFrom"],
  // Another map is another resource: the old one gets its settings back, the new one is taken over.
  replaceOn: ["map"],

  canonical: canonicalSettings,

  async create(inputs, s) {
    const dw = new DualWriteManagementClient(s.client);
    const { pid } = await findMap(dw, inputs.map);
    const document = await dw.fieldMappings(pid);
    // Recorded before anything changes, so that destroy gives back what the map had.
    const outs = outputs(inputs, s, snapshot(document, inputs));
    return { id: pid, outs: await apply(dw, pid, outs, applySettings(document, inputs)) };
  },

  async read(id, outs, s) {
    const dw = new DualWriteManagementClient(s.client);
    let document: Record<string, unknown>;
    let state: string | undefined;
    try {
      document = await dw.fieldMappings(id);
      // Only when the YAML says whether the map runs: a sync in progress counts as running.
      if (outs.running !== undefined) state = (await dw.map(id)).state;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const current = readSettings(document, outs);
    const { financeAndOperationsFilter: _f, fieldMappings: _m, ...rest } = outs;
    if (state !== undefined) rest.running = RUNNING.has(state);
    return { ...rest, ...current };
  },

  async update(id, olds, news, s) {
    const dw = new DualWriteManagementClient(s.client);
    const document = await dw.fieldMappings(id);
    // State written before `found` existed, or lost: what is there now is the best record left.
    const { found, released } = carryFound(olds.found ?? snapshot(document, olds), document, news);
    const outs = outputs(news, s, found);
    return apply(
      dw,
      id,
      { ...outs, ...recordedState(olds.stoppedFrom) },
      applySettings(document, news, released),
    );
  },

  async delete(id, outs, s) {
    const dw = new DualWriteManagementClient(s.client);
    let document: Record<string, unknown>;
    try {
      document = await dw.fieldMappings(id);
    } catch (error) {
      if (isNotFound(error)) return; // the map went with its solution: nothing to give back
      throw error;
    }
    // Without a record of what was there, restoring would guess: the map is released as it is.
    if (!outs.found) return;
    const { stoppedFrom } = recordedState(outs.stoppedFrom) as { stoppedFrom?: string };
    await saveWhileStopped(dw, id, outs.map, restoreSettings(document, outs.found), stoppedFrom);
  },
};
