// `iom validate --online`: filters and columns checked against the metadata the environment
// serves (here the emulator, over HTTP), instead of the snapshot shipped with the project.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValidate } from "../../../src/cli/commands/validate.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { clearMetadataCache } from "../../../src/dataverse/metadata.js";
import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";
import { projectRoot } from "../../../src/engine/engine.js";

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), "iom-online-"));
  cpSync(path.join(projectRoot, "policies"), path.join(dir, "policies"), { recursive: true });
  const stack = readFileSync(path.join(projectRoot, "stacks", "local.iom.yaml"), "utf8");
  writeFileSync(path.join(dir, "good.iom.yaml"), stack.replaceAll("../policies/", "policies/"));
  // The article's lines filter as printed: the lookup without its leading underscore.
  writeFileSync(
    path.join(dir, "typo.iom.yaml"),
    stack
      .replaceAll("../policies/", "policies/")
      .replace(
        "_msdyn_company_value ne null and _msdyn_shippingsite",
        "msdyn_company_value ne null and _msdyn_shippingsite",
      ),
  );
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function validate(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  clearMetadataCache();
  let out = "";
  const code = await runValidate(args, { cwd: dir, env, write: (text) => (out += text) });
  return { code, out };
}

const online = () => ({ IOM_DATAVERSE_URL: emulator.url, IOM_TOKEN: emulator.token });

describe("iom validate --online", () => {
  it("accepts the article's configuration against the environment's metadata", async () => {
    const before = await (await fetch(`${emulator.url}/_emulator/counters`, { headers: auth() })).json();
    const { code, out } = await validate(["good.iom.yaml", "--online"], online());
    expect(out).toBe("ok: 3 files valid\n");
    expect(code).toBe(0);
    const after = (await (await fetch(`${emulator.url}/_emulator/counters`, { headers: auth() })).json()) as {
      byRoute: Record<string, number>;
    };
    // The metadata really came from the environment.
    const metadataCalls = Object.entries(after.byRoute)
      .filter(([route]) => route.includes("EntityDefinitions"))
      .reduce((n, [, count]) => n + count, 0);
    expect(metadataCalls).toBeGreaterThan(0);
    expect(before).toBeDefined();
  });

  it("reports the article's lookup typo with the environment's attribute as the suggestion", async () => {
    const { code, out } = await validate(["typo.iom.yaml", "--online"], online());
    expect(code).toBe(1);
    expect(out).toMatch(/typo\.iom\.yaml:\d+:\d+: error filter-unknown-attribute: .*_msdyn_company_value/);
    expect(out).toContain("did you mean '_msdyn_company_value'?");
  });

  it("is a usage error, naming the missing setting, when no environment is configured", async () => {
    await expect(validate(["good.iom.yaml", "--online"], {})).rejects.toThrow(UsageError);
    await expect(validate(["good.iom.yaml", "--online"], {})).rejects.toThrow(/IOM_DATAVERSE_URL/);
  });

  it("is a usage error, without the token, when the environment refuses the credentials", async () => {
    const env = { IOM_DATAVERSE_URL: emulator.url, IOM_TOKEN: "wrong-token-value" };
    const failure = await validate(["good.iom.yaml", "--online"], env).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(UsageError);
    expect(String(failure)).toContain(`could not read the metadata of ${emulator.url}`);
    expect(String(failure)).not.toContain("wrong-token-value");
  });
});

function auth(): Record<string, string> {
  return { Authorization: `Bearer ${emulator.token}` };
}
