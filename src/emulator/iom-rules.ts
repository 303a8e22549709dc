// IOM's lifecycle rules, as the service enforces them whatever client writes the rows: a provider
// is activated after its connections, a flow is published after its policies and providers, and
// each is undone in the reverse order (domain.md 1.2-1.4: the UI's order and alm.md's "activate
// policies, providers, and orchestrations, in that order"). IOM documents the order, not how it
// refuses a wrong one: every refusal here is a business-rule error (400, the plug-in code) whose
// message names the record and what to do first. [I] Which writes count as a change, and that
// archived policy versions are unpublished copies, are the emulator's reading of alm.md. [I]
import { type Choice, columns, connectionStatus, policyVersionState, providerStatus, publishStatus } from "../iom/facts.js";
import {
  DefinitionFormatError,
  decodeDefinition,
  referencedPolicyIds,
  referencedProviderIds,
  type StoredDefinition,
} from "../iom/formats/orchestration-definition.js";
import { msdyn_iomdesigner as flowTable } from "../iom/tables/msdyn_iomdesigner.js";
import { msdyn_iompolicy as policyTable } from "../iom/tables/msdyn_iompolicy.js";
import { msdyn_iomprovider as providerTable } from "../iom/tables/msdyn_iomprovider.js";
import { msdyn_iomproviderconnectionreference as connectionTable } from "../iom/tables/msdyn_iomproviderconnectionreference.js";
import { msdyn_iomproviderdefinitionconnectionref as definitionConnectionTable } from "../iom/tables/msdyn_iomproviderdefinitionconnectionref.js";
import { msdyn_iomproviderdefinitionlogicdefinition as logicTable } from "../iom/tables/msdyn_iomproviderdefinitionlogicdefinition.js";
import { msdyn_iomrule as ruleTable } from "../iom/tables/msdyn_iomrule.js";
import type { TableDefinition } from "../iom/tables/types.js";
import type { Context, Draft, TableRules } from "./context.js";
import { ApiError, ErrorCode } from "./errors.js";
import { newId } from "./ids.js";
import { rowName, rowsReferencing } from "./rows.js";
import type { TableModel } from "./schema.js";
import type { FieldValue, Row } from "./store.js";
import { saveRow } from "./write.js";

type Values = Readonly<Record<string, FieldValue>>;
type Named = { readonly id: string; readonly values: Values };

const provider = columns.provider;
const connection = columns.providerConnectionRef;
const policy = columns.policy;
const rule = columns.rule;
const flow = columns.designer;

/** Columns every write may change: state housekeeping and the timestamp the service sets. */
const HOUSEKEEPING: ReadonlySet<string> = new Set(["statecode", "statuscode", "modifiedon"]);
/** What a Published policy may change: its housekeeping, and being unpublished. */
const PUBLISHED_POLICY_MAY_CHANGE: ReadonlySet<string> = new Set([...HOUSEKEEPING, policy.publishStatus]);
/** What a Published flow may not change (IOM: "Published flows can't be edited"). */
const PUBLISHED_FLOW_FROZEN = [flowTable.primaryNameAttribute, flow.definition];

const refuse = (message: string): ApiError => new ApiError(400, ErrorCode.businessRule, message);

/** How messages name a row: its primary name, quoted (its id when it has none). */
function quoted(table: TableDefinition, row: Named): string {
  return `'${rowName(table.primaryNameAttribute, row)}'`;
}

function is(values: Values | undefined, column: string, choice: Choice): boolean {
  return values?.[column] === choice.value;
}

function lookupId(values: Values | undefined, column: string): string | undefined {
  const value = values?.[column];
  return value !== null && typeof value === "object" ? value.id : undefined;
}

function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  const plain = (v: FieldValue | undefined): unknown =>
    v === undefined ? null : v !== null && typeof v === "object" ? `${v.table}:${v.id}` : v;
  return plain(a) === plain(b);
}

/** The columns a write changes, apart from those it may. A write that changes nothing passes. */
function changedColumns(before: Values, after: Values, allowed: ReadonlySet<string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => !allowed.has(name) && !sameValue(before[name], after[name]));
}

function isArchived(values: Values): boolean {
  return is(values, policy.versionState, policyVersionState.archived);
}

function versionNumber(values: Values): number {
  const value = values[policy.versionNumber];
  return typeof value === "number" ? value : 1;
}

