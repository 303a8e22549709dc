// The policy kind's Dataverse calls: which rows, which columns, which writes. Table names, entity
// sets, primary columns, option values and the rule's navigation property all come from the
// environment's metadata, resolved once per provider call.
import {
  and,
  eq,
  etagOf,
  guid,
  recordPath,
  UnexpectedResponseError,
  type BatchOperation,
  type DataverseRecord,
} from "../../dataverse/index.js";
import { columns, policyVersionState, primaryColumns, publishStatus, type Choice } from "../../iom/facts.js";
import { updateIfUnchanged } from "../common/concurrency.js";
import { bind, choiceValue, readChildren, readRecord, rowId } from "../common/records.js";
import type { Session } from "../runtime/session.js";
import { currentPolicyFilter, isCurrentPolicy } from "./current.js";
import { PolicyError } from "./errors.js";
import {
  CRITICALITY_CHOICES,
  ENTITY_CHOICES,
  TYPE_CHOICES,
  type ExistingRule,
  type PolicyOptionValues,
} from "./rows.js";

export const POLICY_TABLE = "msdyn_iompolicy";
export const RULE_TABLE = "msdyn_iomrule";

const p = columns.policy;
const r = columns.rule;

/** What one provider call knows about the policy tables of this environment. */
export interface PolicyTables {
  s: Session;
  policySet: string;
  policyId: string;
  policyName: string;
  ruleSet: string;
  ruleId: string;
  ruleName: string;
  values: PolicyOptionValues;
}

async function optionValues<K extends string>(
  s: Session,
  table: string,
  column: string,
  choices: Readonly<Record<K, Choice>>,
): Promise<Record<K, number>> {
  const entries = await Promise.all(
    Object.entries<Choice>(choices).map(async ([word, choice]) => [
      word,
      await choiceValue(s, table, column, choice),
    ]),
  );
  return Object.fromEntries(entries) as Record<K, number>;
}

export async function policyTables(s: Session): Promise<PolicyTables> {
  const [policy, rule, type, criticality, entity, ruleEntity, published, unpublished, current, archived] =
    await Promise.all([
      s.client.metadata.entity(POLICY_TABLE),
      s.client.metadata.entity(RULE_TABLE),
      optionValues(s, POLICY_TABLE, p.policyType, TYPE_CHOICES),
      optionValues(s, POLICY_TABLE, p.criticality, CRITICALITY_CHOICES),
      optionValues(s, POLICY_TABLE, p.associatedEntity, ENTITY_CHOICES),
      optionValues(s, RULE_TABLE, r.associatedEntity, ENTITY_CHOICES),
      choiceValue(s, POLICY_TABLE, p.publishStatus, publishStatus.published),
      choiceValue(s, POLICY_TABLE, p.publishStatus, publishStatus.unpublished),
      choiceValue(s, POLICY_TABLE, p.versionState, policyVersionState.current),
      choiceValue(s, POLICY_TABLE, p.versionState, policyVersionState.archived),
    ]);
  return {
    s,
    policySet: policy.entitySetName,
    policyId: policy.primaryIdAttribute,
    policyName: policy.primaryNameAttribute ?? primaryColumns[POLICY_TABLE].name,
    ruleSet: rule.entitySetName,
    ruleId: rule.primaryIdAttribute,
    ruleName: rule.primaryNameAttribute ?? primaryColumns[RULE_TABLE].name,
    values: { type, criticality, entity, ruleEntity, published, unpublished, current, archived },
  };
}

function policySelect(t: PolicyTables): [string, ...string[]] {
  return [
    t.policyId,
    t.policyName,
    p.description,
    p.policyType,
    p.criticality,
    p.associatedEntity,
    p.publishStatus,
    p.versionState,
    p.versionId,
  ];
}

/**
 * The policy's row, or undefined when it is gone. A row that is not current (./current.ts) is a
 * version IOM keeps as history, never the policy itself: it counts as gone.
 */
export async function readPolicy(t: PolicyTables, id: string): Promise<DataverseRecord | undefined> {
  const row = await t.s.client.retrieveIfExists(t.policySet, id, { select: policySelect(t) });
  return row && isCurrentPolicy(row, t.values.current) ? row : undefined;
}

/**
 * `readPolicy` for a refresh: the same row, but the reads of many policies refreshed together are
 * sent as one query (readRecord in src/resources/common/records.ts).
 */
export async function refreshPolicy(t: PolicyTables, id: string): Promise<DataverseRecord | undefined> {
  const row = await readRecord(t.s, POLICY_TABLE, id, policySelect(t));
  return row && isCurrentPolicy(row, t.values.current) ? row : undefined;
}

/**
 * The current (not archived) policy with this name, or undefined. IOM keeps names unique; several
 * current rows of one name cannot be told apart, so that is an error rather than a guess.
 */
export async function findCurrentPolicy(t: PolicyTables, name: string): Promise<DataverseRecord | undefined> {
  const rows = await t.s.client.list(t.policySet, {
    select: policySelect(t),
    filter: and(eq(t.policyName, name), currentPolicyFilter(t.values.current)),
  });
  if (rows.length > 1)
    throw new PolicyError(
      "duplicate-policy",
      "name",
      `the environment has ${rows.length} current policies named '${name}' (${rows.map((row) => rowId(row, t.policyId)).join(", ")})`,
      "delete or rename all but one in IOM, then apply again",
    );
  return rows[0];
}

