/* eslint-disable */
/**
 * Generated from schemas/policy-file.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */
import type {Policy} from "./policy.js";

/**
 * A shared policy file (policies/<name>.policy.yaml) that stacks include.
 */
export interface PolicyFile {
  /**
   * The version of this file format; always 1.
   */
  version: 1;
  /**
   * What the policies in this file are for.
   */
  description?: string;
  /**
   * The policies (kind policy).
   *
   * @minItems 1
   */
  policies: [Policy, ...Policy[]];
}
