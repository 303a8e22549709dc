// `iom import` never copies a credential. A provider parameter whose name looks like one, and
// whose value is text, is written as a reference to secret stack config (`"API key": { secret:
// shopifyApiKey }`, docs/resources.md) instead of its value; the command says which config keys to
// set before `pulumi up`, without their values: whoever runs it fetches each value themselves.
import { camelKey, RESERVED_CONFIG_KEYS } from "../config/checks/secret-parameters.js";
import type { SecretParameter } from "../generated/iom-provider.js";
import type { Scalar } from "../resources/common/values.js";

/**
 * Words of a parameter name that say it holds a credential. A name is split into words at anything
 * but letters and digits and where lower case turns upper ("ApiKey" is "api", "key"); a word
 * matches whole ("Keyboard layout" does not). Two-word forms written as one ("apikey",
 * "clientsecret", "accesstoken", "connectionstring") are listed too.
 */
export const CREDENTIAL_WORDS: readonly string[] = [
  "key",
  "apikey",
  "secret",
  "clientsecret",
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "token",
  "accesstoken",
  "credential",
  "credentials",
  "certificate",
  "signature",
  "connectionstring",
];

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a parameter's name says it holds a credential; "connection string" counts as one. */
export function looksLikeCredential(name: string): boolean {
  const words = nameWords(name);
  return words.some(
    (w, i) => CREDENTIAL_WORDS.includes(w) || (w === "connection" && words[i + 1] === "string"),
  );
}

/** A stored value that is worth keeping secret: text that is not empty (not true, false or a number). */
export function isSecretWorthy(value: Scalar): boolean {
  return typeof value === "string" && value.trim() !== "";
}

/** One parameter import wrote as a reference to secret config. */
export interface SecretPlaceholder {
  /** The provider's name in the YAML. */
  provider: string;
  parameter: string;
  /** The config key, without `iom:`. */
  key: string;
}

/**
 * Config keys for the parameters of one import: `<provider><Parameter>` in camelCase
 * (`shopify`, `API key` -> `shopifyApiKey`), unique within the import (a later one gets 2, 3, ...)
 * and never one of iom-gitops's own settings.
 */
export class SecretKeys {
  private readonly taken = new Set(RESERVED_CONFIG_KEYS.map((k) => k.toLowerCase()));

  take(provider: string, parameter: string): string {
    const base = camelKey(provider, parameter);
    let key = base;
    for (let n = 2; this.taken.has(key.toLowerCase()); n++)
      key = `${base.slice(0, 100 - String(n).length)}${n}`;
    this.taken.add(key.toLowerCase());
    return key;
  }
}

/**
 * A provider's parameters as import writes them: each credential-like one with text in it replaced
 * by a reference to its config key, which `keys` hands out. The placeholders are returned beside.
 */
export function withPlaceholders(
  provider: string,
  parameters: Record<string, Scalar>,
  keys: SecretKeys,
): { parameters: Record<string, Scalar | SecretParameter>; placeholders: SecretPlaceholder[] } {
  const out: Record<string, Scalar | SecretParameter> = {};
  const placeholders: SecretPlaceholder[] = [];
  for (const [parameter, value] of Object.entries(parameters)) {
    if (!looksLikeCredential(parameter) || !isSecretWorthy(value)) {
      out[parameter] = value;
      continue;
    }
    const key = keys.take(provider, parameter);
    out[parameter] = { secret: key };
    placeholders.push({ provider, parameter, key });
  }
  return { parameters: out, placeholders };
}
