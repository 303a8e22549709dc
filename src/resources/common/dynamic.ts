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
 * The serialisable provider of one kind. `kind` is the only captured value; `process` and
 * `require` are the plugin's own globals. The plugin runs in the project folder (the one holding
 * Pulumi.yaml), so the implementation is found relative to it: a state written on one machine
 * works on every other clone of the project. IOM_GITOPS_ROOT overrides the folder.
 */
export function dynamicProvider(kind: ImplementationKind): pulumi.dynamic.ResourceProvider {
  const load = (): Promise<pulumi.dynamic.ResourceProvider> =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(`${process.env.IOM_GITOPS_ROOT || process.cwd()}/dist/resources/runtime/dispatch.js`).load(kind);
  return {
    async configure(req) {
      const impl = await load();
      await impl.configure?.(req);
    },
    async check(olds, news) {
      const impl = await load();
      return impl.check ? impl.check(olds, news) : { inputs: news };
    },
    async diff(id, olds, news) {
      const impl = await load();
      return impl.diff ? impl.diff(id, olds, news) : {};
    },
    async create(inputs) {
      return (await load()).create(inputs);
    },
    async read(id, props) {
      const impl = await load();
      return impl.read ? impl.read(id, props) : { id, props };
    },
    async update(id, olds, news) {
      const impl = await load();
      return impl.update ? impl.update(id, olds, news) : {};
    },
    async delete(id, props) {
      const impl = await load();
      await impl.delete?.(id, props);
    },
  };
}

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
