// `iom import` of a provider with a credential parameter, against the emulator: the YAML holds a
// reference to secret config in its place, the command says which `pulumi config set --secret` to
// run, and the value appears nowhere in what it writes (files, stdout, stderr); other parameters
// are imported as before, and the files validate.
import { readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runImport } from "../../../src/cli/commands/import.js";
import { validatePaths } from "../../../src/config/validate.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import { useEmulator } from "../dataverse/harness.js";
import { addDefinitionParameter } from "../resources/secret-parameter.js";
import { sessionOn } from "../resources/setup.js";

const h = useEmulator();
const API_KEY = "shpat_imported_5e0d9c2b7a";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "iom-import-secret-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe("iom import of a credential parameter", () => {
  it("writes a reference to secret config and the command to set it, never the value", async () => {
    const s = await sessionOn(h);
    await addDefinitionParameter(s, "Shopify", "API key");
    await addDefinitionParameter(s, "Shopify", "Store URL");
    await iomProvider.create(
      {
        name: "Shopify",
        definition: "Shopify",
        activated: false,
        parameters: { "API key": API_KEY, "Store URL": "https://contoso.myshopify.com" },
        recordId: derivedId("contract", "shopify"),
      },
      s,
    );
    let out = "";
    let err = "";
    const em = h.emulator();
    const code = await runImport(["--out", "stacks/prod.iom.yaml"], {
      cwd: scratch,
      write: (text) => (out += text),
      writeError: (text) => (err += text),
      env: { IOM_DATAVERSE_URL: em.url, IOM_TOKEN: em.token },
    });
    expect(code).toBe(0);
    const yaml = readFileSync(path.join(scratch, "stacks", "prod.iom.yaml"), "utf8");
    expect(yaml + out + err).not.toContain(API_KEY);
    expect(yaml).toContain(
      [
        "  - name: shopify",
        "    definition: Shopify",
        "    parameters:",
        "      API key:",
        "        secret: shopifyApiKey",
        "      Store URL: https://contoso.myshopify.com",
      ].join("\n"),
    );
    expect(yaml).toContain(
      '#   pulumi config set --secret iom:shopifyApiKey   # "API key" of provider shopify\n',
    );
    expect(err).toContain(
      "warning secret-parameter: msdyn_iomprovider 'Shopify' (" +
        derivedId("contract", "shopify") +
        "): parameter 'API key' looks like a credential, so its value is not copied: the YAML takes it from the stack's secret config iom:shopifyApiKey\n" +
        "  hint: before `pulumi up`, run `pulumi config set --secret iom:shopifyApiKey` and enter the value",
    );
    const validation = await validatePaths(["stacks"], { cwd: scratch });
    expect(validation.findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});
