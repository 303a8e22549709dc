// The semantic rules, as tables of cases: each case is a small stack (and optional policy file),
// the code it must produce and where.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../temp.js";
import type { Finding } from "../../../src/config/findings.js";
import { OfflineMetadataSource } from "../../../src/config/metadata.js";
import { validatePaths } from "../../../src/config/validate.js";
import { salesorder } from "../../../src/iom/tables/salesorder.js";

afterAll(removeTempDirs);

const ROOT = path.resolve(__dirname, "../../..");
const LOCAL = readFileSync(path.join(ROOT, "stacks/local.iom.yaml"), "utf8");
const ORDER_POLICY = readFileSync(path.join(ROOT, "policies/finops-sales-order.policy.yaml"), "utf8");
const PRODUCT_POLICY = readFileSync(path.join(ROOT, "policies/finops-order-product.policy.yaml"), "utf8");

async function validate(
  files: Record<string, string>,
  options: { metadata?: OfflineMetadataSource } = {},
): Promise<Finding[]> {
  const dir = tempDir("iom-rules-");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const result = await validatePaths(["stacks"], { cwd: dir, ...options });
  return result.findings;
}

/** The article's configuration, as in stacks/local.iom.yaml, with one edit. */
function article(
  edit: (stack: string) => string,
  policies: { order?: string; product?: string } = {},
): Record<string, string> {
  return {
    "stacks/test.iom.yaml": edit(LOCAL),
    "policies/finops-sales-order.policy.yaml": policies.order ?? ORDER_POLICY,
    "policies/finops-order-product.policy.yaml": policies.product ?? PRODUCT_POLICY,
  };
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`'${needle}' not in text`);
  return text.slice(0, index).split("\n").length;
}

describe("the article's configuration", () => {
  it("is valid as shipped", async () => {
    expect(await validate(article((s) => s))).toEqual([]);
  });
});

type Case = [label: string, edit: (s: string) => string, code: string, needle: string];

const stackCases: Case[] = [
  [
    "the lines filter as the article writes it",
    (s) =>
      s.replace(
        "_msdyn_company_value ne null and _msdyn_shippingsite",
        "msdyn_company_value ne null and _msdyn_shippingsite",
      ),
    "filter-unknown-attribute",
    "      msdyn_company_value ne null and _msdyn_shippingsite",
  ],
  [
    "a misspelt header attribute",
    (s) => s.replace("statuscode ne 100003", "statuscod ne 100003"),
    "filter-unknown-attribute",
    "statuscod ne",
  ],
  [
    "a filter syntax error",
    (s) => s.replace("statuscode ne 100003", "statuscode <> 100003"),
    "filter-syntax",
    "msdyn_isreadytosync eq true and statuscode",
  ],
  [
    "a header readiness condition dropped",
    (s) => s.replace(" and statuscode ne 100003", ""),
    "finops-header-filter",
    "dataverseFilter: >-\n      msdyn_ordertype",
  ],
  [
    "a lines readiness condition dropped",
    (s) => s.replace(" and\n      msdyn_statuscode ne 192350001", ""),
    "finops-lines-filter",
    "dataverseFilter: >-\n      _msdyn_company",
  ],
  [
    "msdyn_isreadytosync default false",
    (s) => s.replace("defaultValue: true", "defaultValue: false"),
    "finops-ready-to-sync-mapping",
    "- dataverseField: msdyn_isreadytosync",
  ],
  [
    "msdyn_isreadytosync in the wrong direction",
    (s) =>
      s.replace("direction: financeAndOperationsToDataverse", "direction: dataverseToFinanceAndOperations"),
    "finops-ready-to-sync-mapping",
    "- dataverseField: msdyn_isreadytosync",
  ],
  [
    "the connection not activated",
    (s) => s.replace("    activated: true\n\ndualWriteMaps", "    activated: false\n\ndualWriteMaps"),
    "finops-connection",
    "activated: false",
  ],
  [
    "the provider a published flow calls not activated",
    (s) =>
      s.replace(
        "    definition: Microsoft Finance and Operations apps\n    activated: true",
        "    definition: Microsoft Finance and Operations apps\n    activated: false",
      ),
    "provider-not-activated",
    "provider: finops\n          action",
  ],
  [
    "no step calling the provider",
    (s) => s.replace(/ {8}providerAction:\n.*\n.*\n/, ""),
    "finops-orchestration-action",
    "definition: Microsoft",
  ],
  [
    "a connection of another definition",
    (s) =>
      s.replace(
        "connection: Microsoft Finance and Operations Dataverse (current environment) Connection",
        "connection: Dataverse",
      ),
    "unknown-connection",
    "connection: Dataverse",
  ],
  [
    "a connection of an undeclared provider",
    (s) => s.replace("provider: finops\n    connection", "provider: fin-ops\n    connection"),
    "unknown-provider",
    "provider: fin-ops",
  ],
  [
    "a step calling an unknown action",
    (s) => s.replace("action: Send order to fulfillment", "action: Send order"),
    "unknown-provider-action",
    "action: Send order",
  ],
  [
    "a step using an unknown policy",
    (s) => s.replace("- FinOps sales order parameters", "- FinOps sales order params"),
    "unknown-policy",
    "- FinOps sales order params",
  ],
  [
    "an execution policy listed as filter",
    (s) => s.replace("executionPolicies:", "filterPolicies:"),
    "policy-type-mismatch",
    "- FinOps sales order parameters",
  ],
  [
    "two providers with one name",
    (s) =>
      s.replace(
        "connections:",
        "  - name: finops\n    definition: Other\n    activated: false\n\nconnections:",
      ),
    "duplicate-name",
    "  - name: finops\n    definition: Other",
  ],
  [
    "an included file that does not exist",
    (s) => s.replace("finops-sales-order.policy.yaml", "finops-sales-orders.policy.yaml"),
    "include-not-found",
    "- ../policies/finops-sales-orders",
  ],
  [
    "an unknown key",
    (s) => s.replace("    table: salesorder\n", "    tabel: salesorder\n"),
    "schema-unknown-key",
    "tabel:",
  ],
  [
    "an unknown table",
    (s) => s.replace("    table: salesorder\n", "    table: salesorders\n"),
    "unknown-table",
    "table: salesorders",
  ],
];