/** The published flows whose definition references `id` through `pick`, quoted. */
function publishedFlowsUsing(
  ctx: Context,
  pick: (definition: StoredDefinition) => string[],
  id: string,
): string[] {
  const names: string[] = [];
  for (const row of ctx.store.rows(flowTable.logicalName)) {
    if (!is(row.values, flow.publishStatus, publishStatus.published)) continue;
    let definition: StoredDefinition;
    try {
      definition = decodeDefinition(row.values[flow.definition]);
    } catch (err) {
      // Only a flow published before the emulator checked definitions can fail here; what it
      // references cannot be known, so it holds nothing back.
      if (err instanceof DefinitionFormatError) continue;
      throw err;
    }
    if (pick(definition).some((ref) => ref.toLowerCase() === id)) names.push(quoted(flowTable, row));
  }
  return names;
}

// Providers ---------------------------------------------------------------------------------------

/** A provider is activated after every connection its definition declares is Active (rule a). */
function checkConnectionsActive(ctx: Context, row: Draft): void {
  const definition = lookupId(row.values, provider.definition);
  const declared =
    definition === undefined
      ? []
      : rowsReferencing(
          ctx,
          definitionConnectionTable.logicalName,
          columns.definitionConnectionRef.definition,
          definition,
        );
  const own = rowsReferencing(ctx, connectionTable.logicalName, connection.provider, row.id);
  const missing = declared.filter(
    (needed) =>
      !own.some(
        (c) =>
          lookupId(c.values, connection.definitionConnectionRef) === needed.id &&
          is(c.values, connection.status, connectionStatus.active),
      ),
  );
  if (missing.length > 0)
    throw refuse(
      `Provider ${quoted(providerTable, row)} cannot be activated: its connection(s) ${missing
        .map((m) => quoted(definitionConnectionTable, m))
        .join(
          ", ",
        )} are missing or not ${connectionStatus.active.label}. Add a provider connection reference for each, set its connection URL and activate it, then activate the provider.`,
    );
}

const providerRules: TableRules = {
  beforeWrite(ctx, _model, before, after) {
    const wasActivated = is(before?.values, provider.status, providerStatus.activated);
    const activated = is(after.values, provider.status, providerStatus.activated);
    const definitionChanged = !sameValue(
      before?.values[provider.definition],
      after.values[provider.definition],
    );
    if (activated && (!wasActivated || definitionChanged)) checkConnectionsActive(ctx, after);
    if (wasActivated && !activated) {
      const flows = publishedFlowsUsing(ctx, referencedProviderIds, after.id);
      if (flows.length > 0)
        throw refuse(
          `Provider ${quoted(providerTable, after)} cannot be deactivated: published orchestration flow(s) ${flows.join(", ")} call its actions. Stop (unpublish) them first, then deactivate the provider.`,
        );
    }
  },
  beforeDelete(_ctx, _model, row) {
    if (is(row.values, provider.status, providerStatus.activated))
      throw refuse(
        `Provider ${quoted(providerTable, row)} is ${providerStatus.activated.label} and cannot be deleted: deactivate it first (${provider.status} = ${providerStatus.installed.label}).`,
      );
  },
};

const connectionRules: TableRules = {
  beforeWrite(_ctx, _model, _before, after) {
    const url = after.values[connection.connectionUrl];
    if (
      is(after.values, connection.status, connectionStatus.active) &&
      (typeof url !== "string" || url.trim() === "")
    )
      throw refuse(
        `Provider connection reference ${quoted(connectionTable, after)} cannot be ${connectionStatus.active.label} without a connection URL: set ${connection.connectionUrl} to the Power Automate connection's URL first, then activate it.`,
      );
  },
};

// Policies and rules ------------------------------------------------------------------------------

/**
 * Archives the version a policy leaves when it is unpublished: a copy under a new id in the same
 * version line, with copies of its rules. [C: alm.md] The copy is not published: orchestration
 * only uses current versions. [I]
 */
function archive(ctx: Context, model: TableModel, published: Row): void {
  const copyId = newId();
  saveRow(
    ctx,
    model,
    undefined,
    copyId,
    {
      ...published.values,
      [policy.versionId]: published.values[policy.versionId] ?? published.id,
      [policy.versionState]: policyVersionState.archived.value,
      [policy.versionNumber]: versionNumber(published.values),
      [policy.publishStatus]: publishStatus.unpublished.value,
    },
    false,
  );
  const rules = ctx.schema.table(ruleTable.logicalName) as TableModel;
  for (const row of rowsReferencing(ctx, ruleTable.logicalName, rule.policy, published.id))
    saveRow(
      ctx,
      rules,
      undefined,
      newId(),
      { ...row.values, [rule.policy]: { id: copyId, table: model.logicalName } },
      false,
    );
}

