// The article's stack (stacks/local.iom.yaml and the two policy files) on the real engine against
// the emulator: `up` from empty applies Microsoft's "Set up the Finance + Operations provider"
// configuration in IOM's order, a second preview shows nothing, a YAML change previews as exactly
// that property, a hand edit is seen by refresh and undone by up, and destroy leaves the
// environment as it was seeded. The emulator refuses IOM's steps out of order, so a successful
// `up` is itself evidence of the order; the row versions below show it too.
import { DynamicsWebApi } from "dynamics-web-api";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  columns,
  connectionStatus,
  entitySetNames,
  providerStatus,
  publishStatus,
} from "../../src/iom/facts.js";
import { DwaClient } from "./dwa-client.js";
import { articleFiles, TestEnvironment, type Row } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

const HEADERS_FILTER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";
const LINES_FILTER =
  "_msdyn_company_value ne null and _msdyn_shippingsite_value ne null and _msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and msdyn_statuscode ne 192350001";

const version = (row: Row): number => Number(/"(\d+)"/.exec(String(row["@odata.etag"]))?.[1]);

/** The article's maps as the gateway names them (tName, "<entity set> - <map name>"). */
const HEADERS_MAP = "salesorders - CDS sales order headers";
const LINES_MAP = "salesorderdetails - CDS sales order lines";

