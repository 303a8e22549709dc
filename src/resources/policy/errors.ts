// The policy kind's own errors: a YAML rule that does not fit the environment's tables, or an
// environment whose policy rows iom-gitops cannot take as they are. Dataverse's own failures stay
// DataverseErrors; the resource adapter (../runtime/kind.ts) prefixes the resource's name.

export type PolicyErrorCode =
  /** A field or set-value column the table does not have. */
  | "unknown-column"
  /** The associated entity's table, or a related table, is missing from the environment. */
  | "unknown-table"
  /** A related entity that is neither a lookup of the table nor a table. */
  | "unknown-related-entity"
  /** A lookup that can point to several tables, so the relation is not clear. */
  | "ambiguous-relation"
  /** A value the column cannot hold (a choice column given something that is not a label). */
  | "invalid-value"
  /** Two rules of one policy with the same name. */
  | "duplicate-rule"
  /** Several current policies with the policy's name: which one to manage is not clear. */
  | "duplicate-policy"
  /** A policy row whose option value is none of the choices iom-gitops knows. */
  | "unknown-choice"
  /** A stored rule definition iom-gitops did not write or cannot read. */
  | "unreadable-rule";

export class PolicyError extends Error {
  override readonly name = "PolicyError";
  constructor(
    readonly code: PolicyErrorCode,
    /** Where in the policy's YAML, e.g. "rules[0].when.and[1].field"; "" for the whole policy. */
    readonly path: string,
    problem: string,
    /** What to do about it, when the problem does not already say. */
    readonly hint?: string,
  ) {
    super(`${path ? `${path}: ` : ""}${problem}${hint ? `; ${hint}` : ""}`);
  }
}
