// The provider connection kind, program side: one connection of an installed provider.
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderConnection as ProviderConnectionSpec } from "../../generated/provider-connection.js";
import { IomResource } from "../common/dynamic.js";

export interface ProviderConnectionInputs extends ProviderConnectionSpec {
  /** The record id this stack creates the connection with (../common/ids.ts). */
  recordId: string;
  /** The installed provider's record id. */
  providerId: pulumi.Input<string>;
}

export class ProviderConnection extends IomResource {
  constructor(name: string, args: ProviderConnectionInputs, opts?: pulumi.CustomResourceOptions) {
    super("provider-connection", name, { ...args }, opts);
  }
}
