// Where each fact about IOM and dual-write comes from. Much of IOM is undocumented, so every name,
// value, label, format and endpoint the code relies on is declared once as a Fact: the value and
// its evidence. The code works with the plain values (`valuesOf`); `docs/evidence.md` is generated
// from the facts (scripts/generate-evidence.mjs), and a unit test fails on a fact whose evidence
// is missing or names an unknown source.

/** The public sources a fact can cite, by the short name used in citations. */
export const sources = {
  SHOPIFY: {
    kind: "microsoft",
    title: "microsoft/iom-provider-shopify: an exported, unpacked IOM provider solution",
    url: "https://github.com/microsoft/iom-provider-shopify",
  },
  DWA: {
    kind: "microsoft",
    title: "microsoft/Dual-write-automations, DWLibary/: Microsoft's client of the dual-write gateway",
    url: "https://github.com/microsoft/Dual-write-automations/tree/main/DWLibary",
  },
  IOM: {
    kind: "microsoft",
    title:
      "Intelligent Order Management docs (MicrosoftDocs/dynamics-365-intelligent-order-management, topics/)",
    url: "https://learn.microsoft.com/dynamics365/intelligent-order-management/",
  },
  DW: {
    kind: "microsoft",
    title:
      "Dual-write docs (MicrosoftDocs/dynamics-365-unified-operations-public, .../data-entities/dual-write/)",
    url: "https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/data-entities/dual-write/",
  },
  PA: {
    kind: "microsoft",
    title: "Dataverse developer docs (MicrosoftDocs/powerapps-docs, developer/data-platform/)",
    url: "https://learn.microsoft.com/power-apps/developer/data-platform/",
  },
  SALES: {
    kind: "microsoft",
    title: "Dynamics 365 Sales / Field Service table references (salesorder, salesorderdetail)",
    url: "https://learn.microsoft.com/dynamics365/sales/developer/entities/salesorder",
  },
  MAPVIEWER: {
    kind: "third-party",
    title: "OliverFlint/pptb-dual-write-map-viewer: reads msdyn_dualwriteentitymap",
    url: "https://github.com/OliverFlint/pptb-dual-write-map-viewer",
  },
} as const;

export type SourceName = keyof typeof sources;

/** A citation: a source's short name and the path or page within it, e.g. "IOM:alm.md". */
export type Citation = `${SourceName}:${string}`;

export type Evidence =
  /** Stated or shown by a Microsoft source. */
  | { readonly kind: "confirmed"; readonly cite: Citation }
  /** Seen only in third-party code or writing. */
  | { readonly kind: "third-party"; readonly cite: Citation }
  /** Reasoned, not stated: the reasoning, and what it rests on if anything. */
  | { readonly kind: "inferred"; readonly reason: string; readonly cite?: Citation };

export interface Fact<T> {
  readonly fact: true;
  readonly value: T;
  readonly evidence: Evidence;
}

export function confirmed<T>(value: T, cite: Citation): Fact<T> {
  return { fact: true, value, evidence: { kind: "confirmed", cite } };
}

export function thirdParty<T>(value: T, cite: Citation): Fact<T> {
  return { fact: true, value, evidence: { kind: "third-party", cite } };
}

export function inferred<T>(value: T, reason: string, cite?: Citation): Fact<T> {
  return { fact: true, value, evidence: { kind: "inferred", reason, ...(cite ? { cite } : {}) } };
}

export function isFact(x: unknown): x is Fact<unknown> {
  return typeof x === "object" && x !== null && (x as { fact?: unknown }).fact === true;
}

/** A tree of facts with the facts replaced by their values: what the code uses. */
export type Values<T> =
  T extends Fact<infer V> ? V : T extends object ? { readonly [K in keyof T]: Values<T[K]> } : T;

export function valuesOf<T>(tree: T): Values<T> {
  if (isFact(tree)) return tree.value as Values<T>;
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) return tree as Values<T>;
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, valuesOf(v)])) as Values<T>;
}

/** Every fact of a tree with its dotted path, in declaration order. */
export function factsOf(tree: unknown, path = ""): Array<{ path: string; fact: Fact<unknown> }> {
  if (isFact(tree)) return [{ path, fact: tree }];
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) return [];
  return Object.entries(tree).flatMap(([k, v]) => factsOf(v, path ? `${path}.${k}` : k));
}

/** Every leaf of a tree that is not a fact: what a unit test refuses in a fact tree. */
export function unsourcedLeaves(tree: unknown, path = ""): string[] {
  if (isFact(tree)) return [];
  if (typeof tree !== "object" || tree === null) return [path];
  if (Array.isArray(tree)) return [path];
  return Object.entries(tree).flatMap(([k, v]) => unsourcedLeaves(v, path ? `${path}.${k}` : k));
}

/** One line for reports: "confirmed by SHOPIFY:…", "third-party: MAPVIEWER:…", "inferred: …". */
export function describeEvidence(evidence: Evidence): string {
  switch (evidence.kind) {
    case "confirmed":
      return `confirmed by ${evidence.cite}`;
    case "third-party":
      return `seen only in third-party code, ${evidence.cite}`;
    case "inferred":
      return `inferred: ${evidence.reason}${evidence.cite ? ` (${evidence.cite})` : ""}`;
  }
}
