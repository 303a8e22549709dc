// The provider connection kind, program side: one connection of an installed provider.
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderConnection as ProviderConnectionSpec } from "../../generated/provider-connection.js";
import { iomResourceClass } from "../common/dynamic.js";

export interface ProviderConnectionInputs extends ProviderConnectionSpec {
  /** The record id this stack creates the connection with (../common/ids.ts). */
  recordId: string;
  /** The installed provider's record id. */
  providerId: pulumi.Input<string>;
}

export const ProviderConnection = iomResourceClass<ProviderConnectionInputs>("provider-connection");
export type ProviderConnection = InstanceType<typeof ProviderConnection>;
