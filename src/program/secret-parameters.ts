// Secret provider parameters, program side. `"API key": { secret: shopifyApiKey }` in the YAML
// takes its value from stack config `iom:shopifyApiKey` (`pulumi config set --secret …`), read
// with requireSecret: the value is a secret Output, which the engine keeps encrypted in state and
// masks as [secret] in previews, and in the provider's outputs too (the dynamic provider does not
// take secrets, so the engine strips them on the way in and marks the outputs of the same name
// secret on the way out). The provider is told which parameters are secret, by name only, so that
// its errors never show their values (src/resources/iom-provider/provider.ts).
import * as pulumi from "@pulumi/pulumi";
import {
  isSecretParameter,
  secretConfigName,
  SECRET_CONFIG_NAMESPACE,
  type SecretConfigLookup,
} from "../config/checks/secret-parameters.js";
import type { IomProvider as IomProviderSpec } from "../generated/iom-provider.js";
import type { IomProviderArgs } from "../resources/iom-provider/index.js";

/** A provider's YAML with each secret parameter's `{ secret: key }` replaced by the config's secret. */
export function withSecretParameters(
  spec: IomProviderSpec,
  config: pulumi.Config = new pulumi.Config(SECRET_CONFIG_NAMESPACE),
): Omit<IomProviderArgs, "recordId"> {
  const { parameters: yaml, ...rest } = spec;
  if (!yaml) return rest;
  const parameters: NonNullable<IomProviderArgs["parameters"]> = {};
  const secretParameters: string[] = [];
  for (const [name, value] of Object.entries(yaml)) {
    if (!isSecretParameter(value)) {
      parameters[name] = value;
      continue;
    }
    parameters[name] = config.requireSecret(value.secret);
    secretParameters.push(name);
  }
  return { ...rest, parameters, ...(secretParameters.length > 0 ? { secretParameters } : {}) };
}

/**
 * Which `iom:` keys the running stack sets, and whether as secrets: for the check the program runs
 * with the validation, before it declares anything (src/config/checks/secret-parameters.ts).
 */
export function stackSecretConfig(): SecretConfigLookup {
  return {
    stack: pulumi.getStack(),
    state(key) {
      const name = secretConfigName(key);
      if (pulumi.runtime.getConfig(name) === undefined) return "missing";
      return isConfigSecret(name) ? "secret" : "plain";
    },
  };
}

/**
 * Whether the engine handed the program this key as a secret. The SDK answers it
 * (`runtime.isConfigSecret`, not in its typings); the language host's variable is the fallback.
 */
function isConfigSecret(name: string): boolean {
  const sdk = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (typeof sdk === "function") return sdk(name);
  try {
    const keys: unknown = JSON.parse(process.env["PULUMI_CONFIG_SECRET_KEYS"] ?? "[]");
    return Array.isArray(keys) && keys.includes(name);
  } catch {
    return false;
  }
}
