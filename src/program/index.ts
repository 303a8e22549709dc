// The iom-gitops Pulumi program (Pulumi.yaml `main`). It loads and validates the stack's desired
// state (stacks/<stack>.iom.yaml) and stops with located findings if it is invalid; with an
// environment configured it then checks every assumption the resources make about that
// environment's metadata, and stops before any write if one does not hold. Only then does it
// declare the IOM resources. The engine starts the provider plugin meanwhile, so that it is up by
// then.
import * as pulumi from "@pulumi/pulumi";
import path from "node:path";
import { startProviderPlugin } from "../resources/common/dynamic.js";
import { declareWithoutStacks } from "./without-stacks.js";
import type { Declared } from "./declare.js";

export = async () => {
  startProviderPlugin();
  // Loaded once the plugin is on its way: the validation and the client are most of the program.
  const { declareResources } = await import("./declare.js");
  const { loadStackDesiredState, projectDirectory } = await import("./desired-state.js");
  const config = new pulumi.Config("iom");
  const { file, state, organization } = await loadStackDesiredState(config);
  // Without the SDK's debugging stacks until every resource has registered (ADR 0010).
  const declared = declareWithoutStacks(
    () => declareResources(state, pulumi.getProject(), pulumi.getStack(), organization),
    everyResource,
  );
  const ids = <T extends pulumi.CustomResource>(m: Map<string, T>) =>
    Object.fromEntries([...m.entries()].map(([name, r]) => [name, r.id]));
  return {
    // Relative, so the output is the same on every machine that runs the stack.
    desiredState: path.relative(projectDirectory(), file),
    providers: ids(declared.providers),
    policies: ids(declared.policies),
    orchestrationFlows: ids(declared.orchestrationFlows),
  };
};

function everyResource(declared: Declared): pulumi.Resource[] {
  return [
    declared.organization,
    ...[
      declared.providers,
      declared.activations,
      declared.connections,
      declared.dualWriteMaps,
      declared.policies,
      declared.orchestrationFlows,
    ].flatMap((m: Map<string, pulumi.Resource>) => [...m.values()]),
  ];
}
