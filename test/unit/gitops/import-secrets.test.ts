// `iom import` never copies a credential: which parameter names look like one, the config keys the
// placeholders get (camelCase of provider and parameter, unique, never one of iom-gitops's own
// settings), which values are left as they are, and the stack file's comment with the commands to
// run, which holds no value and reads back as the configuration.
import { describe, expect, it } from "vitest";
import { loadYamlText } from "../../../src/config/yaml-source.js";
import { schemaRegistry } from "../../../src/config/schema-registry.js";
import type { ImportedConfiguration } from "../../../src/gitops/import.js";
import { looksLikeCredential, SecretKeys, withPlaceholders } from "../../../src/gitops/import-secrets.js";
import { renderImport } from "../../../src/gitops/import-yaml.js";

describe("looksLikeCredential", () => {
  it.each([
    "API key",
    "ApiKey",
    "APIKey",
    "apikey",
    "Client Secret",
    "clientSecret",
    "Password",
    "SFTP passwd",
    "Access token",
    "Shared access signature",
    "Storage connection string",
    "Signing certificate",
    "Credentials",
    "Passphrase",
  ])("%s looks like a credential", (name) => {
    expect(looksLikeCredential(name)).toBe(true);
  });

  it.each(["Disable Status Update Handlers", "Keyboard layout", "Monkey count", "Page size", "Store URL"])(
    "%s does not",
    (name) => {
      expect(looksLikeCredential(name)).toBe(false);
    },
  );
});

describe("placeholders", () => {
  it("replace credential-like text only, with keys unique in the import and never iom-gitops's own", () => {
    const keys = new SecretKeys();
    const first = withPlaceholders(
      "shopify",
      {
        "API key": "shpat_0123456789abcdef",
        "Disable Token Refresh": false,
        "Token lifetime": 3600,
        "Webhook secret": "",
        "Store URL": "https://contoso.myshopify.com",
      },
      keys,
    );
    expect(first.parameters).toEqual({
      "API key": { secret: "shopifyApiKey" },
      "Disable Token Refresh": false,
      "Token lifetime": 3600,
      "Webhook secret": "",
      "Store URL": "https://contoso.myshopify.com",
    });
    expect(first.placeholders).toEqual([{ provider: "shopify", parameter: "API key", key: "shopifyApiKey" }]);
    // Another provider whose words make the same key, and one that would make iom:clientSecret.
    expect(withPlaceholders("shopify-api", { Key: "x1" }, keys).parameters).toEqual({
      Key: { secret: "shopifyApiKey2" },
    });
    expect(withPlaceholders("client", { Secret: "x2" }, keys).parameters).toEqual({
      Secret: { secret: "clientSecret2" },
    });
  });

  it("give keys the schema accepts, whatever the names", () => {
    const keys = new SecretKeys();
    for (const [provider, parameter] of [
      ["3pl-warehouse", "API key"],
      ["élan", "Clé secret"],
      ["x".repeat(100), "password ".repeat(20)],
    ] as const) {
      const { parameters } = withPlaceholders(provider, { [parameter]: "value" }, keys);
      const yaml = { name: "p", definition: "Shopify", activated: false, parameters };
      expect(schemaRegistry().validate("iom-provider", yaml), `${provider} ${parameter}`).toEqual([]);
    }
  });
});

describe("the stack file of an import with placeholders", () => {
  const configuration: ImportedConfiguration = {
    environmentUrl: "https://contoso.crm.dynamics.com",
    organizationId: "0f2e6c5a-1111-4222-8333-444455556666",
    providers: [
      {
        name: "shopify",
        definition: "Shopify",
        parameters: { "API key": { secret: "shopifyApiKey" }, 'Odd "name"': { secret: "shopifyOddName" } },
        activated: false,
      },
    ],
    connections: [],
    dualWriteMaps: [],
    policies: [],
    orchestrationFlows: [],
  };

  it("lists the commands that set them, and reads back as the configuration", () => {
    const [file] = renderImport(configuration, { stackDir: "/p/stacks", schemasDir: "/p/schemas" });
    expect(file!.text).toContain(
      [
        "#",
        "# Credentials are not copied. Before `pulumi up`, set each in the stack's secret config",
        "# (the command prompts for the value; copy it from IOM or from where your team keeps it):",
        '#   pulumi config set --secret iom:shopifyApiKey   # "API key" of provider shopify',
        '#   pulumi config set --secret iom:shopifyOddName   # "Odd \\"name\\"" of provider shopify',
        "version: 1",
      ].join("\n"),
    );
    expect(file!.text).toContain("      API key:\n        secret: shopifyApiKey\n");
    const loaded = loadYamlText("stdout", file!.text);
    expect(loaded.ok && loaded.source.data).toMatchObject({ providers: configuration.providers });
  });

  it("has no such comment when there is nothing to set", () => {
    const plain = {
      ...configuration,
      providers: [{ ...configuration.providers[0]!, parameters: { Sandbox: true } }],
    };
    const [file] = renderImport(plain, { stackDir: "/p/stacks", schemasDir: "/p/schemas" });
    expect(file!.text).not.toContain("pulumi config set");
  });
});
