// Drift: what the environment holds against what the stack last applied, per resource and property,
// read from a `pulumi preview --refresh --json --show-sames` that writes no state (drift-run.ts runs
// it). In that preview, each resource's `refresh` step carries the state the stack last wrote
// (its oldState), and the step that follows for the same resource (same, update, replace, delete)
// starts from the refreshed state, what the environment holds now; a resource that refresh found
// gone has no such step, or only a `create`. The two are compared with the resource kind's own
// normalised diff (the one `pulumi up` uses), so formatting the environment adds never counts as
// drift; a difference in the current YAML is not drift and is not reported here.
import { load } from "../resources/runtime/dispatch.js";
import { RESOURCE_TYPES, type ImplementationKind } from "../resources/common/dynamic.js";
import { type entitySetNames } from "../iom/facts.js";
import { diffProperties, HIDDEN_INPUTS, topLevelProperties, type PropertyChange } from "./plan-diff.js";
import { parseUrn, type PreviewDigest, type PreviewResourceState, type PreviewStep } from "./plan-preview.js";

export type DriftStatus = "changed" | "missing";

/** Where a person looks at a drifted resource, and what is known about who changed it. */
export interface LookAt {
  /** The screen that shows it, e.g. "Intelligent Order Management > Policies > <name>". */
  place: string;
  /** The Dataverse row behind it. */
  record?: { table: string; id: string };
  /** The YAML that declares it, `file:line`. */
  declaredIn?: string;
  /** When the stack last wrote it (RFC 3339, from the stack's state). */
  lastApplied?: string;
  /** When the environment's row last changed (its `modifiedon`), when the environment says. */
  modifiedOn?: string;
  /** Who changed it last (`modifiedby`), when the environment has that column. */
  modifiedBy?: string;
}

export interface DriftedResource {
  /** `Policy`, `DualWriteMap`, … */
  kind: string;
  name: string;
  urn: string;
  status: DriftStatus;
  /** What the environment holds against what the stack applied: `old` applied, `new` now. */
  changes: PropertyChange[];
  lookAt: LookAt;
}

export interface DriftReport {
  stack: string;
  project: string;
  /** IOM resources compared. */
  checked: number;
  drifted: DriftedResource[];
  /** The stack's desired-state file, relative to the project (the program's `desiredState` output). */
  desiredState?: string;
  /** Things the check could not find out (a row it could not read), said but not fatal. */
  notes: string[];
}

const IOM_TYPE_PREFIX = "pulumi-nodejs:dynamic/iom:";
/** The stack's record of its organization: a guard, not configuration that drifts. */
const STACK_ORGANIZATION_TYPE = `${IOM_TYPE_PREFIX}${RESOURCE_TYPES["stack-organization"]}`;

const KIND_BY_TYPE = new Map<string, ImplementationKind>(
  Object.entries(RESOURCE_TYPES).map(([kind, type]) => [
    `${IOM_TYPE_PREFIX}${type}`,
    kind as ImplementationKind,
  ]),
);

type Table = keyof typeof entitySetNames;

interface KindFacts {
  /** The Dataverse row behind the resource; none for a dual-write map (a gateway project). */
  table?: Table;
  /** The input holding the row's id when it is not the resource's id. */
  idInput?: string;
  /** `provider` names an installed provider as the UI lists it, from its YAML name. */
  place(inputs: Record<string, unknown>, name: string, provider: (yamlName: string) => string): string;
  /** What it means when refresh finds the resource gone. */
  missing: string;
}

const IOM = "Intelligent Order Management";
const text = (v: unknown, fallback: string): string => (typeof v === "string" && v ? v : fallback);

/** Per kind: its row, where the UI shows it, and what "gone" means (domain.md, sections 1 and 2). */
const KINDS: Record<string, KindFacts> = {
  Policy: {
    table: "msdyn_iompolicy",
    place: (i, n) => `${IOM} > Policies > ${text(i.name, n)}`,
    missing: "deleted in the environment",
  },
  IomProvider: {
    table: "msdyn_iomprovider",
    place: (_i, n, provider) => `${IOM} > Providers > Installed > ${provider(n)}`,
    missing: "uninstalled in the environment",
  },
  IomProviderActivation: {
    table: "msdyn_iomprovider",
    idInput: "providerId",
    place: (_i, n, provider) => `${IOM} > Providers > Installed > ${provider(n)}, its status`,
    missing: "deactivated in the environment",
  },
  ProviderConnection: {
    table: "msdyn_iomproviderconnectionreference",
    place: (i, n, provider) =>
      `${IOM} > Providers > Installed > ${provider(text(i.provider, "?"))} > Connections > ${text(i.connection, n)}`,
    missing: "deleted in the environment",
  },
  DualWriteMap: {
    place: (i, n) => `Finance and Operations > Data management > Dual-write > ${text(i.map, n)}`,
    missing: "no longer found in the environment",
  },
  OrchestrationFlow: {
    table: "msdyn_iomdesigner",
    place: (i, n) => `${IOM} > Orchestration flows > ${text(i.name, n)}`,
    missing: "deleted in the environment",
  },
};

/**
 * The top-level inputs that differ between what was applied and what the environment holds, as
 * the resource's kind compares them; undefined when the kind is not one of ours.
 */