const policyRules: TableRules = {
  beforeWrite(ctx, _model, before, after) {
    const values = after.values;
    if (!before) {
      // A new policy starts its own version line. [C: alm.md]
      values[policy.versionId] ??= after.id;
      values[policy.versionState] ??= policyVersionState.current.value;
      values[policy.versionNumber] ??= 1;
    }
    if (before && isArchived(before.values)) {
      const changed = changedColumns(before.values, values, new Set(["modifiedon"]));
      if (changed.length > 0)
        throw refuse(
          `Policy ${quoted(policyTable, before)} version ${versionNumber(before.values)} is ${policyVersionState.archived.label}: archived versions cannot be changed (${changed.join(", ")}). Change the ${policyVersionState.current.label} version instead.`,
        );
      return;
    }
    const wasPublished = is(before?.values, policy.publishStatus, publishStatus.published);
    const published = is(values, policy.publishStatus, publishStatus.published);
    if (before && wasPublished) {
      const changed = changedColumns(before.values, values, PUBLISHED_POLICY_MAY_CHANGE);
      if (changed.length > 0)
        throw refuse(
          `Policy ${quoted(policyTable, before)} is ${publishStatus.published.label}: ${changed.join(", ")} cannot change. Unpublish it first (${policy.publishStatus} = ${publishStatus.unpublished.label}), then change it and publish it again.`,
        );
      if (!published) {
        // A policy a published flow uses may be unpublished to be edited: publishing compiled it
        // into the flow's Power Automate logic, which keeps running on the version it was
        // published with, and IOM's versioning exists for exactly this edit. [I: alm.md]
        // The current row moves on to the next version; afterWrite archives the one it leaves.
        values[policy.versionNumber] = versionNumber(before.values) + 1;
      }
    }
    if (
      published &&
      !wasPublished &&
      rowsReferencing(ctx, ruleTable.logicalName, rule.policy, after.id).length === 0
    )
      throw refuse(
        `Policy ${quoted(policyTable, after)} has no rules: add at least one rule, then publish it.`,
      );
  },
  afterWrite(ctx, model, before, after) {
    if (
      before &&
      is(before.values, policy.publishStatus, publishStatus.published) &&
      !is(after.values, policy.publishStatus, publishStatus.published)
    )
      archive(ctx, model, before);
  },
  beforeDelete(ctx, _model, row) {
    if (is(row.values, policy.publishStatus, publishStatus.published))
      throw refuse(
        `Policy ${quoted(policyTable, row)} is ${publishStatus.published.label} and cannot be deleted: unpublish it first (${policy.publishStatus} = ${publishStatus.unpublished.label}).`,
      );
    const flows = publishedFlowsUsing(ctx, referencedPolicyIds, row.id);
    if (flows.length > 0)
      throw refuse(
        `Policy ${quoted(policyTable, row)} cannot be deleted: published orchestration flow(s) ${flows.join(", ")} use it. Stop (unpublish) them, or remove the policy from their steps, first.`,
      );
  },
};

/** A rule changes only with its policy open: neither Published nor an archived version. */
function checkPolicyOpen(ctx: Context, policyId: string, row: Named, verb: string): void {
  const owner = ctx.store.get(policyTable.logicalName, policyId);
  if (!owner) return;
  if (isArchived(owner.values))
    throw refuse(
      `Rule ${quoted(ruleTable, row)} cannot be ${verb}: its policy ${quoted(policyTable, owner)} is an ${policyVersionState.archived.label.toLowerCase()} version, which cannot change.`,
    );
  if (is(owner.values, policy.publishStatus, publishStatus.published))
    throw refuse(
      `Rule ${quoted(ruleTable, row)} cannot be ${verb} while its policy ${quoted(policyTable, owner)} is ${publishStatus.published.label}: unpublish the policy first (${policy.publishStatus} = ${publishStatus.unpublished.label}).`,
    );
}

