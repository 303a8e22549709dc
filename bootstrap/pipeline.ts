// The Azure resources iom-gitops pipelines need before their first run, declared once per tenant:
// - a user-assigned managed identity that GitHub Actions signs in as through federated credentials
//   (workload identity federation: GitHub's OIDC token is exchanged for an Entra token, so no
//   client secret exists anywhere to leak or rotate);
// - a storage account and blob container for the Pulumi state (`azblob://`), reachable only with
//   Entra tokens over TLS 1.2+, never anonymously, with blob versioning and soft delete so an
//   overwritten or deleted checkpoint can be recovered (docs/recovery.md);
// - the identity's access to that container, and nothing wider.
// The identity is registered in each Dataverse environment as an application user by hand
// (docs/gitops.md): Dataverse is not an Azure resource.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import {
  GITHUB_ACTIONS_ISSUER,
  STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE,
  TOKEN_EXCHANGE_AUDIENCE,
  federatedSubjects,
  roleDefinitionId,
  stateAdmin,
  stateBackendUrl,
  type BootstrapSettings,
} from "./settings";

/** What the pipelines need to know, as the stack's outputs (see docs/gitops.md for where each goes). */
export interface PipelineOutputs {
  /** `AZURE_CLIENT_ID` of the workflows: the identity's application (client) id. */
  clientId: pulumi.Output<string>;
  /** `AZURE_TENANT_ID` of the workflows. */
  tenantId: pulumi.Output<string>;
  /** The identity's service principal (object) id, for role assignments. */
  principalId: pulumi.Output<string>;
  /** `PULUMI_BACKEND_URL` of the workflows. */
  backendUrl: pulumi.Output<string>;
  /** The token subjects the identity trusts, for review. */
  federatedSubjects: string[];
}

export function declarePipeline(settings: BootstrapSettings): PipelineOutputs {
  const tags = { purpose: "iom-gitops pipelines", repository: settings.repository };
  const group = new resources.ResourceGroup("pipeline", {
    resourceGroupName: settings.resourceGroupName,
    location: settings.location,
    tags,
  });

  const identity = new managedidentity.UserAssignedIdentity("pipeline", {
    resourceName: settings.identityName,
    resourceGroupName: group.name,
    location: group.location,
    tags,
  });

  // Azure refuses concurrent writes of federated credentials on one identity
  // (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity): each waits for the last.
  const subjects = federatedSubjects(settings);
  let previous: pulumi.Resource | undefined;
  for (const { name, subject } of subjects) {
    previous = new managedidentity.FederatedIdentityCredential(
      name,
      {
        federatedIdentityCredentialResourceName: name,
        resourceName: identity.name,
        resourceGroupName: group.name,
        issuer: GITHUB_ACTIONS_ISSUER,
        subject,
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
      },
      previous ? { dependsOn: [previous] } : {},
    );
  }

  const account = new storage.StorageAccount("state", {
    accountName: settings.storageAccountName,
    resourceGroupName: group.name,
    location: group.location,
    kind: storage.Kind.StorageV2,
    sku: { name: settings.storageSku },
    accessTier: storage.AccessTier.Hot,
    // No anonymous reads of any container, ever.
    allowBlobPublicAccess: false,
    // Entra tokens only: no account keys or SAS tokens that could be copied out of a pipeline.
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
    allowCrossTenantReplication: false,
    isLocalUserEnabled: false,
    isSftpEnabled: false,
    // GitHub-hosted runners come from the internet: the account stays reachable over the network,
    // and the gate is Entra authorization on the data plane rather than an IP list.
    publicNetworkAccess: storage.PublicNetworkAccess.Enabled,
    tags,
  });

  new storage.BlobServiceProperties("state", {
    accountName: account.name,
    resourceGroupName: group.name,
    blobServicesName: "default",
    // Every write of a checkpoint keeps the previous one as a version: a broken state can be
    // rolled back to the version before the run that broke it.
    isVersioningEnabled: true,
    deleteRetentionPolicy: { enabled: true, days: 30 },
    containerDeleteRetentionPolicy: { enabled: true, days: 30 },
  });

  const container = new storage.BlobContainer("state", {
    containerName: settings.stateContainerName,
    accountName: account.name,
    resourceGroupName: group.name,
    publicAccess: storage.PublicAccess.None,
  });

  // Data-plane access to this container only: the identity cannot read other containers, list
  // account keys (there are none to use) or change the account.
  const client = authorization.getClientConfigOutput();
  const blobContributor = client.subscriptionId.apply((id) =>
    roleDefinitionId(id, STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE),
  );
  new authorization.RoleAssignment("pipeline-state", {
    principalId: identity.principalId,
    principalType: authorization.PrincipalType.ServicePrincipal,
    roleDefinitionId: blobContributor,
    scope: container.id,
    description: `iom-gitops pipelines of ${settings.repository}: Pulumi state`,
  });
  settings.stateAdmins.map(stateAdmin).forEach(({ principalId, principalType }, i) => {
    new authorization.RoleAssignment(`state-admin-${i}`, {
      principalId,
      principalType,
      roleDefinitionId: blobContributor,
      scope: container.id,
      description: "iom-gitops: stack administration (pulumi stack init, state repair)",
    });
  });

  return {
    clientId: identity.clientId,
    tenantId: identity.tenantId,
    principalId: identity.principalId,
    backendUrl: pulumi
      .all([account.name, container.name])
      .apply(([accountName, containerName]) => stateBackendUrl(accountName, containerName)),
    federatedSubjects: subjects.map((s) => s.subject),
  };
}