export type KindComparer = (
  type: string,
  id: string,
  applied: Record<string, unknown>,
  environment: Record<string, unknown>,
) => Promise<string[] | undefined>;

/**
 * Compares through the kind's own provider `diff` (its canonical form): first the whole, then one
 * input at a time, so each reported property is one that the kind itself sees as changed.
 */
export const compareWithKind: KindComparer = async (type, id, applied, environment) => {
  const kind = KIND_BY_TYPE.get(type);
  if (!kind) return undefined;
  const provider = await load(kind);
  if (!provider.diff) return undefined;
  const whole = await provider.diff(id, applied, environment);
  if (!whole.changes) return [];
  const candidates = topLevelProperties(diffProperties(applied, environment)).map((p) =>
    p.startsWith("[") ? (JSON.parse(p.slice(1, -1)) as string) : p,
  );
  const drifted: string[] = [];
  for (const key of candidates) {
    const one = await provider.diff(id, applied, { ...applied, [key]: environment[key] });
    if (one.changes) drifted.push(key);
  }
  // Changed only in combination: every input that differs is part of it.
  return drifted.length > 0 ? drifted : candidates;
};

function pick(inputs: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in inputs).map((k) => [k, inputs[k]]));
}

function lookAt(
  kind: string,
  name: string,
  applied: PreviewResourceState,
  provider: (yamlName: string) => string,
): LookAt {
  const inputs = applied.inputs ?? {};
  const facts = KINDS[kind];
  const at: LookAt = { place: facts ? facts.place(inputs, name, provider) : `${kind} ${name}` };
  const id = facts?.idInput ? inputs[facts.idInput] : applied.id;
  if (facts?.table && typeof id === "string" && id) at.record = { table: facts.table, id };
  if (applied.modified) at.lastApplied = applied.modified;
  return at;
}

/** The drift a refreshing preview shows; throws nothing for a preview that has no refresh steps. */
export async function analyzeDrift(
  digest: PreviewDigest,
  compare: KindComparer = compareWithKind,
): Promise<DriftReport> {
  const steps = digest.steps ?? [];
  const refreshed = steps.filter((s) => s.op === "refresh");
  const after = new Map<string, PreviewStep>();
  for (const step of steps) if (step.op !== "refresh" && step.oldState) after.set(step.urn, step);

  const root = refreshed.find((s) => s.oldState?.type === "pulumi:pulumi:Stack");
  const identity = parseUrn((refreshed[0] ?? steps[0])?.urn ?? "");
  const report: DriftReport = {
    stack: identity?.stack ?? "",
    project: identity?.project ?? "",
    checked: 0,
    drifted: [],
    notes: [],
  };
  const desiredState = root?.oldState?.outputs?.desiredState;
  if (typeof desiredState === "string") report.desiredState = desiredState;
  // The UI lists installed providers by display name (else their definition's), not by YAML name.
  const providerLabels = new Map<string, string>();
  for (const step of refreshed)
    if (step.oldState?.type === `${IOM_TYPE_PREFIX}${RESOURCE_TYPES["iom-provider"]}`) {
      const inputs = step.oldState.inputs ?? {};
      const yamlName = text(inputs.name, parseUrn(step.urn)?.name ?? "");
      providerLabels.set(yamlName, text(inputs.displayName, text(inputs.definition, yamlName)));
    }
  const provider = (yamlName: string) => providerLabels.get(yamlName) ?? yamlName;

  for (const step of refreshed) {
    const applied = step.oldState;
    const type = applied?.type ?? "";
    if (!applied || !type.startsWith(IOM_TYPE_PREFIX) || type === STACK_ORGANIZATION_TYPE) continue;
    report.checked++;
    const kind = type.slice(IOM_TYPE_PREFIX.length);
    // Named as the YAML names it: the URN's name is the resource's natural key (src/program/identity.ts).
    const name = text(applied.inputs?.name, parseUrn(step.urn)?.name ?? step.urn);
    const now = after.get(step.urn)?.oldState;
    if (!now) {
      report.drifted.push({
        kind,
        name,
        urn: step.urn,
        status: "missing",
        changes: [],
        lookAt: lookAt(kind, name, applied, provider),
      });
      continue;
    }
    const before = applied.inputs ?? {};
    const current = now.inputs ?? {};
    const keys =
      (await compare(type, applied.id ?? "", before, current)) ??
      topLevelProperties(diffProperties(before, current));
    const visible = keys.filter((k) => !HIDDEN_INPUTS.has(k));
    if (visible.length === 0) continue;
    report.drifted.push({
      kind,
      name,
      urn: step.urn,
      status: "changed",
      changes: diffProperties(pick(before, visible), pick(current, visible)),
      lookAt: lookAt(kind, name, applied, provider),
    });
  }
  // Refresh runs resources in parallel: the report follows the kinds' order and names instead.
  const rank = (kind: string) => {
    const i = (Object.values(RESOURCE_TYPES) as string[]).indexOf(kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  report.drifted.sort((a, b) => rank(a.kind) - rank(b.kind) || a.name.localeCompare(b.name));
  return report;
}

/** What "gone" means for a kind, for the formats. */
export function missingPhrase(kind: string): string {
  return KINDS[kind]?.missing ?? "gone from the environment";
}
