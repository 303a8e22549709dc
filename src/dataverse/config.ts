// The client's configuration: one type, readable from environment variables or from any
// key/value source (Pulumi stack config maps onto the same setting names). Secrets in it are
// registered for redaction and made unprintable.

import { dualWrite } from "../iom/dual-write-facts.js";
import { ConfigError } from "./errors.js";
import { registerSecret, sealSecrets } from "./redact.js";
import type { PacingOptions } from "./pacing.js";
import type { RetryOptions } from "./retry.js";

/** How the client obtains its bearer token. */
export type AuthConfig =
  /** A token used as it is: the emulator's (`dev-token` by default), or one minted elsewhere. */
  | { kind: "static-token"; token: string }
  | { kind: "client-secret"; tenantId: string; clientId: string; clientSecret: string }
  | {
      kind: "client-certificate";
      tenantId: string;
      clientId: string;
      /** A PEM file holding the certificate and its private key. */
      certificatePath?: string;
      /** The same PEM text, inline (e.g. from a Pulumi secret). One of the two is required. */
      certificatePem?: string;
      certificatePassword?: string;
    }
  /** Workload identity federation: a federated token in a file (Kubernetes, GitHub Actions OIDC). */
  | { kind: "workload-identity"; tenantId: string; clientId: string; tokenFilePath: string }
  /** The developer's `az login`. */
  | { kind: "azure-cli"; tenantId?: string }
  /** System-assigned, or user-assigned when clientId is given. */
  | { kind: "managed-identity"; clientId?: string };

export type AuthKind = AuthConfig["kind"];

export const AUTH_KINDS: readonly AuthKind[] = [
  "static-token",
  "client-secret",
  "client-certificate",
  "workload-identity",
  "azure-cli",
  "managed-identity",
];

/** Fields of AuthConfig that hold secrets. */
export const SECRET_AUTH_FIELDS = ["token", "clientSecret", "certificatePem", "certificatePassword"] as const;

/** One line of the optional debug log; never holds headers or bodies. */
export type DataverseLogEvent =
  | {
      kind: "response";
      method: string;
      path: string;
      status: number;
      durationMs: number;
      attempt: number;
      requestId: string;
    }
  | {
      kind: "network-error";
      method: string;
      path: string;
      error: string;
      durationMs: number;
      attempt: number;
      requestId: string;
    }
  | {
      kind: "retry";
      method: string;
      path: string;
      delayMs: number;
      attempt: number;
      reason: string;
      requestId: string;
    }
  | {
      /** The request waits before it is sent: the budget of the pacing window is spent. */
      kind: "pace";
      method: string;
      path: string;
      delayMs: number;
      attempt: number;
      /** Requests this process sent in the window so far (the budget). */
      inWindow: number;
      budget: number;
      windowMs: number;
      requestId: string;
    };

export type DataverseLogger = (event: DataverseLogEvent) => void;

export interface DataverseClientConfig {
  /** https://ORG.crm.dynamics.com, or the emulator's http://127.0.0.1:PORT. */
  environmentUrl: string;
  auth: AuthConfig;
  /** @default DEFAULT_RETRY_OPTIONS */
  retry?: Partial<RetryOptions>;
  /**
   * The most Dataverse Web API requests this process sends in any window (src/dataverse/pacing.ts).
   * The dual-write gateway's requests are not counted: Dataverse's limit is for Dataverse's own
   * requests, and the gateway is another service on another host.
   * @default DEFAULT_PACING_OPTIONS (5,000 per 300 s)
   */
  pacing?: Partial<PacingOptions>;
  /** Receives one event per attempt and per retry decision. */
  logger?: DataverseLogger;
  /** When no logger is given: write the debug log to stderr. @default false */
  debug?: boolean;
  /** Sent as x-ms-correlation-request-id on every request, to group one run's calls. */
  correlationId?: string;
  /** Abort one attempt after this long (it then counts as a dropped connection). @default 120000 */
  requestTimeoutMs?: number;
  /** Microsoft Entra authority for sovereign clouds, e.g. https://login.microsoftonline.us. */
  authorityHost?: string;
  /**
   * The dual-write management gateway, a host of its own
   * (https://projectmanagementservice.<region>.gateway.prod.island.powerapps.com, or the emulator's
   * second address); /api/DualWriteManagement/1.0/ is added when the path does not end in it.
   * Required by everything that touches dual-write maps, which then say so; nothing else needs it.
   */
  dualWriteUrl?: string;
  /**
   * The token scope for the dual-write gateway.
   * @default the gateway's own (`dualWrite.gatewayScope`, src/iom/dual-write-facts.ts)
   */
  dualWriteScope?: string;
  /**
   * The Finance and Operations environment dual-write links this Dataverse environment to, as a
   * URL or a host name (contoso.operations.dynamics.com): the gateway finds its connection (the
   * `cid` of every map request) by that host name, as Microsoft's dual-write tool does.
   */
  financeAndOperationsUrl?: string;
  /**
   * How long a gateway request (stop, start, pause, resume) is awaited before giving up.
   * @default DEFAULT_DUAL_WRITE_WAIT_MS
   */
  dualWriteWaitMs?: number;
}

