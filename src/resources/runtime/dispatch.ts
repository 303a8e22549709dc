// Loaded by the serialised provider object of every resource (../common/dynamic.ts) inside the
// provider plugin: returns the Pulumi dynamic provider of one kind, built once per process. Kinds
// are imported only when used.
import type * as pulumi from "@pulumi/pulumi";
import type { ImplementationKind } from "../common/dynamic.js";
import { toDynamicProvider, type Inputs, type KindImplementation } from "./kind.js";

const loaders: Record<ImplementationKind, () => Promise<KindImplementation<Inputs>>> = {
  "iom-provider": async () => (await import("../iom-provider/provider.js")).iomProvider as never,
  "iom-provider-activation": async () =>
    (await import("../iom-provider/activation.js")).iomProviderActivation as never,
  "provider-connection": async () =>
    (await import("../provider-connection/provider.js")).providerConnection as never,
  "dual-write-map": async () => (await import("../dual-write-map/provider.js")).dualWriteMap as never,
  policy: async () => (await import("../policy/provider.js")).policy as never,
  "orchestration-flow": async () =>
    (await import("../orchestration-flow/provider.js")).orchestrationFlow as never,
  "stack-organization": async () =>
    (await import("../stack-organization/provider.js")).stackOrganization as never,
};

const implementations = new Map<ImplementationKind, Promise<KindImplementation<Inputs>>>();
const built = new Map<ImplementationKind, Promise<pulumi.dynamic.ResourceProvider>>();

function implementation(kind: ImplementationKind): Promise<KindImplementation<Inputs>> {
  let impl = implementations.get(kind);
  if (!impl) {
    const loader = loaders[kind];
    if (!loader) throw new Error(`iom-gitops has no resource kind '${String(kind)}'`);
    impl = loader();
    implementations.set(kind, impl);
  }
  return impl;
}

export function load(kind: ImplementationKind): Promise<pulumi.dynamic.ResourceProvider> {
  let provider = built.get(kind);
  if (!provider) {
    provider = implementation(kind).then(toDynamicProvider);
    built.set(kind, provider);
  }
  return provider;
}

let prepared: Promise<void> | undefined;

/**
 * Loads every kind and compiles its schema in the background, once per process, from the first
 * check on. The first check of each kind would otherwise load it and compile its schema while the
 * engine waits (about 0.3 s of a preview of the article's kinds). The first check is that of the
 * stack's organization check, which every other resource waits for in the program
 * (src/program/declare.ts), so the plugin has time on its hands while the program sends them. Not
 * from `configure`: a refresh or a destroy configures the plugin but never checks, and would
 * compile every schema for nothing. One kind at a time, yielding between, so that a call arriving
 * meanwhile waits for one kind at most. A kind that fails here fails again, with its error, when a
 * resource of it needs it.
 */
export function prepareKinds(): Promise<void> {
  prepared ??= (async () => {
    const next = () => new Promise((resolve) => setImmediate(resolve));
    await next();
    const { schemaRegistry } = await import("../../config/schema-registry.js");
    for (const kind of Object.keys(loaders) as ImplementationKind[]) {
      try {
        const impl = await implementation(kind);
        if (impl.schema) schemaRegistry().prepare(impl.schema);
      } catch {
        // Reported where it matters: by the method that needs the kind.
      }
      await next();
    }
  })().catch(() => undefined);
  return prepared;
}

/** The background preparation of the kinds, once a check has started it (undefined before). */
export function kindsPreparation(): Promise<void> | undefined {
  return prepared;
}

const METHODS = ["check", "diff", "create", "read", "update", "delete"] as const;

/**
 * Called by the serialised provider object's `configure` (../common/dynamic.ts), which the plugin
 * calls once per deserialised provider, before any other method. The kind's methods are put on
 * that object at once, before the first `await`, so no call can find them missing; each waits
 * for the kind's implementation and hands over. Then the session gets the stack's configuration.
 */
export function install(
  target: Record<string, unknown>,
  kind: ImplementationKind,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> {
  const provider = load(kind);
  for (const method of METHODS)
    target[method] = async (...args: unknown[]) => {
      if (method === "check") void prepareKinds();
      const impl = (await provider) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return (impl[method] as (...a: unknown[]) => Promise<unknown>).apply(impl, args);
    };
  return provider.then((p) => p.configure?.(req));
}
