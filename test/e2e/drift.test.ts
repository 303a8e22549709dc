// `iom drift` on the real engine against the emulator, run in the project folder the way a
// pipeline runs it (backend from Pulumi.yaml, environment from IOM_DATAVERSE_URL/IOM_TOKEN): no
// drift after `up`; after hand edits in the environment, exit 3 with each change per property and
// where to look, and the stack's state files byte for byte as they were; after `up --refresh`,
// no drift again.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDrift } from "../../src/cli/commands/drift.js";
import { projectRoot } from "../../src/engine/engine.js";
import { columns, entitySetNames, providerStatus, publishStatus } from "../../src/iom/facts.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

/** Every file the file backend holds, with its bytes. */
function stateFiles(dir: string): Map<string, Buffer> {
  const files = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return new Map(files.map((f) => [path.relative(dir, f), readFileSync(f)]));
}

interface DriftJson {
  drift: boolean;
  checked: number;
  resources: Array<{
    kind: string;
    name: string;
    status: string;
    properties: Array<{ path: string; applied?: unknown; environment?: unknown }>;
    lookAt: {
      place: string;
      record?: { table: string; id: string };
      declaredIn?: string;
      modifiedOn?: string;
    };
  }>;
}

describe.skipIf(!availability.engine)("iom drift on the real engine", () => {
  let environment: TestEnvironment;
  let project: TestProject;
  /** The pipeline's environment: no PULUMI_BACKEND_URL, the backend is Pulumi.yaml's. */
  let env: NodeJS.ProcessEnv;

  async function drift(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runDrift(args, {
      cwd: project.dir,
      env,
      write: (t) => (stdout += t),
      error: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: environment.env,
    });
    // The backend the harness created, named the way the repository's Pulumi.yaml names its own.
    const pulumiYaml = path.join(project.dir, "Pulumi.yaml");
    writeFileSync(pulumiYaml, `${readFileSync(pulumiYaml, "utf8")}backend:\n  url: file://./state\n`);
    const { PULUMI_BACKEND_URL: _unused, ...rest } = { ...process.env, ...project.env };
    env = rest;
    const up = await project.up();
    expect(up.summary.resourceChanges).toEqual({ create: 10 });
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  it("finds no drift right after up, and exits 0", async () => {
    const { code, stdout, stderr } = await drift(["--stack", "test"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe("no drift: the 8 resources of stack test match what it last applied\n");
  });

  it("reports hand edits per resource and property, exits 3, and writes no state", async () => {
    const api = "/api/data/v9.2/";
    const [flow] = await environment.rows(entitySetNames.msdyn_iomdesigner);
    const [provider] = await environment.rows(entitySetNames.msdyn_iomprovider);
    const [connection] = await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference);
    const patch = async (set: string, id: unknown, body: Record<string, unknown>) => {
      const response = await environment.request("PATCH", `${api}${set}(${String(id)})`, body);
      expect(response.status, await response.clone().text()).toBe(204);
    };
    // Someone stops the flow, deactivates the provider and rebinds its connection in IOM...
    await patch(entitySetNames.msdyn_iomdesigner, flow!.msdyn_iomdesignerid, {
      [columns.designer.publishStatus]: publishStatus.unpublished.value,
    });
    await patch(entitySetNames.msdyn_iomprovider, provider!.msdyn_iomproviderid, {
      [columns.provider.status]: providerStatus.installed.value,
    });
    await patch(
      entitySetNames.msdyn_iomproviderconnectionreference,
      connection!.msdyn_iomproviderconnectionreferenceid,
      {
        [columns.providerConnectionRef.connectionUrl]:
          "https://make.powerautomate.com/connections/someone-elses/details",
      },
    );
    // ...and edits the headers map's Dataverse filter in F&O: stop, save, start.
    const headers = await environment.gatewayMap("salesorders - CDS sales order headers");
    await environment.runMap("4", headers.pid);
    await environment.saveMapVersion(headers.pid, (task) => {
      for (const leg of task.legs)
        if (leg.sourceEnvironmentType === "AX") leg.reversedSourceFilter += " and totalamount gt 0";
    });
    await environment.runMap("1", headers.pid);

    const state = path.join(project.dir, "state");
    const before = stateFiles(state);
    // The built command, as a pipeline runs it: in the project folder, the stack it has selected.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(projectRoot, "dist", "cli", "index.js"), "drift", "--format", "json"],
      { cwd: project.dir, env, encoding: "utf8" },
    ).then(
      () => expect.unreachable("iom drift exited 0 with drift in the environment"),
      (err: { code?: number; stdout: string; stderr: string }) => {
        expect(err.code, err.stderr).toBe(3);
        return err;
      },
    );
    const report = JSON.parse(stdout) as DriftJson;
    expect(report.drift).toBe(true);
    expect(report.checked).toBe(8);
    expect(report.resources.map((r) => [r.kind, r.name, r.status, r.properties])).toEqual([
      ["IomProviderActivation", "finops", "missing", []],
      [
        "ProviderConnection",
        "finops-dataverse",
        "changed",
        [{ path: "connectionId", applied: "local-emulator-dataverse", environment: "someone-elses" }],
      ],
      [
        "DualWriteMap",
        "sales-order-headers",
        "changed",
        [
          {
            path: "dataverseFilter",
            applied: expect.not.stringContaining("totalamount"),
            environment: expect.stringMatching(/statuscode ne 100003 and totalamount gt 0$/),
          },
        ],
      ],
      [
        "OrchestrationFlow",
        "Order orchestration with F&O",
        "changed",
        [{ path: "published", applied: true, environment: false }],
      ],
    ]);
    const look = report.resources.find((r) => r.kind === "ProviderConnection")!.lookAt;
    expect(look).toMatchObject({
      place: expect.stringContaining(
        "Providers > Installed > Microsoft Finance and Operations apps > Connections",
      ),
      record: {
        table: "msdyn_iomproviderconnectionreference",
        id: String(connection!.msdyn_iomproviderconnectionreferenceid),
      },
      declaredIn: "stacks/test.iom.yaml:18",
      // Read from the environment's row after the check: when it was changed.
      modifiedOn: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const after = stateFiles(state);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
  });

  it("finds no drift once up with refresh has put the stack's values back", async () => {
    const before = stateFiles(path.join(project.dir, "state"));
    const up = await project.up({ refresh: true });
    expect(up.summary.result).toBe("succeeded");
    // The same comparison sees an update's writes: it is no blind check.
    const changed = [...stateFiles(path.join(project.dir, "state"))].some(
      ([file, bytes]) => !before.get(file)?.equals(bytes),
    );
    expect(changed).toBe(true);
    const { code, stdout } = await drift(["--format", "markdown"]);
    expect(code).toBe(0);
    expect(stdout).toContain("**No drift in stack `test`**: 8 resources match what it last applied.");
  });
});
