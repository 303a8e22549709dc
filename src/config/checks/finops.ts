// The prerequisites of Microsoft's "Set up the Dynamics 365 Finance + Operations provider"
// article, as rules that apply when a stack declares the F&O provider. Each missing piece is a
// finding that names the article's step it comes from.
import type { FilterNode } from "../../odata/filter.js";
import { FilterSyntaxError } from "../../odata/filter.js";
import type { DualWriteMap } from "../../generated/dual-write-map.js";
import type { Policy } from "../../generated/policy.js";
import type { IomProvider } from "../../generated/iom-provider.js";
import type { Finding, FindingCode } from "../findings.js";
import type { Configuration, Located } from "../model.js";
import { findingAt } from "../model.js";
import { FINOPS_CONNECTION, findDefinition, FINOPS_DEFINITION, sameName } from "../provider-catalog.js";
import { FilterTooComplexError, parseBoundedFilter } from "../../odata/limits.js";

const ARTICLE = 'article "Set up the Dynamics 365 Finance + Operations provider"';

interface MapRequirement {
  table: string;
  map: string;
  code: FindingCode;
  step: string;
  conditions: string[];
}

export const FINOPS_MAP_REQUIREMENTS: readonly MapRequirement[] = [
  {
    table: "salesorder",
    map: "CDS sales order headers (salesorders)",
    code: "finops-header-filter",
    step: "Prerequisites, order mapping filters: CDS sales order headers",
    conditions: [
      "msdyn_ordertype eq 192350000",
      "_msdyn_company_value ne null",
      "msdyn_isreadytosync eq true",
      "statuscode ne 100003",
    ],
  },
  {
    table: "salesorderdetail",
    map: "CDS sales order lines (salesorderdetails)",
    code: "finops-lines-filter",
    step: "Prerequisites, order mapping filters: CDS sales order lines",
    conditions: [
      "_msdyn_company_value ne null",
      "_msdyn_shippingsite_value ne null",
      "_msdyn_shippingwarehouse_value ne null",
      "msdyn_isreadytosync eq true",
      "msdyn_statuscode ne 192350001",
    ],
  },
];

interface PolicyRequirement {
  entity: Policy["entity"];
  code: FindingCode;
  step: string;
  /** Each column by display name, with the logical names that satisfy it. */
  columns: Array<{ display: string; logical: string[] }>;
}

export const FINOPS_POLICY_REQUIREMENTS: readonly PolicyRequirement[] = [
  {
    entity: "order",
    code: "finops-order-policy",
    step: "Prerequisites, Sales Order policy parameters",
    columns: [
      { display: "Company", logical: ["msdyn_company"] },
      { display: "Invoice Customer", logical: ["msdyn_invoicecustomer", "msdyn_invoicecustomerid"] },
    ],
  },
  {
    entity: "order product",
    code: "finops-order-product-policy",
    step: "Prerequisites, Sales Order Product policy parameters",
    columns: [
      { display: "Company", logical: ["msdyn_company"] },
      { display: "Shipping Site", logical: ["msdyn_shippingsite"] },
      { display: "Shipping Warehouse", logical: ["msdyn_shippingwarehouse"] },
    ],
  },
];

function literalText(node: Extract<FilterNode, { kind: "compare" }>["right"]): string {
  if (node.kind === "literal") return node.value === null ? "null" : String(node.value);
  if (node.kind === "property") return node.path.join("/");
  return "[list]";
}

/** The comparisons joined by top-level 'and', normalised as "attribute op value". */
function conjuncts(filter: string): Set<string> | undefined {
  let tree: FilterNode;
  try {
    tree = parseBoundedFilter(filter);
  } catch (err) {
    // Reported by the dual-write map check; the readiness conditions cannot be read from it.
    if (err instanceof FilterSyntaxError || err instanceof FilterTooComplexError) return undefined;
    throw err;
  }
  const out = new Set<string>();
  const walk = (n: FilterNode): void => {
    if (n.kind === "and") {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === "compare" && n.left.kind === "property") {
      out.add(`${n.left.path.join("/")} ${n.op} ${literalText(n.right)}`);
    }
  };
  walk(tree);
  return out;
}

