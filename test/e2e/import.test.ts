// Brownfield adoption end to end: an environment configured by hand over HTTP, as a person would in
// IOM and F&O (the F&O provider installed with a parameter, its connection bound and activated, the
// provider activated, two policies with rules published and one of them edited since, the flow
// published with the F&O action, both map filters and readiness mappings edited), then `iom
// import` writes the stack, `iom validate` accepts it, the real engine's `up` of a stack made of it
// adopts every record and changes none (every IOM row and both maps as they were, none added), and
// a second preview, with a refresh, reports nothing to do.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../src/cli/commands/import.js";
import { runValidate } from "../../src/cli/commands/validate.js";
import { encodeDefinition } from "../../src/iom/formats/orchestration-definition.js";
import { encodeRuleDefinition, type StoredRule } from "../../src/iom/formats/rule-definition.js";
import {
  associatedEntity,
  columns,
  connectionStatus,
  criticality,
  entitySetNames,
  orchestrationType,
  policyType,
  primaryColumns,
  providerStatus,
  publishStatus,
  type Choice,
} from "../../src/iom/facts.js";
import { mapAction, syncDirection } from "../../src/iom/dual-write-facts.js";
import { TestEnvironment, type Row } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();
const API = "/api/data/v9.2/";

const FINOPS = "Microsoft Finance and Operations apps";
const FINOPS_CONNECTION = "Microsoft Finance and Operations Dataverse (current environment) Connection";
const HEADERS_FILTER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";
const LINES_FILTER =
  "_msdyn_company_value ne null and _msdyn_shippingsite_value ne null and _msdyn_shippingwarehouse_value ne null and msdyn_isreadytosync eq true and msdyn_statuscode ne 192350001";

/** What a person does in IOM and F&O, written as the HTTP requests the UI would make. */
class ByHand {
  constructor(private readonly env: TestEnvironment) {}

  /** Creates a row and returns its id (from the OData-EntityId header). */
  async create(table: keyof typeof entitySetNames, body: Row): Promise<string> {
    const response = await this.env.request("POST", `${API}${entitySetNames[table]}`, body);
    expect(response.status, await response.clone().text()).toBe(204);
    return /\(([0-9a-f-]{36})\)$/.exec(String(response.headers.get("OData-EntityId")))![1]!;
  }

  async update(table: keyof typeof entitySetNames, id: string, body: Row): Promise<void> {
    const response = await this.env.request("PATCH", `${API}${entitySetNames[table]}(${id})`, body);
    expect(response.status, await response.clone().text()).toBe(204);
  }

  /** `{ "<Nav>@odata.bind": "/<set>(<id>)" }`, with the navigation property the environment publishes. */
  async bind(table: string, lookup: string, target: keyof typeof entitySetNames, id: string): Promise<Row> {
    return {
      [`${await this.env.navigation(table, lookup)}@odata.bind`]: `/${entitySetNames[target]}(${id})`,
    };
  }

  async idOf(table: keyof typeof entitySetNames, name: string): Promise<string> {
    const rows = await this.env.rows(entitySetNames[table]);
    // Each table's primary name column: the definition tables name rows by msdyn_displayname.
    const nameColumn = primaryColumns[table].name;
    return String(rows.find((r) => r[nameColumn] === name)![primaryColumns[table].id]);
  }

  async policy(
    name: string,
    description: string,
    entity: Choice,
    rule: { name: string; stored: StoredRule },
  ): Promise<string> {
    const id = await this.create("msdyn_iompolicy", {
      msdyn_name: name,
      [columns.policy.description]: description,
      [columns.policy.policyType]: policyType.execution.value,
      [columns.policy.criticality]: criticality.critical.value,
      [columns.policy.associatedEntity]: entity.value,
      [columns.policy.publishStatus]: publishStatus.unpublished.value,
    });
    await this.create("msdyn_iomrule", {
      msdyn_name: rule.name,
      [columns.rule.ruleDefinition]: encodeRuleDefinition(rule.stored),
      [columns.rule.associatedEntity]: entity.value,
      ...(await this.bind("msdyn_iomrule", columns.rule.policy, "msdyn_iompolicy", id)),
    });
    await this.update("msdyn_iompolicy", id, {
      [columns.policy.publishStatus]: publishStatus.published.value,
    });
    return id;
  }

