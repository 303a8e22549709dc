// The activation of an installed provider, inside the provider plugin. It exists while the
// provider is Activated: create activates (IOM requires the provider's connections to be active
// first, which the program orders), delete deactivates (IOM requires the flows that call the
// provider's actions to be unpublished first, which Pulumi's reverse order does when a flow goes
// away; when the provider is replaced, the flows stay and are stopped here, see `delete`).
import { columns, primaryColumns, providerStatus, publishStatus } from "../../iom/facts.js";
import { NotFoundError, eq, etagOf } from "../../dataverse/index.js";
import {
  decodeDefinition,
  DefinitionFormatError,
  referencedProviderIds,
} from "../../iom/formats/orchestration-definition.js";
import { requireVersion, updateIfUnchanged } from "../common/concurrency.js";
import { choiceValue, entitySet, isChoice, rowId } from "../common/records.js";
import type { KindImplementation } from "../runtime/kind.js";
import type { Session } from "../runtime/session.js";

const PROVIDER = "msdyn_iomprovider";
const c = columns.provider;

interface ActivationInputs {
  name: string;
  providerId: string;
  providerAdopted: boolean;
  /** The stack's published flows that call the provider's actions, by natural name (lower case). */
  flows?: string[];
}

const FLOW = "msdyn_iomdesigner";
const flowRow = primaryColumns[FLOW];
const d = columns.designer;

/**
 * Stops (unpublishes) the stack's published flows that call the provider, before it is
 * deactivated: IOM refuses to deactivate a provider a published flow calls. This happens when the
 * provider is replaced (its definition changed, deleted first): the flows stay, and their own
 * update, which follows the new provider's activation (their provider id changed), saves them with
 * the new provider and publishes them again. Flows that are not the stack's are left alone: IOM's
 * refusal names them, and whether to stop them is their owner's call.
 */
async function stopStackFlows(s: Session, providerId: string, flows: readonly string[]): Promise<string[]> {
  if (flows.length === 0) return [];
  const ours = new Set(flows);
  const published = await choiceValue(s, FLOW, d.publishStatus, publishStatus.published);
  const unpublished = await choiceValue(s, FLOW, d.publishStatus, publishStatus.unpublished);
  const set = await entitySet(s, FLOW);
  const rows = await s.client.list(set, {
    select: [flowRow.id, flowRow.name, d.definition, d.publishStatus],
    filter: eq(d.publishStatus, published),
  });
  const stopped: string[] = [];
  for (const row of rows) {
    const name = String(row[flowRow.name] ?? "");
    if (!ours.has(name.trim().toLowerCase())) continue;
    let calls: string[];
    try {
      calls = referencedProviderIds(decodeDefinition(row[d.definition]));
    } catch (error) {
      if (error instanceof DefinitionFormatError) continue; // not a flow we can read: IOM decides
      throw error;
    }
    if (!calls.some((id) => id.toLowerCase() === providerId.toLowerCase())) continue;
    const id = rowId(row, flowRow.id);
    await updateIfUnchanged(
      s.client,
      set,
      id,
      flowRow.id,
      { [d.publishStatus]: unpublished },
      requireVersion(etagOf(row), `the orchestration flow ${id}`),
    );
    stopped.push(name);
  }
  return stopped;
}

async function status(s: Session, providerId: string): Promise<unknown | undefined> {
  const row = await s.client.retrieveIfExists(await entitySet(s, PROVIDER), providerId, {
    select: [c.status],
  });
  return row ? (row[c.status] ?? null) : undefined;
}

async function setStatus(s: Session, providerId: string, activated: boolean): Promise<void> {
  const value = await choiceValue(
    s,
    PROVIDER,
    c.status,
    activated ? providerStatus.activated : providerStatus.installed,
  );
  await s.client.update(await entitySet(s, PROVIDER), providerId, { [c.status]: value });
}

export const iomProviderActivation: KindImplementation<ActivationInputs> = {
  label: "activation of IOM provider",
  programInputs: ["name", "providerId", "providerAdopted", "flows"],
  replaceOn: ["providerId"],

  canonical(inputs) {
    // `flows` is compared so that the recorded list is the one `delete` will need.
    return { providerId: String(inputs.providerId).toLowerCase(), flows: [...(inputs.flows ?? [])].sort() };
  },

  async create(inputs, s) {
    const current = await status(s, inputs.providerId);
    if (current === undefined)
      throw new NotFoundError(`the installed provider ${inputs.providerId} does not exist`, {
        hint: "Run `pulumi refresh` if it was deleted outside iom-gitops, then `pulumi up` to install it again.",
      });
    const already = await isChoice(s, PROVIDER, c.status, current, providerStatus.activated);
    if (!already) await setStatus(s, inputs.providerId, true);
    // Adopted only when someone else's provider was already active; this stack's own provider found
    // active is an earlier interrupted run of this stack.
    const adopted = already && inputs.providerAdopted === true;
    return { id: inputs.providerId, outs: { ...inputs, organizationId: s.organizationId, adopted } };
  },

  async read(_id, outs, s) {
    const current = await status(s, outs.providerId);
    if (current === undefined) return undefined;
    // Deactivated by hand: the activation is gone, and the next `up` activates again.
    return (await isChoice(s, PROVIDER, c.status, current, providerStatus.activated)) ? outs : undefined;
  },

  async update(_id, olds, news) {
    return { ...news, organizationId: olds.organizationId, adopted: olds.adopted };
  },

  async delete(_id, outs, s) {
    if (outs.adopted && !s.deleteAdopted) return; // it was activated before the stack took it over
    const current = await status(s, outs.providerId);
    if (current === undefined) return;
    if (await isChoice(s, PROVIDER, c.status, current, providerStatus.activated)) {
      await stopStackFlows(s, outs.providerId, outs.flows ?? []);
      await setStatus(s, outs.providerId, false);
    }
  },
};
