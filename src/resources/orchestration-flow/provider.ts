// The orchestration flow kind inside the provider plugin: a Designer row (msdyn_iomdesigner) whose
// steps are stored by ../../iom/formats/orchestration-definition.ts, published or not. A published
// flow cannot be edited in IOM: it is stopped (unpublished), changed and published again.
//
// Natural key (adoption): the flow's name. Steps name policies and provider actions; the stored
// definition holds their ids, resolved here and read back to names on refresh.
import type { OrchestrationStep } from "../../generated/orchestration-flow.js";
import {
  decodeDefinition,
  encodeDefinition,
  type StoredDefinition,
  type StoredStep,
} from "../../iom/formats/orchestration-definition.js";
import {
  columns,
  orchestrationType,
  policyVersionState,
  primaryColumns,
  publishStatus,
} from "../../iom/facts.js";
import { NotFoundError, etagOf } from "../../dataverse/index.js";
import { changedMeanwhile, isStale, requireVersion, updateIfUnchanged } from "../common/concurrency.js";
import { choiceValue, entitySet, findRows, isChoice, lookupId, rowId } from "../common/records.js";
import { PartialApplyError, type KindImplementation, type Outputs } from "../runtime/kind.js";
import type { Session } from "../runtime/session.js";
import { currentPolicyFilter } from "../policy/current.js";
import type { OrchestrationFlowInputs } from "./index.js";

const FLOW = "msdyn_iomdesigner";
const POLICY = "msdyn_iompolicy";
const PROVIDER = "msdyn_iomprovider";
const LOGIC = "msdyn_iomproviderdefinitionlogicdefinition";
const flowRow = primaryColumns[FLOW];
const policyRow = primaryColumns[POLICY];
const logicRow = primaryColumns[LOGIC];
const c = columns.designer;

type Inputs = OrchestrationFlowInputs & { providerIds: Record<string, string> };
type FlowOutputs = Outputs<Inputs>;

/** Resolves names to ids once per call: policies by name (current versions), actions per provider. */
class References {
  private policies?: Promise<Map<string, { id: string; name: string }>>;
  private readonly actions = new Map<string, Promise<Map<string, { id: string; name: string }>>>();

  constructor(private readonly s: Session) {}

  private policyRows(): Promise<Map<string, { id: string; name: string }>> {
    this.policies ??= (async () => {
      const current = await choiceValue(
        this.s,
        POLICY,
        columns.policy.versionState,
        policyVersionState.current,
      );
      // The same rows the policy kind and import take for the policies (./policy/current.ts).
      const rows = await this.s.client.list(await entitySet(this.s, POLICY), {
        select: [policyRow.id, policyRow.name, columns.policy.versionState],
        filter: currentPolicyFilter(current),
      });
      return new Map(
        rows.map((r) => [
          String(r[policyRow.name]).toLowerCase(),
          { id: rowId(r, policyRow.id), name: String(r[policyRow.name]) },
        ]),
      );
    })();
    return this.policies;
  }

  async policyId(name: string): Promise<string> {
    const found = (await this.policyRows()).get(name.trim().toLowerCase());
    if (!found)
      throw new NotFoundError(`no policy is named "${name}"`, {
        hint: "Declare the policy in the stack (or an included policy file), or correct the name.",
      });
    return found.id;
  }

  async policyName(id: string): Promise<string> {
    for (const p of (await this.policyRows()).values()) if (p.id === id.toLowerCase()) return p.name;
    return id; // an archived or deleted policy: shown by id, so the drift is visible
  }

