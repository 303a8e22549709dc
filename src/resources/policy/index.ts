// The policy kind, program side: a policy with its rules, published or not.
import type * as pulumi from "@pulumi/pulumi";
import type { Policy as PolicySpec } from "../../generated/policy.js";
import { IomResource } from "../common/dynamic.js";

export interface PolicyInputs extends PolicySpec {
  /** The record id this stack creates the policy with (../common/ids.ts). */
  recordId: string;
}

export class Policy extends IomResource {
  constructor(name: string, args: PolicyInputs, opts?: pulumi.CustomResourceOptions) {
    super("policy", name, { ...args }, opts);
  }
}
