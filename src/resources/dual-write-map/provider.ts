// The dual-write map kind, provider side. A table map comes with the environment: the resource
// never creates or deletes one. It takes over the settings IOM needs (the Dataverse filter, maybe
// the F&O filter, some field mappings), remembers what they were, and gives them back on destroy.
// Dual-write only accepts a mapping while the map is stopped, so every save stops the map and
// then puts it back in the state it was in (or the one `running` asks for); a save that changes
// nothing is never made.
import { isDeepStrictEqual } from "node:util";
import { DataverseError, DualWriteManagementClient, type MapStatus } from "../../dataverse/index.js";
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
  snapshot,
  type EditedDocument,
  type FoundSettings,
} from "./mapping.js";

export interface DualWriteMapOutputs extends Outputs<DualWriteMapInputs> {
  /** The managed settings as they were before this stack first changed them; destroy restores them. */
  found: FoundSettings;
  /**
   * Only after an interrupted apply left the map stopped: the state it was in before (a number of
   * mapState). The next apply, or destroy, puts the map back to it.
   */
  stoppedFrom?: number;
}

const EDITABLE: ReadonlySet<number> = new Set([mapState.stopped.value, mapState.notRunning.value]);
/** States in which the map syncs rows, or is on its way to: what `running: true` means. */
const RUNNING: ReadonlySet<number> = new Set([
  mapState.running.value,
  mapState.initialSync.value,
  mapState.catchUp.value,
]);
const STATE_NAMES = new Map<number, string>(Object.values(mapState).map((s) => [s.value, s.label]));

/**
 * The `running` setting that says a map's run state as it is (`iom import`): true while it syncs,
 * false when stopped, nothing for a paused map, which neither value would leave as it is.
 */
export function runningSetting(state: number): boolean | undefined {
  if (RUNNING.has(state)) return true;
  return EDITABLE.has(state) ? false : undefined;
}

function stateName(state: number): string {
  return STATE_NAMES.get(state) ?? `state ${state}`;
}

function isNotFound(error: unknown): boolean {
  return error instanceof DataverseError && error.code === "not-found";
}

/** The map named `name` (compared without regard to case), or an error naming the maps there are. */
async function findMap(dw: DualWriteManagementClient, name: string): Promise<MapStatus> {
  const maps = await dw.maps();
  const wanted = name.trim().toLowerCase();
  const hits = maps.filter((m) => m.name.trim().toLowerCase() === wanted);
  if (hits.length > 1)
    throw new DualWriteMapError(
      "ambiguous-map",
      `${hits.length} dual-write table maps are named '${name}' (ids ${hits.map((m) => m.id).join(", ")}); remove or rename the extra ones in Finance and Operations`,
    );
  const [hit] = hits;
  if (hit) return hit;
  const names = maps.map((m) => `'${m.name}'`).sort();
  throw new DualWriteMapError(
    "map-not-found",
    `no dual-write table map is named '${name}'; ${names.length > 0 ? `the environment has ${names.join(", ")}` : "the environment has none"}. Set 'map' to one of them, or install the solution that brings the map`,
  );
}

/** Puts a map that was `before` back in that state after it was stopped for an edit. */
async function restoreRunState(dw: DualWriteManagementClient, id: string, before: number): Promise<void> {
  if (before === mapState.running.value) await dw.run(mapAction.start, [id]);
  else if (before === mapState.paused.value) {
    // A stopped map cannot be paused: start it, then pause it.
    await dw.run(mapAction.start, [id]);
    await dw.run(mapAction.pause, [id]);
  }
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
  id: string,
  mapName: string,
  edited: EditedDocument,
  stoppedFrom?: number,
  running?: boolean,
): Promise<void> {
  if (!edited.changed && stoppedFrom === undefined && running === undefined) return;
  const current = (await dw.map(id)).state;
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
    if (running === false && !EDITABLE.has(current)) await stopForGood(dw, id, mapName, current);
    // The restart an interrupted run owes, or the YAML asks for, if the map is stopped or paused.
    else if (EDITABLE.has(current) || (running === true && current === mapState.paused.value))
      await putBack(dw, id, mapName, before, undefined, current);
    return;
  }
  if (!EDITABLE.has(current) && current !== mapState.running.value && current !== mapState.paused.value)
    throw new DualWriteMapError(
      "map-busy",
      `the table map '${mapName}' is ${stateName(current)}; it is not stopped in the middle of that. Wait until it is Running, Paused or Stopped, then apply again`,
    );
  if (!EDITABLE.has(current)) {
    try {
      await dw.run(mapAction.stop, [id]);
    } catch (error) {
      // The stop may have happened with its answer lost: the map is then stopped by this run.
      const cause = error instanceof Error ? error.message : String(error);
      throw new DualWriteMapError(
        "run-state-not-restored",
        `${cause}; the table map '${mapName}' may now be stopped: the next apply puts it back to ${stateName(before)}`,
        false,
        before,
      );
    }
  }
  // The endpoint takes no If-Match: the document is read again now that the map is stopped (no one
  // can save a running map), and a change someone saved since the first read is not written over.
  let saveError: unknown;
  try {
    if (!isDeepStrictEqual(await dw.fieldMappings(id), edited.base))
      saveError = new DualWriteMapError(
        "changed-meanwhile",
        `the table map '${mapName}' had its mapping saved by someone else after iom-gitops read it; nothing was saved over it. Run pulumi refresh to read it as it is now, look at the difference with pulumi preview --diff, then run pulumi up again`,
      );
    else await dw.saveFieldMappings(id, edited.document);
  } catch (error) {
    saveError = error;
  }
  await putBack(dw, id, mapName, before, saveError);
  if (saveError !== undefined) throw saveError;
}

