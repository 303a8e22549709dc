// @azure/identity is replaced at its boundary: the module's credential classes become recorders,
// so these tests see which class our code chose, with which arguments, and how often it asked
// for a token. Nothing here can reach a network.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AuthConfig } from "../../../src/dataverse/config.js";
import {
  clearTokenCache,
  createCredential,
  scopeFor,
  tokenSourceFor,
} from "../../../src/dataverse/credentials.js";
import { DataverseClient } from "../../../src/dataverse/client.js";
import { AuthenticationError } from "../../../src/dataverse/errors.js";

interface Construction {
  className: string;
  args: unknown[];
}

const identity = vi.hoisted(() => {
  const constructions: Construction[] = [];
  const getToken = vi.fn<(scopes: string | string[], options?: unknown) => Promise<unknown>>();
  function fake(className: string) {
    return class {
      constructor(...args: unknown[]) {
        constructions.push({ className, args });
      }
      getToken(scopes: string | string[], options?: unknown) {
        return getToken(scopes, options);
      }
    };
  }
  const loaded = vi.fn();
  return { constructions, getToken, fake, loaded };
});

vi.mock("@azure/identity", () => {
  identity.loaded();
  return {
    ClientSecretCredential: identity.fake("ClientSecretCredential"),
    ClientCertificateCredential: identity.fake("ClientCertificateCredential"),
    WorkloadIdentityCredential: identity.fake("WorkloadIdentityCredential"),
    AzureCliCredential: identity.fake("AzureCliCredential"),
    ManagedIdentityCredential: identity.fake("ManagedIdentityCredential"),
  };
});

const SCOPE = "https://contoso.crm.dynamics.com/.default";
const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const HOUR = 3_600_000;

beforeEach(() => {
  clearTokenCache();
  identity.constructions.length = 0;
  identity.getToken.mockReset();
});

describe("createCredential chooses the identity class", () => {
  it.each<[string, AuthConfig, Construction]>([
    [
      "client secret",
      { kind: "client-secret", tenantId: "t1", clientId: "c1", clientSecret: "s3cr3t-value" },
      { className: "ClientSecretCredential", args: ["t1", "c1", "s3cr3t-value", {}] },
    ],
    [
      "certificate from a file",
      { kind: "client-certificate", tenantId: "t1", clientId: "c1", certificatePath: "/certs/app.pem" },
      {
        className: "ClientCertificateCredential",
        args: ["t1", "c1", { certificatePath: "/certs/app.pem" }, {}],
      },
    ],
    [
      "certificate inline with password",
      {
        kind: "client-certificate",
        tenantId: "t1",
        clientId: "c1",
        certificatePem: "-----BEGIN CERTIFICATE-----x",
        certificatePassword: "pw-123456",
      },
      {
        className: "ClientCertificateCredential",
        args: [
          "t1",
          "c1",
          { certificate: "-----BEGIN CERTIFICATE-----x", certificatePassword: "pw-123456" },
          {},
        ],
      },
    ],
    [
      "workload identity federation",
      { kind: "workload-identity", tenantId: "t1", clientId: "c1", tokenFilePath: "/var/run/token" },
      {
        className: "WorkloadIdentityCredential",
        args: [{ tenantId: "t1", clientId: "c1", tokenFilePath: "/var/run/token" }],
      },
    ],
    ["Azure CLI", { kind: "azure-cli" }, { className: "AzureCliCredential", args: [{}] }],
    [
      "Azure CLI in a given tenant",
      { kind: "azure-cli", tenantId: "t9" },
      { className: "AzureCliCredential", args: [{ tenantId: "t9" }] },
    ],
    [
      "system-assigned managed identity",
      { kind: "managed-identity" },
      { className: "ManagedIdentityCredential", args: [] },
    ],
    [
      "user-assigned managed identity",
      { kind: "managed-identity", clientId: "mi-1" },
      { className: "ManagedIdentityCredential", args: [{ clientId: "mi-1" }] },
    ],
  ])("%s", async (_name, auth, expected) => {
    await createCredential(auth);
    expect(identity.constructions).toEqual([expected]);
  });

  it("passes the authority host for sovereign clouds", async () => {
    await createCredential(
      { kind: "client-secret", tenantId: "t", clientId: "c", clientSecret: "secret-1" },
      { authorityHost: "https://login.microsoftonline.us" },
    );
    expect(identity.constructions[0]?.args[3]).toEqual({ authorityHost: "https://login.microsoftonline.us" });
  });

  it("uses no identity class for the static token", async () => {
    const credential = await createCredential({ kind: "static-token", token: "dev-token" });
    expect(identity.constructions).toEqual([]);
    expect((await credential.getToken(SCOPE))?.token).toBe("dev-token");
  });
});

