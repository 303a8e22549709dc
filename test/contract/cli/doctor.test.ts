// `iom doctor` against the emulator: the real command, built and spawned with the settings in its
// environment as a team would run it (exit 0, the environment and organization it reached, the
// report as text and JSON; exit 2 without settings or with a refused token, which never appears in
// the output), and in process with answers altered on the way for an environment that differs
// (exit 1, the assumption and where it lives in the code).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDoctor } from "../../../src/cli/commands/doctor.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { clearMetadataCache } from "../../../src/dataverse/metadata.js";
import { startEmulator, type RunningEmulator } from "../../../src/emulator/index.js";
import { listAssumptions } from "../../../src/iom/assumptions.js";
import { columns } from "../../../src/iom/facts.js";
import { alteringFetch, renameColumn } from "../dataverse/altering-fetch.js";
import { assertFreshBuild } from "../../dist.js";

const root = path.resolve(__dirname, "../../..");
const bin = path.join(root, "bin", "iom");
const TOKEN = "doctor-contract-token";
let emulator: RunningEmulator;
let organizationId: string;

beforeAll(async () => {
  // bin/iom runs dist/, built once before the tests (scripts/run.sh); never rebuilt here.
  assertFreshBuild();
  expect(fs.existsSync(path.join(root, "dist/cli/commands/doctor.js"))).toBe(true);
  emulator = await startEmulator({ port: 0, token: TOKEN });
  const whoAmI = await fetch(`${emulator.apiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  organizationId = ((await whoAmI.json()) as { OrganizationId: string }).OrganizationId;
}, 120_000);

afterAll(async () => {
  await emulator?.close();
});

beforeEach(() => clearMetadataCache());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/iom with only the given settings in its environment (none inherited from this shell). */
async function iom(args: string[], settings: Record<string, string>): Promise<Run> {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...settings };
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, args, { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? null, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const settings = () => ({
  IOM_DATAVERSE_URL: emulator.url,
  IOM_TOKEN: TOKEN,
  IOM_DUALWRITE_URL: emulator.dualWriteUrl,
  IOM_FINOPS_URL: emulator.financeAndOperationsUrl,
});

describe("iom doctor (the command)", () => {
  it("exits 0 on the emulator, naming the environment and organization it reached", async () => {
    const run = await iom(["doctor"], settings());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`environment:  ${emulator.url}\n`);
    expect(run.stdout).toContain(`organization: ${organizationId}\n`);
    expect(run.stdout).toContain(`All ${listAssumptions().length} assumptions about ${emulator.url} hold.\n`);
  }, 30_000);

  it("probes the dual-write gateway: reachable, token taken, connection, and the maps the repository's stacks name", async () => {
    const run = await iom(["doctor"], settings());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Dual-write gateway:\n");
    expect(run.stdout).toContain(
      `ok   configured: gateway ${emulator.dualWriteUrl}/api/DualWriteManagement/1.0/`,
    );
    expect(run.stdout).toContain("ok   token: the gateway took the token");
    expect(run.stdout).toMatch(
      /ok {3}map 'CDS sales order headers \(salesorders\)': salesorders - CDS sales order headers, Running, project [0-9a-f-]{36}/,
    );
    expect(run.stdout).not.toContain(TOKEN);

    // Without the gateway's settings: the maps the stacks name cannot be managed, and doctor says what to set.
    const unset = await iom(["doctor"], { IOM_DATAVERSE_URL: emulator.url, IOM_TOKEN: TOKEN });
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain(
      "FAIL configured: iom:dualWriteUrl (IOM_DUALWRITE_URL) and iom:financeAndOperationsUrl (IOM_FINOPS_URL) are not set",
    );

    // An F&O environment the gateway does not know.
    const other = await iom(["doctor"], {
      ...settings(),
      IOM_FINOPS_URL: "https://contoso.operations.dynamics.com",
    });
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(
      /FAIL connection: .*the dual-write gateway knows no Finance and Operations environment 'contoso\.operations\.dynamics\.com'/,
    );
  }, 60_000);

  it("prints the whole report as JSON with --format json", async () => {
    const run = await iom(["doctor", "--format", "json"], settings());
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      environmentUrl: string;
      organizationId: string;
      ok: boolean;
      summary: Record<string, number>;
      results: Array<{ id: string; status: string; source: string; found?: string }>;
    };
    expect(report).toMatchObject({ environmentUrl: emulator.url, organizationId, ok: true });
    expect(report.summary).toEqual({
      total: listAssumptions().length,
      holds: listAssumptions().length,
      fails: 0,
      unchecked: 0,
    });
    expect(report.results.map((r) => r.id)).toEqual(listAssumptions().map((a) => a.id));
    // The navigation property as the environment publishes it.
    const nav = report.results.find(
      (r) =>
        r.id === `navigation:msdyn_iomprovider.${columns.provider.definition}:msdyn_iomproviderdefinition`,
    );
    expect(nav).toMatchObject({
      status: "holds",
      source: "src/iom/tables/msdyn_iomprovider.ts lookup columns.provider.definition",
    });
    expect(nav?.found?.toLowerCase()).toBe(columns.provider.definition);
  }, 30_000);

  it("exits 2, without the token, when the environment refuses it", async () => {
    const refused = "refused-token-value-4711";
    const run = await iom(["doctor"], { IOM_DATAVERSE_URL: emulator.url, IOM_TOKEN: refused });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(new RegExp(`^iom doctor: could not reach ${emulator.url}: .*access denied`));
    expect(run.stdout + run.stderr).not.toContain(refused);
  }, 30_000);

  it("exits 2 naming the missing setting, and on a bad flag or format", async () => {
    const unset = await iom(["doctor"], {});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("IOM_DATAVERSE_URL");
    const format = await iom(["doctor", "--format", "sarif"], settings());
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("unknown format 'sarif': use one of text, json");
    expect((await iom(["doctor", "--online"], settings())).code).toBe(2);
  }, 30_000);

  it("exits 2 when nothing answers at the environment URL", async () => {
    // A port that was just free: the connection is refused at once.
    const closed = await startEmulator({ port: 0 });
    await closed.close();
    const run = await iom(["doctor"], {
      IOM_DATAVERSE_URL: closed.url,
      IOM_TOKEN: TOKEN,
      IOM_RETRY_MAX_ATTEMPTS: "1",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^iom doctor: could not reach ${closed.url}: GET WhoAmI: connection failed`),
    );
  }, 30_000);
});

