// IOM's lifecycle rules, as the service enforces them whatever client writes the rows: a provider
// is activated after its connections, a flow is published after its policies and providers, and
// each is undone in the reverse order (domain.md 1.2-1.4: the UI's order and alm.md's "activate
// policies, providers, and orchestrations, in that order"). IOM documents the order, not how it
// refuses a wrong one: every refusal here is a business-rule error (400, the plug-in code) whose
// message names the record and what to do first. [I] Which writes count as a change, and that
// archived policy versions are unpublished copies, are the emulator's reading of alm.md. [I]
import type { Context, Draft, TableRules } from "./context.js";
import { ApiError, ErrorCode } from "./errors.js";
import {
  FlowDefinitionError,
  policyIdsOf,
  providerIdsOf,
  readFlowSteps,
  type FlowStep,
} from "./flow-definition.js";
import { newId } from "./ids.js";
import type {
  Choice,
  DefinitionChildRole,
  FlowRole,
  IomRoles,
  PolicyRole,
  ProviderConnectionRole,
  ProviderRole,
  RuleRole,
} from "./roles.js";
import { rowName, rowsReferencing } from "./rows.js";
import type { TableModel } from "./schema.js";
import type { FieldValue, Row } from "./store.js";
import { saveRow } from "./write.js";

type Values = Readonly<Record<string, FieldValue>>;
type Named = { readonly id: string; readonly values: Values };

/** Columns every write may change: state housekeeping and the timestamp the service sets. */
const HOUSEKEEPING: ReadonlySet<string> = new Set(["statecode", "statuscode", "modifiedon"]);

const refuse = (message: string): ApiError => new ApiError(400, ErrorCode.businessRule, message);

