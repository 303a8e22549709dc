// Declares the IOM resources of a stack from its checked desired state, in the order IOM needs:
// policies are published before providers are activated; a provider's connections are activated
// before the provider; providers are activated before the flows that call their actions are
// published. Pulumi deletes in the reverse order, which is IOM's order for taking things down.
//
// Every resource is named by its natural key (./identity.ts), so renaming a YAML entry never makes
// a second resource for its record; and every resource depends on the stack's StackOrganization,
// whose diff refuses a run against another organization before anything is written.
import * as pulumi from "@pulumi/pulumi";
import type { DesiredState } from "../config/validate.js";
import { derivedId } from "../resources/common/ids.js";
import { DualWriteMap } from "../resources/dual-write-map/index.js";
import { IomProvider, IomProviderActivation } from "../resources/iom-provider/index.js";
import { OrchestrationFlow } from "../resources/orchestration-flow/index.js";
import { Policy } from "../resources/policy/index.js";
import { ProviderConnection } from "../resources/provider-connection/index.js";
import {
  STACK_ORGANIZATION_NAME,
  StackOrganization,
  type StackOrganizationInputs,
} from "../resources/stack-organization/index.js";
import { canonicalName, labelAlias, naturalName } from "./identity.js";
import { withSecretParameters } from "./secret-parameters.js";

export interface Declared {
  organization: StackOrganization;
  providers: Map<string, IomProvider>;
  activations: Map<string, IomProviderActivation>;
  connections: Map<string, ProviderConnection>;
  dualWriteMaps: Map<string, DualWriteMap>;
  policies: Map<string, Policy>;
  orchestrationFlows: Map<string, OrchestrationFlow>;
}

/** How entries name each other in the YAML: as Dataverse compares names (./identity.ts). */
const key = canonicalName;

/**
 * Record ids are derived from the project, the stack, the kind and the natural key (and for a
 * provider its definition), so that a create interrupted after Dataverse made the row finds it
 * again (src/resources/common/ids.ts), and a provider replaced under the same name gets a new id,
 * which the flows calling it see as a change (they are published again with it).
 */
export function recordIdFor(project: string, stack: string, kind: string, ...natural: string[]): string {
  return derivedId(project, stack, kind, ...natural.map(key));
}

export function declareResources(
  state: DesiredState,
  project: string,
  stack: string,
  organization: StackOrganizationInputs = {},
): Declared {
  const id = (kind: string, ...natural: string[]): string => recordIdFor(project, stack, kind, ...natural);
  // Every IOM resource waits for the organization check (../resources/stack-organization).
  const guard = new StackOrganization(STACK_ORGANIZATION_NAME, organization);
  const guarded = (opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({
    ...opts,
    dependsOn: [guard, ...((opts.dependsOn as pulumi.Resource[] | undefined) ?? [])],
  });
  // A label becomes an alias only where no other resource of the type has that name.
  const names = {
    policies: new Set(state.policies.map(naturalName.policy)),
    flows: new Set(state.orchestrationFlows.map(naturalName.orchestrationFlow)),
    providers: new Set(state.providers.map(naturalName.provider)),
    maps: new Set(state.dualWriteMaps.map(naturalName.dualWriteMap)),
  };
  const providerNatural = new Map(state.providers.map((p) => [key(p.name), naturalName.provider(p)]));
  const connectionNames = new Set(
    state.connections.map((c) => naturalName.connection(providerNatural.get(key(c.provider)) ?? "", c)),
  );
  const declared: Declared = {
    organization: guard,
    providers: new Map(),
    activations: new Map(),
    connections: new Map(),
    dualWriteMaps: new Map(),
    policies: new Map(),
    orchestrationFlows: new Map(),
  };

  for (const policy of state.policies) {
    const name = naturalName.policy(policy);
    declared.policies.set(
      key(policy.name),
      new Policy(
        name,
        { ...policy, recordId: id("policy", name) },
        guarded(labelAlias(policy.name, name, names.policies)),
      ),
    );
  }

  for (const map of state.dualWriteMaps) {
    const name = naturalName.dualWriteMap(map);
    declared.dualWriteMaps.set(
      key(map.name),
      new DualWriteMap(name, map, guarded(labelAlias(map.name, name, names.maps))),
    );
  }

  for (const provider of state.providers) {
    const name = naturalName.provider(provider);
    declared.providers.set(
      key(provider.name),
      new IomProvider(
        name,
        { ...withSecretParameters(provider), recordId: id("iom-provider", name, provider.definition) },
        guarded({
          ...labelAlias(provider.name, name, names.providers),
          // A provider's definition cannot change in place, and IOM refuses two installs of one name.
          deleteBeforeReplace: true,
        }),
      ),
    );
  }

  for (const connection of state.connections) {
    const provider = declared.providers.get(key(connection.provider));
    if (!provider)
      throw new pulumi.RunError(`connection '${connection.name}': no provider '${connection.provider}'`);
    const name = naturalName.connection(providerNatural.get(key(connection.provider)) as string, connection);
    declared.connections.set(
      key(connection.name),
      new ProviderConnection(
        name,
        { ...connection, recordId: id("provider-connection", name), providerId: provider.id },
        guarded(labelAlias(connection.name, name, connectionNames)),
      ),
    );
  }

  const allPolicies = [...declared.policies.values()];
  for (const spec of state.providers) {
    if (!spec.activated) continue;
    const provider = declared.providers.get(key(spec.name)) as IomProvider;
    const connections = state.connections
      .filter((c) => key(c.provider) === key(spec.name))
      .map((c) => declared.connections.get(key(c.name)) as ProviderConnection);
    const name = naturalName.provider(spec);
    declared.activations.set(
      key(spec.name),
      new IomProviderActivation(
        name,
        {
          name: spec.name,
          providerId: provider.id,
          providerAdopted: provider.adopted,
          flows: flowsCalling(state, spec.name),
        },
        guarded({
          ...labelAlias(spec.name, name, names.providers),
          dependsOn: [...connections, ...allPolicies],
        }),
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
    const name = naturalName.orchestrationFlow(flow);
    declared.orchestrationFlows.set(
      key(flow.name),
      new OrchestrationFlow(
        name,
        { ...flow, recordId: id("orchestration-flow", name), providerIds },
        guarded({ ...labelAlias(flow.name, name, names.flows), dependsOn }),
      ),
    );
  }
  return declared;
}

/**
 * The published flows of the stack that call a provider's actions, by natural name, sorted: the
 * flows its activation may stop when the provider is replaced (../resources/iom-provider/activation.ts).
 */
export function flowsCalling(state: DesiredState, provider: string): string[] {
  return state.orchestrationFlows
    .filter(
      (f) =>
        f.published &&
        f.steps.some((s) => s.providerAction && key(s.providerAction.provider) === key(provider)),
    )
    .map(naturalName.orchestrationFlow)
    .sort();
}