/** Stopping or starting a map usually takes seconds; a map with a long queue can take minutes. */
export const DEFAULT_DUAL_WRITE_WAIT_MS = 300_000;

/**
 * The names of the settings, shared by every source. The environment variable and the Pulumi
 * stack config key of each are listed in {@link SETTINGS}.
 */
export type SettingName =
  | "environmentUrl"
  | "auth"
  | "tenantId"
  | "clientId"
  | "clientSecret"
  | "certificatePath"
  | "certificatePem"
  | "certificatePassword"
  | "federatedTokenFile"
  | "token"
  | "authorityHost"
  | "dualWriteUrl"
  | "dualWriteScope"
  | "financeAndOperationsUrl"
  | "dualWriteWaitMs"
  | "retryMaxAttempts"
  | "retryMaxElapsedMs"
  | "retryBaseDelayMs"
  | "retryMaxDelayMs"
  | "requestBudget"
  | "debugHttp";

export const SETTINGS: Readonly<Record<SettingName, { env: string; secret: boolean }>> = {
  environmentUrl: { env: "IOM_DATAVERSE_URL", secret: false },
  auth: { env: "IOM_AUTH", secret: false },
  tenantId: { env: "AZURE_TENANT_ID", secret: false },
  clientId: { env: "AZURE_CLIENT_ID", secret: false },
  clientSecret: { env: "AZURE_CLIENT_SECRET", secret: true },
  certificatePath: { env: "AZURE_CLIENT_CERTIFICATE_PATH", secret: false },
  certificatePem: { env: "IOM_CLIENT_CERTIFICATE_PEM", secret: true },
  certificatePassword: { env: "AZURE_CLIENT_CERTIFICATE_PASSWORD", secret: true },
  federatedTokenFile: { env: "AZURE_FEDERATED_TOKEN_FILE", secret: false },
  token: { env: "IOM_TOKEN", secret: true },
  authorityHost: { env: "AZURE_AUTHORITY_HOST", secret: false },
  dualWriteUrl: { env: "IOM_DUALWRITE_URL", secret: false },
  dualWriteScope: { env: "IOM_DUALWRITE_SCOPE", secret: false },
  financeAndOperationsUrl: { env: "IOM_FINOPS_URL", secret: false },
  dualWriteWaitMs: { env: "IOM_DUALWRITE_WAIT_MS", secret: false },
  retryMaxAttempts: { env: "IOM_RETRY_MAX_ATTEMPTS", secret: false },
  retryMaxElapsedMs: { env: "IOM_RETRY_MAX_ELAPSED_MS", secret: false },
  retryBaseDelayMs: { env: "IOM_RETRY_BASE_DELAY_MS", secret: false },
  retryMaxDelayMs: { env: "IOM_RETRY_MAX_DELAY_MS", secret: false },
  requestBudget: { env: "IOM_REQUEST_BUDGET", secret: false },
  debugHttp: { env: "IOM_DEBUG_HTTP", secret: false },
};

/** A source of settings plus how to name a setting in its messages. */
export interface SettingsSource {
  get(name: SettingName): string | undefined;
  describe(name: SettingName): string;
}

export function envSource(env: NodeJS.ProcessEnv = process.env): SettingsSource {
  return {
    get: (name) => nonEmpty(env[SETTINGS[name].env]),
    describe: (name) => SETTINGS[name].env,
  };
}

/**
 * A source over Pulumi stack config or anything keyed like it: `get("clientSecret")` should
 * return the value of `<namespace>:clientSecret` (for Pulumi, `config.get(name)`, and
 * `config.getSecret(name)` unwrapped inside a provider method for secrets).
 */
export function keyValueSource(
  get: (name: SettingName) => string | undefined,
  namespace = "iom",
): SettingsSource {
  return { get: (name) => nonEmpty(get(name)), describe: (name) => `${namespace}:${name}` };
}

/** Read the client configuration from IOM_* and AZURE_* environment variables. */
export function dataverseConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: Pick<DataverseClientConfig, "logger" | "correlationId"> = {},
): DataverseClientConfig {
  return dataverseConfigFromSource(envSource(env), extra);
}

