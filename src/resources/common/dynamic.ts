// The program side of every resource kind: the dynamic provider object Pulumi serialises into
// each resource's state, and the Resource class previews show as `pulumi-nodejs:dynamic/iom:<Type>`.
//
// The provider object is written into state with its closure, for every resource. It therefore
// captures one short string (the kind) and nothing else: each method loads the implementation
// inside the provider plugin's process, from the project the plugin runs in, and hands over.
// No client, cache, configuration or secret ever lives on it (docs/adr/0008-resource-kinds.md).
import * as pulumi from "@pulumi/pulumi";

/** The Pulumi type of each resource, after `pulumi-nodejs:dynamic/iom:`. */
export const RESOURCE_TYPES = {
  "iom-provider": "IomProvider",
  "iom-provider-activation": "IomProviderActivation",
  "provider-connection": "ProviderConnection",
  "dual-write-map": "DualWriteMap",
  policy: "Policy",
  "orchestration-flow": "OrchestrationFlow",
} as const;

export type ImplementationKind = keyof typeof RESOURCE_TYPES;

/**
 * The serialisable provider of one kind: an object with `configure` alone, capturing `kind`.
 *
 * Its text is stored twice in every resource's state (inputs and outputs), so it is kept to the
 * least that works. Pulumi's plugin deserialises a provider once per process and calls its
 * `configure` before any other method; `configure` installs the kind's methods on that same
 * object, synchronously, before anything can call them (runtime/dispatch.ts `install`). The
 * implementation is found relative to the plugin's working directory, the project root (Pulumi.yaml
 * has `main: .`), so a state written on one machine works on every clone; IOM_GITOPS_ROOT
 * overrides the folder. `require` and `process` are the plugin's own globals.
 */
export function dynamicProvider(kind: ImplementationKind): pulumi.dynamic.ResourceProvider {
  // One object per kind: the SDK caches a provider's serialised text by object identity.
  let provider = providers.get(kind);
  if (!provider) {
    provider = {
      configure(req: pulumi.dynamic.ConfigureRequest) {
        return require(
          `${process.env.IOM_GITOPS_ROOT || process.cwd()}/dist/resources/runtime/dispatch.js`,
        ).install(this, kind, req);
      },
    } as unknown as pulumi.dynamic.ResourceProvider;
    providers.set(kind, provider);
  }
  return provider;
}

const providers = new Map<ImplementationKind, pulumi.dynamic.ResourceProvider>();

/** Every IOM resource: a dynamic resource whose preview type names its kind. */
export abstract class IomResource extends pulumi.dynamic.Resource {
  constructor(
    kind: ImplementationKind,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(dynamicProvider(kind), name, props, opts, "iom", RESOURCE_TYPES[kind]);
  }
}
