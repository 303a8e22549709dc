// A stack over the years, on the real engine: entries renamed in the YAML stay the same resources
// (nothing adopted twice, nothing deleted or restored), and a provider replaced under a published
// flow has the flow stopped before and published again after, as IOM requires.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  columns,
  connectionStatus,
  entitySetNames,
  primaryColumns,
  providerStatus,
  publishStatus,
} from "../../src/iom/facts.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { articleFiles, TestEnvironment, type Row } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

/**
 * Row ids by table: what must neither be duplicated nor lost. Policies are the current ones and
 * their rules: an edit of a published policy leaves IOM's archived copy beside it (alm.md).
 */
async function rowIds(environment: TestEnvironment): Promise<Record<string, string[]>> {
  const ids = (rows: Row[], column: string) => rows.map((r) => String(r[column])).sort();
  const policies = ids(await environment.currentPolicies(), primaryColumns.msdyn_iompolicy.id);
  const rules = (await environment.rows(entitySetNames.msdyn_iomrule)).filter((r) =>
    policies.includes(String(r[`_${columns.rule.policy}_value`])),
  );
  return {
    providers: ids(
      await environment.rows(entitySetNames.msdyn_iomprovider),
      primaryColumns.msdyn_iomprovider.id,
    ),
    connections: ids(
      await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference),
      primaryColumns.msdyn_iomproviderconnectionreference.id,
    ),
    policies,
    rules: ids(rules, primaryColumns.msdyn_iomrule.id),
    flows: ids(await environment.rows(entitySetNames.msdyn_iomdesigner), primaryColumns.msdyn_iomdesigner.id),
  };
}

describe.skipIf(!availability.engine)("renames", () => {
  let environment: TestEnvironment;
  let project: TestProject;
  let stackFile: string;

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: environment.env,
    });
    stackFile = path.join(project.dir, "stacks", "test.iom.yaml");
    const up = await project.up();
    expect(up.summary.resourceChanges).toEqual({ create: 10 });
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  it("of every kind's YAML name, and a new letter case of IOM's own names, keep every record and setting", async () => {
    const before = await rowIds(environment);
    const headersBefore = await environment.gatewayMap("salesorders - CDS sales order headers");
    const policyFile = path.join(project.dir, "policies", "finops-sales-order.policy.yaml");
    writeFileSync(
      stackFile,
      readFileSync(stackFile, "utf8")
        // Labels: the map, the provider (and the entries naming it), the connection.
        .replace("name: sales-order-headers", "name: order-headers")
        .replace("  - name: finops\n", "  - name: fno\n")
        .replaceAll("provider: finops\n", "provider: fno\n")
        .replace("name: finops-dataverse", "name: fno-dataverse")
        // IOM's own names, in another letter case (the flow names the policy either way).
        .replace("name: Order orchestration with F&O", "name: Order Orchestration with F&O"),
    );
    writeFileSync(
      policyFile,
      readFileSync(policyFile, "utf8").replace(
        "name: FinOps sales order parameters",
        "name: FinOps Sales Order Parameters",
      ),
    );

    const preview = await project.stack.preview({ diff: true });
    // No create and no delete: the labels are the same resources; the new letter cases are
    // renames IOM shows, applied in place.
    expect(preview.changeSummary, preview.stdout).toEqual({ same: 8, update: 2 });

    const up = await project.up();
    expect(up.summary.resourceChanges).toEqual({ same: 8, update: 2 });
    expect(await rowIds(environment)).toEqual(before);
    // The article's filter is still on the map, which still runs.
    const headersAfter = await environment.gatewayMap("salesorders - CDS sales order headers");
    expect(headersAfter.state).toBe("4");
    expect((await environment.activeLeg(headersAfter.pid)).reversedSourceFilter).toBe(
      (await environment.activeLeg(headersBefore.pid)).reversedSourceFilter,
    );
    expect((await environment.activeLeg(headersAfter.pid)).reversedSourceFilter).toContain(
      "statuscode ne 100003",
    );
    // The new letter cases are in IOM; the provider is still activated, the flow published.
    const names = (rows: Row[], column: string) => rows.map((r) => r[column]).sort();
    expect(names(await environment.currentPolicies(), primaryColumns.msdyn_iompolicy.name)).toContain(
      "FinOps Sales Order Parameters",
    );
    const flows = await environment.rows(entitySetNames.msdyn_iomdesigner);
    expect(names(flows, primaryColumns.msdyn_iomdesigner.name)).toEqual(["Order Orchestration with F&O"]);
    expect(flows[0]![columns.designer.publishStatus]).toBe(publishStatus.published.value);
    const providers = await environment.rows(entitySetNames.msdyn_iomprovider);
    expect(providers[0]![columns.provider.status]).toBe(providerStatus.activated.value);

    // Nothing left to do, and nothing drifted.
    expect((await project.stack.preview()).changeSummary).toEqual({ same: 10 });
    expect((await project.stack.preview({ refresh: true })).changeSummary).toEqual({ same: 10 });
    const pulumiYaml = path.join(project.dir, "Pulumi.yaml");
    writeFileSync(pulumiYaml, `${readFileSync(pulumiYaml, "utf8")}backend:\n  url: file://./state\n`);
    const { PULUMI_BACKEND_URL: _unused, ...env } = { ...process.env, ...project.env };
    let out = "";
    const code = await runDrift([], {
      cwd: project.dir,
      env,
      write: (t) => (out += t),
      error: (t) => (out += t),
    });
    expect(code, out).toBe(0);
    expect(out).toMatch(/no drift/);
  });
});

