// The bootstrap's settings (Pulumi config of the iom-gitops-bootstrap project) and what follows from
// them: the federated credentials GitHub Actions needs and the state backend's URL. Pure functions,
// with no Pulumi or Azure import, so they are checked on their own and the program stays a list of
// resources.

/** The issuer of GitHub Actions' OIDC tokens: the one Entra ID must trust. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The audience Entra ID accepts for a federated token exchange. GitHub's token is requested for it
 * (docs/dataverse-client.md, workload-identity), so the credential must list exactly this one.
 */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Azure's built-in "Storage Blob Data Contributor" role: read and write blobs, nothing else. */
export const STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/** Azure allows at most 20 federated credentials on one user-assigned identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;

export interface BootstrapSettings {
  /** The GitHub repository whose workflows may sign in, as `owner/name`, spelled as GitHub does. */
  repository: string;
  /** The branch the deploy and drift workflows run on. @default "main" */
  mainBranch: string;
  /**
   * The GitHub environments the deploy jobs run in (one per stack). A job that names an environment
   * gets a token whose subject is the environment, not the branch, so each needs its own credential.
   * @default ["dev", "test", "prod"]
   */
  environments: string[];
  /** Azure region of the resource group, identity and storage account, e.g. `westeurope`. */
  location: string;
  /** @default "rg-iom-gitops" */
  resourceGroupName: string;
  /** @default "id-iom-gitops" */
  identityName: string;
  /** Globally unique: 3 to 24 lowercase letters and digits. */
  storageAccountName: string;
  /** The blob container holding the Pulumi state. @default "iom-state" */
  stateContainerName: string;
  /** @default "Standard_ZRS" (three zones; versioning and soft delete cover mistakes, ZRS a zone loss) */
  storageSku: string;
  /**
   * Who runs `pulumi stack init` and repairs state by hand: Entra object ids of users, or of groups
   * written `group:<object id>` (a role assignment must name the kind of principal).
   * @default []
   */
  stateAdmins: string[];
}

/** Every way a setting can be wrong: a closed list, so callers and tests can rely on the codes. */
export type BootstrapSettingCode =
  | "missing-setting"
  | "invalid-repository"
  | "invalid-branch"
  | "invalid-environment"
  | "invalid-name"
  | "invalid-storage-account-name"
  | "invalid-container-name"
  | "invalid-object-id"
  | "too-many-credentials";

export interface BootstrapSettingFinding {
  code: BootstrapSettingCode;
  /** The config key, as given to `pulumi config set`. */
  key: keyof BootstrapSettings;
  message: string;
}

/** All the findings of one read, reported together so one `pulumi config set` round fixes them. */
export class BootstrapSettingsError extends Error {
  constructor(readonly findings: BootstrapSettingFinding[]) {
    super(
      `the bootstrap's settings are not usable:\n` +
        findings.map((f) => `  ${f.key}: ${f.message} [${f.code}]`).join("\n"),
    );
    this.name = "BootstrapSettingsError";
  }
}

/** One federated credential: a name Azure accepts, and the token subject it trusts. */
export interface FederatedSubject {
  name: string;
  subject: string;
}

const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
// Git refs exclude spaces, `~^:?*[\` and `..`; a branch used in a token subject keeps to this subset.
const BRANCH = /^(?!.*\.\.)[A-Za-z0-9._/-]+$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
// Resource group and identity names: letters, digits, `-`, `_`, `.`, `(`, `)`, not ending in `.`.
const AZURE_NAME = /^[A-Za-z0-9_.()-]{0,89}[A-Za-z0-9_()-]$/;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const OBJECT_ID = /^(group:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Credential names allow letters, digits, '-' and '_' (3 to 120 characters, a letter or digit first).
const slug = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, "-");

/**
 * A list setting: a JSON array (`pulumi config set environments '["dev","prod"]'`) or names
 * separated by commas or spaces (`pulumi config set environments "dev test prod"`).
 */
