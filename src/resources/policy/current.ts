// What "the current policy" means, once, for the policy kind, the orchestration flow kind (which
// resolves policy names) and `iom import`: IOM keeps a policy's history as Archived copies
// (PolicyVersionState, IOM:alm.md); the row that is the policy is the one whose version state is
// Current, or was never set (a policy created before versioning, or by a client that leaves it
// empty). Anything else is not the policy.
import { eq, or, type DataverseRecord, type Filter } from "../../dataverse/index.js";
import { columns } from "../../iom/facts.js";

const versionState = columns.policy.versionState;

/**
 * The $filter of current policy rows, given the environment's value of "Current". Written as
 * "current or null" because `ne archived` would leave the nulls out under SQL's rules.
 */
export function currentPolicyFilter(current: number): Filter {
  return or(eq(versionState, current), eq(versionState, null));
}

/** Whether a read row is the current version of its policy (the same rule as the filter). */
export function isCurrentPolicy(row: DataverseRecord, current: number): boolean {
  const state = row[versionState];
  return state === current || state === null || state === undefined;
}
