// The activation of an installed provider, inside the provider plugin. It exists while the
// provider is Activated: create activates (IOM requires the provider's connections to be active
// first, which the program orders), delete deactivates (IOM requires the flows that call the
// provider's actions to be unpublished first, which Pulumi's reverse order does).
import { columns, providerStatus } from "../../iom/facts.js";
import { NotFoundError } from "../../dataverse/index.js";
import { choiceValue, entitySet, isChoice } from "../common/records.js";
import type { KindImplementation } from "../runtime/kind.js";
import type { Session } from "../runtime/session.js";

const PROVIDER = "msdyn_iomprovider";
const c = columns.provider;

interface ActivationInputs {
  name: string;
  providerId: string;
  providerAdopted: boolean;
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
  programInputs: ["name", "providerId", "providerAdopted"],
  replaceOn: ["providerId"],

  canonical(inputs) {
    return { providerId: String(inputs.providerId).toLowerCase() };
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
    if (await isChoice(s, PROVIDER, c.status, current, providerStatus.activated))
      await setStatus(s, outs.providerId, false);
  },
};
