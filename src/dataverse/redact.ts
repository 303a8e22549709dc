// Secrets must never reach a log line, an error message or Pulumi state. Redaction happens in two
// ways: values the process knows to be secret are registered and replaced wherever they appear,
// and shapes that are secret whatever their value (bearer tokens, JWTs, Authorization headers,
// client_secret/assertion form fields) are replaced by pattern, for secrets we were never told of.

import { inspect } from "node:util";

export const REDACTED = "[redacted]";

// Short values would cause false positives everywhere (a secret "a" would blank every "a").
const MIN_REGISTERED_LENGTH = 6;

const registered = new Set<string>();

/** Remember a secret value so that {@link redact} removes it from any text. */
export function registerSecret(value: string | undefined): void {
  if (value != null && value.length >= MIN_REGISTERED_LENGTH) registered.add(value);
}

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization: Bearer xxx / Basic xxx in header dumps.
  [/(authorization\s*[:=]\s*)("?)[^\s",;]+(?:\s+[^\s",;]+)?/gi, `$1$2${REDACTED}`],
  [/\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  // JWTs (access tokens, federated assertions): three base64url parts, the first starting "eyJ".
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // OAuth form fields and query parameters.
  [
    /\b(client_secret|client_assertion|assertion|access_token|refresh_token|password)=[^&\s"]+/gi,
    `$1=${REDACTED}`,
  ],
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
];

/** Remove every registered secret and every secret-shaped substring from a text. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so that a secret containing another secret is removed whole.
  const values = [...registered].sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Make an object (and nothing else) unprintable in its secret fields: `JSON.stringify`,
 * `String(x)` and `util.inspect`/`console.log` all show {@link REDACTED} in their place. The
 * methods are not enumerable, so the object still compares and spreads as plain data.
 */
export function sealSecrets<T extends object>(target: T, secretKeys: readonly string[]): T {
  const safe = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(target)) {
      copy[key] = secretKeys.includes(key) && value != null ? REDACTED : value;
    }
    return copy;
  };
  Object.defineProperties(target, {
    toJSON: { value: safe, enumerable: false, configurable: true },
    toString: { value: () => JSON.stringify(safe()), enumerable: false, configurable: true },
    [inspect.custom]: {
      value: (_depth: number, options: Parameters<typeof inspect>[1]) => inspect(safe(), options),
      enumerable: false,
      configurable: true,
    },
  });
  return target;
}
