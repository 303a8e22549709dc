import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  dataverseConfigFromEnv,
  dataverseConfigFromSource,
  keyValueSource,
  normalizeConfig,
  normalizeEnvironmentUrl,
} from "../../../src/dataverse/config.js";
import type { SettingName } from "../../../src/dataverse/config.js";
import { ConfigError } from "../../../src/dataverse/errors.js";

const URL_ = "https://contoso.crm.dynamics.com";

describe("dataverseConfigFromEnv", () => {
  it.each([
    [
      { IOM_AUTH: "static-token", IOM_TOKEN: "dev-token" },
      { kind: "static-token", token: "dev-token" },
    ],
    [{ IOM_TOKEN: "dev-token" }, { kind: "static-token", token: "dev-token" }],
    [
      {
        IOM_AUTH: "client-secret",
        AZURE_TENANT_ID: "t",
        AZURE_CLIENT_ID: "c",
        AZURE_CLIENT_SECRET: "s-123456",
      },
      { kind: "client-secret", tenantId: "t", clientId: "c", clientSecret: "s-123456" },
    ],
    [
      {
        IOM_AUTH: "client-certificate",
        AZURE_TENANT_ID: "t",
        AZURE_CLIENT_ID: "c",
        AZURE_CLIENT_CERTIFICATE_PATH: "/a.pem",
      },
      { kind: "client-certificate", tenantId: "t", clientId: "c", certificatePath: "/a.pem" },
    ],
    [
      {
        IOM_AUTH: "workload-identity",
        AZURE_TENANT_ID: "t",
        AZURE_CLIENT_ID: "c",
        AZURE_FEDERATED_TOKEN_FILE: "/tok",
      },
      { kind: "workload-identity", tenantId: "t", clientId: "c", tokenFilePath: "/tok" },
    ],
    [{ IOM_AUTH: "azure-cli" }, { kind: "azure-cli" }],
    [{ IOM_AUTH: "managed-identity" }, { kind: "managed-identity" }],
    [
      { IOM_AUTH: "managed-identity", AZURE_CLIENT_ID: "mi" },
      { kind: "managed-identity", clientId: "mi" },
    ],
  ])("%j", (env, auth) => {
    const config = dataverseConfigFromEnv({ IOM_DATAVERSE_URL: `${URL_}/`, ...env });
    expect({ ...config.auth }).toEqual(auth);
    expect(config.environmentUrl).toBe(URL_);
  });

  it("names every missing variable at once", () => {
    const error = (() => {
      try {
        dataverseConfigFromEnv({ IOM_AUTH: "client-secret", AZURE_CLIENT_ID: "c" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("IOM_DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_SECRET");
  });

  it("refuses an unknown or absent auth choice with the list of choices", () => {
    expect(() => dataverseConfigFromEnv({ IOM_DATAVERSE_URL: URL_, IOM_AUTH: "password" })).toThrow(
      /unknown value "password".*static-token, client-secret, client-certificate, workload-identity, azure-cli, managed-identity/,
    );
    expect(() => dataverseConfigFromEnv({ IOM_DATAVERSE_URL: URL_ })).toThrow(/IOM_AUTH is not set/);
  });

  it("reads retry bounds and the debug switch", () => {
    const config = dataverseConfigFromEnv({
      IOM_DATAVERSE_URL: URL_,
      IOM_TOKEN: "dev-token",
      IOM_RETRY_MAX_ATTEMPTS: "3",
      IOM_RETRY_MAX_ELAPSED_MS: "5000",
      IOM_RETRY_BASE_DELAY_MS: "10",
      IOM_RETRY_MAX_DELAY_MS: "100",
      IOM_DEBUG_HTTP: "1",
    });
    expect(config.retry).toEqual({ maxAttempts: 3, maxElapsedMs: 5000, baseDelayMs: 10, maxDelayMs: 100 });
    expect(config.debug).toBe(true);
    expect(() =>
      dataverseConfigFromEnv({ IOM_DATAVERSE_URL: URL_, IOM_TOKEN: "x", IOM_RETRY_MAX_ATTEMPTS: "0" }),
    ).toThrow(/IOM_RETRY_MAX_ATTEMPTS/);
  });

  it("names stack config keys when read from a key/value source", () => {
    const values: Partial<Record<SettingName, string>> = { auth: "client-secret", environmentUrl: URL_ };
    expect(() => dataverseConfigFromSource(keyValueSource((name) => values[name]))).toThrow(
      /iom:tenantId, iom:clientId, iom:clientSecret/,
    );
  });
});

describe("normalizeEnvironmentUrl", () => {
  it.each([
    ["https://contoso.crm.dynamics.com/", "https://contoso.crm.dynamics.com"],
    ["https://contoso.crm4.dynamics.com/api/data/v9.2/", "https://contoso.crm4.dynamics.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://localhost:1", "http://localhost:1"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeEnvironmentUrl(input)).toBe(expected);
  });

  it.each([
    "http://contoso.crm.dynamics.com",
    "ftp://x",
    "not a url",
    "https://user:pw@contoso.crm.dynamics.com",
  ])("refuses %s", (input) => {
    expect(() => normalizeEnvironmentUrl(input)).toThrow(ConfigError);
  });
});

describe("secrets in the configuration cannot be printed", () => {
  const planted = "PLANTED-secret-7f3a9c";
  const config = normalizeConfig({
    environmentUrl: URL_,
    auth: { kind: "client-secret", tenantId: "t", clientId: "c", clientSecret: planted },
  });

  it.each([
    ["JSON.stringify", () => JSON.stringify(config)],
    ["JSON.stringify of auth", () => JSON.stringify(config.auth)],
    ["String", () => String(config)],
    ["template literal of auth", () => `${String(config.auth)}`],
    ["util.inspect", () => inspect(config, { depth: 5 })],
    ["util.inspect of auth", () => inspect(config.auth)],
  ])("%s", (_name, print) => {
    const text = print();
    expect(text).not.toContain(planted);
    expect(text).toContain("[redacted]");
    expect(text).toContain("client-secret");
  });

  it("still hands the secret to code that reads the field", () => {
    expect(config.auth.kind === "client-secret" && config.auth.clientSecret).toBe(planted);
  });
});