  /** Stops a map, saves an edit of its one F&O leg as a new version and starts it again, as F&O's dual-write page does. */
  async editMap(tName: string, filter: string): Promise<void> {
    const { pid } = await this.env.gatewayMap(tName);
    await this.env.runMap(mapAction.stop, pid);
    await this.env.saveMapVersion(pid, (task) => {
      const leg = task.legs[0]!;
      leg.reversedSourceFilter = filter;
      const ready = (leg.fieldMappings as Row[]).find((m) => m.destinationField === "msdyn_isreadytosync")!;
      ready.syncDirection = syncDirection.financeToDataverse;
      ready.valueTransforms = [{ transformType: "Default", defaultValue: "true" }];
    });
    await this.env.runMap(mapAction.start, pid);
  }
}

/** Microsoft's F&O provider article, done by hand. */
async function configureByHand(env: TestEnvironment): Promise<void> {
  const hand = new ByHand(env);
  const definition = await hand.idOf("msdyn_iomproviderdefinition", FINOPS);
  const provider = await hand.create("msdyn_iomprovider", {
    msdyn_name: FINOPS,
    [columns.provider.status]: providerStatus.installed.value,
    ...(await hand.bind(
      "msdyn_iomprovider",
      columns.provider.definition,
      "msdyn_iomproviderdefinition",
      definition,
    )),
  });
  await hand.create("msdyn_iomproviderparameter", {
    msdyn_name: "Disable Status Update Handlers",
    [columns.providerParameter.value]: "true",
    ...(await hand.bind(
      "msdyn_iomproviderparameter",
      columns.providerParameter.provider,
      "msdyn_iomprovider",
      provider,
    )),
    ...(await hand.bind(
      "msdyn_iomproviderparameter",
      columns.providerParameter.definitionParameter,
      "msdyn_iomproviderdefinitionparameter",
      await hand.idOf("msdyn_iomproviderdefinitionparameter", "Disable Status Update Handlers"),
    )),
  });
  const table = "msdyn_iomproviderconnectionreference";
  const connection = await hand.create(table, {
    msdyn_name: FINOPS_CONNECTION,
    [columns.providerConnectionRef.connectionUrl]:
      "https://make.powerautomate.com/connections/shared-commondataser-5f1e7c/details",
    [columns.providerConnectionRef.status]: connectionStatus.inactive.value,
    ...(await hand.bind(table, columns.providerConnectionRef.provider, "msdyn_iomprovider", provider)),
    ...(await hand.bind(
      table,
      columns.providerConnectionRef.definitionConnectionRef,
      "msdyn_iomproviderdefinitionconnectionref",
      await hand.idOf("msdyn_iomproviderdefinitionconnectionref", FINOPS_CONNECTION),
    )),
  });
  await hand.update(table, connection, {
    [columns.providerConnectionRef.status]: connectionStatus.active.value,
  });

  const salesOrder = await hand.policy(
    "FinOps sales order parameters",
    "Assigns the legal entity and the invoice account.",
    associatedEntity.order,
    {
      name: "Assign company and invoice customer",
      stored: {
        condition: {
          or: [
            { column: "msdyn_company", operator: "null" },
            { column: "msdyn_invoicecustomer", operator: "null" },
          ],
        },
        actions: [
          { column: "msdyn_company", value: "usmf" },
          { column: "msdyn_invoicecustomer", value: "US-001" },
        ],
      },
    },
  );
  // Edited after publishing: unpublished (IOM archives that version), changed, published again.
  await hand.update("msdyn_iompolicy", salesOrder, {
    [columns.policy.publishStatus]: publishStatus.unpublished.value,
  });
  await hand.update("msdyn_iompolicy", salesOrder, {
    [columns.policy.description]:
      "Assigns the legal entity and the invoice account to orders headed for F&O.",
  });
  await hand.update("msdyn_iompolicy", salesOrder, {
    [columns.policy.publishStatus]: publishStatus.published.value,
  });
  const orderProduct = await hand.policy(
    "FinOps order product parameters",
    "Assigns the legal entity, site and warehouse that fulfil order lines in F&O.",
    associatedEntity.orderProduct,
    {
      name: "Assign company, site and warehouse",
      stored: {
        condition: {
          and: [
            { column: "msdyn_shippingwarehouse", operator: "null" },
            {
              related: { table: "salesorder", lookup: "salesorderid" },
              where: { column: "msdyn_ordertype", operator: "eq", value: 192350000 },
            },
          ],
        },
        actions: [
          { column: "msdyn_company", value: "usmf" },
          { column: "msdyn_shippingsite", value: "1" },
          { column: "msdyn_shippingwarehouse", value: "11" },
        ],
      },
    },
  );

  await hand.update("msdyn_iomprovider", provider, {
    [columns.provider.status]: providerStatus.activated.value,
  });
  const flow = await hand.create("msdyn_iomdesigner", {
    msdyn_name: "Order orchestration with F&O",
    [columns.designer.orchestrationType]: orchestrationType.order.value,
    [columns.designer.description]: "Sends orders to F&O.",
    [columns.designer.publishStatus]: publishStatus.unpublished.value,
    [columns.designer.definition]: encodeDefinition({
      formatVersion: 1,
      steps: [
        {
          name: "Validate order header",
          tile: "validate order header",
          inputEvents: [],
          filterPolicyIds: [],
          executionPolicyIds: [],
          providerAction: null,
        },
        {
          name: "Send Order to FinOps for Fulfillment",
          tile: "custom",
          inputEvents: [],
          filterPolicyIds: [],
          executionPolicyIds: [salesOrder, orderProduct],
          providerAction: {
            providerId: provider,
            logicDefinitionId: await hand.idOf(
              "msdyn_iomproviderdefinitionlogicdefinition",
              "Send order to fulfillment",
            ),
          },
        },
      ],
    }),
  });
  await hand.update("msdyn_iomdesigner", flow, {
    [columns.designer.publishStatus]: publishStatus.published.value,
  });

  await hand.editMap("salesorders - CDS sales order headers", HEADERS_FILTER);
  await hand.editMap("salesorderdetails - CDS sales order lines", LINES_FILTER);
}