describe.each(stackCases)("a stack with %s", (_label, edit, code, needle) => {
  it(`reports ${code} at the right line`, async () => {
    const files = article(edit);
    const stack = files["stacks/test.iom.yaml"] as string;
    const findings = await validate(files);
    const hit = findings.find((f) => f.code === code);
    expect(hit, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(hit?.file).toBe("stacks/test.iom.yaml");
    expect(hit?.line).toBe(lineOf(stack, needle));
    expect(hit?.message.length).toBeGreaterThan(10);
    expect(hit?.hint).toBeTruthy();
  });
});

it("suggests _msdyn_company_value for the article's lines filter, at the column inside the string", async () => {
  const files = article((s) =>
    s.replace(
      "_msdyn_company_value ne null and _msdyn_shippingsite",
      "msdyn_company_value ne null and _msdyn_shippingsite",
    ),
  );
  const findings = await validate(files);
  const hit = findings.find((f) => f.code === "filter-unknown-attribute");
  expect(hit).toMatchObject({
    column: 7,
    endColumn: 7 + "msdyn_company_value".length,
    hint: "did you mean '_msdyn_company_value'?",
  });
});

it("refuses a dual-write filter that follows a lookup or a collection, at the path", async () => {
  const findings = await validate(
    article((s) =>
      s.replace(
        "statuscode ne 100003",
        "statuscode ne 100003 and msdyn_Company/cdm_companycode eq 'USMF' and salesorder_details/any(d: d/quantity gt 1)",
      ),
    ),
  );
  const hits = findings.filter((f) => f.code === "filter-lookup-path");
  expect(hits.map((f) => f.message)).toEqual([
    expect.stringContaining("follows 'msdyn_Company' to another table ('msdyn_Company/cdm_companycode')"),
    expect.stringContaining("('salesorder_details/quantity')"),
  ]);
  expect(hits[0]).toMatchObject({
    severity: "error",
    hint: "filter on the lookup's own value ('_msdyn_company_value eq <id>', or 'ne null'), or on a column of 'salesorder'",
  });
  expect((hits[0]?.endColumn ?? 0) - (hits[0]?.column ?? 0)).toBe("msdyn_Company/cdm_companycode".length);
});

type PolicyCase = [
  label: string,
  which: "order" | "product",
  edit: (s: string) => string,
  code: string,
  needle: string,
];

const policyCases: PolicyCase[] = [
  [
    "no Invoice Customer action",
    "order",
    (s) => s.replace("          - set: Invoice Customer\n            to: US-001\n", ""),
    "finops-order-policy",
    "definition: Microsoft",
  ],
  [
    "no Shipping Site action",
    "product",
    (s) => s.replace('          - set: Shipping Site\n            to: "1"\n', ""),
    "finops-order-product-policy",
    "definition: Microsoft",
  ],
  [
    "actions on a filter policy",
    "order",
    (s) => s.replace("type: execution", "type: filter"),
    "action-on-filter-policy",
    "          - set: Company",
  ],
  [
    "an unknown column in an action",
    "product",
    (s) => s.replace("set: Shipping Warehouse", "set: Shipping Warehous"),
    "unknown-column",
    "set: Shipping Warehous",
  ],
  [
    "an unknown column in a related entity",
    "product",
    (s) => s.replace("field: Order Type", "field: Order Typ"),
    "unknown-column",
    "field: Order Typ",
  ],
  [
    "a row without a value",
    "order",
    (s) =>
      s.replace(
        "operator: does not contain data\n            - field: Invoice",
        "operator: equals\n            - field: Invoice",
      ),
    "missing-value",
    "operator: equals",
  ],
  [
    "a lookup compared with greater than",
    "order",
    (s) =>
      s.replace(
        "operator: does not contain data\n            - field: Invoice",
        "operator: greater than\n              value: x\n            - field: Invoice",
      ),
    "operator-not-allowed",
    "operator: greater than",
  ],
  [
    "a rule name used twice",
    "order",
    (s) => s + "      - name: assign company and invoice customer\n",
    "duplicate-name",
    "      - name: assign company and invoice customer",
  ],
];

describe.each(policyCases)("an included policy file with %s", (_label, which, edit, code, needle) => {
  it(`reports ${code}, in the file it belongs to`, async () => {
    const policies = { [which]: edit(which === "order" ? ORDER_POLICY : PRODUCT_POLICY) };
    const files = article((s) => s, policies);
    const findings = await validate(files);
    const hit = findings.find((f) => f.code === code);
    expect(hit, JSON.stringify(findings, null, 1)).toBeDefined();
    const owner = code.startsWith("finops-")
      ? "stacks/test.iom.yaml"
      : `policies/${which === "order" ? "finops-sales-order" : "finops-order-product"}.policy.yaml`;
    expect(hit?.file).toBe(owner);
    expect(hit?.line).toBe(lineOf(files[owner] as string, needle));
  });
});

describe("metadata source", () => {
  it("is a parameter: a source without salesorderdetail makes the lines table unchecked, not wrong", async () => {
    const findings = await validate(
      article((s) => s),
      { metadata: new OfflineMetadataSource([salesorder]) },
    );
    expect(findings.map((f) => [f.code, f.severity])).toEqual([["unknown-table", "warning"]]);
  });
});

describe("natural keys: two resources that would manage the same record", () => {
  const atBoth = async (edit: (s: string) => string, needles: [string, string]) => {
    const files = article(edit);
    const stack = files["stacks/test.iom.yaml"] as string;
    const hits = (await validate(files)).filter((f) => f.code === "duplicate-natural-key");
    expect(hits.map((h) => h.line).sort((a, b) => a - b)).toEqual(
      needles.map((n) => lineOf(stack, n)).sort((a, b) => a - b),
    );
    return hits;
  };

  it("are two providers of one definition with one display name, compared without case", async () => {
    const hits = await atBoth(
      (s) =>
        s.replace(
          "connections:",
          "  - name: finops-again\n    definition: MICROSOFT Finance and Operations apps\n    activated: false\n\nconnections:",
        ),
      ["definition: Microsoft Finance", "definition: MICROSOFT Finance"],
    );
    expect(hits[0]?.message).toContain("both would be one installed provider");
    expect(hits.map((h) => h.message).join("\n")).toMatch(
      /'finops-again' at stacks\/test\.iom\.yaml:\d+:\d+/,
    );
  });

  it("are two providers installed under one name, whatever their definitions", async () => {
    const hits = await atBoth(
      (s) =>
        s
          .replace("    activated: true\n", "    displayName: Fulfilment\n    activated: true\n")
          .replace(
            "connections:",
            "  - name: flexe\n    definition: Flexe\n    displayName: FULFILMENT\n    activated: false\n\nconnections:",
          ),
      ["displayName: Fulfilment", "displayName: FULFILMENT"],
    );
    expect(hits[0]?.message).toMatch(/is installed as 'Fulfilment'.*both would be one installed provider/);
  });

  it("are not two providers of one definition with different display names", async () => {
    const files = article((s) =>
      s.replace(
        "connections:",
        "  - name: finops-eu\n    definition: Microsoft Finance and Operations apps\n    displayName: F&O Europe\n    activated: false\n\nconnections:",
      ),
    );
    expect((await validate(files)).filter((f) => f.code === "duplicate-natural-key")).toEqual([]);
  });

  it("are two connections of one provider to the same definition connection", async () => {
    await atBoth(
      (s) =>
        s.replace(
          "dualWriteMaps:",
          "  - name: finops-dataverse-2\n    provider: finops\n    connection: microsoft finance and operations dataverse (current environment) connection\n    connectionId: other\n    activated: true\n\ndualWriteMaps:",
        ),
      [
        "connection: Microsoft Finance and Operations Dataverse",
        "connection: microsoft finance and operations dataverse",
      ],
    );
  });

  it("are two dual-write maps naming one table map, in either of its names", async () => {
    const hits = await atBoth(
      (s) =>
        s.replace(
          "orchestrationFlows:",
          "  - name: headers-again\n    map: salesorders - CDS sales order headers\n    table: salesorder\n    dataverseFilter: statuscode ne 100003\n\norchestrationFlows:",
        ),
      ["map: CDS sales order headers (salesorders)", "map: salesorders - CDS sales order headers"],
    );
    expect(hits[0]?.message).toContain("stop, save and restart one map");
  });
});