function checkMaps(provider: Located<IomProvider>, maps: Located<DualWriteMap>[]): Finding[] {
  const findings: Finding[] = [];
  for (const req of FINOPS_MAP_REQUIREMENTS) {
    const map = maps.find((m) => m.value.table === req.table);
    if (!map) {
      findings.push(
        findingAt(provider.source, [...provider.path, "definition"], {
          code: req.code,
          message: `the F&O provider needs dual-write map '${req.map}' (table ${req.table}) with its readiness filter (${ARTICLE}, ${req.step})`,
          hint: `add it under dualWriteMaps with dataverseFilter: ${req.conditions.join(" and ")}`,
        }),
      );
      continue;
    }
    const present = conjuncts(map.value.dataverseFilter);
    if (present) {
      for (const condition of req.conditions) {
        if (present.has(condition)) continue;
        findings.push(
          findingAt(map.source, [...map.path, "dataverseFilter"], {
            code: req.code,
            message: `dataverseFilter of '${map.value.name}' lacks the readiness condition '${condition}' (${ARTICLE}, ${req.step})`,
            hint: `add 'and ${condition}'`,
          }),
        );
      }
    }
    const mappings = map.value.fieldMappings ?? [];
    const index = mappings.findIndex((m) => m.dataverseField === "msdyn_isreadytosync");
    const mapping = mappings[index];
    const ok =
      mapping !== undefined &&
      mapping.direction === "financeAndOperationsToDataverse" &&
      mapping.transform === "default" &&
      (mapping.defaultValue === true || mapping.defaultValue === "true");
    if (!ok) {
      const where = mapping ? [...map.path, "fieldMappings", index] : [...map.path, "name"];
      findings.push(
        findingAt(map.source, where, {
          code: "finops-ready-to-sync-mapping",
          message: `'${map.value.name}' must map msdyn_isreadytosync from F&O to Dataverse with transform Default and default value true (${ARTICLE}, Prerequisites, msdyn_isreadytosync field)`,
          hint: "add a field mapping: { dataverseField: msdyn_isreadytosync, direction: financeAndOperationsToDataverse, transform: default, defaultValue: true }",
        }),
      );
    }
  }
  return findings;
}

function checkPolicies(provider: Located<IomProvider>, policies: Located<Policy>[]): Finding[] {
  const findings: Finding[] = [];
  for (const req of FINOPS_POLICY_REQUIREMENTS) {
    const set = new Set<string>();
    for (const p of policies) {
      if (p.value.entity !== req.entity || p.value.type !== "execution") continue;
      for (const rule of p.value.rules) for (const a of rule.actions ?? []) set.add(a.set.toLowerCase());
    }
    for (const column of req.columns) {
      const names = [column.display.toLowerCase(), ...column.logical];
      if (names.some((n) => set.has(n))) continue;
      findings.push(
        findingAt(provider.source, [...provider.path, "definition"], {
          code: req.code,
          message: `the F&O provider needs an execution policy on '${req.entity}' that sets ${column.display} (${ARTICLE}, ${req.step})`,
          hint: `add a rule action '{ set: ${column.display}, to: <value> }' to an execution policy on '${req.entity}'`,
        }),
      );
    }
  }
  return findings;
}

export function checkFinOps(config: Configuration): Finding[] {
  const findings: Finding[] = [];
  for (const provider of config.providers) {
    const definition = findDefinition(provider.value.definition);
    if (definition?.name !== FINOPS_DEFINITION) continue;
    findings.push(...checkMaps(provider, config.dualWriteMaps));
    findings.push(...checkPolicies(provider, config.policies));
    const connection = config.connections.find(
      (c) => c.value.provider === provider.value.name && sameName(c.value.connection, FINOPS_CONNECTION),
    );
    if (!connection || (provider.value.activated && !connection.value.activated)) {
      findings.push(
        findingAt(
          connection?.source ?? provider.source,
          connection ? [...connection.path, "activated"] : [...provider.path, "definition"],
          {
            code: "finops-connection",
            message: connection
              ? `connection '${connection.value.name}' must be activated before provider '${provider.value.name}' is (${ARTICLE}, Set up the provider, step 4)`
              : `provider '${provider.value.name}' needs its connection '${FINOPS_CONNECTION}' (${ARTICLE}, Set up the provider, step 4)`,
            hint: connection
              ? "set activated: true on the connection"
              : `add it under connections with provider: ${provider.value.name}, a connectionId and activated: true`,
          },
        ),
      );
    }
    const calls = config.orchestrationFlows.some((f) =>
      f.value.steps.some((s) => s.providerAction?.provider === provider.value.name),
    );
    if (!calls) {
      findings.push(
        findingAt(provider.source, [...provider.path, "definition"], {
          code: "finops-orchestration-action",
          message: `no orchestration flow calls an action of provider '${provider.value.name}'; orders are only sent to F&O by its provider action (${ARTICLE}, "call the Finance + Operations provider action in the order orchestration flow")`,
          hint:
            "add a step such as 'Send Order to FinOps for Fulfillment' with providerAction: { provider: " +
            provider.value.name +
            ", action: <action> }",
        }),
      );
    }
  }
  return findings;
}
