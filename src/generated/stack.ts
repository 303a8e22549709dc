/* eslint-disable */
/**
 * Generated from schemas/stack.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */
import type {DualWriteMap} from "./dual-write-map.js";
import type {IomProvider} from "./iom-provider.js";
import type {OrchestrationFlow} from "./orchestration-flow.js";
import type {Policy} from "./policy.js";
import type {ProviderConnection} from "./provider-connection.js";

/**
 * The desired IOM state of one stack (stacks/<stack>.iom.yaml). The environment it targets comes from the Pulumi stack it belongs to; it holds no secrets.
 */
export interface StackDesiredState {
  /**
   * The version of this file format; always 1.
   */
  version: 1;
  /**
   * What this stack's configuration is for.
   */
  description?: string;
  /**
   * Shared policy files (policies/<name>.policy.yaml), relative to this file; their policies join this stack's.
   */
  include?: string[];
  /**
   * Installed IOM providers (kind iom-provider).
   */
  providers?: IomProvider[];
  /**
   * Connections of the installed providers (kind provider-connection).
   */
  connections?: ProviderConnection[];
  /**
   * Dual-write table maps to filter and map for IOM (kind dual-write-map).
   */
  dualWriteMaps?: DualWriteMap[];
  /**
   * Policies defined in this file (kind policy), in addition to the included ones.
   */
  policies?: Policy[];
  /**
   * Orchestration flows (kind orchestration-flow).
   */
  orchestrationFlows?: OrchestrationFlow[];
}
