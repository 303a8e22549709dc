/* eslint-disable */
/**
 * Generated from schemas/orchestration-flow.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * An IOM orchestration flow and its steps, published or not.
 */
export interface OrchestrationFlow {
  /**
   * The flow's name, unique in the environment.
   */
  name: string;
  /**
   * The orchestration type; IOM offers "order orchestration".
   */
  type: "order orchestration";
  /**
   * What the flow is for.
   */
  description?: string;
  /**
   * Whether the flow is published (runs on incoming orders). A published flow is stopped, edited and republished to change it.
   */
  published: boolean;
  /**
   * The flow's steps (tiles), in order.
   *
   * @minItems 1
   */
  steps: [OrchestrationStep, ...OrchestrationStep[]];
}
/**
 * One tile of the flow.
 */
export interface OrchestrationStep {
  /**
   * The step's name, unique within the flow, for example "Send Order to FinOps for Fulfillment".
   */
  name: string;
  /**
   * The kind of tile.
   */
  type:
    | "validate order header"
    | "validate order line"
    | "send to DOM"
    | "assign fulfillment source"
    | "send to fulfillment"
    | "send to fulfillment - finance and operations apps"
    | "send to invoice"
    | "custom"
    | "condition"
    | "splitter"
    | "condition merge"
    | "splitter merge";
  /**
   * The business events that start the step, by name.
   */
  inputEvents?: string[];
  /**
   * Filter policies (by name) that decide whether the step runs.
   */
  filterPolicies?: string[];
  /**
   * Execution policies (by name) run by the step.
   */
  executionPolicies?: string[];
  /**
   * The provider action the step calls.
   */
  providerAction?: {
    /**
     * The name of the provider (an entry of `providers`).
     */
    provider: string;
    /**
     * The action, as the provider's definition names it.
     */
    action: string;
  };
}
