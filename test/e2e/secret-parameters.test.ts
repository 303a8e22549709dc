// A secret provider parameter on the real engine: `"API key": { secret: shopifyApiKey }` with the
// value in `pulumi config set --secret iom:shopifyApiKey`. Before the key is set, and while it is
// set in plain text, the program stops at the YAML's line and nothing is written. Once it is a
// secret, one `up` writes the value to the emulator's row, and the value appears in no file of the
// state backend, in neither the inputs nor the outputs of the exported state (both encrypted), in
// neither `up --diff` nor a preview's JSON after it is rotated, nor in the PR comment
// `iom plan-summary` makes of that preview.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitySetNames } from "../../src/iom/facts.js";
import { TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, planSummary, type TestProject } from "./harness.js";

const availability = engineForTests();
const STORED = "shpat_e2e_stored_8d1c5a0f3b";
const ROTATED = "shpat_e2e_rotated_4f2e9b7c1d";
/** Pulumi's signature of a secret value in serialised state (sdk resource/sig). */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

/** A resource of an exported deployment, as far as this test reads it. */
interface Exported {
  type: string;
  inputs: { parameters: Record<string, unknown>; secretParameters?: string[] };
  outputs: { parameters: Record<string, unknown>; secretParameters?: string[] };
}

function iomProvider(exportText: string): Exported {
  const { deployment } = JSON.parse(exportText) as { deployment: { resources: Exported[] } };
  const found = deployment.resources.find((r) => r.type.endsWith("dynamic/iom:IomProvider"));
  if (!found) throw new Error("no IomProvider in the exported state");
  return found;
}

const STACK = `version: 1
providers:
  - name: shopify
    definition: Shopify
    activated: false
    parameters:
      API key: { secret: shopifyApiKey }
`;

describe.skipIf(!availability.engine)("a secret provider parameter on the real engine", () => {
  let environment: TestEnvironment;
  let project: TestProject;
  let env: NodeJS.ProcessEnv;

  const pulumi = async (args: string[]) => {
    const run = promisify(execFile)(
      path.join(availability.engine!.binDir, "pulumi"),
      [...args, "--non-interactive"],
      {
        cwd: project.dir,
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    try {
      const { stdout, stderr } = await run;
      return { ok: true, output: stdout + stderr, stdout };
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      return { ok: false, output: stdout + stderr, stdout };
    }
  };

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    // The emulator's catalog gives no definition a credential parameter: add one to Shopify's.
    const [shopify] = (await environment.rows(entitySetNames.msdyn_iomproviderdefinition)).filter(
      (r) => r.msdyn_displayname === "Shopify",
    );
    const nav = await environment.navigation(
      "msdyn_iomproviderdefinitionparameter",
      "msdyn_iomproviderdefinition",
    );
    const added = await environment.request(
      "POST",
      `/api/data/v9.2/${entitySetNames.msdyn_iomproviderdefinitionparameter}`,
      {
        msdyn_displayname: "API key",
        msdyn_logicalname: "test_apikey",
        [`${nav}@odata.bind`]: `/${entitySetNames.msdyn_iomproviderdefinition}(${String(shopify!.msdyn_iomproviderdefinitionid)})`,
      },
    );
    expect(added.status).toBe(204);
    project = await createTestProject(availability.engine!, "index", {
      files: { "stacks/test.iom.yaml": STACK },
      env: environment.env,
    });
    env = { ...process.env, ...project.env };
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  it("stops at the YAML's line until the key is a secret, then keeps the value out of state, diffs and the PR comment", async () => {
    const missing = await pulumi(["preview", "--stack", "test"]);
    expect(missing.ok).toBe(false);
    expect(missing.output).toContain(
      "stacks/test.iom.yaml:7:26: error secret-config-missing: parameter 'API key' of provider 'shopify' takes its value from iom:shopifyApiKey, which stack 'test' does not set",
    );
    await pulumi(["config", "set", "iom:shopifyApiKey", STORED, "--stack", "test"]);
    const plain = await pulumi(["preview", "--stack", "test"]);
    expect(plain.ok).toBe(false);
    expect(plain.output).toContain("stacks/test.iom.yaml:7:26: error secret-config-not-secret:");
    expect(await environment.rows(entitySetNames.msdyn_iomprovider)).toEqual([]);

    await pulumi(["config", "set", "--secret", "iom:shopifyApiKey", STORED, "--stack", "test"]);
    const up = await pulumi(["up", "--yes", "--diff", "--stack", "test"]);
    expect(up.ok, up.output).toBe(true);
    expect(up.output).toMatch(/^\s+API key: \[secret\]$/m);
    expect(up.output).not.toContain(STORED);

    // Dataverse gets the value itself.
    const rows = await environment.rows(entitySetNames.msdyn_iomproviderparameter);
    expect(rows.map((r) => [r.msdyn_name, r.msdyn_value])).toEqual([["API key", STORED]]);

    // Every file the backend wrote holds it encrypted only, inputs and outputs alike.
    for (const file of readdirSync(path.join(project.dir, "state"), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name)))
      expect(readFileSync(file, "utf8"), file).not.toContain(STORED);
    const exported = await pulumi(["stack", "export", "--stack", "test"]);
    expect(exported.stdout).not.toContain(STORED);
    const provider = iomProvider(exported.stdout);
    for (const side of ["inputs", "outputs"] as const) {
      expect(provider[side].parameters["API key"], side).toMatchObject({
        ...SECRET_SIG,
        ciphertext: expect.any(String),
      });
      expect(provider[side].secretParameters, side).toEqual(["API key"]);
    }
    const decrypted = await pulumi(["stack", "export", "--show-secrets", "--stack", "test"]);
    expect(iomProvider(decrypted.stdout).outputs.parameters["API key"]).toMatchObject({
      plaintext: JSON.stringify(STORED),
    });

    // Rotated: the preview is an update of the provider, and neither value shows in it or its summary.
    await pulumi(["config", "set", "--secret", "iom:shopifyApiKey", ROTATED, "--stack", "test"]);
    const preview = await pulumi(["preview", "--json", "--stack", "test"]);
    expect(preview.ok, preview.output).toBe(true);
    expect(preview.stdout).not.toContain(STORED);
    expect(preview.stdout).not.toContain(ROTATED);
    const { steps } = JSON.parse(preview.stdout) as {
      steps: Array<{
        op: string;
        urn: string;
        newState?: { inputs: { parameters: Record<string, unknown> } };
      }>;
    };
    const update = steps.find((s) => s.urn.endsWith("IomProvider::shopify"));
    expect(update?.op).toBe("update");
    expect(update?.newState?.inputs.parameters["API key"]).toBe("[secret]");

    const summary = await planSummary(preview.stdout);
    expect(summary.code).toBe(0);
    // Only the provider changes (what else is unchanged depends on the program's other resources).
    expect(summary.stdout.split("\n")[0]).toMatch(/^\*\*IOM plan: 1 to update\*\* · 1 stack, \d+ unchanged$/);
    expect(summary.stdout).toContain(
      "- **update** `shopify` (no input changed: the provider's code or a secret did)",
    );
    expect(summary.stdout).not.toContain(STORED);
    expect(summary.stdout).not.toContain(ROTATED);
  });
});