describe.skipIf(!availability.engine)("a provider replaced under a published flow", () => {
  let environment: TestEnvironment;
  let project: TestProject;

  const stack = (definition: string, connection: string, action: string): string =>
    [
      "version: 1",
      "providers:",
      "  - name: fulfilment",
      `    definition: ${definition}`,
      "    displayName: Fulfilment",
      "    activated: true",
      "connections:",
      "  - name: fulfilment-connection",
      "    provider: fulfilment",
      `    connection: ${connection}`,
      "    connectionId: e2e-connection",
      "    activated: true",
      "orchestrationFlows:",
      "  - name: Fulfilment flow",
      "    type: order orchestration",
      "    published: true",
      "    steps:",
      "      - name: Send",
      "        type: custom",
      "        providerAction:",
      "          provider: fulfilment",
      `          action: ${action}`,
      "",
    ].join("\n");

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", {
      files: {
        "stacks/test.iom.yaml": stack("Flexe", "Flexe Connection", "Send order to Flexe for fulfillment"),
      },
      env: environment.env,
    });
  });

  afterAll(async () => {
    await project?.dispose();
    await environment?.close();
  });

  it("stops the flow before the provider is deactivated and publishes it again with the new provider", async () => {
    await project.up();
    const [old] = await environment.rows(entitySetNames.msdyn_iomprovider);
    expect(old![columns.provider.status]).toBe(providerStatus.activated.value);

    writeFileSync(
      path.join(project.dir, "stacks", "test.iom.yaml"),
      stack(
        "Dynamics 365 Inventory Visibility",
        "Inventory Visibility Dataverse Connection",
        "Check inventory availability",
      ),
    );
    await environment.resetCounters();
    const up = await project.up();
    expect(up.summary.result).toBe("succeeded");

    // One provider, the new one, activated; the flow published again, calling it.
    const providers = await environment.rows(entitySetNames.msdyn_iomprovider);
    expect(providers).toHaveLength(1);
    const [now] = providers;
    const providerId = String(now![primaryColumns.msdyn_iomprovider.id]);
    expect(providerId).not.toBe(String(old![primaryColumns.msdyn_iomprovider.id]));
    expect(now![columns.provider.status]).toBe(providerStatus.activated.value);
    const [flow] = await environment.rows(entitySetNames.msdyn_iomdesigner);
    expect(flow![columns.designer.publishStatus]).toBe(publishStatus.published.value);
    expect(String(flow![columns.designer.definition])).toContain(providerId);
    expect(await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference)).toHaveLength(1);
    expect((await project.stack.preview()).changeSummary).toEqual({ same: 6 });
  });

  it("says a flow change that failed after the flow was stopped left it stopped, and the next up publishes it", async () => {
    const file = path.join(project.dir, "stacks", "test.iom.yaml");
    const current = readFileSync(file, "utf8");
    // Fails after the stop: the flow's save refused once (the stop went through).
    const faults = await environment.request("PUT", "/_emulator/faults", {
      rules: [{ method: "PATCH", path: entitySetNames.msdyn_iomdesigner, skip: 1, status: 400, count: 1 }],
    });
    expect(faults.status).toBe(204);
    writeFileSync(file, current.replace("      - name: Send\n", "      - name: Check availability\n"));
    const failed = await project.up().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(failed).toMatch(
      /was stopped \(unpublished\) to save its new steps, and then: .*It is left stopped/s,
    );
    expect(failed).toContain("Run `pulumi up` again");
    const [stopped] = await environment.rows(entitySetNames.msdyn_iomdesigner);
    expect(stopped![columns.designer.publishStatus]).toBe(publishStatus.unpublished.value);
    // State holds the truth (a partial apply): the next preview still has the flow to change.
    expect((await project.stack.preview()).changeSummary).toEqual({ same: 5, update: 1 });
    const up = await project.up();
    expect(up.summary.resourceChanges).toEqual({ same: 5, update: 1 });
    const [published] = await environment.rows(entitySetNames.msdyn_iomdesigner);
    expect(published![columns.designer.publishStatus]).toBe(publishStatus.published.value);
    expect(String(published![columns.designer.definition])).toContain("Check availability");
  });

  it("refuses two dual-write maps naming one map, at both, before any write", async () => {
    const file = path.join(project.dir, "stacks", "test.iom.yaml");
    const maps = [
      "dualWriteMaps:",
      "  - name: headers",
      "    map: CDS sales order headers (salesorders)",
      "    table: salesorder",
      "    dataverseFilter: msdyn_isreadytosync eq true",
      "  - name: headers-again",
      "    map: salesorders - cds sales order headers",
      "    table: salesorder",
      "    dataverseFilter: msdyn_isreadytosync eq true",
      "",
    ].join("\n");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("orchestrationFlows:", `${maps}orchestrationFlows:`),
    );
    await environment.request("DELETE", "/_emulator/requests");
    const failed = await project.up().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    // At both maps (the engine prints the program's error more than once).
    const at = new Set(failed?.match(/stacks\/test\.iom\.yaml:\d+:\d+(?=: error duplicate-natural-key)/g));
    expect(at.size, failed).toBe(2);
    expect(failed).toContain("nothing was changed");
    expect(await environment.json("GET", "/_emulator/requests")).toEqual({ requests: [] });
  });
});

