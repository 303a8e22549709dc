// The files `iom import` writes: pinned exactly for a small configuration (modelines relative to
// each file, keys in the schemas' order, long filters folded, values that would read as something
// else quoted), policy files beside the stack file and included by it, one document on stdout, and
// every string read back as itself by the project's own loader, whatever it holds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadYamlText } from "../../../src/config/yaml-source.js";
import type { ImportedConfiguration } from "../../../src/gitops/import.js";
import { modeline, renderImport, yamlText } from "../../../src/gitops/import-yaml.js";

const FILTER =
  "msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true and statuscode ne 100003";

function configuration(): ImportedConfiguration {
  return {
    environmentUrl: "https://contoso.crm.dynamics.com",
    organizationId: "0f2e6c5a-1111-4222-8333-444455556666",
    providers: [
      {
        name: "microsoft-finance-and-operations-apps",
        definition: "Microsoft Finance and Operations apps",
        parameters: { "Disable Status Update Handlers": true, "Batch size": "0b101" },
        activated: true,
      },
    ],
    connections: [],
    dualWriteMaps: [
      {
        name: "sales-order-headers",
        map: "CDS sales order headers (salesorders)",
        table: "salesorder",
        dataverseFilter: FILTER,
        fieldMappings: [
          {
            dataverseField: "msdyn_isreadytosync",
            direction: "financeAndOperationsToDataverse",
            transform: "default",
            defaultValue: true,
          },
        ],
      },
    ],
    policies: [
      {
        name: "FinOps sales order parameters",
        type: "execution",
        criticality: "critical",
        entity: "order",
        published: true,
        rules: [
          {
            name: "Assign company",
            when: { field: "Company", operator: "does not contain data" },
            actions: [
              { set: "Company", to: "usmf" },
              { set: "Shipping Site", to: "1" },
            ],
          },
        ],
      },
    ],
    orchestrationFlows: [],
  };
}

const STACK = `# yaml-language-server: $schema=../schemas/stack.schema.json
#
# The IOM configuration of https://contoso.crm.dynamics.com
# (organization 0f2e6c5a-1111-4222-8333-444455556666), as \`iom import\` read it.
# A stack made of it adopts those records on \`pulumi up\` and changes nothing (docs/import.md).
version: 1
include:
  - finops-sales-order-parameters.policy.yaml
providers:
  - name: microsoft-finance-and-operations-apps
    definition: Microsoft Finance and Operations apps
    parameters:
      Disable Status Update Handlers: true
      Batch size: "0b101"
    activated: true
dualWriteMaps:
  - name: sales-order-headers
    map: CDS sales order headers (salesorders)
    table: salesorder
    dataverseFilter: >-
      msdyn_ordertype eq 192350000 and _msdyn_company_value ne null and msdyn_isreadytosync eq true
      and statuscode ne 100003
    fieldMappings:
      - dataverseField: msdyn_isreadytosync
        direction: financeAndOperationsToDataverse
        transform: default
        defaultValue: true
`;

const POLICY_FILE = `# yaml-language-server: $schema=../schemas/policy-file.schema.json
#
# A policy of https://contoso.crm.dynamics.com (organization 0f2e6c5a-1111-4222-8333-444455556666),
# as \`iom import\` read it.
version: 1
policies:
  - name: FinOps sales order parameters
    type: execution
    criticality: critical
    entity: order
    published: true
    rules:
      - name: Assign company
        when:
          field: Company
          operator: does not contain data
        actions:
          - set: Company
            to: usmf
          - set: Shipping Site
            to: "1"
`;

describe("import files", () => {
  it("are a stack file and a policy file beside it, pinned exactly", () => {
    const files = renderImport(configuration(), {
      stackFile: "/project/stacks/prod.iom.yaml",
      stackDir: "/project/stacks",
      schemasDir: "/project/schemas",
    });
    expect(files.map((f) => f.path)).toEqual([
      "/project/stacks/prod.iom.yaml",
      "/project/stacks/finops-sales-order-parameters.policy.yaml",
    ]);
    expect(files[0]!.text).toBe(STACK);
    expect(files[1]!.text).toBe(POLICY_FILE);
  });

  it("on stdout are one document holding the policies", () => {
    const [file, ...rest] = renderImport(configuration(), {
      stackDir: "/project/stacks",
      schemasDir: "/project/schemas",
    });
    expect(rest).toEqual([]);
    expect(file!.path).toBeUndefined();
    const loaded = loadYamlText("stdout", file!.text);
    expect(loaded.ok && loaded.source.data).toEqual({
      version: 1,
      providers: configuration().providers,
      dualWriteMaps: configuration().dualWriteMaps,
      policies: configuration().policies,
    });
  });

  it("give policies whose names make the same file name files of their own", () => {
    const config = configuration();
    const [policy] = config.policies;
    config.policies = [policy!, { ...policy!, name: "FinOps: sales order parameters" }];
    const files = renderImport(config, {
      stackFile: "/p/stacks/x.iom.yaml",
      stackDir: "/p/stacks",
      schemasDir: "/p/schemas",
    });
    expect(files.map((f) => f.path)).toEqual([
      "/p/stacks/x.iom.yaml",
      "/p/stacks/finops-sales-order-parameters.policy.yaml",
      "/p/stacks/finops-sales-order-parameters-2.policy.yaml",
    ]);
  });

  it.each([
    ["/p/stacks", "/p/schemas", "../schemas/stack.schema.json"],
    ["/p", "/p/schemas", "schemas/stack.schema.json"],
    ["/tmp/x/stacks", "/opt/iom/schemas", "../../../opt/iom/schemas/stack.schema.json"],
  ])("point the language server from %j at %j as %j", (dir, schemas, relative) => {
    expect(modeline(dir, schemas, "stack.schema.json")).toBe(`# yaml-language-server: $schema=${relative}`);
  });

  it("write every string so that the project's loader reads it back as itself", () => {
    const tricky = fc.oneof(
      fc.constantFrom(
        "0b101",
        "0o17",
        "0x1F",
        "1_000",
        "True",
        "NULL",
        "~",
        "yes",
        "2024-01-01",
        "- x",
        "a: b",
        "#c",
        " x ",
        "'q'",
        '"',
        "\\",
        "x\ny",
        "",
      ),
      fc.string({ maxLength: 200 }),
      fc.string({ unit: "grapheme", maxLength: 150 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(tricky, tricky), { maxLength: 6 }), (pairs) => {
        const data = {
          version: 1,
          values: pairs.map(([key, value]) => ({ [`k ${key}`]: value, plain: value })),
        };
        const loaded = loadYamlText("x.iom.yaml", yamlText(data));
        expect(loaded.ok && loaded.source.data).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });
});
