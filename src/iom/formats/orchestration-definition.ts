// How an orchestration flow's steps are stored in its Designer row (msdyn_iomdesigner, column
// columns.designer.definition). IOM does not document its storage format [I: domain.md 1.4]: this
// module is the one place that writes and reads it, for the orchestration-flow resource and for
// the emulator's publishing rules alike. Correct it here when a real environment disagrees.
//
// The document references records by id (policies, the installed provider, the provider
// definition's logic definition that implements the action): names can change, ids cannot.

/** One tile of the flow, in order. */
export interface StoredStep {
  name: string;
  /** The tile, as the YAML names it ("validate order header", "custom", ...). */
  tile: string;
  inputEvents: string[];
  /** msdyn_iompolicy ids. */
  filterPolicyIds: string[];
  /** msdyn_iompolicy ids. */
  executionPolicyIds: string[];
  /** The installed provider (msdyn_iomprovider id) and its action (logic definition id). */
  providerAction: { providerId: string; logicDefinitionId: string } | null;
}

export interface StoredDefinition {
  formatVersion: 1;
  steps: StoredStep[];
}

export class DefinitionFormatError extends Error {
  override name = "DefinitionFormatError";
}

/** Canonical text: keys in a fixed order, so that equal definitions are equal strings. */
export function encodeDefinition(definition: StoredDefinition): string {
  return JSON.stringify({
    formatVersion: 1,
    steps: definition.steps.map((s) => ({
      name: s.name,
      tile: s.tile,
      inputEvents: [...s.inputEvents],
      filterPolicyIds: s.filterPolicyIds.map((id) => id.toLowerCase()),
      executionPolicyIds: s.executionPolicyIds.map((id) => id.toLowerCase()),
      providerAction: s.providerAction
        ? {
            providerId: s.providerAction.providerId.toLowerCase(),
            logicDefinitionId: s.providerAction.logicDefinitionId.toLowerCase(),
          }
        : null,
    })),
  });
}

const strings = (value: unknown, at: string): string[] => {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new DefinitionFormatError(`${at} must be a list of strings`);
  return value as string[];
};

/** Reads a stored definition; a definition this module did not write is a DefinitionFormatError. */
export function decodeDefinition(text: unknown): StoredDefinition {
  if (typeof text !== "string" || text.trim() === "") return { formatVersion: 1, steps: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DefinitionFormatError("the flow definition is not JSON");
  }
  const root = doc as { formatVersion?: unknown; steps?: unknown };
  if (root?.formatVersion !== 1 || !Array.isArray(root.steps))
    throw new DefinitionFormatError(
      "the flow definition is not in format 1 ({formatVersion: 1, steps: [...]})",
    );
  return {
    formatVersion: 1,
    steps: root.steps.map((raw, i) => {
      const at = `steps[${i}]`;
      const s = raw as Record<string, unknown>;
      if (typeof s?.name !== "string" || typeof s.tile !== "string")
        throw new DefinitionFormatError(`${at} needs a name and a tile`);
      const action = s.providerAction as { providerId?: unknown; logicDefinitionId?: unknown } | null;
      if (
        action !== null &&
        (typeof action?.providerId !== "string" || typeof action.logicDefinitionId !== "string")
      )
        throw new DefinitionFormatError(`${at}.providerAction needs providerId and logicDefinitionId`);
      return {
        name: s.name,
        tile: s.tile,
        inputEvents: strings(s.inputEvents, `${at}.inputEvents`),
        filterPolicyIds: strings(s.filterPolicyIds, `${at}.filterPolicyIds`),
        executionPolicyIds: strings(s.executionPolicyIds, `${at}.executionPolicyIds`),
        providerAction: action
          ? { providerId: action.providerId as string, logicDefinitionId: action.logicDefinitionId as string }
          : null,
      };
    }),
  };
}

/** Every policy id a definition references. */
export function referencedPolicyIds(definition: StoredDefinition): string[] {
  return [...new Set(definition.steps.flatMap((s) => [...s.filterPolicyIds, ...s.executionPolicyIds]))];
}

/** Every installed provider id a definition's steps call. */
export function referencedProviderIds(definition: StoredDefinition): string[] {
  return [
    ...new Set(definition.steps.flatMap((s) => (s.providerAction ? [s.providerAction.providerId] : []))),
  ];
}
