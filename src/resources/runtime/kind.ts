// What every resource kind implements inside the provider plugin, and the one adapter that turns
// it into a Pulumi dynamic provider: schema check, normalised diff, the session, the organization
// guard, not-found handled on purpose, and errors that say which resource and what to do.
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type * as SchemaRegistryModule from "../../config/schema-registry.js";
import type { ResourceKind } from "../../config/schema-registry.js";
import { DataverseError } from "../../dataverse/errors.js";
import { redact } from "../../dataverse/redact.js";
import type * as SessionModule from "./session.js";
import type { Session } from "./session.js";

/** Outputs every kind records beside its inputs. */
export interface RecordOutputs {
  /** The organization (WhoAmI) the record lives in; update, delete and refresh check it. */
  organizationId: string;
  /** True when the record existed before this stack took it over (adoption by natural key). */
  adopted: boolean;
}

// Interfaces generated from the schemas have no index signature, hence `object`.
export type Inputs = object;
export type Outputs<I extends Inputs> = I & RecordOutputs;

/**
 * The outputs a kind gets back from state. A kind that defines `recorded` keeps only part of its
 * outputs, so its read, update and delete see either that part or, in a state written before the
 * kind kept less, the outputs whole; hence every key but the organization may be missing.
 */
export type Stored<O> = Partial<O> & Pick<RecordOutputs, "organizationId">;

export interface KindImplementation<
  I extends Inputs,
  O extends Outputs<I> = Outputs<I>,
  S extends Stored<O> = O,
> {
  /** What messages call a resource of this kind, e.g. "policy". */
  readonly label: string;
  /** The schema the kind's YAML inputs are checked against in `check`. */
  readonly schema?: ResourceKind;
  /** Inputs the program adds beside the YAML (record ids, references); not in the schema. */
  readonly programInputs: readonly string[];
  /** Outputs the kind records beside its inputs (never inputs themselves, e.g. settings found). */
  readonly outputsOnly?: readonly string[];
  /** Inputs whose change replaces the record instead of updating it. */
  readonly replaceOn?: readonly string[];
  /**
   * What of the outputs stays in state, for a kind that needs less than its inputs whole there
   * (docs/adr/0014-outputs-keep-what-the-environment-cannot-tell.md): the record's own facts, and
   * whatever its read, update and delete cannot get back from the environment. The adapter adds
   * the inputs' fingerprint, which the diff compares instead of the inputs. Without it, the
   * outputs hold the inputs whole.
   */
  recorded?(outs: O, s: Session): Promise<Record<string, unknown>>;
  /**
   * The comparable form of the inputs: server defaults, ordering, whitespace and formatting that
   * mean nothing are normalised away here, so they never show as a perpetual diff.
   */
  canonical(inputs: I): Record<string, unknown>;
  /**
   * An error that stops the whole run at this resource's diff, before anything depending on it is
   * written (the stack's organization guard, ../stack-organization/provider.ts); undefined to go on.
   */
  refuse?(olds: S, news: I): Error | undefined;
  /** Creates the record, or adopts the one found by its natural key. Must leave nothing half-made. */
  create(inputs: I, s: Session): Promise<{ id: string; outs: O }>;
  /** The inputs that describe the record as it is now, or undefined when it is gone. */
  read(id: string, outs: S, s: Session): Promise<O | undefined>;
  update(id: string, olds: S, news: I, s: Session): Promise<O>;
  /** Removes (or releases) the record; a record already gone counts as deleted. */
  delete(id: string, outs: S, s: Session): Promise<void>;
}

const PROVIDER_KEY = "__provider";

function plain<I extends Inputs>(props: Record<string, unknown>): I {
  const { [PROVIDER_KEY]: _provider, ...rest } = props;
  return rest as I;
}

/**
 * The session and the Dataverse client behind it, loaded when a method first acts on the
 * environment: a preview only checks and diffs, and the plugin's first check (the organization
 * check's, which every other resource waits for) should not wait for the client to load. The stack
 * config each kind's `configure` gets is handed over then.
 */
let sessionModule: Promise<typeof SessionModule> | undefined;
let configured: pulumi.dynamic.Config | undefined;

async function openSession(): Promise<{ s: Session; sessions: typeof SessionModule }> {
  const sessions = await (sessionModule ??= import("./session.js"));
  if (configured) {
    sessions.configureSession(configured);
    configured = undefined;
  }
  return { s: await sessions.session(), sessions };
}

/** Ajv and the schemas, loaded at the first check that needs them, once. */
let registry: Promise<typeof SchemaRegistryModule> | undefined;

/** Rewords an error for the engine's output: which resource, then the cause and its hint. */
function failure(what: string, error: unknown, inputs?: Record<string, unknown>): Error {
  const message =
    error instanceof DataverseError || error instanceof Error ? error.message : redact(String(error));
  const wrapped = new Error(`${what}: ${message}`);
  // Keeps a partially applied record in state (the engine's "resource init failed"), with the
  // provider of the inputs (create, update), so that refresh and destroy can act on it. The engine
  // then prints the error's `reasons`, not its message: without them the cause would be lost.
  if (error instanceof PartialApplyError && inputs) error.properties[PROVIDER_KEY] ??= inputs[PROVIDER_KEY];
  const partial = error as { id?: unknown; properties?: unknown };
  if (typeof partial?.id === "string")
    Object.assign(wrapped, { id: partial.id, properties: partial.properties, reasons: [wrapped.message] });
  return wrapped;
}

