// The bootstrap program under Pulumi's mocks (pulumi.runtime.setMocks): the Azure provider cannot be
// reached here, so these tests check what the program would ask Azure for — the identity's
// federated credentials (issuer, subjects, audience), the state account's and container's
// lock-down, and the role assignment — and that nothing in it is a client secret.
//
// The bootstrap is its own npm project (docs/adr/0009-gitops-bootstrap.md): these tests install its
// dependencies when bootstrap/node_modules is missing or older than its lockfile, the rule
// scripts/run.sh applies to the root, and type-check it with its own compiler, since vitest only
// strips types.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
// Types only, from the root's copy of the same SDK version; the values come from the bootstrap's.
import type * as Pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/engine.js";
import {
  GITHUB_ACTIONS_ISSUER,
  STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE,
  TOKEN_EXCHANGE_AUDIENCE,
  readSettings,
  type BootstrapSettings,
} from "../../bootstrap/settings.js";

const BOOTSTRAP = path.join(projectRoot, "bootstrap");
const SUBSCRIPTION = "00000000-0000-4000-8000-00000000feed";
const TENANT = "11111111-1111-4111-8111-111111111111";
const ADMIN = "22222222-2222-4222-8222-222222222222";
const ADMIN_GROUP = "55555555-5555-4555-8555-555555555555";

function installBootstrap(): void {
  const installed = path.join(BOOTSTRAP, "node_modules", ".package-lock.json");
  const lockfile = path.join(BOOTSTRAP, "package-lock.json");
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lockfile).mtimeMs) return;
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: BOOTSTRAP,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 600_000,
  });
}

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The program's view of the Pulumi SDK and its declare function, loaded from bootstrap/node_modules. */
interface Loaded {
  pulumi: typeof Pulumi;
  declarePipeline: (settings: BootstrapSettings) => {
    clientId: Pulumi.Output<string>;
    tenantId: Pulumi.Output<string>;
    principalId: Pulumi.Output<string>;
    backendUrl: Pulumi.Output<string>;
    federatedSubjects: string[];
  };
}

async function load(): Promise<Loaded> {
  // The SDK the program imports is the bootstrap's own copy: the mocks must be set on that one.
  const sdk = createRequire(path.join(BOOTSTRAP, "package.json")).resolve("@pulumi/pulumi");
  const pulumi = (await import(pathToFileURL(sdk).href)) as Loaded["pulumi"];
  // A computed specifier: the root type-check must not follow it into the bootstrap's dependencies.
  const program = path.join(BOOTSTRAP, "pipeline.ts");
  const { declarePipeline } = (await import(program)) as Pick<Loaded, "declarePipeline">;
  return { pulumi, declarePipeline };
}

const value = <T>(output: Pulumi.Output<T>) => new Promise<T>((resolve) => output.apply((v) => resolve(v)));

beforeAll(() => installBootstrap(), 300_000);

it("pins the root's @pulumi/pulumi version, so the mocks here test the SDK the project runs", () => {
  const pinned = (dir: string) =>
    (
      JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      }
    ).dependencies["@pulumi/pulumi"];
  expect(pinned(BOOTSTRAP)).toBe(pinned(projectRoot));
});

it("type-checks with its own compiler against @pulumi/azure-native's types", () => {
  const tsc = path.join(BOOTSTRAP, "node_modules", "typescript", "bin", "tsc");
  expect(() =>
    execFileSync(process.execPath, [tsc, "-p", BOOTSTRAP, "--noEmit"], {
      encoding: "utf8",
      stdio: "pipe",
      timeout: 120_000,
    }),
  ).not.toThrow();
}, 120_000);