const ruleRules: TableRules = {
  beforeWrite(ctx, _model, before, after) {
    if (before && changedColumns(before.values, after.values, HOUSEKEEPING).length === 0) return;
    const policies = new Set([lookupId(before?.values, rule.policy), lookupId(after.values, rule.policy)]);
    for (const id of policies)
      if (id !== undefined) checkPolicyOpen(ctx, id, before ?? after, before ? "changed" : "created");
  },
  beforeDelete(ctx, _model, row, deleting) {
    const id = lookupId(row.values, rule.policy);
    // Deleted with its policy: the policy's own rule decides.
    if (id !== undefined && !deleting.has(id)) checkPolicyOpen(ctx, id, row, "deleted");
  },
};

// Orchestration flows -----------------------------------------------------------------------------

function readDefinition(row: Draft): StoredDefinition {
  try {
    return decodeDefinition(row.values[flow.definition]);
  } catch (err) {
    if (err instanceof DefinitionFormatError)
      throw refuse(
        `Orchestration flow ${quoted(flowTable, row)} has a definition that cannot be read: ${err.message}.`,
      );
    throw err;
  }
}

/** What stops a flow from being published, all at once: its policies and providers must be live. */
function publishProblems(ctx: Context, definition: StoredDefinition): string[] {
  const problems = new Set<string>();
  for (const id of referencedPolicyIds(definition)) {
    const row = ctx.store.get(policyTable.logicalName, id);
    if (!row) problems.add(`policy ${id} does not exist`);
    else if (isArchived(row.values))
      problems.add(
        `policy ${quoted(policyTable, row)} (${id}) is an archived version: reference the current one`,
      );
    else if (!is(row.values, policy.publishStatus, publishStatus.published))
      problems.add(`policy ${quoted(policyTable, row)} is not ${publishStatus.published.label}`);
  }
  for (const step of definition.steps) {
    const action = step.providerAction;
    if (!action) continue;
    const installed = ctx.store.get(providerTable.logicalName, action.providerId);
    if (!installed) {
      problems.add(`step '${step.name}' calls provider ${action.providerId}, which does not exist`);
      continue;
    }
    if (!is(installed.values, provider.status, providerStatus.activated))
      problems.add(`provider ${quoted(providerTable, installed)} is not ${providerStatus.activated.label}`);
    const logic = ctx.store.get(logicTable.logicalName, action.logicDefinitionId);
    if (
      !logic ||
      lookupId(logic.values, columns.logicDefinition.definition) !==
        lookupId(installed.values, provider.definition)
    )
      problems.add(
        `step '${step.name}': ${action.logicDefinitionId} is not a logic definition of provider ${quoted(providerTable, installed)}'s definition`,
      );
  }
  return [...problems];
}

const flowRules: TableRules = {
  beforeWrite(ctx, _model, before, after) {
    const wasPublished = is(before?.values, flow.publishStatus, publishStatus.published);
    const published = is(after.values, flow.publishStatus, publishStatus.published);
    if (before && wasPublished) {
      const changed = PUBLISHED_FLOW_FROZEN.filter((c) => !sameValue(before.values[c], after.values[c]));
      if (changed.length > 0)
        throw refuse(
          `Orchestration flow ${quoted(flowTable, before)} is ${publishStatus.published.label}: its ${changed.join(" and ")} cannot change. Stop it first (${flow.publishStatus} = ${publishStatus.unpublished.label}), edit it, then publish it again.`,
        );
    }
    const publishing = published && !wasPublished;
    if (!publishing && sameValue(before?.values[flow.definition], after.values[flow.definition])) return;
    const definition = readDefinition(after);
    if (!publishing) return;
    const problems = publishProblems(ctx, definition);
    if (problems.length > 0)
      throw refuse(
        `Orchestration flow ${quoted(flowTable, after)} cannot be published: ${problems.join("; ")}. Publish its policies and activate its providers first.`,
      );
  },
  beforeDelete(_ctx, _model, row) {
    if (is(row.values, flow.publishStatus, publishStatus.published))
      throw refuse(
        `Orchestration flow ${quoted(flowTable, row)} is ${publishStatus.published.label} and cannot be deleted: stop it first (${flow.publishStatus} = ${publishStatus.unpublished.label}).`,
      );
  },
};

/** The rules of IOM's tables, by logical name. */
export const iomRules: ReadonlyMap<string, TableRules> = new Map([
  [providerTable.logicalName, providerRules],
  [connectionTable.logicalName, connectionRules],
  [policyTable.logicalName, policyRules],
  [ruleTable.logicalName, ruleRules],
  [flowTable.logicalName, flowRules],
]);