export function dataverseConfigFromSource(
  source: SettingsSource,
  extra: Pick<DataverseClientConfig, "logger" | "correlationId"> = {},
): DataverseClientConfig {
  const missing: string[] = [];
  const required = (name: SettingName): string => {
    const value = source.get(name);
    if (value === undefined) missing.push(source.describe(name));
    return value ?? "";
  };
  const environmentUrl = required("environmentUrl");
  const kindText = source.get("auth") ?? (source.get("token") !== undefined ? "static-token" : undefined);
  if (kindText === undefined) {
    // Name every missing setting at once, the environment URL included when it is missing too.
    const unset = [...missing, source.describe("auth")];
    throw new ConfigError(`${unset.join(" and ")} ${unset.length > 1 ? "are" : "is"} not set`, {
      hint: `Set ${source.describe("auth")} to one of ${AUTH_KINDS.join(", ")} (or set ${source.describe("token")} for the emulator).`,
    });
  }
  if (!(AUTH_KINDS as readonly string[]).includes(kindText)) {
    throw new ConfigError(`${source.describe("auth")} has the unknown value "${kindText}"`, {
      hint: `Use one of ${AUTH_KINDS.join(", ")}.`,
    });
  }
  const kind = kindText as AuthKind;
  let auth: AuthConfig;
  switch (kind) {
    case "static-token":
      auth = { kind, token: required("token") };
      break;
    case "client-secret":
      auth = {
        kind,
        tenantId: required("tenantId"),
        clientId: required("clientId"),
        clientSecret: required("clientSecret"),
      };
      break;
    case "client-certificate": {
      const certificatePath = source.get("certificatePath");
      const certificatePem = source.get("certificatePem");
      if (certificatePath === undefined && certificatePem === undefined) {
        missing.push(`${source.describe("certificatePath")} or ${source.describe("certificatePem")}`);
      }
      auth = {
        kind,
        tenantId: required("tenantId"),
        clientId: required("clientId"),
        ...(certificatePath !== undefined ? { certificatePath } : {}),
        ...(certificatePem !== undefined ? { certificatePem } : {}),
        ...optional("certificatePassword", source.get("certificatePassword")),
      };
      break;
    }
    case "workload-identity":
      auth = {
        kind,
        tenantId: required("tenantId"),
        clientId: required("clientId"),
        tokenFilePath: required("federatedTokenFile"),
      };
      break;
    case "azure-cli":
      auth = { kind, ...optional("tenantId", source.get("tenantId")) };
      break;
    case "managed-identity":
      auth = { kind, ...optional("clientId", source.get("clientId")) };
      break;
  }
  if (missing.length > 0) {
    throw new ConfigError(`authentication "${kind}" needs ${missing.join(", ")}`, {
      hint: `Set ${missing.join(", ")}; see docs/dataverse-client.md.`,
    });
  }
  const retry: Partial<RetryOptions> = {};
  const numbers: Array<[SettingName, keyof RetryOptions]> = [
    ["retryMaxAttempts", "maxAttempts"],
    ["retryMaxElapsedMs", "maxElapsedMs"],
    ["retryBaseDelayMs", "baseDelayMs"],
    ["retryMaxDelayMs", "maxDelayMs"],
  ];
  for (const [setting, key] of numbers) {
    const text = source.get(setting);
    if (text === undefined) continue;
    const value = Number(text);
    if (
      !Number.isFinite(value) ||
      value < 0 ||
      (key === "maxAttempts" && (!Number.isInteger(value) || value < 1))
    ) {
      throw new ConfigError(`${source.describe(setting)} must be a non-negative number, got "${text}"`, {
        hint: `Set ${source.describe(setting)} to a number${key === "maxAttempts" ? " of at least 1" : " of milliseconds"}.`,
      });
    }
    retry[key] = value;
  }
  const budgetText = source.get("requestBudget");
  const budget = budgetText === undefined ? undefined : Number(budgetText);
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1))
    throw new ConfigError(
      `${source.describe("requestBudget")} must be a whole number of at least 1, got "${budgetText}"`,
      {
        hint: `Set ${source.describe("requestBudget")} to the most requests to send in any 300 s (Dataverse allows 6000 per user; the default is 5000).`,
      },
    );
  const debugText = source.get("debugHttp");
  const authorityHost = source.get("authorityHost");
  const dualWriteUrl = source.get("dualWriteUrl");
  const dualWriteScope = source.get("dualWriteScope");
  const financeAndOperationsUrl = source.get("financeAndOperationsUrl");
  const waitText = source.get("dualWriteWaitMs");
  const dualWriteWaitMs = waitText === undefined ? undefined : Number(waitText);
  if (dualWriteWaitMs !== undefined && !(Number.isFinite(dualWriteWaitMs) && dualWriteWaitMs > 0))
    throw new ConfigError(
      `${source.describe("dualWriteWaitMs")} must be a positive number, got "${waitText}"`,
      {
        hint: `Set ${source.describe("dualWriteWaitMs")} to the milliseconds a dual-write map's stop or start may take.`,
      },
    );
  return normalizeConfig({
    environmentUrl,
    auth,
    retry,
    ...(budget !== undefined ? { pacing: { budget } } : {}),
    debug: debugText !== undefined && /^(1|true|yes)$/i.test(debugText),
    ...(authorityHost !== undefined ? { authorityHost } : {}),
    ...(dualWriteUrl !== undefined ? { dualWriteUrl } : {}),
    ...(dualWriteScope !== undefined ? { dualWriteScope } : {}),
    ...(financeAndOperationsUrl !== undefined ? { financeAndOperationsUrl } : {}),
    ...(dualWriteWaitMs !== undefined ? { dualWriteWaitMs } : {}),
    ...extra,
  });
}