describe.skipIf(!availability.engine)(
  "the article's stack, applied by the real engine to the emulator",
  () => {
    let environment: TestEnvironment;
    let project: TestProject;
    let seeded: Awaited<ReturnType<TestEnvironment["snapshot"]>>;
    const stackFile = () => path.join(project.dir, "stacks", "test.iom.yaml");

    beforeAll(async () => {
      environment = await TestEnvironment.start();
      seeded = await environment.snapshot();
      project = await createTestProject(availability.engine!, "index", {
        files: articleFiles(),
        env: environment.env,
      });
    });

    afterAll(async () => {
      await project?.dispose();
      await environment?.close();
    });

    it("up from empty leaves exactly the article's configuration, applied in IOM's order", async () => {
      const up = await project.up();
      expect(up.summary.result).toBe("succeeded");
      expect(up.summary.resourceChanges).toEqual({ create: 10 });

      // The acceptance check: a client written only from Microsoft's dual-write tool's calls (plain
      // fetch, nothing from this project) finds the article's two maps on the gateway, running, with
      // the article's Dataverse filters and msdyn_isreadytosync F&O to Dataverse, default true.
      const dwa = new DwaClient(
        environment.emulator.dualWriteUrl,
        environment.emulator.token,
        new URL(environment.emulator.financeAndOperationsUrl).host,
      );
      const maps = await dwa.maps();
      for (const [tName, filter] of [
        [HEADERS_MAP, HEADERS_FILTER],
        [LINES_MAP, LINES_FILTER],
      ] as const) {
        const map = maps.find((m) => m.detail.tName === tName);
        expect(map, tName).toBeDefined();
        // The maps were running before; they were stopped to be edited and are running again.
        expect(map!.detail.state, tName).toBe("4");
        const leg = await dwa.firstLeg(map!);
        expect(leg.reversedSourceFilter).toBe(filter);
        const ready = leg.fieldMappings.filter((f) => f.destinationField === "msdyn_isreadytosync");
        expect(ready).toEqual([
          expect.objectContaining({
            syncDirection: 1,
            valueTransforms: [expect.objectContaining({ transformType: "Default", defaultValue: "true" })],
          }),
        ]);
      }
      // The lines map today's docs name is left as it was: stopped, its filter untouched.
      const v2 = maps.find((m) => m.detail.tName === "salesorderdetails - CDS sales order lines V2")!;
      expect(v2.detail.state).toBe("1");
      expect((await dwa.firstLeg(v2)).reversedSourceFilter).toBe("");

      // The provider tables' metadata, read as any Dataverse client reads it (plain Web API
      // requests, names written out as the public sources give them): the corrected columns and
      // lookups of the exported Shopify solution.
      const metadata = async (table: string) => {
        const response = await environment.request(
          "GET",
          `/api/data/v9.2/EntityDefinitions(LogicalName='${table}')?$select=LogicalName,PrimaryNameAttribute` +
            "&$expand=Attributes($select=LogicalName),ManyToOneRelationships($select=ReferencingAttribute,ReferencedEntity)",
        );
        expect(response.status, table).toBe(200);
        const body = (await response.json()) as {
          PrimaryNameAttribute: string;
          Attributes: Array<{ LogicalName: string }>;
          ManyToOneRelationships: Array<{ ReferencingAttribute: string; ReferencedEntity: string }>;
        };
        return {
          name: body.PrimaryNameAttribute,
          columns: body.Attributes.map((a) => a.LogicalName),
          lookups: Object.fromEntries(
            body.ManyToOneRelationships.map((r) => [r.ReferencingAttribute, r.ReferencedEntity]),
          ),
        };
      };
      const connectionRef = await metadata("msdyn_iomproviderdefinitionconnectionref");
      expect(connectionRef.columns).toEqual(
        expect.arrayContaining([
          "msdyn_displayname",
          "msdyn_logicalname",
          "msdyn_connectorid",
          "msdyn_connectorhidekey",
        ]),
      );
      expect(connectionRef.lookups).toMatchObject({
        msdyn_iomproviderdefinition: "msdyn_iomproviderdefinition",
      });
      const logic = await metadata("msdyn_iomproviderdefinitionlogicdefinition");
      expect(logic.columns).toEqual(expect.arrayContaining(["msdyn_workflowid", "msdyn_logictype"]));
      expect(logic.columns).not.toContain("msdyn_workflowname");
      expect(logic.lookups).toMatchObject({
        msdyn_iomproviderdefinition: "msdyn_iomproviderdefinition",
        msdyn_iomactiontype: "msdyn_iomactiontype",
      });
      const definition = await metadata("msdyn_iomproviderdefinition");
      expect(definition.name).toBe("msdyn_displayname");
      expect(definition.columns).toEqual(
        expect.arrayContaining(["msdyn_logicalname", "msdyn_iomservicetype"]),
      );

      const policies = await environment.currentPolicies();
      expect(policies.map((p) => p.msdyn_name).sort()).toEqual([
        "FinOps order product parameters",
        "FinOps sales order parameters",
      ]);
      for (const p of policies) expect(p[columns.policy.publishStatus]).toBe(publishStatus.published.value);
      const rules = await environment.rows(entitySetNames.msdyn_iomrule);
      const ruleOf = (policy: string) => {
        const id = policies.find((p) => p.msdyn_name === policy)!.msdyn_iompolicyid;
        return rules.filter((r) => r[`_${columns.rule.policy}_value`] === id);
      };
      const header = JSON.stringify(
        ruleOf("FinOps sales order parameters").map((r) => r[columns.rule.ruleDefinition]),
      );
      const product = JSON.stringify(
        ruleOf("FinOps order product parameters").map((r) => r[columns.rule.ruleDefinition]),
      );
      for (const field of ["msdyn_company", "msdyn_invoicecustomer"]) expect(header).toContain(field);
      for (const field of ["msdyn_company", "msdyn_shippingsite", "msdyn_shippingwarehouse"])
        expect(product).toContain(field);

      const [provider, ...otherProviders] = await environment.rows(entitySetNames.msdyn_iomprovider);
      expect(otherProviders).toEqual([]);
      expect(provider![columns.provider.status]).toBe(providerStatus.activated.value);
      const [connection, ...otherConnections] = await environment.rows(
        entitySetNames.msdyn_iomproviderconnectionreference,
      );
      expect(otherConnections).toEqual([]);
      expect(connection!.msdyn_name).toBe(
        "Microsoft Finance and Operations Dataverse (current environment) Connection",
      );
      expect(connection![columns.providerConnectionRef.status]).toBe(connectionStatus.active.value);

      const [flow, ...otherFlows] = await environment.rows(entitySetNames.msdyn_iomdesigner);
      expect(otherFlows).toEqual([]);
      expect(flow![columns.designer.publishStatus]).toBe(publishStatus.published.value);
      expect(String(flow![columns.designer.definition])).toContain(String(provider!.msdyn_iomproviderid));

      // IOM's order, by the rows' versions (one counter across the store): policies published, then
      // the connection activated, then the provider activated, then the flow published.
      const lastPolicy = Math.max(...policies.map(version));
      expect(lastPolicy).toBeLessThan(version(provider!));
      expect(version(connection!)).toBeLessThan(version(provider!));
      expect(version(provider!)).toBeLessThan(version(flow!));

      // A Dataverse client we did not write finds the same configuration.
      const api = new DynamicsWebApi({
        serverUrl: environment.emulator.url,
        dataApi: { version: "9.2" },
        onTokenRefresh: async () => environment.emulator.token,
      });
      const flows = await api.retrieveMultiple<{ msdyn_name: string }>({
        collection: entitySetNames.msdyn_iomdesigner,
        select: ["msdyn_name"],
        filter: `${columns.designer.publishStatus} eq ${publishStatus.published.value}`,
      });
      expect(flows.value.map((f) => f.msdyn_name)).toEqual(["Order orchestration with F&O"]);
    });

    it("a second preview reports no changes", async () => {
      const preview = await project.stack.preview();
      expect(preview.changeSummary).toEqual({ same: 10 });
    });

    it("a filter changed in YAML previews as that property alone and is applied with the map stopped and restarted", async () => {
      const changed = readFileSync(stackFile(), "utf8").replace(
        "statuscode ne 100003",
        "statuscode ne 100003 and totalamount gt 0",
      );
      writeFileSync(stackFile(), changed);
      const preview = await project.stack.preview({ diff: true });
      expect(preview.changeSummary).toEqual({ same: 9, update: 1 });
      const changedLines = preview.stdout.split("\n").filter((l) => /^\s+[~+-] \w+:/.test(l));
      expect(changedLines.map((l) => l.trim().split(":")[0])).toEqual(["~ dataverseFilter"]);
      expect(preview.stdout).toContain("sales-order-headers");

      const up = await project.up();
      expect(up.summary.resourceChanges).toEqual({ same: 9, update: 1 });
      const headers = await environment.gatewayMap(HEADERS_MAP);
      expect((await environment.activeLeg(headers.pid)).reversedSourceFilter).toBe(
        `${HEADERS_FILTER} and totalamount gt 0`,
      );
      // The emulator refuses to switch a running map's version: saved while it ends up running
      // again means it was stopped, edited and restarted.
      expect(headers.state).toBe("4");
      expect((await project.stack.preview()).changeSummary).toEqual({ same: 10 });
    });

    it("a policy the published flow uses is unpublished, edited and published again", async () => {
      const file = path.join(project.dir, "policies", "finops-order-product.policy.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace('to: "11"', 'to: "12"'));
      const up = await project.up();
      expect(up.summary.resourceChanges).toEqual({ same: 9, update: 1 });
      const policy = (await environment.currentPolicies()).find(
        (p) => p.msdyn_name === "FinOps order product parameters",
      )!;
      expect(policy[columns.policy.publishStatus]).toBe(publishStatus.published.value);
      const rules = (await environment.rows(entitySetNames.msdyn_iomrule)).filter(
        (r) => r[`_${columns.rule.policy}_value`] === policy.msdyn_iompolicyid,
      );
      const definitions = rules.map((r) => String(r[columns.rule.ruleDefinition])).join("\n");
      expect(definitions).toContain('"12"');
      expect(definitions).not.toContain('"11"');
      const [flow] = await environment.rows(entitySetNames.msdyn_iomdesigner);
      expect(flow![columns.designer.publishStatus]).toBe(publishStatus.published.value);
      expect((await project.stack.preview()).changeSummary).toEqual({ same: 10 });
    });

    it("a value changed in the environment is reported by refresh and restored by the next up", async () => {
      const [connection] = await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference);
      const id = String(connection!.msdyn_iomproviderconnectionreferenceid);
      await environment.request(
        "PATCH",
        `/api/data/v9.2/${entitySetNames.msdyn_iomproviderconnectionreference}(${id})`,
        {
          [columns.providerConnectionRef.connectionUrl]:
            "https://make.powerautomate.com/connections/someone-elses/details",
        },
      );
      const refresh = await project.refresh();
      expect(refresh.summary.resourceChanges).toEqual(expect.objectContaining({ update: 1 }));
      const preview = await project.stack.preview({ diff: true });
      expect(preview.changeSummary).toEqual({ same: 9, update: 1 });
      expect(preview.stdout).toContain("connectionId");
      await project.up();
      const [restored] = await environment.rows(entitySetNames.msdyn_iomproviderconnectionreference);
      expect(String(restored![columns.providerConnectionRef.connectionUrl])).toContain(
        "local-emulator-dataverse",
      );
      expect((await project.stack.preview({ refresh: true })).changeSummary).toEqual({ same: 10 });
    });

    it("destroy returns the environment to its seeded state", async () => {
      const destroy = await project.destroy();
      expect(destroy.summary.result).toBe("succeeded");
      expect(await environment.snapshot()).toEqual(seeded);
    });
  },
);