function list(value: string): string[] | undefined {
  const text = value.trim();
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) {
        return parsed.map((v) => v.trim()).filter(Boolean);
      }
    } catch {
      // Falls through to the finding below.
    }
    return undefined;
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * Reads the settings through `get` (the project's Pulumi config in the program), applying the
 * defaults, and checks them all; throws one {@link BootstrapSettingsError} listing every finding.
 */
export function readSettings(get: (key: keyof BootstrapSettings) => string | undefined): BootstrapSettings {
  const findings: BootstrapSettingFinding[] = [];
  const text = (key: keyof BootstrapSettings, fallback?: string): string => {
    const value = get(key)?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    findings.push({
      code: "missing-setting",
      key,
      message: `required: set it with \`pulumi config set ${key} <value>\``,
    });
    return "";
  };
  const check = (
    key: keyof BootstrapSettings,
    value: string,
    pattern: RegExp,
    code: BootstrapSettingCode,
    rule: string,
  ) => {
    if (value !== "" && !pattern.test(value)) {
      findings.push({ code, key, message: `'${value}' is not valid: ${rule}` });
    }
  };
  const names = (key: "environments" | "stateAdmins", fallback: string[]): string[] => {
    const raw = get(key);
    if (raw === undefined || raw.trim() === "") return fallback;
    const parsed = list(raw);
    if (parsed === undefined) {
      findings.push({
        code: key === "environments" ? "invalid-environment" : "invalid-object-id",
        key,
        message: `'${raw}' is not a list: give a JSON array of strings or names separated by commas`,
      });
      return [];
    }
    return [...new Set(parsed)];
  };

  const settings: BootstrapSettings = {
    repository: text("repository"),
    mainBranch: text("mainBranch", "main"),
    environments: names("environments", ["dev", "test", "prod"]),
    location: text("location"),
    resourceGroupName: text("resourceGroupName", "rg-iom-gitops"),
    identityName: text("identityName", "id-iom-gitops"),
    storageAccountName: text("storageAccountName"),
    stateContainerName: text("stateContainerName", "iom-state"),
    storageSku: text("storageSku", "Standard_ZRS"),
    stateAdmins: names("stateAdmins", []),
  };

  check("repository", settings.repository, REPOSITORY, "invalid-repository", "write it as owner/name");
  check("mainBranch", settings.mainBranch, BRANCH, "invalid-branch", "a branch name such as main");
  for (const environment of settings.environments) {
    check("environments", environment, ENVIRONMENT, "invalid-environment", "letters, digits, '.', '_', '-'");
  }
  const azureName = "1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'";
  for (const key of ["resourceGroupName", "identityName"] as const) {
    check(key, settings[key], AZURE_NAME, "invalid-name", azureName);
  }
  check(
    "storageAccountName",
    settings.storageAccountName,
    STORAGE_ACCOUNT,
    "invalid-storage-account-name",
    "3 to 24 lowercase letters and digits, unique across Azure",
  );
  check(
    "stateContainerName",
    settings.stateContainerName,
    CONTAINER,
    "invalid-container-name",
    "3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
  );
  for (const admin of settings.stateAdmins) {
    check("stateAdmins", admin, OBJECT_ID, "invalid-object-id", "an Entra object id, group:<id> for a group");
  }
  const credentials = 2 + settings.environments.length;
  if (credentials > MAX_FEDERATED_CREDENTIALS) {
    findings.push({
      code: "too-many-credentials",
      key: "environments",
      message:
        `${settings.environments.length} environments need ${credentials} federated credentials; ` +
        `an identity holds at most ${MAX_FEDERATED_CREDENTIALS}`,
    });
  }
  const byCredentialName = new Map<string, string>();
  for (const environment of settings.environments) {
    const other = byCredentialName.get(slug(environment));
    if (other !== undefined) {
      findings.push({
        code: "invalid-environment",
        key: "environments",
        message: `'${other}' and '${environment}' would share the credential name github-environment-${slug(environment)}`,
      });
    }
    byCredentialName.set(slug(environment), environment);
  }
  if (findings.length > 0) throw new BootstrapSettingsError(findings);
  return settings;
}

/**
 * The token subjects GitHub Actions presents for this repository's workflows, one credential each
 * (GitHub's default subject format):
 * - pull requests (the preview and plan-summary jobs): `repo:<owner>/<name>:pull_request`;
 * - the main branch without an environment (the nightly drift check): `...:ref:refs/heads/<branch>`;
 * - each deploy environment (a job with `environment:`): `...:environment:<name>`.
 */
export function federatedSubjects(settings: BootstrapSettings): FederatedSubject[] {
  const repo = `repo:${settings.repository}`;
  return [
    { name: "github-pull-request", subject: `${repo}:pull_request` },
    {
      name: `github-branch-${slug(settings.mainBranch)}`,
      subject: `${repo}:ref:refs/heads/${settings.mainBranch}`,
    },
    ...settings.environments.map((environment) => ({
      name: `github-environment-${slug(environment)}`,
      subject: `${repo}:environment:${environment}`,
    })),
  ];
}

/** A state admin's object id and the kind of principal Azure must be told it is. */
export function stateAdmin(entry: string): { principalId: string; principalType: "User" | "Group" } {
  return entry.startsWith("group:")
    ? { principalId: entry.slice("group:".length), principalType: "Group" }
    : { principalId: entry, principalType: "User" };
}

/** The Pulumi backend URL of the state container (`PULUMI_BACKEND_URL`, `pulumi login`). */
export function stateBackendUrl(storageAccountName: string, containerName: string): string {
  return `azblob://${containerName}?storage_account=${storageAccountName}`;
}

/** The id of a built-in role definition in a subscription, as role assignments name it. */
export function roleDefinitionId(subscriptionId: string, roleId: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}
