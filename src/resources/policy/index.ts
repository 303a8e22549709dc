// The policy kind, program side: a policy with its rules, published or not.
import type { Policy as PolicySpec } from "../../generated/policy.js";
import { iomResourceClass } from "../common/dynamic.js";

export interface PolicyInputs extends PolicySpec {
  /** The record id this stack creates the policy with (../common/ids.ts). */
  recordId: string;
}

export const Policy = iomResourceClass<PolicyInputs>("policy");
export type Policy = InstanceType<typeof Policy>;
