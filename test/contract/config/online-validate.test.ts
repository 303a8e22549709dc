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
import { tables } from "../../../src/iom/tables/index.js";
import type { TableDefinition } from "../../../src/iom/tables/types.js";

// The environment has a column the shipped metadata does not: a customisation, as real tenants
// have. A filter on it is valid online and invalid offline, which shows which metadata was used.
const CUSTOM_COLUMN = "contoso_readyforfno";
function customisedTables(): TableDefinition[] {
  const copy = structuredClone([...tables]);
  const lines = copy.find((t) => t.logicalName === "salesorderdetail");
  if (!lines) throw new Error("no salesorderdetail in the registry");
  lines.attributes.push({
    logicalName: CUSTOM_COLUMN,
    displayName: "Ready for F&O",
    type: "Boolean",
    options: [
      { value: 0, label: "No" },
      { value: 1, label: "Yes" },
    ],
  });
  return copy;
}

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, tables: customisedTables() });
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
  writeFileSync(
    path.join(dir, "custom.iom.yaml"),
    stack
      .replaceAll("../policies/", "policies/")
      .replace("msdyn_statuscode ne 192350001", `msdyn_statuscode ne 192350001 and ${CUSTOM_COLUMN} eq true`),
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
  it("accepts the article's configuration against the environment's metadata, read from it", async () => {
    const before = await metadataRequests();
    const { code, out } = await validate(["good.iom.yaml", "--online"], online());
    expect(out).toBe("ok: 3 files valid\n");
    expect(code).toBe(0);
    // The metadata was read from the environment by this run, not by an earlier one.
    expect((await metadataRequests()) - before).toBeGreaterThan(0);
  });

  it("checks against the environment's own columns: a customisation is valid online only", async () => {
    const fromEnvironment = await validate(["custom.iom.yaml", "--online"], online());
    expect(fromEnvironment.out).toBe("ok: 3 files valid\n");
    expect(fromEnvironment.code).toBe(0);
    const offline = await validate(["custom.iom.yaml"], {});
    expect(offline.code).toBe(1);
    expect(offline.out).toMatch(
      new RegExp(`custom\\.iom\\.yaml:\\d+:\\d+: error filter-unknown-attribute: .*'${CUSTOM_COLUMN}'`),
    );
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

/** Metadata requests (RetrieveMetadataChanges) the emulator has answered so far. */
async function metadataRequests(): Promise<number> {
  const response = await fetch(`${emulator.url}/_emulator/counters`, {
    headers: { Authorization: `Bearer ${emulator.token}` },
  });
  expect(response.status).toBe(200);
  const counters = (await response.json()) as { byRoute: Record<string, number> };
  return Object.entries(counters.byRoute)
    .filter(([route]) => route.includes("RetrieveMetadataChanges"))
    .reduce((n, [, count]) => n + count, 0);
}
