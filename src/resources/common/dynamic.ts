// The program side of every resource kind: the provider object each resource's state holds (its
// `__provider` input), and the resource classes, which previews show as
// `pulumi-nodejs:dynamic/iom:<Type>`.
//
// The provider object is written into the state of every resource, twice (inputs and outputs). It
// therefore holds one short string, its kind, and nothing else: its one method loads the
// implementation inside the provider plugin's process, from the project the plugin runs in, and
// hands over. No client, cache, configuration or secret ever lives on it
// (docs/adr/0008-resource-kinds.md).
import * as pulumi from "@pulumi/pulumi";

/** The Pulumi type of each resource, after `pulumi-nodejs:dynamic/iom:`. */
export const RESOURCE_TYPES = {
  "iom-provider": "IomProvider",
  "iom-provider-activation": "IomProviderActivation",
  "provider-connection": "ProviderConnection",
  "dual-write-map": "DualWriteMap",
  policy: "Policy",
  "orchestration-flow": "OrchestrationFlow",
  "stack-organization": "StackOrganization",
} as const;

export type ImplementationKind = keyof typeof RESOURCE_TYPES;

/**
 * The provider object of one kind as a resource stores it: the text of a CommonJS module whose
 * `handler()` returns the object, which is how Pulumi's dynamic-provider plugin loads it
 * (@pulumi/pulumi cmd/dynamic-provider: require-from-string, then `handler()`, once per distinct
 * text, and `configure` before any other method). The object has `configure` alone, which
 * installs the kind's methods on it, synchronously, before anything can call them
 * (runtime/dispatch.ts `install`).
 *
 * Written here, not by the SDK's closure serialiser (pulumi.dynamic.Resource's way): that wraps
 * each function in a scope of its captured names and keeps its source as compiled, 618 bytes for
 * this object against 238, stored twice in every resource; and it ran the V8 inspector and
 * TypeScript's parser over each kind's object in every run of the program, the organization
 * check's before anything could register. States written before hold the serialiser's texts,
 * which the plugin still runs for refresh and delete: `install` keeps taking what they pass it.
 *
 * The implementation is found relative to the plugin's working directory, the project root
 * (Pulumi.yaml has `main: .`), so a state written on one machine works on every clone;
 * IOM_GITOPS_ROOT overrides the folder. `require` and `process` are the plugin module's own.
 */
export function providerText(kind: ImplementationKind): string {
  return (
    "const provider = {\n" +
    "  configure(req) {\n" +
    "    const root = process.env.IOM_GITOPS_ROOT || process.cwd();\n" +
    `    return require(root + "/dist/resources/runtime/dispatch.js").install(this, ${JSON.stringify(kind)}, req);\n` +
    "  },\n" +
    "};\n" +
    "exports.handler = () => provider;\n"
  );
}

/**
 * Has the engine start Pulumi's dynamic-provider plugin now, while the program reads and checks,
 * rather than at the first resource: starting it (Node.js and @pulumi/pulumi, about a second) was
 * the longest wait of a preview, as every resource waits behind the first one, the stack's
 * organization check (src/program/declare.ts). The engine starts a provider's plugin for its
 * first resource or its first function call; this asks the dynamic provider for a function, which
 * it answers with an error once it is up (it has none: @pulumi/pulumi cmd/dynamic-provider
 * `invoke`). The answer is dropped; nothing is registered, nothing reaches the environment.
 */
export function startProviderPlugin(): void {
  pulumi.runtime.invoke("pulumi-nodejs:dynamic:start", {}).catch(() => undefined);
}

/** An IOM resource class: its constructor's arguments, and the outputs it declares. */
export type IomResourceClass<Args, Outputs extends object = object> = new (
  name: string,
  args: Args,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource & { readonly [K in keyof Outputs]: pulumi.Output<Outputs[K]> };

/**
 * The class of a kind's resources: a dynamic resource (`pulumi-nodejs:dynamic/iom:<Type>`, run by
 * Pulumi's dynamic-provider plugin with the kind's provider object as its `__provider` input,
 * providerText), registered as `pulumi.dynamic.Resource` registers one. `outputs` are the outputs the program
 * reads back (declared as undefined inputs, so that they resolve).
 *
 * The class extends CustomResource itself, and the kind's class is this one, not a subclass: the
 * SDK records with every resource the stack of its declaration, skipping the frames of Resource,
 * CustomResource and the resource's own class, so that the first frame is the code that declared
 * it. Through pulumi.dynamic.Resource and a class per kind, the first two frames were ours, the
 * same for every resource; now the state records the line of src/program/declare.ts that declared
 * it, and two frames fewer (docs/adr/0014-outputs-keep-what-the-environment-cannot-tell.md).
 *
 * Registration runs with V8's stack traces turned off, unless PULUMI_DEBUG_PROMISE_LEAKS is set.
 * While a resource registers, the SDK captures `new Error().stack` four times per property
 * (runtime/debuggable.js), and the language host maps every frame through source maps
 * (source-map-support). The SDK keeps these stacks only to print them if the program exits with a
 * promise still pending, beside a context line that already names the resource and the property.
 * On a preview of 200 policies this was the largest cost the program added, about a second
 * (docs/adr/0010-registration-stacks.md). The SDK's own lookup of the resource's source position
 * sets its own limit and is not affected; the limit is restored even if registration throws.
 */
export function iomResourceClass<Args extends object, Outputs extends object = object>(
  kind: ImplementationKind,
  outputs: ReadonlyArray<keyof Outputs & string> = [],
): IomResourceClass<Args, Outputs> {
  const type = `pulumi-nodejs:dynamic/iom:${RESOURCE_TYPES[kind]}`;
  const declared = Object.fromEntries(outputs.map((k) => [k, undefined]));
  const text = providerText(kind);
  return class extends pulumi.CustomResource {
    constructor(name: string, args: Args, opts?: pulumi.CustomResourceOptions) {
      const limit = Error.stackTraceLimit;
      if (!process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) Error.stackTraceLimit = 0;
      try {
        super(type, name, { ...args, ...declared, __provider: text }, opts);
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
  } as unknown as IomResourceClass<Args, Outputs>;
}
