// What the resource contract tests share: a session on the emulator of the calling test file, and
// the article's F&O provider installed, connected and activated through the kinds themselves.
import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { projectRoot } from "../../../src/engine/engine.js";
import type { PolicyFile } from "../../../src/generated/policy-file.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import type { OrchestrationFlowInputs } from "../../../src/resources/orchestration-flow/index.js";
import { iomProviderActivation } from "../../../src/resources/iom-provider/activation.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import { policy } from "../../../src/resources/policy/provider.js";
import { providerConnection } from "../../../src/resources/provider-connection/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import type { Harness } from "../dataverse/harness.js";

export const FINOPS = "Microsoft Finance and Operations apps";
export const FINOPS_CONNECTION =
  "Microsoft Finance and Operations Dataverse (current environment) Connection";

export async function sessionOn(h: Harness, deleteAdopted = false): Promise<Session> {
  const client = h.client().dv;
  const who = await client.whoAmI();
  return { client, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted };
}

/** The F&O provider, its connection active and the provider activated; returns the provider id. */
export async function activatedFinOps(s: Session, name = "finops"): Promise<string> {
  const provider = await iomProvider.create(
    { name, definition: FINOPS, activated: true, recordId: derivedId("test", name) },
    s,
  );
  await providerConnection.create(
    {
      name: `${name}-dataverse`,
      provider: name,
      connection: FINOPS_CONNECTION,
      connectionId: "conn-1",
      activated: true,
      recordId: derivedId("test", `${name}-dataverse`),
      providerId: provider.id,
    },
    s,
  );
  await iomProviderActivation.create({ name, providerId: provider.id, providerAdopted: false }, s);
  return provider.id;
}

/** The repository's two article policies, created and published through the policy kind. */
export async function articlePolicies(s: Session): Promise<string[]> {
  const names: string[] = [];
  for (const file of ["finops-sales-order.policy.yaml", "finops-order-product.policy.yaml"]) {
    const doc = load(readFileSync(path.join(projectRoot, "policies", file), "utf8")) as PolicyFile;
    for (const p of doc.policies) {
      await policy.create({ ...p, recordId: derivedId("test", p.name) }, s);
      names.push(p.name);
    }
  }
  return names;
}

/**
 * The article's orchestration flow: the order header validated, then sent to F&O through the
 * provider's action with the given policies, as the flow kind takes it (provider ids resolved).
 */
export function articleFlow(
  providerId: string,
  policies: string[],
  { published = true, description = "Sends orders to F&O." } = {},
): OrchestrationFlowInputs & { providerIds: Record<string, string> } {
  return {
    name: "Order orchestration with F&O",
    type: "order orchestration",
    description,
    published,
    steps: [
      { name: "Validate order header", type: "validate order header" },
      {
        name: "Send Order to FinOps for Fulfillment",
        type: "custom",
        executionPolicies: policies,
        providerAction: { provider: "finops", action: "Send order to fulfillment" },
      },
    ],
    recordId: derivedId("test", "flow"),
    providerIds: { finops: providerId },
  };
}