/** Thrown by create/update after the record exists but a later step failed: the engine keeps it. */
export class PartialApplyError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * Where a kind with `recorded` keeps its inputs' fingerprint in the outputs: two digests, of the
 * inputs as they are and of their canonical form, `<as-is>.<canonical>`.
 *
 * The diff then compares the new inputs' digests with these. Inputs that are the same as last
 * applied match the first whatever the code's canonical form has become since, so an upgrade
 * that normalises differently shows no change on a stack whose YAML did not change; inputs that
 * differ only in what the canonical form normalises away (case, spacing, order, or a refresh's
 * rewording) match the second. 96 bits each: a change that goes unseen by a collision is not a
 * practical concern.
 */
export const FINGERPRINT = "fingerprint";

/** JSON with every object's keys sorted, so that the digest does not depend on key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const digest = (value: unknown): string =>
  createHash("sha256").update(stableJson(value)).digest("base64url").slice(0, 16);

/** The fingerprint of a kind's inputs (see FINGERPRINT). */
export function fingerprint<I extends Inputs>(
  impl: Pick<KindImplementation<I>, "canonical">,
  inputs: I,
): string {
  return `${digest(inputs)}.${digest(impl.canonical(inputs))}`;
}

/** Whether the inputs are those the fingerprint was taken of, as they are or canonically. */
export function matchesFingerprint<I extends Inputs>(
  impl: Pick<KindImplementation<I>, "canonical">,
  recorded: string,
  inputs: I,
): boolean {
  const [asIs, canonical] = recorded.split(".");
  return digest(inputs) === asIs || digest(impl.canonical(inputs)) === canonical;
}

/** Key-by-key comparison of the canonical forms: the keys that differ. */
export function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)).sort();
}

export function toDynamicProvider<I extends Inputs, O extends Outputs<I>, S extends Stored<O> = O>(
  impl: KindImplementation<I, O, S>,
): pulumi.dynamic.ResourceProvider {
  // A fingerprint tells whether the inputs changed, not which of them: it cannot decide a replace.
  if (impl.recorded && impl.replaceOn?.length)
    throw new Error(`the ${impl.label} kind keeps a fingerprint of its inputs and cannot replace on one`);
  const name = (props: Inputs): string => {
    const yaml = (props as { name?: unknown }).name;
    return yaml === undefined ? impl.label : `${impl.label} '${String(yaml)}'`;
  };
  const outputOnly = new Set(["organizationId", "adopted", ...(impl.outputsOnly ?? [])]);
  const inputsOf = (outs: O): I =>
    Object.fromEntries(Object.entries(outs).filter(([k]) => !outputOnly.has(k))) as I;
  /** What goes into state: the outputs whole, or what the kind keeps and the inputs' fingerprint. */
  const stored = async (outs: O, s: Session): Promise<object> =>
    impl.recorded
      ? { ...(await impl.recorded(outs, s)), [FINGERPRINT]: fingerprint(impl, inputsOf(outs)) }
      : outs;
  return {
    async configure(req) {
      configured = req.config;
    },

    async check(_olds, news) {
      if (!impl.schema) return { inputs: news };
      const { schemaRegistry } = await (registry ??= import("../../config/schema-registry.js"));
      const yaml = Object.fromEntries(
        Object.entries(plain(news)).filter(([k]) => !impl.programInputs.includes(k)),
      );
      const errors = schemaRegistry().validate(impl.schema, yaml);
      const failures = errors.map((e) => {
        const property = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(inputs)";
        const extra =
          e.keyword === "additionalProperties"
            ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`
            : "";
        return { property, reason: `${e.message ?? "is invalid"}${extra}` };
      });
      return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
      const refusal = impl.refuse?.(plain<S>(olds), plain<I>(news));
      if (refusal) throw failure(name(plain<I>(news)), refusal);
      // Outputs that keep a fingerprint instead of the inputs (a state written before holds the
      // inputs whole, and `iom drift` compares inputs with inputs: both take the canonical way).
      const recorded = plain<Record<string, unknown>>(olds)[FINGERPRINT];
      if (typeof recorded === "string")
        return { changes: !matchesFingerprint(impl, recorded, plain<I>(news)), replaces: [] };
      const before = impl.canonical(plain<O>(olds) as unknown as I);
      const after = impl.canonical(plain<I>(news));
      const changed = changedKeys(before, after);
      const replaces = changed.filter((k) => impl.replaceOn?.includes(k));
      return {
        changes: changed.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0,
      };
    },

    async create(inputs) {
      const props = plain<I>(inputs);
      try {
        const { s } = await openSession();
        const made = await impl.create(props, s);
        return { id: made.id, outs: await stored(made.outs, s) };
      } catch (error) {
        throw failure(`creating ${name(props)}`, error, inputs as Record<string, unknown>);
      }
    },

    async read(id, props) {
      const outs = plain<S>(props);
      try {
        const { s, sessions } = await openSession();
        sessions.assertSameOrganization(outs.organizationId, s, name(outs));
        const current = await impl.read(id, outs, s);
        if (!current) return {};
        return { id, props: await stored(current, s), inputs: inputsOf(current) };
      } catch (error) {
        throw failure(`reading ${name(outs)}`, error);
      }
    },

    async update(id, olds, news) {
      const before = plain<S>(olds);
      const after = plain<I>(news);
      try {
        const { s, sessions } = await openSession();
        sessions.assertSameOrganization(before.organizationId, s, name(before));
        return { outs: await stored(await impl.update(id, before, after, s), s) };
      } catch (error) {
        throw failure(`updating ${name(after)}`, error, news as Record<string, unknown>);
      }
    },

    async delete(id, props) {
      const outs = plain<S>(props);
      try {
        const { s, sessions } = await openSession();
        sessions.assertSameOrganization(outs.organizationId, s, name(outs));
        await impl.delete(id, outs, s);
      } catch (error) {
        throw failure(`deleting ${name(outs)}`, error);
      }
    },
  };
}