/**
 * Check and normalise a configuration: the URL is reduced to its origin, plain http is refused
 * except on the loopback interface (a bearer token must never cross a network in clear), secrets
 * are registered for redaction and the object is sealed against printing.
 */
export function normalizeConfig(config: DataverseClientConfig): DataverseClientConfig {
  const environmentUrl = normalizeEnvironmentUrl(config.environmentUrl);
  for (const field of SECRET_AUTH_FIELDS) {
    registerSecret((config.auth as Record<string, string | undefined>)[field]);
  }
  if (
    config.auth.kind === "client-certificate" &&
    !config.auth.certificatePath &&
    !config.auth.certificatePem
  ) {
    throw new ConfigError("client-certificate authentication needs certificatePath or certificatePem");
  }
  const auth = sealSecrets({ ...config.auth }, SECRET_AUTH_FIELDS);
  const gateway =
    config.dualWriteUrl !== undefined ? { dualWriteUrl: normalizeGatewayUrl(config.dualWriteUrl) } : {};
  const finance =
    config.financeAndOperationsUrl !== undefined
      ? { financeAndOperationsUrl: financeAndOperationsHost(config.financeAndOperationsUrl) }
      : {};
  return sealSecrets({ ...config, environmentUrl, auth, ...gateway, ...finance }, []);
}

export function normalizeEnvironmentUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`the environment URL "${text}" is not a URL`, {
      hint: "Use the environment's URL, e.g. https://contoso.crm.dynamics.com, or the emulator's http://127.0.0.1:PORT.",
    });
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError(`the environment URL "${url.origin}" must use https`, {
      hint: "Use https://ORG.crm.dynamics.com; plain http is only accepted for the local emulator on 127.0.0.1.",
    });
  }
  if (url.username || url.password) {
    throw new ConfigError("the environment URL must not contain credentials", {
      hint: "Remove the user name and password from the URL and choose an authentication method instead.",
    });
  }
  return url.origin;
}

/**
 * The gateway's root: https (or loopback http), ending in the management path, which is added
 * when missing (users copy the host from a browser's address bar, DWA's settings hold the host
 * alone) [C: DWA:DWHttp.cs sets the path itself].
 */
export function normalizeGatewayUrl(text: string): string {
  let origin: string;
  try {
    origin = normalizeEnvironmentUrl(text);
  } catch (err) {
    throw new ConfigError(`the dual-write gateway URL "${text}" is not usable: ${(err as Error).message}`, {
      hint: `Use the gateway's address, ${dualWrite.hostPattern}, or the emulator's second address (iom emulator prints it).`,
    });
  }
  const pathname = new URL(text).pathname.replace(/\/*$/, "/");
  if (pathname.endsWith(dualWrite.managementPath)) return `${origin}${pathname}`;
  return `${origin}${pathname.replace(/\/$/, "")}${dualWrite.managementPath}`;
}

/**
 * The F&O environment's host name, the identifier the gateway knows it by: DWA takes the host of
 * the URL it is given [C: DWA:ArgsHandler.cs]. A bare host name is accepted as well.
 */
export function financeAndOperationsHost(text: string): string {
  const trimmed = text.trim();
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`).hostname;
  } catch {
    host = "";
  }
  if (!host || !/^[a-z0-9.-]+$/i.test(host))
    throw new ConfigError(`the Finance and Operations environment "${text}" is not a URL or host name`, {
      hint: "Use the F&O environment's address, e.g. https://contoso.operations.dynamics.com (its host name identifies it to the dual-write gateway).",
    });
  return host.toLowerCase();
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
