// The policy kind inside the provider plugin: one msdyn_iompolicy row and one msdyn_iomrule row per
// rule, published or not, following IOM's versioning: a published policy and its rules cannot
// change, so a change unpublishes, writes, and publishes again; unpublishing leaves an archived
// copy, which is history and never ours (every lookup skips archived rows).
//
// Natural key (adoption): the policy's name among current versions. Found with this stack's
// derived id, it is an interrupted create of ours and is finished; found with another id, it is
// adopted and brought to the desired state.
import { ENTITY_TABLES } from "../../config/checks/policies.js";
import {
  and,
  eq,
  guid,
  NotFoundError,
  type BatchOperation,
  type DataverseRecord,
} from "../../dataverse/index.js";
import {
  RuleDefinitionFormatError,
  decodeRuleDefinition,
  encodeRuleDefinition,
} from "../../iom/formats/rule-definition.js";
import type { Policy, PolicyRule } from "../../generated/policy.js";
import { columns } from "../../iom/facts.js";
import type { TableDefinition } from "../../iom/tables/types.js";
import { isStale, requireVersion, versionOf, withReread } from "../common/concurrency.js";
import { derivedId } from "../common/ids.js";
import { rowId } from "../common/records.js";
import { PartialApplyError, type KindImplementation, type Outputs, type Stored } from "../runtime/kind.js";
import {
  applyChangeSet,
  createOperation,
  deleteOperation,
  findCurrentPolicy,
  isPublished,
  listRules,
  policyBinding,
  policyTables,
  readPolicy,
  refreshPolicy,
  refreshRules,
  setPublished,
  setPublishedIfUnchanged,
  updateOperation,
  type PolicyTables,
} from "./api.js";
import { PolicyError } from "./errors.js";
import type { PolicyInputs } from "./index.js";
import { sessionMetadata, type RuleMetadata } from "./metadata.js";
import {
  canonicalPolicy,
  changedColumns,
  inYamlOrder,
  planRules,
  policyColumns,
  policyHeader,
  ruleColumns,
  ruleKey,
  type DesiredRule,
  type ExistingRule,
} from "./rows.js";
import { storeRule, yamlRule } from "./rules.js";
import { isDeepStrictEqual } from "node:util";

type PolicyOutputs = Outputs<PolicyInputs>;
/** A policy's outputs in state: what `recorded` keeps, or the outputs whole in an older state. */
type PolicyState = Stored<PolicyOutputs>;

/** The YAML of a policy, without the program's inputs and the recorded outputs. */
function yamlOf(inputs: PolicyInputs): Policy {
  const { recordId: _recordId, organizationId: _org, adopted: _adopted, ...policy } = inputs as PolicyOutputs;
  return policy;
}

/** The table the policy's columns belong to; undefined for entities whose tables are unpublished. */
async function entityTable(md: RuleMetadata, entity: Policy["entity"]): Promise<TableDefinition | undefined> {
  const name = ENTITY_TABLES[entity];
  if (!name) return undefined;
  const table = await md.table(name);
  if (table) return table;
  throw new PolicyError(
    "unknown-table",
    "entity",
    `the environment has no table '${name}' for the associated entity '${entity}'`,
    "check that the environment has Dynamics 365 Sales orders installed",
  );
}

/** The rows the YAML asks for. Every name and label is resolved before anything is written. */
interface Desired {
  columns: DataverseRecord;
  rules: DesiredRule[];
  published: boolean;
}

async function desiredRows(t: PolicyTables, md: RuleMetadata, policy: Policy): Promise<Desired> {
  const table = await entityTable(md, policy.entity);
  const rules = await Promise.all(
    policy.rules.map(async (rule, i) => {
      const definition = encodeRuleDefinition(await storeRule(md, table, rule, `rules[${i}]`));
      return {
        name: rule.name,
        columns: ruleColumns(rule.name, definition, policy.entity, t.values, t.ruleName),
      };
    }),
  );
  return { columns: policyColumns(policy, t.values, t.policyName), rules, published: policy.published };
}

