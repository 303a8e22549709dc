// The orchestration flow kind, program side: a flow and its steps, published or not.
import type * as pulumi from "@pulumi/pulumi";
import type { OrchestrationFlow as OrchestrationFlowSpec } from "../../generated/orchestration-flow.js";
import { iomResourceClass } from "../common/dynamic.js";

export interface OrchestrationFlowInputs extends OrchestrationFlowSpec {
  /** The record id this stack creates the flow with (../common/ids.ts). */
  recordId: string;
  /** Installed provider record ids by the providers' names in the configuration. */
  providerIds: Record<string, pulumi.Input<string>>;
}

export const OrchestrationFlow = iomResourceClass<OrchestrationFlowInputs>("orchestration-flow");
export type OrchestrationFlow = InstanceType<typeof OrchestrationFlow>;
