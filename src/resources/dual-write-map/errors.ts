// The ways the dual-write map kind fails on its own account (the client's errors, such as HTTP
// failures, pass through as they are). The codes are a closed list so that callers and tests can
// branch on them; every message names the map or field and says what to do.

export type DualWriteMapErrorCode =
  /** No table map has the configured name. */
  | "map-not-found"
  /** More than one table map has the configured name. */
  | "ambiguous-map"
  /** The map has never run, so the gateway has no project (pid) for it to manage. */
  | "map-without-project"
  /** The mapping document has no leg we can edit, or a managed field we cannot express. */
  | "unsupported-mapping"
  /** The same Dataverse field is listed twice, in the YAML or in the map's leg. */
  | "duplicate-field"
  /** The map is in a state in which it must not be stopped (initial sync, catch-up, unknown). */
  | "map-busy"
  /** The map was stopped to be edited and could not be put back in the state it was in. */
  | "run-state-not-restored"
  /** Someone saved the map's mapping between iom-gitops's read and its save: nothing was saved. */
  | "changed-meanwhile";

export class DualWriteMapError extends Error {
  override readonly name = "DualWriteMapError";
  constructor(
    readonly code: DualWriteMapErrorCode,
    message: string,
    /** Whether the mapping was saved before the failure (only for run-state-not-restored). */
    readonly saved = false,
    /**
     * Set when this run stopped the map, or may have (a stop whose answer was lost), and did not
     * put it back: the state it was in before, which the next apply restores.
     */
    readonly stoppedFrom?: string,
  ) {
    super(message);
  }
}