describe("iom doctor against an environment that differs", () => {
  it("exits 1 and names the assumption that does not hold and where to correct it", async () => {
    let out = "";
    let err = "";
    const code = await runDoctor([], {
      write: (text) => (out += text),
      writeError: (text) => (err += text),
      env: settings(),
      internals: {
        fetch: alteringFetch([renameColumn("msdyn_iompolicy", columns.policy.description, "msdyn_details")]),
      },
    });
    expect(err).toBe("");
    expect(code).toBe(1);
    expect(out).toContain(`organization: ${organizationId}\n`);
    expect(out).toContain(
      [
        `fails: column:msdyn_iompolicy.${columns.policy.description}`,
        `  assumed: column ${columns.policy.description} exists on table msdyn_iompolicy`,
        "  in code: src/iom/facts.ts columns.policy.description",
        // What the assumption rests on, so a reader knows how far to trust it.
        "  because: inferred: the field's label in IOM's UI, lower-cased with the msdyn_ prefix",
        `  found:   msdyn_iompolicy has no column ${columns.policy.description}`,
        // The renamed column kept its display label.
        "  fix:     did you mean msdyn_details? If so, correct src/iom/facts.ts columns.policy.description.",
      ].join("\n"),
    );
  });

  it("is a usage error in process too, naming the setting", async () => {
    const run = runDoctor([], { write: () => undefined, writeError: () => undefined, env: {} });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(
      runDoctor([], { write: () => undefined, writeError: () => undefined, env: {} }),
    ).rejects.toThrow(/IOM_DATAVERSE_URL/);
  });
});
