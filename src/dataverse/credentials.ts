// From the auth configuration to a bearer token. Every choice but the static token goes through
// @azure/identity; the library is loaded on first use, so building a client (done in every
// Pulumi provider method) costs nothing until a request is made. Tokens are cached per process,
// per identity and scope, and refreshed before they expire.

import { createHash } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/identity";
// The ESM build is what import() loads from this CommonJS module; type it as such.
import type * as Identity from "@azure/identity" with { "resolution-mode": "import" };
import { SECRET_AUTH_FIELDS } from "./config.js";
import type { AuthConfig } from "./config.js";
import { AuthenticationError, ConfigError } from "./errors.js";
import { redact, registerSecret } from "./redact.js";

type IdentityModule = typeof Identity;

export interface CredentialOptions {
  authorityHost?: string;
  /** How @azure/identity is loaded; tests of callers may replace it. */
  loadIdentity?: () => Promise<IdentityModule>;
}

/** The scope for an environment: `https://org.crm.dynamics.com/.default`. */
export function scopeFor(environmentUrl: string): string {
  return `${new URL(environmentUrl).origin}/.default`;
}

/** The @azure/identity credential for a configuration (a fixed one for the static token). */
export async function createCredential(
  auth: AuthConfig,
  options: CredentialOptions = {},
): Promise<TokenCredential> {
  if (auth.kind === "static-token") return staticCredential(auth.token);
  const identity = await (options.loadIdentity ?? loadIdentity)();
  const common = options.authorityHost ? { authorityHost: options.authorityHost } : {};
  switch (auth.kind) {
    case "client-secret":
      return new identity.ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret, common);
    case "client-certificate": {
      const password = auth.certificatePassword ? { certificatePassword: auth.certificatePassword } : {};
      if (auth.certificatePem) {
        return new identity.ClientCertificateCredential(
          auth.tenantId,
          auth.clientId,
          { certificate: auth.certificatePem, ...password },
          common,
        );
      }
      if (auth.certificatePath) {
        return new identity.ClientCertificateCredential(
          auth.tenantId,
          auth.clientId,
          { certificatePath: auth.certificatePath, ...password },
          common,
        );
      }
      throw new ConfigError("client-certificate authentication needs certificatePath or certificatePem");
    }
    case "workload-identity":
      return new identity.WorkloadIdentityCredential({
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        tokenFilePath: auth.tokenFilePath,
        ...common,
      });
    case "azure-cli":
      return new identity.AzureCliCredential(auth.tenantId ? { tenantId: auth.tenantId } : {});
    case "managed-identity":
      return auth.clientId
        ? new identity.ManagedIdentityCredential({ clientId: auth.clientId })
        : new identity.ManagedIdentityCredential();
  }
}

function loadIdentity(): Promise<IdentityModule> {
  return import("@azure/identity");
}

// Far enough in the future that a static token is never "refreshed": it cannot be.
const STATIC_EXPIRY = Number.MAX_SAFE_INTEGER;

function staticCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: STATIC_EXPIRY, tokenType: "Bearer" }) };
}

/** Something that hands out a valid bearer token. */
export interface TokenSource {
  getToken(signal?: AbortSignal): Promise<string>;
}

export interface TokenSourceOptions extends CredentialOptions {
  now?: () => number;
  /**
   * Refresh this long before expiry when the credential gives no refreshAfterTimestamp.
   * @default 300000 (five minutes, as Azure SDKs do)
   */
  refreshMarginMs?: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
// A token this close to expiry is not sent even if a refresh failed: it may expire in flight.
const MIN_VALIDITY_MS = 30_000;

const cache = new Map<string, CachingTokenSource>();

/**
 * The process-wide token source for an identity and scope. Clients built one after another in
 * the same process (one per provider method) share it, so tokens are fetched once per expiry.
 */
export function tokenSourceFor(
  auth: AuthConfig,
  scope: string,
  options: TokenSourceOptions = {},
): TokenSource {
  registerAuthSecrets(auth);
  const key = cacheKey(auth, scope, options.authorityHost);
  let source = cache.get(key);
  if (!source) {
    source = new CachingTokenSource(auth, scope, options);
    cache.set(key, source);
  }
  return source;
}

/** Forget cached tokens and credentials (tests; or after a credential was rotated). */
export function clearTokenCache(): void {
  cache.clear();
}

class CachingTokenSource implements TokenSource {
  #credential: Promise<TokenCredential> | undefined;
  #current: AccessToken | undefined;
  #inflight: Promise<AccessToken> | undefined;

  constructor(
    private readonly auth: AuthConfig,
    private readonly scope: string,
    private readonly options: TokenSourceOptions,
  ) {}

  async getToken(signal?: AbortSignal): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const current = this.#current;
    if (current && now < this.refreshAt(current)) return current.token;
    try {
      const fresh = await this.fetch(signal);
      return fresh.token;
    } catch (error) {
      // A failed early refresh is not fatal while the old token still has time left.
      if (current && (this.options.now ?? Date.now)() < current.expiresOnTimestamp - MIN_VALIDITY_MS) {
        return current.token;
      }
      throw error;
    }
  }

  private refreshAt(token: AccessToken): number {
    const margin = this.options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    return token.refreshAfterTimestamp ?? token.expiresOnTimestamp - margin;
  }

  // Concurrent callers share one request to the identity provider.
  private fetch(signal?: AbortSignal): Promise<AccessToken> {
    this.#inflight ??= this.request(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  private async request(signal?: AbortSignal): Promise<AccessToken> {
    this.#credential ??= createCredential(this.auth, this.options).catch((error: unknown) => {
      this.#credential = undefined;
      throw error;
    });
    const credential = await this.#credential;
    let token: AccessToken | null;
    try {
      token = await credential.getToken(this.scope, signal ? { abortSignal: signal } : {});
    } catch (error) {
      throw new AuthenticationError(
        `${this.auth.kind} authentication failed: ${redact(error instanceof Error ? error.message : String(error))}`,
        { cause: error },
      );
    }
    if (!token || typeof token.token !== "string" || token.token === "") {
      throw new AuthenticationError(`${this.auth.kind} authentication returned no token`);
    }
    registerSecret(token.token);
    this.#current = token;
    return token;
  }
}

// The key includes the secret (hashed) so a rotated secret never reuses a token of the old one.
function cacheKey(auth: AuthConfig, scope: string, authorityHost: string | undefined): string {
  const fields = Object.entries(auth).sort(([a], [b]) => a.localeCompare(b));
  return createHash("sha256")
    .update(JSON.stringify([fields, scope, authorityHost ?? ""]))
    .digest("hex");
}

// Whatever path a configuration took to get here, its secrets are known to redact() from now on.
function registerAuthSecrets(auth: AuthConfig): void {
  for (const field of SECRET_AUTH_FIELDS) registerSecret((auth as Record<string, string | undefined>)[field]);
}
