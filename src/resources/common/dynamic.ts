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

/**
 * Every IOM resource: a dynamic resource whose preview type names its kind.
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
export abstract class IomResource extends pulumi.dynamic.Resource {
  constructor(
    kind: ImplementationKind,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const limit = Error.stackTraceLimit;
    if (!process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) Error.stackTraceLimit = 0;
    try {
      super(dynamicProvider(kind), name, props, opts, "iom", RESOURCE_TYPES[kind]);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * Runs `declare` with V8's stack traces turned off, and keeps them off until every resource it
 * returns has registered (its URN is known), unless PULUMI_DEBUG_PROMISE_LEAKS is set.
 *
 * IomResource turns them off while its constructor runs, but the SDK goes on taking stacks after
 * the constructors have returned: it serialises each nested input value in later microtasks
 * (`serializeProperty`, a debuggable promise per value: a policy's rules are many) and sends a
 * debug log line to the engine before and after each registration (`log.debug`, one more each).
 * All of these are mapped through source maps. In a preview of 1,000 policies they took about 3 s
 * of the program's CPU, about a tenth of it (docs/benchmarks.md, P7). Nothing but the SDK's
 * registration runs in the program meanwhile; its own source-position lookup sets its own limit.
 * If a registration never completes the limit stays at 0 until the process ends, which is then
 * reporting that failure by its message.
 */
export function declareWithoutStacks<T>(
  declare: () => T,
  resourcesOf: (declared: T) => pulumi.Resource[],
): T {
  if (process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) return declare();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let declared: T;
  try {
    declared = declare();
  } catch (error) {
    Error.stackTraceLimit = limit;
    throw error;
  }
  pulumi.all(resourcesOf(declared).map((r) => r.urn)).apply(() => {
    Error.stackTraceLimit = limit;
  });
  return declared;
}
