// Provider parameters whose value comes from the stack's secret config: `"API key": { secret:
// shopifyApiKey }` takes stack config `iom:shopifyApiKey` (docs/resources.md, IomProvider). The
// key may not be one of iom-gitops's own settings: a parameter would then carry the deploying
// identity's secret into an IOM row. Offline, `iom validate` cannot see a stack's config and checks
// only that; the Pulumi program, which can, also finds every key that is not set, or not set as a
// secret, before it declares anything (src/program/secret-parameters.ts gives it the lookup).
import { SETTINGS } from "../../dataverse/config.js";
import type { SecretParameter } from "../../generated/iom-provider.js";
import type { Finding } from "../findings.js";
import type { Configuration } from "../model.js";
import { findingAt } from "../model.js";

/** The stack config namespace a secret parameter's key lives in. */
export const SECRET_CONFIG_NAMESPACE = "iom";

/** `iom:<key>`, as `pulumi config` names it. */
export function secretConfigName(key: string): string {
  return `${SECRET_CONFIG_NAMESPACE}:${key}`;
}

/** The command that stores a secret parameter's value; without a value, Pulumi prompts for it. */
export function secretConfigCommand(key: string): string {
  return `pulumi config set --secret ${secretConfigName(key)}`;
}

/**
 * Stack config keys iom-gitops reads itself (the environment's settings, `desiredState`,
 * `deleteAdopted`): never a parameter's value.
 */
export const RESERVED_CONFIG_KEYS: readonly string[] = [
  ...Object.keys(SETTINGS),
  "desiredState",
  "deleteAdopted",
];

export function isSecretParameter(value: unknown): value is SecretParameter {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { secret?: unknown }).secret === "string"
  );
}

/** How a stack's config holds a key: encrypted, in plain text, or not at all. */
export type SecretConfigState = "secret" | "plain" | "missing";

/** The running stack's config, as the program sees it (no value ever leaves it). */
export interface SecretConfigLookup {
  /** The stack's name, for messages. */
  stack: string;
  state(key: string): SecretConfigState;
}

/** Every secret parameter of the configuration's providers, with its place in the YAML. */
export function checkSecretParameters(config: Configuration, lookup?: SecretConfigLookup): Finding[] {
  const findings: Finding[] = [];
  const reserved = new Map(RESERVED_CONFIG_KEYS.map((k) => [k.toLowerCase(), k]));
  for (const provider of config.providers) {
    for (const [name, value] of Object.entries(provider.value.parameters ?? {})) {
      if (!isSecretParameter(value)) continue;
      const path = [...provider.path, "parameters", name, "secret"];
      const what = `parameter '${name}' of provider '${provider.value.name}'`;
      const own = reserved.get(value.secret.toLowerCase());
      if (own !== undefined) {
        findings.push(
          findingAt(provider.source, path, {
            code: "secret-config-reserved",
            message: `${what} would take its value from ${secretConfigName(own)}, a setting iom-gitops itself reads`,
            hint: `give the parameter a config key of its own, e.g. ${camelKey(provider.value.name, name)}`,
          }),
        );
        continue;
      }
      const state = lookup?.state(value.secret);
      if (state === "missing")
        findings.push(
          findingAt(provider.source, path, {
            code: "secret-config-missing",
            message: `${what} takes its value from ${secretConfigName(value.secret)}, which stack '${lookup!.stack}' does not set`,
            hint: `run \`${secretConfigCommand(value.secret)}\` (it prompts for the value), then run again`,
          }),
        );
      else if (state === "plain")
        findings.push(
          findingAt(provider.source, path, {
            code: "secret-config-not-secret",
            message: `${what} takes its value from ${secretConfigName(value.secret)}, which stack '${lookup!.stack}' holds in plain text`,
            hint: `store it encrypted: \`${secretConfigCommand(value.secret)}\` (it prompts for the value)`,
          }),
        );
    }
  }
  return findings;
}

/**
 * A config key made of words: the first lower case, the others capitalised (`shopify`, `API key`
 * -> `shopifyApiKey`); starts with a letter, as the schema requires.
 */
export function camelKey(...parts: string[]): string {
  const words = parts
    // Accents dropped ("Clé" -> "cle"), anything but ASCII letters and digits a separator.
    .flatMap((p) =>
      p
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .split(/[^A-Za-z0-9]+/),
    )
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const key = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  // The schema's 100 characters at most.
  return (/^[a-z]/.test(key) ? key : `p${key.charAt(0).toUpperCase()}${key.slice(1)}`).slice(0, 100);
}
