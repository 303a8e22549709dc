// The provider definitions (Providers > Catalog) that `iom validate` knows offline, as the view of
// src/iom/catalog.ts that reference checks need: connection names, provider actions (the logic
// definitions an orchestration step can call) and parameters, by display name.
import {
  FINOPS_CONNECTION,
  FINOPS_DEFINITION,
  FINOPS_SEND_TO_FULFILLMENT,
  providerCatalog,
  sameName,
} from "../iom/catalog.js";

export { FINOPS_CONNECTION, FINOPS_DEFINITION, sameName };
export const FINOPS_ACTION = FINOPS_SEND_TO_FULFILLMENT;

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

export const PROVIDER_CATALOG: readonly ProviderDefinitionInfo[] = providerCatalog.map((entry) => ({
  name: entry.name,
  connections: entry.connections.map((c) => c.name),
  actions: entry.actions.filter((a) => a.type === "providerAction").map((a) => a.name),
  parameters: (entry.parameters ?? []).map((p) => p.name),
}));

export function findDefinition(name: string): ProviderDefinitionInfo | undefined {
  return PROVIDER_CATALOG.find((d) => sameName(d.name, name));
}