describe("the bootstrap program under Pulumi's mocks", () => {
  const registered: Registered[] = [];
  let credentialsInFlight = 0;
  let mostCredentialsInFlight = 0;
  let outputs: Awaited<ReturnType<typeof resolveOutputs>>;

  async function resolveOutputs(loaded: Loaded, settings: BootstrapSettings) {
    const declared = loaded.declarePipeline(settings);
    return {
      clientId: await value(declared.clientId),
      tenantId: await value(declared.tenantId),
      principalId: await value(declared.principalId),
      backendUrl: await value(declared.backendUrl),
      federatedSubjects: declared.federatedSubjects,
    };
  }

  beforeAll(async () => {
    const loaded = await load();
    await loaded.pulumi.runtime.setMocks(
      {
        // Azure's answers, reduced to what the program reads back: names, ids and the identity's ids.
        async newResource({ type, name, inputs }) {
          registered.push({ type, name, inputs });
          const group = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${String(inputs.resourceGroupName)}`;
          switch (type) {
            case "azure-native:resources:ResourceGroup":
              return { id: group, state: { ...inputs, name: inputs.resourceGroupName } };
            case "azure-native:managedidentity:UserAssignedIdentity":
              return {
                id: `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${String(inputs.resourceName)}`,
                state: {
                  ...inputs,
                  name: inputs.resourceName,
                  clientId: "33333333-3333-4333-8333-333333333333",
                  principalId: "44444444-4444-4444-8444-444444444444",
                  tenantId: TENANT,
                },
              };
            case "azure-native:managedidentity:FederatedIdentityCredential": {
              // Slow enough that credentials registered without waiting for each other would overlap.
              credentialsInFlight++;
              mostCredentialsInFlight = Math.max(mostCredentialsInFlight, credentialsInFlight);
              await new Promise((resolve) => setTimeout(resolve, 20));
              credentialsInFlight--;
              return { id: `${group}/federatedIdentityCredentials/${name}`, state: inputs };
            }
            case "azure-native:storage:StorageAccount":
              return {
                id: `${group}/providers/Microsoft.Storage/storageAccounts/${String(inputs.accountName)}`,
                state: { ...inputs, name: inputs.accountName },
              };
            case "azure-native:storage:BlobContainer":
              return {
                id:
                  `${group}/providers/Microsoft.Storage/storageAccounts/${String(inputs.accountName)}` +
                  `/blobServices/default/containers/${String(inputs.containerName)}`,
                state: { ...inputs, name: inputs.containerName },
              };
            default:
              return { id: `${group}/${type}/${name}`, state: inputs };
          }
        },
        call({ token }) {
          if (token === "azure-native:authorization:getClientConfig") {
            return { subscriptionId: SUBSCRIPTION, tenantId: TENANT, clientId: "operator", objectId: ADMIN };
          }
          throw new Error(`unexpected call ${token}`);
        },
      },
      "iom-gitops-bootstrap",
      "ci",
      false,
    );
    const settings = readSettings(
      (key) =>
        ({
          repository: "contoso/iom-config",
          location: "westeurope",
          storageAccountName: "contosoiomstate",
          stateAdmins: `${ADMIN}, group:${ADMIN_GROUP}`,
        })[key as string],
    );
    outputs = await resolveOutputs(loaded, settings);
    // Registrations finish after the outputs resolve (the credentials one by one, the role
    // assignments after the client config): wait for the count these settings must produce.
    const expected = 1 + 1 + 5 + 1 + 1 + 1 + 3;
    for (let i = 0; i < 500 && registered.length < expected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }, 120_000);

  const isType = (suffix: string) => (r: Registered) => r.type === `azure-native:${suffix}`;
  const only = (suffix: string) => {
    const found = registered.filter(isType(suffix));
    expect(found).toHaveLength(1);
    return found[0]!.inputs;
  };

  it("declares exactly the identity, its credentials, the state storage and the role assignments", () => {
    expect([...new Set(registered.map((r) => r.type))].sort()).toEqual([
      "azure-native:authorization:RoleAssignment",
      "azure-native:managedidentity:FederatedIdentityCredential",
      "azure-native:managedidentity:UserAssignedIdentity",
      "azure-native:resources:ResourceGroup",
      "azure-native:storage:BlobContainer",
      "azure-native:storage:BlobServiceProperties",
      "azure-native:storage:StorageAccount",
    ]);
  });

  it("federates the pull-request, main-branch and environment workflows of the repository", () => {
    const credentials = registered.filter(isType("managedidentity:FederatedIdentityCredential"));
    expect(credentials.map((c) => c.inputs.subject)).toEqual([
      "repo:contoso/iom-config:pull_request",
      "repo:contoso/iom-config:ref:refs/heads/main",
      "repo:contoso/iom-config:environment:dev",
      "repo:contoso/iom-config:environment:test",
      "repo:contoso/iom-config:environment:prod",
    ]);
    for (const { inputs } of credentials) {
      expect(inputs).toMatchObject({
        issuer: "https://token.actions.githubusercontent.com",
        audiences: ["api://AzureADTokenExchange"],
        resourceName: "id-iom-gitops",
        resourceGroupName: "rg-iom-gitops",
      });
    }
    expect(GITHUB_ACTIONS_ISSUER).toBe("https://token.actions.githubusercontent.com");
    expect(TOKEN_EXCHANGE_AUDIENCE).toBe("api://AzureADTokenExchange");
    expect(outputs.federatedSubjects).toEqual(credentials.map((c) => c.inputs.subject));
  });

  it("writes the credentials one at a time, as Azure requires for one identity", () => {
    expect(mostCredentialsInFlight).toBe(1);
  });

  it("puts the identity in the resource group and region of the settings", () => {
    expect(only("resources:ResourceGroup")).toMatchObject({
      resourceGroupName: "rg-iom-gitops",
      location: "westeurope",
    });
    expect(only("managedidentity:UserAssignedIdentity")).toMatchObject({
      resourceName: "id-iom-gitops",
      resourceGroupName: "rg-iom-gitops",
      location: "westeurope",
    });
  });

  it("locks the state account down: no anonymous access, no keys, HTTPS with TLS 1.2 at least", () => {
    expect(only("storage:StorageAccount")).toMatchObject({
      accountName: "contosoiomstate",
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowCrossTenantReplication: false,
      isLocalUserEnabled: false,
      isSftpEnabled: false,
    });
  });

  it("keeps every version of the state and 30 days of deleted blobs and containers", () => {
    expect(only("storage:BlobServiceProperties")).toMatchObject({
      accountName: "contosoiomstate",
      blobServicesName: "default",
      isVersioningEnabled: true,
      deleteRetentionPolicy: { enabled: true, days: 30 },
      containerDeleteRetentionPolicy: { enabled: true, days: 30 },
    });
  });

  it("makes a private container and exports its azblob:// backend URL", () => {
    expect(only("storage:BlobContainer")).toMatchObject({
      accountName: "contosoiomstate",
      containerName: "iom-state",
      publicAccess: "None",
    });
    expect(outputs.backendUrl).toBe("azblob://iom-state?storage_account=contosoiomstate");
  });

  it("grants blob data access on the container only, to the identity and the named admins", () => {
    const container =
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-iom-gitops/providers/Microsoft.Storage` +
      "/storageAccounts/contosoiomstate/blobServices/default/containers/iom-state";
    const role = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE}`;
    const assignments = registered.filter(isType("authorization:RoleAssignment"));
    expect(Object.fromEntries(assignments.map((r) => [r.name, r.inputs]))).toEqual({
      "pipeline-state": expect.objectContaining({
        principalId: outputs.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: role,
        scope: container,
      }),
      "state-admin-0": expect.objectContaining({
        principalId: ADMIN,
        principalType: "User",
        roleDefinitionId: role,
        scope: container,
      }),
      "state-admin-1": expect.objectContaining({
        principalId: ADMIN_GROUP,
        principalType: "Group",
        roleDefinitionId: role,
        scope: container,
      }),
    });
  });

  it("exports the identity's client and tenant ids for the workflows, and no secret", () => {
    expect(outputs).toMatchObject({ clientId: "33333333-3333-4333-8333-333333333333", tenantId: TENANT });
    const everything = JSON.stringify(registered) + JSON.stringify(outputs);
    expect(everything).not.toMatch(/secret|password|connectionString|accountKey|sas/i);
  });
});