/**
 * Brings an existing policy to the desired rows. Unpublishes only when something must change (or
 * the YAML unpublishes it); the policy's columns and its rule writes go in one change set, so a
 * failure leaves the policy as it was; publishes last. Each step is safe to repeat, so a run that
 * stops half-way converges on the next.
 *
 * Every write is made on the version it was decided on: the policy's ETag as read, then the one
 * each of our own writes returns (unpublish, the change set, publish); each rule's ETag as listed.
 * Someone else's change in between fails the write with 412 instead of being written over.
 */
async function converge(
  t: PolicyTables,
  id: string,
  row: DataverseRecord,
  desired: Desired,
  recordId: string,
  run: { unpublished: boolean } = { unpublished: false },
): Promise<void> {
  let version = versionOf(row, `the policy ${id}`);
  const policyChanges = changedColumns(row, desired.columns);
  const rules = await listRules(t, id);
  const ruleVersion = new Map(
    rules.map((rule) => [rule.id, requireVersion(rule.etag, `the rule ${rule.id}`)]),
  );
  const plan = planRules(rules, desired.rules, t.ruleName);
  const editPolicy = Object.keys(policyChanges).length > 0;
  // Deletes first: a rule renamed in IOM keeps the id derived from its old name, which the YAML's
  // rule of that name is created with again.
  const ruleOperations = [
    ...plan.delete.map((ruleId) => deleteOperation(t.ruleSet, ruleId, ruleVersion.get(ruleId))),
    ...plan.update.map((u) => updateOperation(t.ruleSet, u.id, u.changes, ruleVersion.get(u.id))),
    ...(await Promise.all(plan.create.map((rule) => createRule(t, id, recordId, rule)))),
  ];
  let published = isPublished(t, row);
  if (published && (editPolicy || ruleOperations.length > 0 || !desired.published)) {
    version = await setPublishedIfUnchanged(t, id, false, version);
    published = false;
    run.unpublished = desired.published;
  }
  try {
    // The policy's own update goes first and answers with its new version, for the publish below.
    const operations = [
      ...(editPolicy ? [updateOperation(t.policySet, id, policyChanges, version, true)] : []),
      ...ruleOperations,
    ];
    version = (await applyChangeSet(t, operations, editPolicy ? 0 : undefined)) ?? version;
    if (desired.published && !published) await setPublishedIfUnchanged(t, id, true, version);
  } catch (error) {
    // A refusal because someone else changed the policy is decided again from a fresh read
    // (convergeOnFreshRead); any other failure after the unpublish leaves the policy unpublished,
    // and says so: the change set itself is all or nothing, so its rules are as they were.
    if (!run.unpublished || isStale(error)) throw error;
    throw new PolicyUnpublished(error);
  }
}

/**
 * A policy this run unpublished to change it, left unpublished by a failure after that. The
 * update turns it into a partial apply, so that state says unpublished and the next `up` publishes.
 */
class PolicyUnpublished extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * converge(), and when a write meets a version someone else made after our read (412), once more
 * from a fresh read. Re-applying is right for a policy: the YAML describes all of its managed
 * columns and the whole set of its rules, so deciding again on the rows as they are now writes
 * exactly what it would have written had the other change come before our read, and IOM keeps the
 * version that was unpublished on the way as an archived copy. A second refusal is an error that
 * names the policy.
 */
async function convergeOnFreshRead(
  t: PolicyTables,
  id: string,
  row: DataverseRecord,
  desired: Desired,
  recordId: string,
  name: string,
): Promise<void> {
  // Whether this run unpublished the policy, across the attempts: a failure after that says so.
  const run = { unpublished: false };
  await withReread(`the policy '${name}' (${t.policySet}(${id}))`, async (attempt) => {
    const current = attempt === 0 ? row : await readPolicy(t, id);
    if (!current)
      throw new NotFoundError(`the policy ${id} was deleted while it was being updated`, {
        hint: "It was deleted outside iom-gitops: run `pulumi refresh`, then `pulumi up` creates it again.",
      });
    await converge(t, id, current, desired, recordId, run);
  });
}