export function isPublished(t: PolicyTables, row: DataverseRecord): boolean {
  return row[p.publishStatus] === t.values.published;
}

/** A rule as read, with the version (ETag) its update or delete is made on. */
export interface ListedRule extends ExistingRule {
  etag: string | undefined;
}

/** The policy's rules (archived versions' rules belong to the archived rows, not to this id). */
export async function listRules(t: PolicyTables, policyId: string): Promise<ListedRule[]> {
  const rows = await t.s.client.list(t.ruleSet, {
    select: [t.ruleId, t.ruleName, r.ruleDefinition, r.associatedEntity],
    filter: eq(`_${r.policy}_value`, guid(policyId)),
    orderBy: [t.ruleName],
  });
  return rows.map((row) => ({
    id: rowId(row, t.ruleId),
    etag: etagOf(row),
    columns: {
      [t.ruleName]: row[t.ruleName] ?? null,
      [r.ruleDefinition]: row[r.ruleDefinition] ?? null,
      [r.associatedEntity]: row[r.associatedEntity] ?? null,
    },
  }));
}

/** `listRules` for a refresh: the rules of many policies refreshed together come in one query. */
export async function refreshRules(t: PolicyTables, policyId: string): Promise<ListedRule[]> {
  const select: [string, ...string[]] = [t.ruleId, t.ruleName, r.ruleDefinition, r.associatedEntity];
  const rows = await readChildren(t.s, RULE_TABLE, r.policy, policyId, select, [t.ruleName]);
  return rows.map((row) => ({
    id: rowId(row, t.ruleId),
    etag: etagOf(row),
    columns: Object.fromEntries(select.slice(1).map((column) => [column, row[column] ?? null])),
  }));
}

/** Publishes or unpublishes: IOM's Publish button, and unpublishing's archived copy, are IOM's own. */
export async function setPublished(t: PolicyTables, id: string, published: boolean): Promise<void> {
  await t.s.client.update(t.policySet, id, publishColumns(t, published));
}

/**
 * Publishes or unpublishes the version of the policy that was read (`etag`), and returns the
 * version that results: refused with 412 when someone changed the policy since.
 */
export function setPublishedIfUnchanged(
  t: PolicyTables,
  id: string,
  published: boolean,
  etag: string,
): Promise<string> {
  return updateIfUnchanged(t.s.client, t.policySet, id, t.policyId, publishColumns(t, published), etag);
}

function publishColumns(t: PolicyTables, published: boolean): DataverseRecord {
  return { [p.publishStatus]: published ? t.values.published : t.values.unpublished };
}

/** A create of a row with a client-chosen id, as a change set part. */
export function createOperation(
  set: string,
  idColumn: string,
  id: string,
  body: DataverseRecord,
): BatchOperation {
  return { method: "POST", path: set, body: { ...body, [idColumn]: id } };
}

/**
 * An update of the version that was read (If-Match: its ETag; "*" only never creates), as a change
 * set part. A 412 on one part fails the whole change set: nothing of it is applied.
 */
export function updateOperation(
  set: string,
  id: string,
  body: DataverseRecord,
  etag = "*",
  returnVersion = false,
): BatchOperation {
  return {
    method: "PATCH",
    path: recordPath(set, id),
    body,
    headers: { "If-Match": etag, ...(returnVersion ? { Prefer: "return=representation" } : {}) },
  };
}

/** A delete, as a change set part; with an ETag, only of the version that was read. */
export function deleteOperation(set: string, id: string, etag?: string): BatchOperation {
  return { method: "DELETE", path: recordPath(set, id), ...(etag ? { headers: { "If-Match": etag } } : {}) };
}

/** The rule's lookup to its policy, bound by the navigation property the environment names. */
export function policyBinding(t: PolicyTables, policyId: string): Promise<DataverseRecord> {
  return bind(t.s, RULE_TABLE, r.policy, POLICY_TABLE, policyId);
}

/**
 * Applies writes that belong together in one change set: Dataverse applies all or none, so a
 * failure leaves the policy as it was. The first failure is thrown, typed (a stale ETag as
 * PreconditionFailedError). Returns the ETag the answer to part `versionOf` carries (a part sent
 * with `returnVersion`), when asked.
 */
export async function applyChangeSet(
  t: PolicyTables,
  operations: readonly BatchOperation[],
  versionOf?: number,
): Promise<string | undefined> {
  if (operations.length === 0) return undefined;
  const [result] = await t.s.client.batch([{ kind: "changeset", requests: operations }]);
  if (result?.error) throw result.error;
  if (versionOf === undefined) return undefined;
  const answer = result?.responses[versionOf];
  const body = answer?.body;
  const etag =
    (typeof body === "object" && body !== null ? etagOf(body as DataverseRecord) : undefined) ??
    Object.entries(answer?.headers ?? {}).find(([name]) => name.toLowerCase() === "etag")?.[1];
  if (etag === undefined)
    throw new UnexpectedResponseError("the change set's answer has no ETag for the updated policy", {
      method: "POST",
      path: "$batch",
    });
  return etag;
}
