// The drift analysis on a real `pulumi preview --refresh --json --show-sames` (fixtures/capture.ts:
// the article's stack applied, then the flow stopped, the provider deactivated, the connection
// rebound and a map's filter edited by hand): the three formats pinned by golden files, the kind's
// own comparison deciding what counts as drift, and the command's usage and exit codes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runDrift } from "../../../src/cli/commands/drift.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { analyzeDrift, type DriftReport } from "../../../src/gitops/drift.js";
import { formatDrift } from "../../../src/gitops/drift-format.js";
import { declarations, locateDeclarations } from "../../../src/gitops/drift-run.js";
import { parsePreviewDocuments, type PreviewDigest } from "../../../src/gitops/plan-preview.js";
import { fixture, golden } from "./plan-summary-fixtures.js";

const ROOT = path.resolve(__dirname, "../../..");

function digest(): PreviewDigest {
  return parsePreviewDocuments(fixture("drift-refresh.json"), "drift-refresh.json")[0]!.digest;
}

/** The state each resource is in after refresh: the oldState of its step after the refresh steps. */
function refreshedInputs(d: PreviewDigest, urnEnd: string): Record<string, unknown> {
  const step = d.steps!.find((s) => s.op !== "refresh" && s.urn.endsWith(urnEnd) && s.oldState);
  return step!.oldState!.inputs!;
}

async function report(d = digest()): Promise<DriftReport> {
  const r = await analyzeDrift(d);
  // The captured stack `drift` was the article's stack, which the repository keeps as `local`.
  expect(r.desiredState).toBe("stacks/drift.iom.yaml");
  r.desiredState = "stacks/local.iom.yaml";
  locateDeclarations(r, ROOT);
  return r;
}

describe("drift analysis of a real refreshing preview", () => {
  it.each(["text", "markdown", "json"] as const)("%s matches its golden", async (format) => {
    golden(
      `drift.${format === "markdown" ? "md" : format === "json" ? "json" : "txt"}`,
      formatDrift(await report(), format),
    );
  });

  it("reports each hand edit, per property, applied against the environment, and nothing else", async () => {
    const r = await report();
    expect(r.checked).toBe(8);
    expect(r.drifted.map((d) => [d.kind, d.name, d.status, d.changes.map((c) => c.path).join(",")])).toEqual([
      ["IomProviderActivation", "finops", "missing", ""],
      ["ProviderConnection", "finops-dataverse", "changed", "connectionId"],
      ["DualWriteMap", "sales-order-headers", "changed", "dataverseFilter"],
      ["OrchestrationFlow", "Order orchestration with F&O", "changed", "published"],
    ]);
    const connection = r.drifted[1]!;
    expect(connection.changes[0]).toMatchObject({
      old: { kind: "json", text: '"local-emulator-dataverse"' },
      new: { kind: "json", text: '"shared-commondataser-0b9e"' },
    });
  });

  it("says where to look: the screen, the row, when the stack applied it, the YAML", async () => {
    const flow = (await report()).drifted.find((d) => d.kind === "OrchestrationFlow")!;
    expect(flow.lookAt).toEqual({
      place: "Intelligent Order Management > Orchestration flows > Order orchestration with F&O",
      record: { table: "msdyn_iomdesigner", id: "9bf83066-79e0-5881-bd07-8d5c8be77ffa" },
      lastApplied: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      declaredIn: "stacks/local.iom.yaml:55",
    });
    const activation = (await report()).drifted.find((d) => d.kind === "IomProviderActivation")!;
    expect(activation.lookAt.place).toBe(
      "Intelligent Order Management > Providers > Installed > Microsoft Finance and Operations apps, its status",
    );
  });

  it("counts as drift only what the kind itself sees as a change", async () => {
    const d = digest();
    // The environment's filter differs from the applied one in spacing only: the map kind's
    // canonical form ignores that, as `pulumi up` does; a plain comparison would not.
    const lines = refreshedInputs(d, "DualWriteMap::cds sales order lines (salesorderdetails)");
    lines.dataverseFilter = String(lines.dataverseFilter).replace(/ and /g, "  and\n ");
    const r = await analyzeDrift(d);
    expect(r.drifted.map((x) => x.name)).not.toContain("sales-order-lines");
    const plain = await analyzeDrift(d, async () => undefined);
    expect(plain.drifted.map((x) => x.name)).toContain("sales-order-lines");
  });

  it("finds no drift when every refreshed resource matches what was applied", async () => {
    const d = digest();
    // The same refresh, followed by steps that start from exactly what the stack applied.
    const refreshes = d.steps!.filter((s) => s.op === "refresh");
    d.steps = [...refreshes, ...refreshes.map((s) => ({ op: "same", urn: s.urn, oldState: s.oldState! }))];
    const r = await analyzeDrift(d);
    expect(r.drifted).toEqual([]);
    expect(formatDrift(r, "text")).toBe(
      "no drift: the 8 resources of stack drift match what it last applied\n",
    );
  });

  it("finds every declaration of the stack, in the stack file and the policy files it includes", () => {
    const found = declarations(ROOT, "stacks/local.iom.yaml");
    expect(Object.fromEntries(found)).toMatchObject({
      "providers\0finops": "stacks/local.iom.yaml:13",
      "dualWriteMaps\0sales-order-lines": expect.stringMatching(/^stacks\/local\.iom\.yaml:\d+$/),
      "policies\0finops sales order parameters": "policies/finops-sales-order.policy.yaml:9",
      "policies\0finops order product parameters": expect.stringMatching(
        /^policies\/finops-order-product\.policy\.yaml:\d+$/,
      ),
    });
  });
});

describe("iom drift", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const io = (cwd: string) => {
    const out = { stdout: "", stderr: "" };
    return {
      out,
      io: {
        cwd,
        env: process.env,
        write: (t: string) => (out.stdout += t),
        error: (t: string) => (out.stderr += t),
      },
    };
  };

  it.each([
    [["--format", "yaml"], /unknown format 'yaml'/],
    [["--stack", " "], /--stack needs a name/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["dev"], /Unexpected argument 'dev'/],
  ])("refuses %j as a usage error", async (args, message) => {
    await expect(runDrift(args, io(ROOT).io)).rejects.toThrow(UsageError);
    await expect(runDrift(args, io(ROOT).io)).rejects.toThrow(message);
  });

  it("exits 1 outside a Pulumi project, and says where to run it", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "iom-drift-"));
    const { out, io: x } = io(dir);
    expect(await runDrift(["--stack", "dev"], x)).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(
      `iom drift: drift-no-project: no Pulumi.yaml in ${dir} or above: run iom drift in the project folder\n`,
    );
  });
});