async function createRule(
  t: PolicyTables,
  policyId: string,
  recordId: string,
  rule: DesiredRule,
): Promise<BatchOperation> {
  // Derived from the stack's record id and the rule's name: a create whose answer was lost meets
  // its own id on the retry instead of making a second rule.
  return createOperation(t.ruleSet, t.ruleId, derivedId(recordId.toLowerCase(), ruleKey(rule.name)), {
    ...rule.columns,
    ...(await policyBinding(t, policyId)),
  });
}

/** The policy's rules, as read, in the YAML's words; `hints` are the rules as last applied. */
async function readRules(
  t: PolicyTables,
  md: RuleMetadata,
  existing: readonly ExistingRule[],
  entity: Policy["entity"],
  hints: readonly PolicyRule[],
): Promise<PolicyRule[]> {
  const table = await entityTable(md, entity);
  const byName = new Map(hints.map((rule) => [ruleKey(rule.name), rule]));
  const rules = await Promise.all(
    existing.map(async (rule) => {
      const name = String(rule.columns[t.ruleName] ?? "");
      const path = `rules['${name}']`;
      let stored;
      try {
        stored = decodeRuleDefinition(rule.columns[columns.rule.ruleDefinition]);
      } catch (error) {
        if (!(error instanceof RuleDefinitionFormatError)) throw error;
        throw new PolicyError(
          "unreadable-rule",
          path,
          `the rule's definition cannot be read (${error.message})`,
          "it was probably edited in IOM's designer; run `pulumi up` to write the YAML's rule again, or describe the rule in the YAML",
        );
      }
      return yamlRule(md, table, name, stored, path, byName.get(ruleKey(name)));
    }),
  );
  return inYamlOrder(rules, hints);
}

/**
 * The rules as they are to be kept in state for a refresh to word them as the YAML does: none when
 * reading the stored rules back, with no rules to follow, words and orders them exactly so (the
 * common case: display names, the operators' words), else the rules whole. Reading back is
 * deterministic for given metadata, so this is decided once, when the rules are written or read.
 */
async function rulesToKeep(
  md: RuleMetadata,
  entity: Policy["entity"],
  rules: readonly PolicyRule[],
): Promise<PolicyRule[] | undefined> {
  try {
    const table = await entityTable(md, entity);
    const back = await Promise.all(
      rules.map(async (rule, i) =>
        yamlRule(md, table, rule.name, await storeRule(md, table, rule, `rules[${i}]`), `rules[${i}]`),
      ),
    );
    if (isDeepStrictEqual(inYamlOrder(back, []), rules)) return undefined;
  } catch (error) {
    // A rule this cannot read back (one that no longer resolves) is kept: the safe side.
    if (!(error instanceof PolicyError || error instanceof RuleDefinitionFormatError)) throw error;
  }
  return [...rules];
}