  /** The logic definitions (actions) of an installed provider's definition, by lower-cased name. */
  actionsOf(providerId: string): Promise<Map<string, { id: string; name: string }>> {
    let entry = this.actions.get(providerId);
    if (!entry) {
      entry = (async () => {
        const provider = await this.s.client.retrieveIfExists(await entitySet(this.s, PROVIDER), providerId, {
          select: [`_${columns.provider.definition}_value`],
        });
        const definitionId = provider ? lookupId(provider, columns.provider.definition) : undefined;
        if (!definitionId) throw new NotFoundError(`the installed provider ${providerId} does not exist`);
        const rows = await findRows(
          this.s,
          LOGIC,
          { [`_${columns.logicDefinition.definition}_value`]: definitionId },
          [logicRow.id, logicRow.name],
        );
        return new Map(
          rows.map((r) => [
            String(r[logicRow.name]).toLowerCase(),
            { id: rowId(r, logicRow.id), name: String(r[logicRow.name]) },
          ]),
        );
      })();
      this.actions.set(providerId, entry);
    }
    return entry;
  }
}

function providerIdFor(inputs: Inputs, provider: string): string {
  const id = inputs.providerIds[provider];
  if (!id)
    throw new NotFoundError(`the step's provider "${provider}" is not a provider of this stack`, {
      hint: "Declare it under `providers`.",
    });
  return id.toLowerCase();
}

/** The stored definition of the desired steps. */
export async function storedDefinition(inputs: Inputs, refs: References): Promise<StoredDefinition> {
  const steps: StoredStep[] = [];
  for (const step of inputs.steps) {
    let providerAction: StoredStep["providerAction"] = null;
    if (step.providerAction) {
      const providerId = providerIdFor(inputs, step.providerAction.provider);
      const actions = await refs.actionsOf(providerId);
      const action = actions.get(step.providerAction.action.trim().toLowerCase());
      if (!action)
        throw new NotFoundError(
          `provider "${step.providerAction.provider}" has no action "${step.providerAction.action}"`,
          {
            hint: `Its actions are: ${[...actions.values()].map((a) => `"${a.name}"`).join(", ") || "none"}.`,
          },
        );
      providerAction = { providerId, logicDefinitionId: action.id };
    }
    steps.push({
      name: step.name,
      tile: step.type,
      inputEvents: step.inputEvents ?? [],
      filterPolicyIds: await Promise.all((step.filterPolicies ?? []).map((n) => refs.policyId(n))),
      executionPolicyIds: await Promise.all((step.executionPolicies ?? []).map((n) => refs.policyId(n))),
      providerAction,
    });
  }
  return { formatVersion: 1, steps };
}

