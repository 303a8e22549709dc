/* eslint-disable */
/**
 * Generated from schemas/provider-connection.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * One connection of an installed provider, bound to a Power Platform connection and activated or not.
 */
export interface ProviderConnection {
  /**
   * The connection's name in this configuration. Unique among connections.
   */
  name: string;
  /**
   * The name of the provider (an entry of `providers`) this connection belongs to.
   */
  provider: string;
  /**
   * The connection as the provider's definition names it, for example "Microsoft Finance and Operations Dataverse (current environment) Connection".
   */
  connection: string;
  /**
   * The id of the Power Platform connection to bind (as listed by `pac connectivity list-connections`). An identifier, not a secret.
   */
  connectionId: string;
  /**
   * Whether the connection is activated. A provider can only be activated once its connections are.
   */
  activated: boolean;
}