export const policy: KindImplementation<PolicyInputs, PolicyOutputs, PolicyState> = {
  label: "policy",
  schema: "policy",
  programInputs: ["recordId"],

  canonical(inputs) {
    return canonicalPolicy(yamlOf(inputs));
  },

  // A policy's inputs are all in the environment: its row and its rules. State keeps what is not:
  // the organization, whether the stack adopted it (and then its own record id, which the id no
  // longer is), an empty description (Dataverse stores none), and the rules' words where reading
  // them back would not find them. A refresh then reads the rest back, and the diff compares the
  // inputs' fingerprint (../runtime/kind.ts).
  async recorded(outs, s) {
    const rules = await rulesToKeep(sessionMetadata(s), outs.entity, outs.rules);
    return {
      organizationId: outs.organizationId,
      ...(outs.adopted ? { adopted: true, recordId: outs.recordId } : {}),
      ...(outs.description === "" ? { description: "" } : {}),
      ...(rules ? { rules } : {}),
    };
  },

  async create(inputs, s) {
    const t = await policyTables(s);
    const desired = await desiredRows(t, sessionMetadata(s), yamlOf(inputs));
    const recordId = inputs.recordId.toLowerCase();
    const found = await findCurrentPolicy(t, inputs.name);
    if (found) {
      const id = rowId(found, t.policyId);
      await convergeOnFreshRead(t, id, found, desired, recordId, inputs.name);
      return { id, outs: { ...inputs, organizationId: s.organizationId, adopted: id !== recordId } };
    }
    const outs = { ...inputs, organizationId: s.organizationId, adopted: false };
    // The policy and its rules in one change set: an interrupted create leaves all or nothing.
    const rules = await Promise.all(desired.rules.map((rule) => createRule(t, recordId, recordId, rule)));
    await applyChangeSet(t, [
      createOperation(t.policySet, t.policyId, recordId, {
        ...desired.columns,
        [columns.policy.publishStatus]: t.values.unpublished,
      }),
      ...rules,
    ]);
    if (desired.published) {
      try {
        await setPublished(t, recordId, true);
      } catch (error) {
        // The policy exists, unpublished: the engine keeps it, and the next `up` publishes it.
        throw new PartialApplyError(
          `the policy was created but not published: ${(error as Error).message}`,
          recordId,
          { ...outs, published: false },
        );
      }
    }
    return { id: recordId, outs };
  },

  async read(id, outs, s) {
    const t = await policyTables(s);
    // The rules are read beside the row, not after it (a policy that is gone has none), each in
    // one query with those of the other policies refreshed at the same time.
    const [row, existing] = await Promise.all([refreshPolicy(t, id), refreshRules(t, id)]);
    if (!row) return undefined;
    const header = policyHeader(row, t.values, t.policyName, outs);
    const rules = await readRules(t, sessionMetadata(s), existing, header.entity, outs.rules ?? []);
    return {
      ...header,
      rules: rules as Policy["rules"],
      // Kept only when adopted: the record id of a policy this stack created is its id.
      recordId: outs.recordId ?? id,
      organizationId: outs.organizationId,
      adopted: outs.adopted ?? false,
    };
  },

  async update(id, olds, news, s) {
    const t = await policyTables(s);
    const desired = await desiredRows(t, sessionMetadata(s), yamlOf(news));
    const row = await readPolicy(t, id);
    if (!row)
      throw new NotFoundError(`the policy ${id} no longer exists`, {
        hint: "It was deleted outside iom-gitops: run `pulumi refresh`, then `pulumi up` creates it again.",
      });
    try {
      await convergeOnFreshRead(t, id, row, desired, news.recordId, news.name);
    } catch (error) {
      if (!(error instanceof PolicyUnpublished)) throw error;
      // State says unpublished, so that the next `up` changes and publishes it again. From the new
      // inputs: the old ones may not be in state (`recorded`), and any difference will do.
      throw new PartialApplyError(
        `the policy '${news.name}' was unpublished to be changed, and then: ${error.message}. ` +
          "Its rules are as they were (the change is all or nothing), but it is left unpublished: " +
          "orchestration flows cannot use it. Run `pulumi up` again, or publish it in IOM",
        id,
        { ...news, organizationId: olds.organizationId, adopted: olds.adopted ?? false, published: false },
      );
    }
    return { ...news, organizationId: olds.organizationId, adopted: olds.adopted ?? false };
  },

  async delete(id, outs, s) {
    // An adopted policy was someone else's before this stack: it is released, not deleted.
    if (outs.adopted && !s.deleteAdopted) return;
    const t = await policyTables(s);
    const row = await readPolicy(t, id);
    if (!row) return;
    // IOM refuses to delete a published policy; its rules go with it (parental cascade).
    if (isPublished(t, row)) await setPublished(t, id, false);
    // The archived versions IOM kept of this stack's policy (one per unpublish) are its history:
    // they go with it, so destroy leaves nothing of the policy behind.
    const versionId = row[columns.policy.versionId];
    const archives =
      typeof versionId === "string"
        ? await s.client.list(t.policySet, {
            select: [t.policyId],
            filter: and(
              eq(columns.policy.versionId, guid(versionId)),
              eq(columns.policy.versionState, t.values.archived),
            ),
          })
        : [];
    await s.client.delete(t.policySet, id, { ignoreMissing: true });
    for (const archive of archives)
      await s.client.delete(t.policySet, String(archive[t.policyId]), { ignoreMissing: true });
  },
};