/** The YAML steps a stored definition describes. */
async function desiredSteps(
  stored: StoredDefinition,
  inputs: Inputs,
  refs: References,
): Promise<OrchestrationStep[]> {
  const providerNames = new Map(
    Object.entries(inputs.providerIds).map(([name, id]) => [id.toLowerCase(), name]),
  );
  const out: OrchestrationStep[] = [];
  for (const s of stored.steps) {
    const step: OrchestrationStep = { name: s.name, type: s.tile as OrchestrationStep["type"] };
    if (s.inputEvents.length > 0) step.inputEvents = s.inputEvents;
    if (s.filterPolicyIds.length > 0)
      step.filterPolicies = await Promise.all(s.filterPolicyIds.map((id) => refs.policyName(id)));
    if (s.executionPolicyIds.length > 0)
      step.executionPolicies = await Promise.all(s.executionPolicyIds.map((id) => refs.policyName(id)));
    if (s.providerAction) {
      const { providerId, logicDefinitionId } = s.providerAction;
      let action = logicDefinitionId;
      try {
        for (const a of (await refs.actionsOf(providerId)).values())
          if (a.id === logicDefinitionId) action = a.name;
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      step.providerAction = { provider: providerNames.get(providerId) ?? providerId, action };
    }
    out.push(step);
  }
  return out;
}

async function publishValue(s: Session, published: boolean): Promise<number> {
  return choiceValue(
    s,
    FLOW,
    c.publishStatus,
    published ? publishStatus.published : publishStatus.unpublished,
  );
}

async function fields(inputs: Inputs, s: Session): Promise<Record<string, unknown>> {
  return {
    [flowRow.name]: inputs.name,
    [c.orchestrationType]: await choiceValue(s, FLOW, c.orchestrationType, orchestrationType.order),
    [c.description]: inputs.description ?? null,
    [c.definition]: encodeDefinition(await storedDefinition(inputs, new References(s))),
  };
}

const norm = (text: string | undefined): string => (text ?? "").trim().replace(/\s+/g, " ");
const names = (list: string[] | undefined): string[] => (list ?? []).map((n) => norm(n).toLowerCase());

function canonical(inputs: Inputs): Record<string, unknown> {
  return {
    // Exact: a new letter case is a rename IOM shows (the resource stays the same, src/program/identity.ts).
    name: norm(inputs.name),
    type: inputs.type,
    description: norm(inputs.description),
    published: inputs.published,
    steps: inputs.steps.map((step) => ({
      name: norm(step.name),
      type: step.type,
      inputEvents: names(step.inputEvents),
      filterPolicies: names(step.filterPolicies),
      executionPolicies: names(step.executionPolicies),
      providerAction: step.providerAction
        ? {
            provider: String(
              inputs.providerIds[step.providerAction.provider] ?? step.providerAction.provider,
            ).toLowerCase(),
            action: norm(step.providerAction.action).toLowerCase(),
          }
        : null,
    })),
  };
}

/** Whether two flows differ in anything but their publish status. */
function edited(before: Inputs, after: Inputs): boolean {
  const { published: _a, ...b } = canonical(before);
  const { published: _b, ...a } = canonical(after);
  return JSON.stringify(a) !== JSON.stringify(b);
}

async function read(id: string, outs: FlowOutputs, s: Session): Promise<FlowOutputs | undefined> {
  const row = await s.client.retrieveIfExists(await entitySet(s, FLOW), id, {
    select: [flowRow.name, c.description, c.publishStatus, c.definition],
  });
  if (!row) return undefined;
  const steps = await desiredSteps(decodeDefinition(row[c.definition]), outs, new References(s));
  const current: FlowOutputs = {
    ...outs,
    name: String(row[flowRow.name] ?? outs.name),
    published: await isChoice(s, FLOW, c.publishStatus, row[c.publishStatus], publishStatus.published),
    steps: steps as Inputs["steps"],
  };
  const description = row[c.description];
  if (typeof description === "string" && description !== "") current.description = description;
  else delete current.description;
  return current;
}

/**
 * The flow as it is now, and the version (ETag) its writes are made on. The version is read first:
 * a change made after it, even while the flow itself is being read, fails the first write, so the
 * version is never newer than what was decided on (at worst a change in between is refused that
 * the read did see: a false alarm, never a lost change).
 */
async function readForWrite(
  id: string,
  outs: FlowOutputs,
  s: Session,
): Promise<{ current: FlowOutputs; version: string } | undefined> {
  const row = await s.client.retrieveIfExists(await entitySet(s, FLOW), id, {
    select: [flowRow.id],
  });
  if (!row) return undefined;
  const current = await read(id, outs, s);
  return current && { current, version: requireVersion(etagOf(row), `the orchestration flow ${id}`) };
}

/**
 * Brings the row to the desired flow. IOM edits only unpublished flows: a change to a published
 * one stops it, saves, and publishes it again; a change of the publish status alone is just that.
 *
 * Everything the writes need (the steps' policy and action ids, the option values) is resolved
 * before the first write, so a typo in a policy or action name fails with the flow untouched,
 * still published. A failure after the stop says that the flow was left stopped and how to go on,
 * and is a partial apply: state records the flow as it now is (unpublished, with the steps it
 * has), so the next `pulumi up` saves and publishes it.
 *
 * Each write is made on the version read, then on the one our previous write returned. When
 * someone else changed the flow in between (412), this stops with an error naming the flow rather
 * than deciding again: these writes stop and start order processing, and the other change may be
 * exactly that (a flow stopped by hand during an incident, or published with steps the preview did
 * not show); the user refreshes and looks before anything is started again.
 */
async function apply(
  id: string,
  current: FlowOutputs,
  news: Inputs,
  s: Session,
  version: string,
): Promise<void> {
  const set = await entitySet(s, FLOW);
  const write = (body: Record<string, unknown>): Promise<string> =>
    updateIfUnchanged(s.client, set, id, flowRow.id, body, version);
  const change = edited(current, news);
  const publishedNow = current.published && !change;
  // The whole request, built before anything is written.
  const body = change ? await fields(news, s) : undefined;
  const unpublished = await publishValue(s, false);
  const finalStatus = news.published !== publishedNow ? await publishValue(s, news.published) : undefined;
  let stopped = false;
  try {
    if (body && current.published) {
      version = await write({ [c.publishStatus]: unpublished });
      stopped = true;
    }
    if (body) version = await write(body);
    if (finalStatus !== undefined) await write({ [c.publishStatus]: finalStatus });
  } catch (error) {
    if (isStale(error))
      // The flow is no longer published: starting it again is the user's call, after a look.
      throw changedMeanwhile(`the orchestration flow '${current.name}' (${set}(${id}))`, error, {
        ...(stopped
          ? { left: "This update had already stopped (unpublished) the flow; it was left stopped" }
          : {}),
      });
    if (!stopped) throw error;
    const cause = error instanceof Error ? error.message : String(error);
    throw new PartialApplyError(
      `the orchestration flow '${current.name}' was stopped (unpublished) to save its new steps, and then: ${cause}. ` +
        "It is left stopped: orders do not go through it. Run `pulumi up` again to save and publish it, " +
        "or publish it in IOM (Orchestration > Flows) as it was",
      id,
      { ...current, published: false },
    );
  }
}

export const orchestrationFlow: KindImplementation<Inputs> = {
  label: "orchestration flow",
  schema: "orchestration-flow",
  programInputs: ["recordId", "providerIds"],
  canonical,

  async create(inputs, s) {
    const outs: FlowOutputs = { ...inputs, organizationId: s.organizationId, adopted: false };
    const found = await findRows(s, FLOW, { [flowRow.name]: inputs.name }, [flowRow.id]);
    if (found[0]) {
      // This stack's interrupted create, or a flow made by hand: brought to the desired state.
      const id = rowId(found[0], flowRow.id);
      outs.adopted = id !== inputs.recordId.toLowerCase();
      const existing = await readForWrite(id, outs, s);
      if (existing) await apply(id, existing.current, inputs, s, existing.version);
      return { id, outs };
    }
    // Saved unpublished first; publishing checks the policies and providers the steps use.
    const set = await entitySet(s, FLOW);
    const created = await s.client.create(
      set,
      { ...(await fields(inputs, s)), [c.publishStatus]: await publishValue(s, false) },
      { primaryIdAttribute: flowRow.id, id: inputs.recordId },
    );
    if (inputs.published)
      await s.client.update(set, created.id, { [c.publishStatus]: await publishValue(s, true) });
    return { id: created.id, outs };
  },

  read,

  async update(id, olds, news, s) {
    const found = await readForWrite(id, olds, s);
    if (!found)
      throw new NotFoundError(`the flow ${id} no longer exists`, {
        hint: "Run `pulumi refresh`, then `pulumi up` to create it again.",
      });
    await apply(id, found.current, news, s, found.version);
    return { ...news, organizationId: olds.organizationId, adopted: olds.adopted };
  },

  async delete(id, outs, s) {
    if (outs.adopted && !s.deleteAdopted) return;
    const set = await entitySet(s, FLOW);
    const row = await s.client.retrieveIfExists(set, id, { select: [c.publishStatus] });
    if (!row) return;
    // A published flow is stopped before it is deleted.
    if (await isChoice(s, FLOW, c.publishStatus, row[c.publishStatus], publishStatus.published))
      await s.client.update(set, id, { [c.publishStatus]: await publishValue(s, false) });
    await s.client.delete(set, id, { ignoreMissing: true });
  },
};
