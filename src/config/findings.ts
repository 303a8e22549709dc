// Findings: what `iom validate` reports. Every finding has a stable code from a closed list, a
// message that names the field, a hint that says how to fix it, and a location.

/** Every code `iom validate` can report, with a one-line description (used for SARIF rules). */
export const FINDING_CODES = {
  "file-not-readable": "The file cannot be read.",
  "file-empty": "The file is empty or holds only comments.",
  "file-too-large": "The file is larger than the validator accepts.",
  "file-not-text": "The file is not UTF-8 text.",
  "file-kind-unknown": "The file name says neither stack (*.iom.yaml) nor policy file (*.policy.yaml).",
  "yaml-syntax": "The file is not well-formed YAML.",
  "yaml-duplicate-key": "A mapping has the same key twice.",
  "yaml-alias-expansion": "Aliases make the file stand for far more data than it holds.",
  "schema-unknown-key": "A key that the schema does not define.",
  "schema-missing-key": "A required key is missing.",
  "schema-wrong-type": "A value has the wrong type.",
  "schema-invalid-value": "A value is outside what the schema allows.",
  "include-not-found": "An included policy file does not exist.",
  "include-invalid": "An included file is not a policy file or includes itself.",
  "duplicate-name": "Two resources of one kind, or two rules or steps in one parent, share a name.",
  "duplicate-natural-key": "Two resources would find and manage the same record or map in the environment.",
  "unknown-provider": "A reference to a provider that is not declared.",
  "unknown-provider-definition": "A provider definition that is not in the offline catalog.",
  "unknown-connection": "A connection that the provider's definition does not have.",
  "unknown-provider-action": "A provider action that the provider's definition does not have.",
  "provider-not-activated": "A published orchestration flow that calls a provider that is not activated.",
  "unknown-policy": "A reference to a policy that is not declared.",
  "policy-type-mismatch": "A policy referenced where a policy of the other type is expected.",
  "action-on-filter-policy": "A set-value action on a filter policy; only execution policies have actions.",
  "operator-not-allowed": "An operator that the condition builder does not offer for the column.",
  "missing-value": "A condition row or field mapping lacks the value its operator or transform needs.",
  "unexpected-value": "A condition row has a value that its operator ignores.",
  "unknown-column": "A column that the table's metadata does not have.",
  "unknown-table": "A table with no metadata to check against.",
  "filter-syntax": "A Dataverse filter that is not a valid OData $filter.",
  "filter-too-complex": "A Dataverse filter nested or chained deeper than the validator follows.",
  "filter-unknown-attribute": "A filter attribute that the table's metadata does not have.",
  "filter-lookup-path":
    "A dual-write filter that follows a lookup to another table, which dual-write does not support.",
  "finops-header-filter": "F&O provider: the sales order headers map lacks a readiness condition.",
  "finops-lines-filter": "F&O provider: the sales order lines map lacks a readiness condition.",
  "finops-ready-to-sync-mapping":
    "F&O provider: msdyn_isreadytosync is not mapped F&O to Dataverse, Default, true.",
  "finops-order-policy": "F&O provider: no policy sets Company or Invoice Customer on orders.",
  "finops-order-product-policy":
    "F&O provider: no policy sets Company, Shipping Site or Shipping Warehouse on order products.",
  "finops-connection": "F&O provider: its Dataverse connection is missing or not activated.",
  "finops-orchestration-action": "F&O provider: no orchestration flow calls its provider action.",
  "unknown-dual-write-map": "A dual-write map that the environment's gateway does not list.",
  "secret-config-reserved":
    "A secret parameter's config key is one of iom-gitops's own settings (iom:clientSecret, iom:token, ...).",
  "secret-config-missing": "A secret parameter's config key is not set in the stack's config.",
  "secret-config-not-secret": "A secret parameter's config key is set in plain text, not with --secret.",
} as const;

export type FindingCode = keyof typeof FINDING_CODES;
export type Severity = "error" | "warning";

/** A place in a file; lines and columns are 1-based, the end is exclusive. */
export interface Location {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface Finding extends Location {
  code: FindingCode;
  severity: Severity;
  /** What is wrong, naming the field. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** JSON pointer of the value inside the file, when the finding is about one. */
  pointer?: string;
}

/** Sorts by file, line, column, then code, and drops exact duplicates (same file found twice). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique: Finding[] = [];
  for (const f of findings) {
    const key = `${f.file}\0${f.line}\0${f.column}\0${f.code}\0${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(f);
  }
  return unique.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** JSON pointer (RFC 6901) of a path. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** A readable path for messages: policies[0].rules[2].when. */
export function describePath(path: readonly (string | number)[]): string {
  let out = "";
  for (const s of path) out += typeof s === "number" ? `[${s}]` : out === "" ? s : `.${s}`;
  return out === "" ? "the document" : out;
}
