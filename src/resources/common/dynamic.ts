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
  "stack-organization": "StackOrganization",
} as const;

export type ImplementationKind = keyof typeof RESOURCE_TYPES;

/**
 * The serialisable provider of one kind: an object with `configure` alone, capturing `kind`.
 *
 * Its text is stored twice in every resource's state (inputs and outputs), so it is kept to the
 * least that works. States written before hold older texts, which the plugin still runs for refresh
 * and delete: `install` of runtime/dispatch.ts keeps taking what any of them passes it. Pulumi's
 * plugin deserialises a provider once per process and calls its `configure` before any other
 * method; `configure` installs the kind's methods on that same object, synchronously, before
 * anything can call them (runtime/dispatch.ts `install`). The implementation is found relative to
 * the plugin's working directory, the project root (Pulumi.yaml has `main: .`), so a state written
 * on one machine works on every clone; IOM_GITOPS_ROOT overrides the folder. `require` and
 * `process` are the plugin's own globals.
 */
export function dynamicProvider(kind: ImplementationKind): pulumi.dynamic.ResourceProvider {
  // One object per kind: the SDK caches a provider's serialised text by object identity.
  let provider = providers.get(kind);
  if (!provider) {
    provider = {
      // One line, as compiled: the serialised text is this function's source, indentation and all.
      // prettier-ignore
      configure(req: pulumi.dynamic.ConfigureRequest) { return require(`${process.env.IOM_GITOPS_ROOT || process.cwd()}/dist/resources/runtime/dispatch.js`).install(this, kind, req); },
    } as unknown as pulumi.dynamic.ResourceProvider;
    providers.set(kind, provider);
  }
  return provider;
}

const providers = new Map<ImplementationKind, pulumi.dynamic.ResourceProvider>();

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

/**
 * Keeps V8's stack traces off for the rest of the program's run, once it has declared its
 * resources (unless PULUMI_DEBUG_PROMISE_LEAKS is set). A class of iomResourceClass turns them off
 * while its constructor runs; the SDK goes on taking such stacks when each registration resumes
 * (inputs serialised, a debug line logged to the engine, the RPC made), each mapped through source
 * maps again, for the same leaked-promise report. With every resource waiting for the stack's
 * organization check, that work is done for 200 resources at once while the engine waits for them.
 * Nothing of the program's own runs after its declarations; the SDK's registration errors have no
 * stack anyway (it takes them in the constructor, docs/adr/0010-registration-stacks.md).
 */
export function keepRegistrationsWithoutStacks(): void {
  if (!process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) Error.stackTraceLimit = 0;
}

/** Each kind's provider object as the SDK stores it, serialised once per kind. */
const serialised = new Map<ImplementationKind, Promise<string>>();

function serialisedProvider(kind: ImplementationKind): Promise<string> {
  let text = serialised.get(kind);
  if (!text) {
    const provider = dynamicProvider(kind);
    // No secrets allowed: the object captures its kind and nothing else (runtime/dispatch.ts).
    text = pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false }).then((f) => f.text);
    serialised.set(kind, text);
  }
  return text;
}

/** An IOM resource class: its constructor's arguments, and the outputs it declares. */
export type IomResourceClass<Args, Outputs extends object = object> = new (
  name: string,
  args: Args,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource & { readonly [K in keyof Outputs]: pulumi.Output<Outputs[K]> };

/**
 * The class of a kind's resources: a dynamic resource (`pulumi-nodejs:dynamic/iom:<Type>`, run by
 * Pulumi's dynamic-provider plugin with the serialised provider object as its `__provider` input),
 * registered as `pulumi.dynamic.Resource` registers one. `outputs` are the outputs the program
 * reads back (declared as undefined inputs, so that they resolve).
 *
 * The class extends CustomResource itself, and the kind's class is this one, not a subclass: the
 * SDK records with every resource the stack of its declaration, skipping the frames of Resource,
 * CustomResource and the resource's own class, so that the first frame is the code that declared
 * it. Through pulumi.dynamic.Resource and a class per kind, the first two frames were ours, the
 * same for every resource; now the state records the line of src/program/declare.ts that declared
 * it, and two frames fewer (docs/adr/0013-outputs-keep-what-the-environment-cannot-tell.md).
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
  return class extends pulumi.CustomResource {
    constructor(name: string, args: Args, opts?: pulumi.CustomResourceOptions) {
      const limit = Error.stackTraceLimit;
      if (!process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) Error.stackTraceLimit = 0;
      try {
        super(type, name, { ...args, ...declared, __provider: serialisedProvider(kind) }, opts);
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
  } as unknown as IomResourceClass<Args, Outputs>;
}
