// The bootstrap's settings as tables of cases: defaults, every finding code, all findings at once,
// and the token subjects and backend URL that follow from valid settings.
import { describe, expect, it } from "vitest";
import {
  BootstrapSettingsError,
  federatedSubjects,
  readSettings,
  stateBackendUrl,
  type BootstrapSettingCode,
  type BootstrapSettings,
} from "../../../bootstrap/settings.js";

const REQUIRED = {
  repository: "contoso/iom-config",
  location: "westeurope",
  storageAccountName: "contosoiomstate",
};

function read(values: Partial<Record<keyof BootstrapSettings, string>>): BootstrapSettings {
  return readSettings((key) => values[key]);
}

function findings(values: Partial<Record<keyof BootstrapSettings, string>>) {
  try {
    read(values);
  } catch (err) {
    if (err instanceof BootstrapSettingsError) return err.findings;
    throw err;
  }
  throw new Error("expected findings, the settings were accepted");
}

describe("readSettings", () => {
  it("applies the defaults around the three required settings", () => {
    expect(read(REQUIRED)).toEqual({
      ...REQUIRED,
      mainBranch: "main",
      environments: ["dev", "test", "prod"],
      resourceGroupName: "rg-iom-gitops",
      identityName: "id-iom-gitops",
      stateContainerName: "iom-state",
      storageSku: "Standard_ZRS",
      stateAdmins: [],
    });
  });

  it.each([
    ['["dev","staging"]', ["dev", "staging"]],
    ["dev, staging prod", ["dev", "staging", "prod"]],
    ["dev dev", ["dev"]],
  ])("reads the environments list %j", (environments, expected) => {
    expect(read({ ...REQUIRED, environments }).environments).toEqual(expected);
  });

  it("reports every missing required setting at once, with the command that sets it", () => {
    const found = findings({});
    expect(found.map((f) => [f.code, f.key])).toEqual([
      ["missing-setting", "repository"],
      ["missing-setting", "location"],
      ["missing-setting", "storageAccountName"],
    ]);
    expect(found[0]?.message).toContain("pulumi config set repository <value>");
  });

  const cases: [
    string,
    Partial<Record<keyof BootstrapSettings, string>>,
    BootstrapSettingCode,
    keyof BootstrapSettings,
  ][] = [
    ["a repository without its owner", { repository: "iom-config" }, "invalid-repository", "repository"],
    [
      "a repository URL",
      { repository: "https://github.com/contoso/iom" },
      "invalid-repository",
      "repository",
    ],
    ["a branch with '..'", { mainBranch: "a..b" }, "invalid-branch", "mainBranch"],
    ["a branch with a space", { mainBranch: "release 1" }, "invalid-branch", "mainBranch"],
    ["an environment with a colon", { environments: "dev,pr:od" }, "invalid-environment", "environments"],
    [
      "environments that are not a list",
      { environments: '["dev", 1]' },
      "invalid-environment",
      "environments",
    ],
    [
      "two environments with one credential name",
      { environments: "pre.prod pre-prod" },
      "invalid-environment",
      "environments",
    ],
    [
      "19 environments (21 credentials)",
      { environments: Array.from({ length: 19 }, (_, i) => `e${i}`).join(",") },
      "too-many-credentials",
      "environments",
    ],
    ["a resource group ending in '.'", { resourceGroupName: "rg-iom." }, "invalid-name", "resourceGroupName"],
    ["an identity name with a slash", { identityName: "id/iom" }, "invalid-name", "identityName"],
    [
      "an uppercase storage account",
      { storageAccountName: "ContosoState" },
      "invalid-storage-account-name",
      "storageAccountName",
    ],
    [
      "a 25-character storage account",
      { storageAccountName: "a".repeat(25) },
      "invalid-storage-account-name",
      "storageAccountName",
    ],
    [
      "a container with '--'",
      { stateContainerName: "iom--state" },
      "invalid-container-name",
      "stateContainerName",
    ],
    [
      "a container ending in '-'",
      { stateContainerName: "iom-state-" },
      "invalid-container-name",
      "stateContainerName",
    ],
    [
      "an admin that is not an object id",
      { stateAdmins: "alice@contoso.com" },
      "invalid-object-id",
      "stateAdmins",
    ],
  ];
  it.each(cases)("refuses %s", (_, values, code, key) => {
    expect(findings({ ...REQUIRED, ...values })).toEqual([expect.objectContaining({ code, key })]);
  });

  it("accepts the limits: 18 environments, a 24-character account, a 63-character container", () => {
    const settings = read({
      ...REQUIRED,
      environments: Array.from({ length: 18 }, (_, i) => `e${i}`).join(","),
      storageAccountName: "a".repeat(24),
      stateContainerName: "a".repeat(63),
    });
    expect(federatedSubjects(settings)).toHaveLength(20);
  });

  it("reports findings of different settings together", () => {
    const found = findings({ ...REQUIRED, repository: "x", storageAccountName: "X", stateAdmins: "nobody" });
    expect(found.map((f) => f.code)).toEqual([
      "invalid-repository",
      "invalid-storage-account-name",
      "invalid-object-id",
    ]);
  });
});

describe("federatedSubjects", () => {
  it("trusts pull requests, the main branch and each deploy environment of the repository", () => {
    const settings = read({ ...REQUIRED, mainBranch: "release/2025", environments: "dev,prod" });
    expect(federatedSubjects(settings)).toEqual([
      { name: "github-pull-request", subject: "repo:contoso/iom-config:pull_request" },
      { name: "github-branch-release-2025", subject: "repo:contoso/iom-config:ref:refs/heads/release/2025" },
      { name: "github-environment-dev", subject: "repo:contoso/iom-config:environment:dev" },
      { name: "github-environment-prod", subject: "repo:contoso/iom-config:environment:prod" },
    ]);
  });
});

describe("stateBackendUrl", () => {
  it("names the container and the account the way Pulumi's azblob backend reads them", () => {
    expect(stateBackendUrl("contosoiomstate", "iom-state")).toBe(
      "azblob://iom-state?storage_account=contosoiomstate",
    );
  });
});
