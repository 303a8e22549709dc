// Declares the IOM resources of a stack from its checked desired state, in the order IOM needs:
// policies are published before providers are activated; a provider's connections are activated
// before the provider; providers are activated before the flows that call their actions are
// published. Pulumi deletes in the reverse order, which is IOM's order for taking things down.
import * as pulumi from "@pulumi/pulumi";
import type { DesiredState } from "../config/validate.js";
import { derivedId } from "../resources/common/ids.js";
import { DualWriteMap } from "../resources/dual-write-map/index.js";
import { IomProvider, IomProviderActivation } from "../resources/iom-provider/index.js";
import { OrchestrationFlow } from "../resources/orchestration-flow/index.js";
import { Policy } from "../resources/policy/index.js";
import { ProviderConnection } from "../resources/provider-connection/index.js";

export interface Declared {
  providers: Map<string, IomProvider>;
  activations: Map<string, IomProviderActivation>;
  connections: Map<string, ProviderConnection>;
  dualWriteMaps: Map<string, DualWriteMap>;
  policies: Map<string, Policy>;
  orchestrationFlows: Map<string, OrchestrationFlow>;
}

const key = (name: string): string => name.trim().toLowerCase();

/**
 * Record ids are derived from the project, the stack, the kind and the name, so that a create
 * interrupted after Dataverse made the row finds it again (src/resources/common/ids.ts).
 */
export function recordIdFor(project: string, stack: string, kind: string, name: string): string {
  return derivedId(project, stack, kind, key(name));
}

export function declareResources(state: DesiredState, project: string, stack: string): Declared {
  const id = (kind: string, name: string): string => recordIdFor(project, stack, kind, name);
  const declared: Declared = {
    providers: new Map(),
    activations: new Map(),
    connections: new Map(),
    dualWriteMaps: new Map(),
    policies: new Map(),
    orchestrationFlows: new Map(),
  };

  for (const policy of state.policies)
    declared.policies.set(
      key(policy.name),
      new Policy(policy.name, { ...policy, recordId: id("policy", policy.name) }),
    );

  for (const map of state.dualWriteMaps)
    declared.dualWriteMaps.set(key(map.name), new DualWriteMap(map.name, map));

  for (const provider of state.providers)
    declared.providers.set(
      key(provider.name),
      new IomProvider(
        provider.name,
        { ...provider, recordId: id("iom-provider", provider.name) },
        // A provider's definition cannot change in place, and IOM refuses two installs of one name.
        { deleteBeforeReplace: true },
      ),
    );

  for (const connection of state.connections) {
    const provider = declared.providers.get(key(connection.provider));
    if (!provider)
      throw new pulumi.RunError(`connection '${connection.name}': no provider '${connection.provider}'`);
    declared.connections.set(
      key(connection.name),
      new ProviderConnection(connection.name, {
        ...connection,
        recordId: id("provider-connection", connection.name),
        providerId: provider.id,
      }),
    );
  }

  const allPolicies = [...declared.policies.values()];
  for (const spec of state.providers) {
    if (!spec.activated) continue;
    const provider = declared.providers.get(key(spec.name)) as IomProvider;
    const connections = state.connections
      .filter((c) => key(c.provider) === key(spec.name))
      .map((c) => declared.connections.get(key(c.name)) as ProviderConnection);
    declared.activations.set(
      key(spec.name),
      new IomProviderActivation(
        spec.name,
        { name: spec.name, providerId: provider.id, providerAdopted: provider.adopted },
        { dependsOn: [...connections, ...allPolicies] },
      ),
    );
  }

  for (const flow of state.orchestrationFlows) {
    const used = new Set(
      flow.steps.flatMap((s) => (s.providerAction ? [key(s.providerAction.provider)] : [])),
    );
    const policyNames = new Set(
      flow.steps.flatMap((s) => [...(s.filterPolicies ?? []), ...(s.executionPolicies ?? [])]).map(key),
    );
    const providerIds: Record<string, pulumi.Output<string>> = {};
    const dependsOn: pulumi.Resource[] = [];
    for (const name of used) {
      const spec = state.providers.find((p) => key(p.name) === name);
      const provider = declared.providers.get(name);
      if (!spec || !provider) continue; // validation reports unknown providers before this runs
      providerIds[spec.name] = provider.id;
      dependsOn.push(declared.activations.get(name) ?? provider);
    }
    for (const name of policyNames) {
      const policy = declared.policies.get(name);
      if (policy) dependsOn.push(policy);
    }
    declared.orchestrationFlows.set(
      key(flow.name),
      new OrchestrationFlow(
        flow.name,
        { ...flow, recordId: id("orchestration-flow", flow.name), providerIds },
        { dependsOn },
      ),
    );
  }
  return declared;
}
