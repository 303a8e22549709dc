// Which environment a stack acts on: resources record the organization they were made in, and a
// stack pointed at another organization refuses to update, delete or refresh them. Adoption: a
// hand-configured environment is taken over without duplicates, and destroy leaves what it adopted.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  columns,
  connectionStatus,
  entitySetNames,
  primaryColumns,
  providerStatus,
} from "../../src/iom/facts.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

describe.skipIf(!availability.engine)("environments and adoption", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
  });

  async function start(organizationId?: string): Promise<TestEnvironment> {
    const environment = await TestEnvironment.start(organizationId ? { organizationId } : {});
    cleanup.push(() => environment.close());
    return environment;
  }

  async function project(environment: TestEnvironment): Promise<TestProject> {
    const p = await createTestProject(availability.engine!, "index", { files: articleFiles() });
    cleanup.push(() => p.dispose());
    await p.stack.setConfig("iom:environmentUrl", { value: environment.emulator.url });
    await p.stack.setConfig("iom:token", { value: environment.emulator.token, secret: true });
    // Dual-write maps are managed on the gateway's own host, found by their F&O environment.
    await p.stack.setConfig("iom:dualWriteUrl", { value: environment.emulator.dualWriteUrl });
    await p.stack.setConfig("iom:financeAndOperationsUrl", {
      value: environment.emulator.financeAndOperationsUrl,
    });
    return p;
  }

  it("refuses to touch another organization's records", async () => {
    const first = await start();
    const second = await start("5c0ffee0-0000-4000-8000-000000000002");
    // The environment through the environment variables, as a pipeline sets them.
    const p = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: first.env,
    });
    cleanup.push(() => p.dispose());
    await p.up();
    const before = await first.snapshot();

    // The same stack, pointed at another environment by mistake.
    Object.assign(p.stack.workspace.envVars, second.env);
    const refused =
      /was made in organization .* but the configured environment .* is organization 5c0ffee0.*nothing was changed/;
    const refresh = await p.refresh().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(refresh).toMatch(refused);

    const file = path.join(p.dir, "stacks", "test.iom.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("statuscode ne 100003", "statuscode ne 100003 and totalamount gt 0"),
    );
    const up = await p.up().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    // Refused before any resource is diffed further: by the stack's record of its organization.
    expect(up).toMatch(
      /this stack manages organization .* but the configured environment is organization 5c0ffee0.*nothing was changed/,
    );
    const destroy = await p.destroy().then(
      () => undefined,
      (err: unknown) => String(err),
    );
    expect(destroy).toMatch(refused);
    // Neither environment changed: the first kept its records, the second got none of them.
    expect(await first.snapshot()).toEqual(before);
    expect(await second.rows(entitySetNames.msdyn_iompolicy)).toEqual([]);

    Object.assign(p.stack.workspace.envVars, first.env);
    await p.destroy();
  });

  it("refuses a new resource in another organization before any write, preview and up alike", async () => {
    const first = await start();
    const second = await start("5c0ffee0-0000-4000-8000-000000000003");
    const p = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: first.env,
    });
    cleanup.push(() => p.dispose());
    await p.up();

    // A new policy, while the stack points at another environment by mistake.
    const file = path.join(p.dir, "policies", "finops-sales-order.policy.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "policies:\n",
        [
          "policies:",
          "  - name: Hold large orders",
          "    type: filter",
          "    criticality: information",
          "    entity: order",
          "    published: true",
          "    rules:",
          "      - name: Over a million",
          "        when:",
          "          field: Total Amount",
          "          operator: greater than",
          "          value: 1000000",
          "",
        ].join("\n"),
      ),
    );
    Object.assign(p.stack.workspace.envVars, second.env);
    await second.resetCounters();
    const refused =
      /this stack manages organization [0-9a-f-]+ \(http:\/\/127\.0\.0\.1:\d+\), recorded at its first `up`, but the configured environment is organization 5c0ffee0-0000-4000-8000-000000000003; nothing was changed/;
    for (const run of [() => p.stack.preview(), () => p.up()]) {
      const failure = await run().then(
        () => undefined,
        (err: unknown) => String(err),
      );
      expect(failure).toMatch(refused);
    }
    // Not one write reached the other environment, and it has no policy of this stack.
    const counters = await second.counters();
    expect(Object.keys(counters.byMethod).filter((m) => m !== "GET")).toEqual([]);
    expect(await second.rows(entitySetNames.msdyn_iompolicy)).toEqual([]);
  });

  it("adopts a hand-configured environment without duplicates, and destroy leaves what it adopted", async () => {
    const environment = await start();
    // By hand, as a person would in IOM: the F&O provider installed and its connection saved.
    const definitions = await environment.rows(entitySetNames.msdyn_iomproviderdefinition);
    const definitionName = primaryColumns.msdyn_iomproviderdefinition.name;
    const finops = definitions.find((d) => d[definitionName] === "Microsoft Finance and Operations apps")!;
    const nav = await environment.navigation("msdyn_iomprovider", columns.provider.definition);
    const created = await environment.request("POST", `/api/data/v9.2/${entitySetNames.msdyn_iomprovider}`, {
      msdyn_name: "Microsoft Finance and Operations apps",
      [columns.provider.status]: providerStatus.installed.value,
      [`${nav}@odata.bind`]: `/${entitySetNames.msdyn_iomproviderdefinition}(${String(finops.msdyn_iomproviderdefinitionid)})`,
    });
    expect(created.status).toBe(204);
    const handMade = await environment.rows(entitySetNames.msdyn_iomprovider);

    const p = await project(environment);
    const up = await p.up();
    expect(up.summary.result).toBe("succeeded");
    const providers = await environment.rows(entitySetNames.msdyn_iomprovider);
    expect(providers.map((r) => r.msdyn_iomproviderid)).toEqual(handMade.map((r) => r.msdyn_iomproviderid));
    expect(providers[0]![columns.provider.status]).toBe(providerStatus.activated.value);
    const connections = await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference);
    expect(connections).toHaveLength(1);
    expect(connections[0]![columns.providerConnectionRef.status]).toBe(connectionStatus.active.value);
    expect((await p.stack.preview()).changeSummary).toEqual({ same: 10 });

    await p.destroy();
    // The adopted provider stays as it was found (installed, not activated); what the stack made
    // (its activation, connection, policies and flow) is gone.
    const left = await environment.rows(entitySetNames.msdyn_iomprovider);
    expect(left.map((r) => r.msdyn_iomproviderid)).toEqual(handMade.map((r) => r.msdyn_iomproviderid));
    expect(left[0]![columns.provider.status]).toBe(providerStatus.installed.value);
    expect(await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference)).toEqual([]);
    expect(await environment.rows(entitySetNames.msdyn_iomdesigner)).toEqual([]);
  });
});
