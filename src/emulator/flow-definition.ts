// What the emulator's publishing rules and its console need of a stored orchestration flow
// definition: the steps, the policies they reference and the provider actions they call.
// UNVERIFIED: IOM does not publish how the designer stores a flow; this reads the JSON document
// iom-gitops writes today ({formatVersion: 1, steps: [{name, tile, filterPolicyIds,
// executionPolicyIds, providerAction: {providerId, logicDefinitionId} | null}]}), and only as far as
// they need. It is the emulator's own reading, kept apart from the client's codec (src/iom/formats)
// so that a change to one is not silently a change to the other; `iom doctor` reports how a real
// environment's rows compare (docs/dataverse-client.md, format probe).

export interface FlowStep {
  readonly name: string;
  /** The designer tile the step is ("validate order header", "custom"), when the document says. */
  readonly tile?: string;
  readonly policyIds: readonly string[];
  readonly providerAction: { readonly providerId: string; readonly logicDefinitionId: string } | null;
}

export class FlowDefinitionError extends Error {
  override name = "FlowDefinitionError";
}

function ids(value: unknown, at: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new FlowDefinitionError(`${at} must be a list of ids`);
  return (value as string[]).map((id) => id.toLowerCase());
}

/** The steps of a stored definition; an empty or missing one has none. FlowDefinitionError when unreadable. */
export function readFlowSteps(text: unknown): FlowStep[] {
  if (typeof text !== "string" || text.trim() === "") return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FlowDefinitionError("the flow definition is not JSON");
  }
  const root = doc as { formatVersion?: unknown; steps?: unknown } | null;
  if (root?.formatVersion !== 1 || !Array.isArray(root.steps))
    throw new FlowDefinitionError(
      "the flow definition is not in format 1 ({formatVersion: 1, steps: [...]})",
    );
  return root.steps.map((raw, i) => {
    const at = `steps[${i}]`;
    const step = raw as Record<string, unknown> | null;
    if (typeof step?.name !== "string") throw new FlowDefinitionError(`${at} needs a name`);
    const action = step.providerAction as { providerId?: unknown; logicDefinitionId?: unknown } | null;
    if (
      action !== null &&
      action !== undefined &&
      (typeof action.providerId !== "string" || typeof action.logicDefinitionId !== "string")
    )
      throw new FlowDefinitionError(`${at}.providerAction needs providerId and logicDefinitionId`);
    return {
      name: step.name,
      ...(typeof step.tile === "string" ? { tile: step.tile } : {}),
      policyIds: [
        ...new Set([
          ...ids(step.filterPolicyIds, `${at}.filterPolicyIds`),
          ...ids(step.executionPolicyIds, `${at}.executionPolicyIds`),
        ]),
      ],
      providerAction: action
        ? {
            providerId: (action.providerId as string).toLowerCase(),
            logicDefinitionId: (action.logicDefinitionId as string).toLowerCase(),
          }
        : null,
    };
  });
}

/** Every policy id the steps reference. */
export function policyIdsOf(steps: readonly FlowStep[]): string[] {
  return [...new Set(steps.flatMap((s) => s.policyIds))];
}

/** Every installed provider id the steps call. */
export function providerIdsOf(steps: readonly FlowStep[]): string[] {
  return [...new Set(steps.flatMap((s) => (s.providerAction ? [s.providerAction.providerId] : [])))];
}