describe.skipIf(!availability.engine)("a connection adopted while bound to another connection", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  });

  const stack = (connectionId: string): string =>
    [
      "version: 1",
      "providers:",
      "  - name: fulfilment",
      "    definition: Flexe",
      "    activated: true",
      "connections:",
      "  - name: fulfilment-connection",
      "    provider: fulfilment",
      "    connection: Flexe Connection",
      `    connectionId: ${connectionId}`,
      "    activated: true",
      "",
    ].join("\n");

  it("is deactivated, rebound and activated again, in that order, as the emulator saw the writes", async () => {
    const environment = await TestEnvironment.start();
    cleanup.push(() => environment.close());
    // Set up "by hand": another stack made it, bound to another connection, and active.
    const byHand = await createTestProject(availability.engine!, "index", {
      stackName: "by-hand",
      files: { "stacks/by-hand.iom.yaml": stack("made-by-hand") },
      env: environment.env,
    });
    cleanup.push(() => byHand.dispose());
    await byHand.up();
    const [before] = await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference);
    expect(before![columns.providerConnectionRef.status]).toBe(connectionStatus.active.value);

    const project = await createTestProject(availability.engine!, "index", {
      files: { "stacks/test.iom.yaml": stack("e2e-connection") },
      env: environment.env,
    });
    cleanup.push(() => project.dispose());
    await environment.request("DELETE", "/_emulator/requests");
    await project.up();

    const { requests } = await environment.json<{
      requests: Array<{ method: string; path: string; body?: Record<string, unknown> }>;
    }>("GET", "/_emulator/requests");
    const status = columns.providerConnectionRef.status;
    const url = columns.providerConnectionRef.connectionUrl;
    const writes = requests
      .filter((r) => r.path.includes(entitySetNames.msdyn_iomproviderconnectionreference))
      .flatMap((r) => [
        ...(r.body && url in r.body
          ? [`${r.method} url ${String(r.body[url]).includes("e2e-connection") ? "new" : "old"}`]
          : []),
        ...(r.body && status in r.body
          ? [`${r.method} ${r.body[status] === connectionStatus.active.value ? "activate" : "deactivate"}`]
          : []),
      ]);
    expect(writes).toEqual(["PATCH deactivate", "PATCH url new", "PATCH activate"]);
    const connections = await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference);
    expect(connections).toHaveLength(1);
    expect(String(connections[0]![url])).toContain("e2e-connection");
    expect(connections[0]![status]).toBe(connectionStatus.active.value);
  });
});
