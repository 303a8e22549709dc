// Secret provider parameters in the YAML: `"API key": { secret: shopifyApiKey }` is accepted by
// `iom validate` offline, a malformed reference is a located schema finding, a key that is one of
// iom-gitops's own settings is refused, and with the stack's config (as the program checks it) a
// key that is not set, or set in plain text, is a located error and nothing is returned to declare.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../temp.js";
import type { SecretConfigState } from "../../../src/config/checks/secret-parameters.js";
import { formatText } from "../../../src/config/formatters.js";
import { loadDesiredState, validatePaths } from "../../../src/config/validate.js";

afterEach(removeTempDirs);

function stack(parameters: string): string {
  return [
    "version: 1",
    "providers:",
    "  - name: shopify",
    "    definition: Shopify",
    "    activated: false",
    "    parameters:",
    parameters,
    "",
  ].join("\n");
}

function project(text: string): string {
  const dir = tempDir("iom-secret-");
  mkdirSync(path.join(dir, "stacks"));
  writeFileSync(path.join(dir, "stacks", "test.iom.yaml"), text);
  return dir;
}

const REFERENCE = stack("      API key: { secret: shopifyApiKey }\n      Page size: 50");

describe("a secret parameter in the YAML", () => {
  it("is accepted by iom validate offline, beside plain values", async () => {
    const result = await validatePaths(["stacks"], { cwd: project(REFERENCE) });
    expect(result.findings).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each([
    ["      API key: { secrt: shopifyApiKey }", "schema-unknown-key", 7, 18, /did you mean 'secret'/],
    ["      API key: {}", "schema-missing-key", 7, 16, /add 'secret'/],
    ["      API key: { secret: iom:shopifyApiKey }", "schema-invalid-value", 7, 26, /without "iom:"/],
  ])("%s is a located schema finding", async (line, code, row, column, hint) => {
    const result = await validatePaths(["stacks"], { cwd: project(stack(line)) });
    expect(result.valid).toBe(false);
    const finding = result.findings.find((f) => f.code === code);
    expect(finding).toMatchObject({ line: row, column, file: "stacks/test.iom.yaml" });
    expect(finding!.hint ?? "").toMatch(hint);
    expect(result.findings.every((f) => f.line === row)).toBe(true);
  });

  it("may not name one of iom-gitops's own settings", async () => {
    const result = await validatePaths(["stacks"], {
      cwd: project(stack("      API key: { secret: ClientSecret }")),
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: "secret-config-reserved",
        file: "stacks/test.iom.yaml",
        line: 7,
        column: 26,
        message:
          "parameter 'API key' of provider 'shopify' would take its value from iom:clientSecret, a setting iom-gitops itself reads",
        hint: "give the parameter a config key of its own, e.g. shopifyApiKey",
      }),
    ]);
  });
});

describe("the stack's config, as the program checks it", () => {
  const lookup = (states: Record<string, SecretConfigState>) => ({
    stack: "prod",
    state: (key: string) => states[key] ?? "missing",
  });

  it("resolves nothing itself: the desired state keeps the reference when the key is a secret", async () => {
    const dir = project(REFERENCE);
    const { validation, state } = await loadDesiredState("stacks/test.iom.yaml", {
      cwd: dir,
      secretConfig: lookup({ shopifyApiKey: "secret" }),
    });
    expect(validation.findings).toEqual([]);
    expect(state?.providers[0]?.parameters).toEqual({
      "API key": { secret: "shopifyApiKey" },
      "Page size": 50,
    });
  });

  it.each([
    [
      "missing",
      "secret-config-missing",
      "parameter 'API key' of provider 'shopify' takes its value from iom:shopifyApiKey, which stack 'prod' does not set",
    ],
    [
      "plain",
      "secret-config-not-secret",
      "parameter 'API key' of provider 'shopify' takes its value from iom:shopifyApiKey, which stack 'prod' holds in plain text",
    ],
  ] as const)("a key %s is a located error, and there is nothing to declare", async (how, code, message) => {
    const dir = project(REFERENCE);
    const { validation, state } = await loadDesiredState("stacks/test.iom.yaml", {
      cwd: dir,
      secretConfig: lookup({ shopifyApiKey: how }),
    });
    expect(state).toBeUndefined();
    expect(validation.findings).toEqual([
      expect.objectContaining({ code, message, file: "stacks/test.iom.yaml", line: 7, column: 26 }),
    ]);
    expect(formatText(validation)).toContain(`stacks/test.iom.yaml:7:26: error ${code}: ${message}`);
    expect(validation.findings[0]!.hint).toContain("`pulumi config set --secret iom:shopifyApiKey`");
  });
});