/** How messages name a row: its primary name, quoted (its id when it has none). */
function quoted(table: { readonly primaryName: string }, row: Named): string {
  return `'${rowName(table.primaryName, row)}'`;
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

/** The published flows whose definition references `id` through `pick`, quoted. */
function publishedFlowsUsing(
  ctx: Context,
  flow: FlowRole,
  pick: (steps: FlowStep[]) => string[],
  id: string,
): string[] {
  const names: string[] = [];
  for (const row of ctx.store.rows(flow.table)) {
    if (!is(row.values, flow.publishStatus, flow.published)) continue;
    let steps: FlowStep[];
    try {
      steps = readFlowSteps(row.values[flow.definition]);
    } catch (err) {
      // Only a flow published before the emulator checked definitions can fail here; what it
      // references cannot be known, so it holds nothing back.
      if (err instanceof FlowDefinitionError) continue;
      throw err;
    }
    if (pick(steps).some((ref) => ref === id.toLowerCase())) names.push(quoted(flow, row));
  }
  return names;
}

// Providers ---------------------------------------------------------------------------------------

function providerRules(
  provider: ProviderRole,
  connection: ProviderConnectionRole,
  definitionConnection: DefinitionChildRole,
  flow: FlowRole,
): TableRules {
  /** A provider is activated after every connection its definition declares is Active. */
  function checkConnectionsActive(ctx: Context, row: Draft): void {
    const definition = lookupId(row.values, provider.definition);
    const declared =
      definition === undefined
        ? []
        : rowsReferencing(ctx, definitionConnection.table, definitionConnection.definition, definition);
    const own = rowsReferencing(ctx, connection.table, connection.provider, row.id);
    const missing = declared.filter(
      (needed) =>
        !own.some(
          (c) =>
            lookupId(c.values, connection.definitionConnection) === needed.id &&
            is(c.values, connection.status, connection.active),
        ),
    );
    if (missing.length > 0)
      throw refuse(
        `Provider ${quoted(provider, row)} cannot be activated: its connection(s) ${missing
          .map((m) => quoted(definitionConnection, m))
          .join(
            ", ",
          )} are missing or not ${connection.active.label}. Add a provider connection reference for each, set its connection URL and activate it, then activate the provider.`,
      );
  }

  return {
    beforeWrite(ctx, _model, before, after) {
      const wasActivated = is(before?.values, provider.status, provider.activated);
      const activated = is(after.values, provider.status, provider.activated);
      const definitionChanged = !sameValue(
        before?.values[provider.definition],
        after.values[provider.definition],
      );
      if (activated && (!wasActivated || definitionChanged)) checkConnectionsActive(ctx, after);
      if (wasActivated && !activated) {
        const flows = publishedFlowsUsing(ctx, flow, providerIdsOf, after.id);
        if (flows.length > 0)
          throw refuse(
            `Provider ${quoted(provider, after)} cannot be deactivated: published orchestration flow(s) ${flows.join(", ")} call its actions. Stop (unpublish) them first, then deactivate the provider.`,
          );
      }
    },
    beforeDelete(_ctx, _model, row) {
      if (is(row.values, provider.status, provider.activated))
        throw refuse(
          `Provider ${quoted(provider, row)} is ${provider.activated.label} and cannot be deleted: deactivate it first (${provider.status} = ${provider.installed.label}).`,
        );
    },
  };
}

function connectionRules(connection: ProviderConnectionRole): TableRules {
  return {
    beforeWrite(_ctx, _model, _before, after) {
      const url = after.values[connection.connectionUrl];
      if (
        is(after.values, connection.status, connection.active) &&
        (typeof url !== "string" || url.trim() === "")
      )
        throw refuse(
          `Provider connection reference ${quoted(connection, after)} cannot be ${connection.active.label} without a connection URL: set ${connection.connectionUrl} to the Power Automate connection's URL first, then activate it.`,
        );
    },
  };
}

// Policies and rules ------------------------------------------------------------------------------

function isArchived(policy: PolicyRole, values: Values): boolean {
  return is(values, policy.versionState, policy.archived);
}

function versionNumber(policy: PolicyRole, values: Values): number {
  const value = values[policy.versionNumber];
  return typeof value === "number" ? value : 1;
}

/**
 * Archives the version a policy leaves when it is unpublished: a copy under a new id in the same
 * version line, with copies of its rules. [C: alm.md] The copy is not published: orchestration
 * only uses current versions. [I]
 */
function archive(ctx: Context, policy: PolicyRole, rule: RuleRole, model: TableModel, published: Row): void {
  const copyId = newId();
  saveRow(
    ctx,
    model,
    undefined,
    copyId,
    {
      ...published.values,
      [policy.versionId]: published.values[policy.versionId] ?? published.id,
      [policy.versionState]: policy.archived.value,
      [policy.versionNumber]: versionNumber(policy, published.values),
      [policy.publishStatus]: policy.unpublished.value,
    },
    false,
  );
  const rules = ctx.schema.table(rule.table) as TableModel;
  for (const row of rowsReferencing(ctx, rule.table, rule.policy, published.id))
    saveRow(
      ctx,
      rules,
      undefined,
      newId(),
      { ...row.values, [rule.policy]: { id: copyId, table: model.logicalName } },
      false,
    );
}

function policyRules(policy: PolicyRole, rule: RuleRole, flow: FlowRole): TableRules {
  /** What a Published policy may change: its housekeeping, and being unpublished. */
  const publishedMayChange: ReadonlySet<string> = new Set([...HOUSEKEEPING, policy.publishStatus]);
  return {
    beforeWrite(ctx, _model, before, after) {
      const values = after.values;
      if (!before) {
        // A new policy starts its own version line. [C: alm.md]
        values[policy.versionId] ??= after.id;
        values[policy.versionState] ??= policy.current.value;
        values[policy.versionNumber] ??= 1;
      }
      if (before && isArchived(policy, before.values)) {
        const changed = changedColumns(before.values, values, new Set(["modifiedon"]));
        if (changed.length > 0)
          throw refuse(
            `Policy ${quoted(policy, before)} version ${versionNumber(policy, before.values)} is ${policy.archived.label}: archived versions cannot be changed (${changed.join(", ")}). Change the ${policy.current.label} version instead.`,
          );
        return;
      }
      const wasPublished = is(before?.values, policy.publishStatus, policy.published);
      const published = is(values, policy.publishStatus, policy.published);
      if (before && wasPublished) {
        const changed = changedColumns(before.values, values, publishedMayChange);
        if (changed.length > 0)
          throw refuse(
            `Policy ${quoted(policy, before)} is ${policy.published.label}: ${changed.join(", ")} cannot change. Unpublish it first (${policy.publishStatus} = ${policy.unpublished.label}), then change it and publish it again.`,
          );
        if (!published) {
          // A policy a published flow uses may be unpublished to be edited: publishing compiled it
          // into the flow's Power Automate logic, which keeps running on the version it was
          // published with, and IOM's versioning exists for exactly this edit. [I: alm.md]
          // The current row moves on to the next version; afterWrite archives the one it leaves.
          values[policy.versionNumber] = versionNumber(policy, before.values) + 1;
        }
      }
      if (published && !wasPublished && rowsReferencing(ctx, rule.table, rule.policy, after.id).length === 0)
        throw refuse(`Policy ${quoted(policy, after)} has no rules: add at least one rule, then publish it.`);
    },
    afterWrite(ctx, model, before, after) {
      if (
        before &&
        is(before.values, policy.publishStatus, policy.published) &&
        !is(after.values, policy.publishStatus, policy.published)
      )
        archive(ctx, policy, rule, model, before);
    },
    beforeDelete(ctx, _model, row) {
      if (is(row.values, policy.publishStatus, policy.published))
        throw refuse(
          `Policy ${quoted(policy, row)} is ${policy.published.label} and cannot be deleted: unpublish it first (${policy.publishStatus} = ${policy.unpublished.label}).`,
        );
      const flows = publishedFlowsUsing(ctx, flow, policyIdsOf, row.id);
      if (flows.length > 0)
        throw refuse(
          `Policy ${quoted(policy, row)} cannot be deleted: published orchestration flow(s) ${flows.join(", ")} use it. Stop (unpublish) them, or remove the policy from their steps, first.`,
        );
    },
  };
}

function ruleRules(rule: RuleRole, policy: PolicyRole): TableRules {
  /** A rule changes only with its policy open: neither Published nor an archived version. */
  function checkPolicyOpen(ctx: Context, policyId: string, row: Named, verb: string): void {
    const owner = ctx.store.get(policy.table, policyId);
    if (!owner) return;
    if (isArchived(policy, owner.values))
      throw refuse(
        `Rule ${quoted(rule, row)} cannot be ${verb}: its policy ${quoted(policy, owner)} is an ${policy.archived.label.toLowerCase()} version, which cannot change.`,
      );
    if (is(owner.values, policy.publishStatus, policy.published))
      throw refuse(
        `Rule ${quoted(rule, row)} cannot be ${verb} while its policy ${quoted(policy, owner)} is ${policy.published.label}: unpublish the policy first (${policy.publishStatus} = ${policy.unpublished.label}).`,
      );
  }
  return {
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
}

// Orchestration flows -----------------------------------------------------------------------------

function flowRules(
  flow: FlowRole,
  policy: PolicyRole,
  provider: ProviderRole,
  logic: DefinitionChildRole,
): TableRules {
  /** What a Published flow may not change (IOM: "Published flows can't be edited"). */
  const frozen = [flow.primaryName, flow.definition];

  function readSteps(row: Draft): FlowStep[] {
    try {
      return readFlowSteps(row.values[flow.definition]);
    } catch (err) {
      if (err instanceof FlowDefinitionError)
        throw refuse(
          `Orchestration flow ${quoted(flow, row)} has a definition that cannot be read: ${err.message}.`,
        );
      throw err;
    }
  }

  /** What stops a flow from being published, all at once: its policies and providers must be live. */
  function publishProblems(ctx: Context, steps: FlowStep[]): string[] {
    const problems = new Set<string>();
    for (const id of policyIdsOf(steps)) {
      const row = ctx.store.get(policy.table, id);
      if (!row) problems.add(`policy ${id} does not exist`);
      else if (isArchived(policy, row.values))
        problems.add(
          `policy ${quoted(policy, row)} (${id}) is an archived version: reference the current one`,
        );
      else if (!is(row.values, policy.publishStatus, policy.published))
        problems.add(`policy ${quoted(policy, row)} is not ${policy.published.label}`);
    }
    for (const step of steps) {
      const action = step.providerAction;
      if (!action) continue;
      const installed = ctx.store.get(provider.table, action.providerId);
      if (!installed) {
        problems.add(`step '${step.name}' calls provider ${action.providerId}, which does not exist`);
        continue;
      }
      if (!is(installed.values, provider.status, provider.activated))
        problems.add(`provider ${quoted(provider, installed)} is not ${provider.activated.label}`);
      const definition = ctx.store.get(logic.table, action.logicDefinitionId);
      if (
        !definition ||
        lookupId(definition.values, logic.definition) !== lookupId(installed.values, provider.definition)
      )
        problems.add(
          `step '${step.name}': ${action.logicDefinitionId} is not a logic definition of provider ${quoted(provider, installed)}'s definition`,
        );
    }
    return [...problems];
  }

  return {
    beforeWrite(ctx, _model, before, after) {
      const wasPublished = is(before?.values, flow.publishStatus, flow.published);
      const published = is(after.values, flow.publishStatus, flow.published);
      if (before && wasPublished) {
        const changed = frozen.filter((c) => !sameValue(before.values[c], after.values[c]));
        if (changed.length > 0)
          throw refuse(
            `Orchestration flow ${quoted(flow, before)} is ${flow.published.label}: its ${changed.join(" and ")} cannot change. Stop it first (${flow.publishStatus} = ${flow.unpublished.label}), edit it, then publish it again.`,
          );
      }
      const publishing = published && !wasPublished;
      if (!publishing && sameValue(before?.values[flow.definition], after.values[flow.definition])) return;
      const steps = readSteps(after);
      if (!publishing) return;
      const problems = publishProblems(ctx, steps);
      if (problems.length > 0)
        throw refuse(
          `Orchestration flow ${quoted(flow, after)} cannot be published: ${problems.join("; ")}. Publish its policies and activate its providers first.`,
        );
    },
    beforeDelete(_ctx, _model, row) {
      if (is(row.values, flow.publishStatus, flow.published))
        throw refuse(
          `Orchestration flow ${quoted(flow, row)} is ${flow.published.label} and cannot be deleted: stop it first (${flow.publishStatus} = ${flow.unpublished.label}).`,
        );
    },
  };
}

/**
 * The rules of IOM's tables, by logical name, for the roles resolved against the served tables
 * (roles.ts). A group of rules whose roles are not all there is left out, and named in `off`.
 */
export function iomRules(roles: IomRoles): { rules: Map<string, TableRules>; off: string[] } {
  const rules = new Map<string, TableRules>();
  const off: string[] = [];
  const { provider, providerConnection, definitionConnection, logicDefinition, policy, rule, flow } = roles;
  if (provider && providerConnection && definitionConnection && flow)
    rules.set(provider.table, providerRules(provider, providerConnection, definitionConnection, flow));
  else off.push("provider activation and deletion");
  if (providerConnection) rules.set(providerConnection.table, connectionRules(providerConnection));
  else off.push("connection activation");
  if (policy && rule && flow) rules.set(policy.table, policyRules(policy, rule, flow));
  else off.push("policy publishing and versions");
  if (rule && policy) rules.set(rule.table, ruleRules(rule, policy));
  else off.push("rules of published policies");
  if (flow && policy && provider && logicDefinition)
    rules.set(flow.table, flowRules(flow, policy, provider, logicDefinition));
  else off.push("orchestration flow publishing");
  return { rules, off };
}
