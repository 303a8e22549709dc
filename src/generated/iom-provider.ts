/* eslint-disable */
/**
 * Generated from schemas/iom-provider.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * An installed IOM provider: one instance of a catalog provider definition, with its parameters, activated or not.
 */
export interface IomProvider {
  /**
   * The provider's name in this configuration; connections and orchestration steps refer to the provider by it. Unique among providers.
   */
  name: string;
  /**
   * The catalog tile the provider is added from (Providers > Catalog), by its display name, for example "Microsoft Finance and Operations apps". Changing it replaces the provider.
   */
  definition: string;
  /**
   * The name IOM shows for the installed provider. Defaults to the definition's name.
   */
  displayName?: string;
  /**
   * Provider parameters by display name, for example "Disable Status Update Handlers": false. A value that must stay secret comes from stack config: "API key": { secret: shopifyApiKey } takes iom:shopifyApiKey, set with `pulumi config set --secret iom:shopifyApiKey`.
   */
  parameters?: {
    [k: string]: SecretParameter | string | number | boolean;
  };
  /**
   * Whether the provider is activated (Providers > Installed shows Activated) or only installed. Activation deploys the provider's Power Automate flows.
   */
  activated: boolean;
}
/**
 * A parameter value taken from the stack's secret config, so that it stays encrypted in Pulumi's state and masked in previews, plan summaries and drift reports.
 */
export interface SecretParameter {
  /**
   * The stack config key in the iom namespace that holds the value, without "iom:": shopifyApiKey means iom:shopifyApiKey, set with `pulumi config set --secret iom:shopifyApiKey`. A letter, then letters, digits, _ or -.
   */
  secret: string;
}
