// The IOM provider kind, program side: an installed provider (Providers > Installed), and its
// activation, a resource of its own so that Pulumi orders it after the provider's connections
// and the policies, and before the flows that call the provider's actions (IOM's rule).
import type * as pulumi from "@pulumi/pulumi";
import type { IomProvider as IomProviderSpec } from "../../generated/iom-provider.js";
import { iomResourceClass } from "../common/dynamic.js";

export interface IomProviderInputs extends IomProviderSpec {
  /** The record id this stack creates the provider with (../common/ids.ts). */
  recordId: string;
  /**
   * The parameters whose value is a secret (`{ secret: <config key> }` in the YAML), by name; the
   * values themselves arrive resolved, and the engine keeps them encrypted. Absent when none is.
   */
  secretParameters?: string[];
}

/**
 * What the program declares a provider with: a secret parameter's value is the stack config's
 * secret Output (src/program/secret-parameters.ts), never a `{ secret }` reference.
 */
export type IomProviderArgs = Omit<IomProviderInputs, "parameters"> & {
  parameters?: Record<string, pulumi.Input<string | number | boolean>>;
};

/** `adopted`: whether the stack took over a provider installed by hand. */
export const IomProvider = iomResourceClass<IomProviderArgs, { adopted: boolean }>("iom-provider", [
  "adopted",
]);
export type IomProvider = InstanceType<typeof IomProvider>;

export interface IomProviderActivationInputs {
  /** The provider's name in the configuration. */
  name: string;
  /** The installed provider's record id. */
  providerId: pulumi.Input<string>;
  /** Whether the provider was adopted: then an activation found in place is not deactivated on destroy. */
  providerAdopted: pulumi.Input<boolean>;
  /** The stack's published flows that call the provider: stopped by its activation's delete when it is replaced. */
  flows: string[];
}

/** Exists while the provider is activated: create activates, delete deactivates. */
export const IomProviderActivation = iomResourceClass<IomProviderActivationInputs>("iom-provider-activation");
export type IomProviderActivation = InstanceType<typeof IomProviderActivation>;