/** Stops a map the YAML wants stopped (`running: false`); not in the middle of a sync. */
async function stopForGood(
  dw: DualWriteManagementClient,
  id: string,
  mapName: string,
  current: number,
): Promise<void> {
  if (current !== mapState.running.value && current !== mapState.paused.value)
    throw new DualWriteMapError(
      "map-busy",
      `the table map '${mapName}' is ${stateName(current)}; it is not stopped in the middle of that. Wait until it is Running or Paused, then apply again`,
    );
  await dw.run(mapAction.stop, [id]);
}

/**
 * Puts a stopped map back in the state `before` (nothing when that is a stopped state); a paused
 * one (`from`) that must run is resumed. A failure says whether the new mapping was saved
 * (`saveError` undefined) and keeps `before` to retry.
 */
async function putBack(
  dw: DualWriteManagementClient,
  id: string,
  mapName: string,
  before: number,
  saveError: unknown,
  from: number = mapState.stopped.value,
): Promise<void> {
  try {
    if (from === mapState.paused.value && before === mapState.running.value)
      await dw.run(mapAction.resume, [id]);
    else await restoreRunState(dw, id, before);
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    const saved = saveError === undefined;
    throw new DualWriteMapError(
      "run-state-not-restored",
      `the table map '${mapName}' was stopped to be edited and could not be put back to ${stateName(before)}: ${cause}` +
        (saved
          ? "; its new mapping was saved. "
          : `; saving its mapping had failed as well, so the mapping is unchanged (${saveError instanceof Error ? saveError.message : String(saveError)}). `) +
        `The next apply puts it back to ${stateName(before)}; or do it in Finance and Operations (Data management > Dual-write)`,
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
  id: string,
  outs: DualWriteMapOutputs,
  edited: EditedDocument,
): Promise<DualWriteMapOutputs> {
  const { stoppedFrom, ...settled } = outs;
  try {
    await saveWhileStopped(dw, id, outs.map, edited, stoppedFrom, outs.running);
    return settled;
  } catch (error) {
    if (error instanceof DualWriteMapError && (error.saved || error.stoppedFrom !== undefined))
      throw new PartialApplyError(error.message, id, {
        ...settled,
        ...(error.stoppedFrom !== undefined ? { stoppedFrom: error.stoppedFrom } : {}),
      });
    throw error;
  }
}

function outputs(inputs: DualWriteMapInputs, s: Session, found: FoundSettings): DualWriteMapOutputs {
  return { ...inputs, organizationId: s.organizationId, adopted: true, found };
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
    const { id } = await findMap(dw, inputs.map);
    const document = await dw.fieldMappings(id);
    // Recorded before anything changes, so that destroy gives back what the map had.
    const outs = outputs(inputs, s, snapshot(document, inputs));
    return { id, outs: await apply(dw, id, outs, applySettings(document, inputs)) };
  },

  async read(id, outs, s) {
    const dw = new DualWriteManagementClient(s.client);
    let document: Record<string, unknown>;
    try {
      document = await dw.fieldMappings(id);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const current = readSettings(document, outs);
    const { financeAndOperationsFilter: _f, fieldMappings: _m, ...rest } = outs;
    // Only when the YAML says whether the map runs: a sync in progress counts as running.
    if (outs.running !== undefined) {
      const { state } = await dw.map(id);
      rest.running = RUNNING.has(state);
    }
    return { ...rest, ...current };
  },

  async update(id, olds, news, s) {
    const dw = new DualWriteManagementClient(s.client);
    const document = await dw.fieldMappings(id);
    // State written before `found` existed, or lost: what is there now is the best record left.
    const { found, released } = carryFound(olds.found ?? snapshot(document, olds), document, news);
    const outs = outputs(news, s, found);
    const stoppedFrom = olds.stoppedFrom !== undefined ? { stoppedFrom: olds.stoppedFrom } : {};
    return apply(dw, id, { ...outs, ...stoppedFrom }, applySettings(document, news, released));
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
    await saveWhileStopped(dw, id, outs.map, restoreSettings(document, outs.found), outs.stoppedFrom);
  },
};
