// The provider definitions (Providers > Catalog) that `iom validate` knows offline: which
// connections and provider actions each has, so that references can be checked before apply.
// Connection names come from Microsoft's F&O provider article; the action name is not published
// anywhere [inferred], so it lives here alone and is a one-line change once confirmed.

export interface ProviderDefinitionInfo {
  /** The catalog tile's display name. */
  name: string;
  /** Connection references of the definition, by display name. */
  connections: string[];
  /** Provider actions (logic definitions of type "provider action"), by display name. */
  actions: string[];
  /** Provider parameters, by display name. */
  parameters: string[];
}

export const FINOPS_DEFINITION = "Microsoft Finance and Operations apps";
export const FINOPS_CONNECTION =
  "Microsoft Finance and Operations Dataverse (current environment) Connection";
export const FINOPS_ACTION = "Send order to Finance and Operations";

export const PROVIDER_CATALOG: readonly ProviderDefinitionInfo[] = [
  {
    name: FINOPS_DEFINITION,
    connections: [FINOPS_CONNECTION],
    actions: [FINOPS_ACTION],
    parameters: ["Disable Status Update Handlers"],
  },
];

/** Dataverse compares names without regard to case; so does the catalog. */
export function findDefinition(name: string): ProviderDefinitionInfo | undefined {
  const lower = name.toLowerCase();
  return PROVIDER_CATALOG.find((d) => d.name.toLowerCase() === lower);
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