const PROVIDER = "microsoft-finance-and-operations-apps";
const READY = {
  dataverseField: "msdyn_isreadytosync",
  direction: "financeAndOperationsToDataverse",
  transform: "default",
  defaultValue: true,
};

describe.skipIf(!availability.engine)("iom import of a hand-configured environment", () => {
  let environment: TestEnvironment;
  let dir: string;
  let project: TestProject | undefined;

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    await configureByHand(environment);
    dir = mkdtempSync(path.join(tmpdir(), "iom-import-e2e-"));
  });

  afterAll(async () => {
    await project?.dispose();
    rmSync(dir, { recursive: true, force: true });
    await environment?.close();
  });

  it("imports it, validates, adopts it with up without changing or adding a row, and previews nothing", async () => {
    let out = "";
    let err = "";
    const code = await runImport(["--out", "stacks/test.iom.yaml"], {
      cwd: dir,
      write: (text) => (out += text),
      writeError: (text) => (err += text),
      env: environment.env,
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    const files = Object.fromEntries(
      readdirSync(path.join(dir, "stacks")).map((f) => [
        `stacks/${f}`,
        readFileSync(path.join(dir, "stacks", f), "utf8"),
      ]),
    );
    expect(out.split("\n").filter(Boolean).sort()).toEqual(
      Object.keys(files)
        .map((f) => `wrote ${f}`)
        .sort(),
    );

    // What the person configured, in the YAML's words: names and labels, no ids or option values.
    const stack = load(files["stacks/test.iom.yaml"]!) as Record<string, unknown>;
    expect(stack).toEqual({
      version: 1,
      include: ["finops-order-product-parameters.policy.yaml", "finops-sales-order-parameters.policy.yaml"],
      providers: [
        {
          name: PROVIDER,
          definition: FINOPS,
          parameters: { "Disable Status Update Handlers": true },
          activated: true,
        },
      ],
      connections: [
        {
          name: `${PROVIDER}-dataverse-current-environment`,
          provider: PROVIDER,
          connection: FINOPS_CONNECTION,
          connectionId: "shared-commondataser-5f1e7c",
          activated: true,
        },
      ],
      dualWriteMaps: [
        {
          name: "sales-order-headers",
          map: "CDS sales order headers (salesorders)",
          table: "salesorder",
          running: true,
          dataverseFilter: HEADERS_FILTER,
          fieldMappings: [READY],
        },
        {
          name: "sales-order-lines",
          map: "CDS sales order lines (salesorderdetails)",
          table: "salesorderdetail",
          running: true,
          dataverseFilter: LINES_FILTER,
          fieldMappings: [READY],
        },
      ],
      orchestrationFlows: [
        {
          name: "Order orchestration with F&O",
          type: "order orchestration",
          description: "Sends orders to F&O.",
          published: true,
          steps: [
            { name: "Validate order header", type: "validate order header" },
            {
              name: "Send Order to FinOps for Fulfillment",
              type: "custom",
              executionPolicies: ["FinOps sales order parameters", "FinOps order product parameters"],
              providerAction: { provider: PROVIDER, action: "Send order to fulfillment" },
            },
          ],
        },
      ],
    });
    const orderProduct = load(files["stacks/finops-order-product-parameters.policy.yaml"]!) as {
      policies: unknown[];
    };
    expect(orderProduct.policies).toEqual([
      {
        name: "FinOps order product parameters",
        description: "Assigns the legal entity, site and warehouse that fulfil order lines in F&O.",
        type: "execution",
        criticality: "critical",
        entity: "order product",
        published: true,
        rules: [
          {
            name: "Assign company, site and warehouse",
            when: {
              and: [
                { field: "Shipping Warehouse", operator: "does not contain data" },
                {
                  relatedEntity: "Order",
                  where: { field: "Order Type", operator: "equals", value: "Item based" },
                },
              ],
            },
            actions: [
              { set: "Company", to: "usmf" },
              { set: "Shipping Site", to: "1" },
              { set: "Shipping Warehouse", to: "11" },
            ],
          },
        ],
      },
    ]);
    // `iom validate` accepts it: no finding at all, in the three files.
    let report = "";
    expect(await runValidate(["stacks", "--format", "json"], { cwd: dir, write: (t) => (report += t) })).toBe(
      0,
    );
    expect(JSON.parse(report)).toEqual({ valid: true, files: Object.keys(files).sort(), findings: [] });

    const before = await environment.snapshot();
    project = await createTestProject(availability.engine!, "index", { files, env: environment.env });
    const up = await project.up();
    expect(up.summary.result).toBe("succeeded");
    // The stack, its organization check, two policies, two maps, the provider, its activation, its
    // connection, the flow.
    expect(up.summary.resourceChanges).toEqual({ create: 10 });
    // Adopted, every one: nothing changed, nothing added (every IOM table and both maps, row for row).
    expect(await environment.snapshot()).toEqual(before);
    const state = (await project.stack.exportStack()).deployment as {
      resources: Array<{ type: string; outputs?: { adopted?: boolean } }>;
    };
    // The IOM resources (the organization check records the stack's organization: nothing to adopt).
    const iom = state.resources.filter(
      (r) => r.type.startsWith("pulumi-nodejs:dynamic") && !r.type.endsWith(":StackOrganization"),
    );
    expect(iom).toHaveLength(8);
    // Every record was taken over, none made: the provider's activation too (it was active by hand),
    // so destroy would leave it active.
    expect(iom.map((r) => [r.type, r.outputs?.adopted])).toEqual(iom.map((r) => [r.type, true]));

    // A second preview, reading every record again first: nothing to do.
    const preview = await project.stack.preview({ refresh: true });
    expect(preview.changeSummary).toEqual({ same: 10 });
    expect(await environment.snapshot()).toEqual(before);
  });
});