describe("tokenSourceFor", () => {
  const auth: AuthConfig = {
    kind: "client-secret",
    tenantId: "t1",
    clientId: "c1",
    clientSecret: "s3cr3t-value",
  };

  it("asks for the environment's .default scope", async () => {
    identity.getToken.mockResolvedValue({ token: "tok-1", expiresOnTimestamp: T0 + HOUR });
    const source = tokenSourceFor(auth, scopeFor("https://contoso.crm.dynamics.com/"), { now: () => T0 });
    expect(await source.getToken()).toBe("tok-1");
    expect(identity.getToken).toHaveBeenCalledWith(SCOPE, {});
  });

  it("caches the token across clients of the same identity and builds the credential once", async () => {
    identity.getToken.mockResolvedValue({ token: "tok-1", expiresOnTimestamp: T0 + HOUR });
    const now = () => T0;
    expect(await tokenSourceFor(auth, SCOPE, { now }).getToken()).toBe("tok-1");
    expect(await tokenSourceFor(auth, SCOPE, { now }).getToken()).toBe("tok-1");
    expect(await tokenSourceFor({ ...auth }, SCOPE, { now }).getToken()).toBe("tok-1");
    expect(identity.getToken).toHaveBeenCalledTimes(1);
    expect(identity.constructions).toHaveLength(1);
  });

  it("keeps tokens of different identities, scopes or secrets apart", async () => {
    identity.getToken.mockImplementation(async () => ({
      token: `tok-${identity.getToken.mock.calls.length}`,
      expiresOnTimestamp: T0 + HOUR,
    }));
    const now = () => T0;
    const a = await tokenSourceFor(auth, SCOPE, { now }).getToken();
    const b = await tokenSourceFor({ ...auth, clientSecret: "rotated-secret" }, SCOPE, { now }).getToken();
    const c = await tokenSourceFor(auth, "https://other.crm.dynamics.com/.default", { now }).getToken();
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it("refreshes five minutes before expiry, not before", async () => {
    let now = T0;
    identity.getToken
      .mockResolvedValueOnce({ token: "tok-1", expiresOnTimestamp: T0 + HOUR })
      .mockResolvedValueOnce({ token: "tok-2", expiresOnTimestamp: T0 + 2 * HOUR });
    const source = tokenSourceFor(auth, SCOPE, { now: () => now });
    expect(await source.getToken()).toBe("tok-1");
    now = T0 + HOUR - 5 * 60_000 - 1;
    expect(await source.getToken()).toBe("tok-1");
    now = T0 + HOUR - 5 * 60_000;
    expect(await source.getToken()).toBe("tok-2");
    expect(identity.getToken).toHaveBeenCalledTimes(2);
  });

  it("honours refreshAfterTimestamp when the library gives one", async () => {
    let now = T0;
    identity.getToken
      .mockResolvedValueOnce({
        token: "tok-1",
        expiresOnTimestamp: T0 + HOUR,
        refreshAfterTimestamp: T0 + 10_000,
      })
      .mockResolvedValueOnce({ token: "tok-2", expiresOnTimestamp: T0 + HOUR });
    const source = tokenSourceFor(auth, SCOPE, { now: () => now });
    expect(await source.getToken()).toBe("tok-1");
    now = T0 + 10_000;
    expect(await source.getToken()).toBe("tok-2");
  });

  it("shares one token request between concurrent callers", async () => {
    let release: (value: unknown) => void = () => undefined;
    identity.getToken.mockReturnValueOnce(new Promise((resolve) => (release = resolve)));
    const source = tokenSourceFor(auth, SCOPE, { now: () => T0 });
    const pending = Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    release({ token: "tok-1", expiresOnTimestamp: T0 + HOUR });
    expect(await pending).toEqual(["tok-1", "tok-1", "tok-1"]);
    expect(identity.getToken).toHaveBeenCalledTimes(1);
  });

  it("keeps using a still-valid token when an early refresh fails, and fails once it is too old", async () => {
    let now = T0;
    identity.getToken
      .mockResolvedValueOnce({ token: "tok-1", expiresOnTimestamp: T0 + HOUR })
      .mockRejectedValue(new Error("AADSTS50000: token endpoint unreachable"));
    const source = tokenSourceFor(auth, SCOPE, { now: () => now });
    await source.getToken();
    now = T0 + HOUR - 60_000;
    expect(await source.getToken()).toBe("tok-1");
    now = T0 + HOUR - 10_000;
    await expect(source.getToken()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("reports a failure as AuthenticationError without the secret", async () => {
    identity.getToken.mockRejectedValue(
      new Error("AADSTS7000215: Invalid client secret provided: s3cr3t-value; client_secret=s3cr3t-value"),
    );
    const error = await tokenSourceFor(auth, SCOPE, { now: () => T0 })
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe("authentication-failed");
    expect((error as Error).message).toContain("AADSTS7000215");
    expect((error as Error).message).not.toContain("s3cr3t-value");
  });

  it("never loads the identity library for the static token", async () => {
    const source = tokenSourceFor({ kind: "static-token", token: "dev-token" }, SCOPE);
    expect(await source.getToken()).toBe("dev-token");
    expect(identity.constructions).toEqual([]);
    expect(identity.getToken).not.toHaveBeenCalled();
  });
});

describe("building a client", () => {
  it("costs no identity work until the first request", () => {
    for (let i = 0; i < 50; i++) {
      new DataverseClient({
        environmentUrl: "https://contoso.crm.dynamics.com",
        auth: { kind: "client-secret", tenantId: "t1", clientId: "c1", clientSecret: "s3cr3t-value" },
      });
    }
    expect(identity.constructions).toEqual([]);
    expect(identity.getToken).not.toHaveBeenCalled();
  });
});

describe("the dual-write management endpoint's token", () => {
  const auth: AuthConfig = {
    kind: "client-secret",
    tenantId: "t1",
    clientId: "c1",
    clientSecret: "s3cr3t-value",
  };
  const GATEWAY =
    "https://projectmanagementservice.eastus.gateway.prod.island.powerapps.com/api/DualWriteManagement/1.0/";

  /** Each request's URL and bearer token, from a fetch that answers every request with `{}`. */
  function recordingClient(config: Partial<ConstructorParameters<typeof DataverseClient>[0]>) {
    const seen: Array<{ url: string; token: string }> = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      seen.push({ url: String(input), token: headers.get("authorization") ?? "" });
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    };
    const client = new DataverseClient(
      { environmentUrl: "https://contoso.crm.dynamics.com", auth, ...config },
      { fetch: fetch as typeof globalThis.fetch },
    );
    return { client, seen };
  }

  beforeEach(() => {
    identity.getToken.mockImplementation(async (scopes) => ({
      token: `token-for ${String(scopes)}`,
      expiresOnTimestamp: Date.now() + HOUR,
    }));
  });

  it("is asked for the gateway's scope when the endpoint has a host of its own", async () => {
    const { client, seen } = recordingClient({ dualWriteUrl: GATEWAY });
    await client.request({ method: "GET", path: "WhoAmI", accept: [200] });
    await client.request({ service: "dual-write", method: "GET", path: "Entities", accept: [200] });
    expect(seen).toEqual([
      { url: "https://contoso.crm.dynamics.com/api/data/v9.2/WhoAmI", token: `Bearer token-for ${SCOPE}` },
      { url: `${GATEWAY}Entities`, token: "Bearer token-for https://IntegratorApp.com/.default" },
    ]);
  });

  it("is the scope configured when one is, and never falls back to the environment's host", async () => {
    const same = recordingClient({});
    await expect(
      same.client.request({ service: "dual-write", method: "GET", path: "Entities", accept: [200] }),
    ).rejects.toMatchObject({ code: "invalid-config" });
    expect(same.seen).toEqual([]);

    const configured = recordingClient({
      dualWriteUrl: GATEWAY,
      dualWriteScope: "api://dual-write/.default",
    });
    await configured.client.request({
      service: "dual-write",
      method: "GET",
      path: "Entities",
      accept: [200],
    });
    expect(configured.seen[0]?.token).toBe("Bearer token-for api://dual-write/.default");
  });
});
