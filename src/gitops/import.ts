// `iom import`, its reading half: the IOM configuration of a live environment as desired state, in
// the YAML's shape and words. Nothing here converts a row by itself: every record goes through its
// resource kind's own `read` (src/resources/<kind>/provider.ts), the same code `pulumi refresh`
// runs, given a seed in place of the outputs a stack would have recorded (the record's id and the
// names of the records it refers to, no spelling to follow), or through the pure conversion a kind
// exports for it. What a kind's read turns out is then what adoption compares against, so an
// import applied with `pulumi up` changes nothing and a following preview shows nothing.
//
// A record that cannot be described (a rule or flow definition iom-gitops cannot read, a step that
// calls a policy that is not there) is an error finding; a record left out on purpose (a policy
// without rules, a map nobody filtered) is a warning. All are collected and reported together.
import { SALES_ORDER_LINES_MAPS } from "../config/checks/dual-write-maps.js";
import { FINOPS_MAP_REQUIREMENTS } from "../config/checks/finops.js";
import { secretConfigCommand, secretConfigName } from "../config/checks/secret-parameters.js";
import { schemaRegistry, type ResourceKind } from "../config/schema-registry.js";
import {
  DataverseError,
  DualWriteManagementClient,
  isGuid,
  mapsNamed,
  sameMapName,
  uiMapName,
  type DataverseClient,
  type DataverseRecord,
  type GatewayMap,
} from "../dataverse/index.js";
import type { DualWriteMap } from "../generated/dual-write-map.js";
import type { IomProvider } from "../generated/iom-provider.js";
import type { OrchestrationFlow, OrchestrationStep } from "../generated/orchestration-flow.js";
import type { Policy, PolicyRule } from "../generated/policy.js";
import type { ProviderConnection } from "../generated/provider-connection.js";
import { sameName } from "../iom/catalog.js";
import { DefinitionFormatError } from "../iom/formats/orchestration-definition.js";
import { RuleDefinitionFormatError } from "../iom/formats/rule-definition.js";
import { columns, orchestrationType, primaryColumns, providerStatus } from "../iom/facts.js";
import { entitySet, findRows, isChoice, lookupId, rowId } from "../resources/common/records.js";
import { DualWriteMapError } from "../resources/dual-write-map/errors.js";
import { describeSettings } from "../resources/dual-write-map/mapping.js";
import { runningSetting } from "../resources/dual-write-map/provider.js";
import { iomProvider, parameterFromText, parameterValues } from "../resources/iom-provider/provider.js";
import { orchestrationFlow } from "../resources/orchestration-flow/provider.js";
import { policyTables } from "../resources/policy/api.js";
import { currentPolicyFilter } from "../resources/policy/current.js";
import { PolicyError } from "../resources/policy/errors.js";
import { policy as policyKind } from "../resources/policy/provider.js";
import { providerConnection } from "../resources/provider-connection/provider.js";
import type { Session } from "../resources/runtime/session.js";
import { connectionName, mapName, NameRegister, providerName } from "./import-names.js";
import { SecretKeys, withPlaceholders } from "./import-secrets.js";

const PROVIDER = "msdyn_iomprovider";
const PARAMETER = "msdyn_iomproviderparameter";
const CONNECTION = "msdyn_iomproviderconnectionreference";
const DEFINITION_CONNECTION = "msdyn_iomproviderdefinitionconnectionref";
const FLOW = "msdyn_iomdesigner";
const POLICY = "msdyn_iompolicy";
const providerRow = primaryColumns[PROVIDER];
const parameterRow = primaryColumns[PARAMETER];
const connectionRow = primaryColumns[CONNECTION];
const definitionConnectionRow = primaryColumns[DEFINITION_CONNECTION];
const flowRow = primaryColumns[FLOW];
/** How findings name dual-write maps, which are not Dataverse rows of ours. */
const DUAL_WRITE_MAP = "dual-write map";

/** The field mapping of the IOM maps that Microsoft's F&O provider article sets. */
export const READY_TO_SYNC = "msdyn_isreadytosync";

/**
 * The dual-write maps IOM's F&O setup configures, and the field mappings of each that the article
 * manages: the maps the F&O checks know (src/config/checks/finops.ts), so the two lists cannot part.
 */
export const IOM_DUAL_WRITE_MAPS: ReadonlyArray<{ map: string; table: string; fields: readonly string[] }> =
  FINOPS_MAP_REQUIREMENTS.map((r) => ({ map: r.map, table: r.table, fields: [READY_TO_SYNC] }));

export type ImportFindingCode =
  /** Error: the record's stored form cannot be put in the YAML (unreadable definition, unknown choice). */
  | "undescribable-record"
  /** Error: a flow step refers to a policy, provider or action that the import does not hold. */
  | "unresolved-reference"
  /** Error: two current records of one kind share a name, so adoption by name could not tell them apart. */
  | "duplicate-record"
  /** Warning: a policy with no rules (IOM publishes none such) or a flow with no steps is left out. */
  | "empty-record"
  /** Warning: a connection that was never bound (no Connection URL) is left out. */
  | "connection-without-url"
  /** Warning: an IOM dual-write map the environment does not have is left out. */
  | "map-not-found"
  /** Warning: an IOM dual-write map nobody filtered (empty Dataverse filter) is left out. */
  | "map-without-filter"
  /** Warning: a field mapping's stored transforms say more than the YAML can; up would rewrite it. */
  | "map-mapping-inexact"
  /** Warning: the dual-write gateway is not configured or not there; no map is imported. */
  | "dual-write-unavailable"
  /** Warning: a parameter that looks like a credential is written as a reference to secret config. */
  | "secret-parameter";

/** The record a finding is about: where it is in the environment. */
export interface ImportedRecord {
  /** The table's logical name, or "dual-write map". */
  table: string;
  /** The row's id ("" for a map the environment does not have). */
  id: string;
  name: string;
}

export interface ImportFinding {
  severity: "error" | "warning";
  code: ImportFindingCode;
  record: ImportedRecord;
  message: string;
  hint: string;
}

/** An environment's IOM configuration, as the desired state that describes it. */
export interface ImportedConfiguration {
  environmentUrl: string;
  organizationId: string;
  providers: IomProvider[];
  connections: ProviderConnection[];
  dualWriteMaps: DualWriteMap[];
  policies: Policy[];
  orchestrationFlows: OrchestrationFlow[];
}

export interface ImportResult {
  configuration: ImportedConfiguration;
  /** In the order the records were read: providers, connections, maps, policies, flows. */
  findings: ImportFinding[];
  /** No error: the configuration describes every record that was not left out on purpose. */
  ok: boolean;
}

/**
 * The failures that mean one record cannot be described, as opposed to the environment not being
 * readable (network, access, metadata), which propagate.
 */
function undescribable(error: unknown): string | undefined {
  if (
    error instanceof PolicyError ||
    error instanceof DualWriteMapError ||
    error instanceof DefinitionFormatError ||
    error instanceof RuleDefinitionFormatError
  )
    return error.message;
  return undefined;
}

/** Code-unit order: the same on every machine, whatever its locale data. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows in the order of their own names (then ids): the order names are handed out in. */
function byName(rows: DataverseRecord[], nameColumn: string, idColumn: string): DataverseRecord[] {
  const key = (row: DataverseRecord): string => String(row[nameColumn] ?? "").toLowerCase();
  return [...rows].sort(
    (a, b) =>
      compareText(key(a), key(b)) ||
      compareText(String(a[idColumn]).toLowerCase(), String(b[idColumn]).toLowerCase()),
  );
}

interface ImportedProvider {
  id: string;
  /** The catalog definition's name, which connection names are made shorter by. */
  definition: string;
  yaml: IomProvider;
}

class EnvironmentReader {
  readonly findings: ImportFinding[] = [];
  /** The config keys of the secret parameters written so far. */
  private readonly secretKeys = new SecretKeys();

  constructor(private readonly s: Session) {}

  private find(
    severity: ImportFinding["severity"],
    code: ImportFindingCode,
    record: ImportedRecord,
    message: string,
    hint: string,
  ): void {
    this.findings.push({ severity, code, record, message, hint });
  }

  /** Runs one record's conversion; a record that cannot be described becomes an error finding. */
  private async describe<T>(record: ImportedRecord, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      const reason = undescribable(error);
      if (reason === undefined) throw error;
      this.find(
        "error",
        "undescribable-record",
        record,
        `cannot be described: ${reason}`,
        "correct the record in IOM, or delete it, then import again",
      );
      return undefined;
    }
  }

  /** Whether a description fits its kind's schema; every boundary validates through the one registry. */
  private fits(kind: ResourceKind, record: ImportedRecord, value: unknown): boolean {
    const errors = schemaRegistry().validate(kind, value);
    if (errors.length === 0) return true;
    const problems = errors.map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    this.find(
      "error",
      "undescribable-record",
      record,
      `its description does not fit schemas/${kind}.schema.json (${[...new Set(problems)].join("; ")})`,
      "the record holds something the YAML cannot say; correct it in IOM, then import again",
    );
    return false;
  }

  /** Refuses names that two current records share: adoption finds a record by its name. */
  private unique(
    rows: DataverseRecord[],
    where: { table: string; id: string; name: string },
    what: string,
  ): DataverseRecord[] {
    const key = (row: DataverseRecord): string => String(row[where.name] ?? "").toLowerCase();
    const groups = new Map<string, DataverseRecord[]>();
    for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
    return rows.filter((row) => {
      const same = groups.get(key(row)) ?? [];
      if (same.length === 1) return true;
      if (same[0] === row)
        this.find(
          "error",
          "duplicate-record",
          { table: where.table, id: rowId(row, where.id), name: String(row[where.name] ?? "") },
          `${same.length} current ${what} have this name (${same.map((r) => rowId(r, where.id)).join(", ")})`,
          `iom-gitops adopts ${what} by name: rename or delete all but one in IOM, then import again`,
        );
      return false;
    });
  }

  async providers(): Promise<ImportedProvider[]> {
    const s = this.s;
    const c = columns.provider;
    const rows = await s.client.list(await entitySet(s, PROVIDER), {
      select: [providerRow.id, providerRow.name, c.status],
    });
    const names = new NameRegister();
    const out: ImportedProvider[] = [];
    for (const row of byName(rows, providerRow.name, providerRow.id)) {
      const id = rowId(row, providerRow.id);
      const record = { table: PROVIDER, id, name: String(row[providerRow.name] ?? "") };
      // The parameters set on the provider, typed as the YAML writes them; the kind's read reads
      // the ones it is given.
      const parameterRows = await findRows(
        s,
        PARAMETER,
        { [`_${columns.providerParameter.provider}_value`]: id },
        [parameterRow.name, columns.providerParameter.value],
      );
      const parameters = Object.fromEntries(
        byName(parameterRows, parameterRow.name, parameterRow.name).map((p) => [
          String(p[parameterRow.name]),
          parameterFromText(String(p[columns.providerParameter.value] ?? "")),
        ]),
      );
      const activated = await isChoice(s, PROVIDER, c.status, row[c.status], providerStatus.activated);
      const name = names.take(providerName(record.name));
      const current = await iomProvider.read(
        id,
        {
          name,
          definition: "",
          activated,
          ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
          recordId: id,
          organizationId: s.organizationId,
          adopted: true,
        },
        s,
      );
      if (!current) continue; // deleted while we read
      // A credential is never copied: it becomes a reference to secret config (import-secrets.ts).
      const described = withPlaceholders(name, parameterValues(current) ?? {}, this.secretKeys);
      const yaml: IomProvider = {
        name,
        definition: current.definition,
        ...(current.displayName !== undefined ? { displayName: current.displayName } : {}),
        ...(Object.keys(described.parameters).length > 0 ? { parameters: described.parameters } : {}),
        activated,
      };
      if (!this.fits("iom-provider", record, yaml)) continue;
      out.push({ id, definition: current.definition, yaml });
      for (const { parameter, key } of described.placeholders)
        this.find(
          "warning",
          "secret-parameter",
          record,
          `parameter '${parameter}' looks like a credential, so its value is not copied: the YAML takes it from the stack's secret config ${secretConfigName(key)}`,
          `before \`pulumi up\`, run \`${secretConfigCommand(key)}\` and enter the value (it prompts for it; copy it from the provider's parameters in IOM or from where your team keeps it)`,
        );
    }
    return out;
  }

  async connections(providers: readonly ImportedProvider[]): Promise<ProviderConnection[]> {
    const s = this.s;
    const c = columns.providerConnectionRef;
    const rows = await s.client.list(await entitySet(s, CONNECTION), {
      select: [
        connectionRow.id,
        connectionRow.name,
        `_${c.provider}_value`,
        `_${c.definitionConnectionRef}_value`,
      ],
    });
    const definitionSet = await entitySet(s, DEFINITION_CONNECTION);
    const found: Array<{ provider: ImportedProvider; definitionConnection: string; row: DataverseRecord }> =
      [];
    for (const row of rows) {
      const provider = providers.find((p) => p.id === lookupId(row, c.provider));
      // A connection of a provider that is not imported belongs to nothing the YAML can hold.
      if (!provider) continue;
      const definitionId = lookupId(row, c.definitionConnectionRef);
      const definition = definitionId
        ? await s.client.retrieveIfExists(definitionSet, definitionId, {
            select: [definitionConnectionRow.name],
          })
        : undefined;
      found.push({
        provider,
        definitionConnection: String(
          definition?.[definitionConnectionRow.name] ?? row[connectionRow.name] ?? "",
        ),
        row,
      });
    }
    found.sort(
      (a, b) =>
        compareText(a.provider.yaml.name, b.provider.yaml.name) ||
        compareText(a.definitionConnection.toLowerCase(), b.definitionConnection.toLowerCase()) ||
        compareText(rowId(a.row, connectionRow.id), rowId(b.row, connectionRow.id)),
    );
    const names = new NameRegister();
    const out: ProviderConnection[] = [];
    for (const { provider, definitionConnection, row } of found) {
      const id = rowId(row, connectionRow.id);
      const record = { table: CONNECTION, id, name: String(row[connectionRow.name] ?? definitionConnection) };
      const name = names.take(connectionName(provider.yaml.name, definitionConnection, provider.definition));
      const current = await providerConnection.read(
        id,
        {
          name,
          provider: provider.yaml.name,
          connection: definitionConnection,
          connectionId: "",
          activated: false,
          recordId: id,
          providerId: provider.id,
          organizationId: s.organizationId,
          adopted: true,
        },
        s,
      );
      if (!current) continue;
      if (current.connectionId === "") {
        this.find(
          "warning",
          "connection-without-url",
          record,
          `has no Connection URL, so it is left out (a connection of provider '${provider.yaml.name}')`,
          "bind it to a Power Platform connection in IOM (or add it to the YAML with its connectionId)",
        );
        continue;
      }
      const yaml: ProviderConnection = {
        name,
        provider: provider.yaml.name,
        // Adoption finds a connection by its definition's connection; the row's own name is kept
        // where it says the same, as the kind's read returns it.
        connection: sameName(current.connection, definitionConnection)
          ? current.connection
          : definitionConnection,
        connectionId: current.connectionId,
        activated: current.activated,
      };
      if (this.fits("provider-connection", record, yaml)) out.push(yaml);
    }
    return out;
  }

  async dualWriteMaps(): Promise<DualWriteMap[]> {
    const dw = new DualWriteManagementClient(this.s.client);
    let maps: GatewayMap[];
    try {
      maps = await dw.maps();
    } catch (error) {
      // No gateway configured (or none there): the rest of the configuration is still imported.
      if (!(
        error instanceof DataverseError &&
        (error.code === "not-found" || error.code === "invalid-config")
      ))
        throw error;
      this.find(
        "warning",
        "dual-write-unavailable",
        { table: DUAL_WRITE_MAP, id: "", name: "Entities" },
        `the dual-write gateway could not be asked for the maps (${error.message}), so no dual-write map is imported`,
        "set IOM_DUALWRITE_URL to the dual-write gateway and IOM_FINOPS_URL to the linked F&O environment (docs/dual-write-gateway.md)",
      );
      return [];
    }
    const names = new NameRegister();
    const out: DualWriteMap[] = [];
    for (const wanted of IOM_DUAL_WRITE_MAPS) {
      let hits = mapsNamed(maps, wanted.map);
      // The lines map goes by two names; an environment that has only today's "V2" one imports it.
      if (hits.length === 0 && SALES_ORDER_LINES_MAPS.some((l) => sameMapName(l, wanted.map)))
        hits = SALES_ORDER_LINES_MAPS.flatMap((l) => mapsNamed(maps, l));
      const [hit] = hits;
      if (!hit || hits.length > 1) {
        this.find(
          hit ? "error" : "warning",
          hit ? "duplicate-record" : "map-not-found",
          { table: DUAL_WRITE_MAP, id: hits.map((m) => m.pid ?? "").join(", "), name: wanted.map },
          hit
            ? `${hits.length} dual-write table maps have this name`
            : `is not in the environment, so it is left out`,
          hit
            ? "remove or rename the extra ones in Finance and Operations, then import again"
            : "install the dual-write solution that brings it, if this environment syncs orders with F&O",
        );
        continue;
      }
      const record = { table: DUAL_WRITE_MAP, id: hit.pid ?? "", name: uiMapName(hit.name) };
      if (!hit.pid) {
        this.find(
          "warning",
          "map-not-found",
          record,
          "has never been run (the gateway has no project for it), so it is left out",
          "run it once in Finance and Operations (Data management > Dual-write), then import again",
        );
        continue;
      }
      const document = await dw.fieldMappings(hit.pid);
      const described = await this.describe(record, async () => describeSettings(document, wanted.fields));
      if (!described) continue;
      const { settings, inexact } = described;
      if (settings.dataverseFilter.trim() === "") {
        this.find(
          "warning",
          "map-without-filter",
          record,
          `has no Dataverse filter, so it is left out`,
          "IOM's F&O setup filters it (docs/resources.md, DualWriteMap); add it to the YAML to manage it",
        );
        continue;
      }
      for (const field of inexact)
        this.find(
          "warning",
          "map-mapping-inexact",
          record,
          `the field mapping of '${field}' has transforms the YAML cannot say exactly (two of one type, or one it does not know)`,
          "`pulumi up` of the import rewrites that mapping as the YAML says; check it before applying",
        );
      const yaml: DualWriteMap = {
        name: names.take(mapName(uiMapName(hit.name))),
        // The name the F&O UI and IOM's docs use; it names the same map as the gateway's tName.
        map: uiMapName(hit.name),
        table: wanted.table,
        ...(runningSetting(hit.state) !== undefined ? { running: runningSetting(hit.state) } : {}),
        dataverseFilter: settings.dataverseFilter,
        ...(settings.financeAndOperationsFilter !== undefined
          ? { financeAndOperationsFilter: settings.financeAndOperationsFilter }
          : {}),
        ...(settings.fieldMappings ? { fieldMappings: settings.fieldMappings } : {}),
      };
      if (this.fits("dual-write-map", record, yaml)) out.push(yaml);
    }
    return out;
  }

  async policies(): Promise<Policy[]> {
    const s = this.s;
    const t = await policyTables(s);
    const versionState = columns.policy.versionState;
    // Current versions only: archived rows are the history IOM keeps, never a policy of their own.
    const rows = await s.client.list(t.policySet, {
      select: [t.policyId, t.policyName, versionState],
      filter: currentPolicyFilter(t.values.current),
    });
    const out: Policy[] = [];
    for (const row of this.unique(
      byName(rows, t.policyName, t.policyId),
      { table: POLICY, id: t.policyId, name: t.policyName },
      "policies",
    )) {
      const id = rowId(row, t.policyId);
      const record = { table: POLICY, id, name: String(row[t.policyName] ?? "") };
      const current = await this.describe(record, () =>
        policyKind.read(
          id,
          {
            // The header is read from the row; these only fill the type until it is.
            name: record.name,
            type: "filter",
            criticality: "information",
            entity: "order",
            published: false,
            rules: [] as unknown as Policy["rules"],
            recordId: id,
            organizationId: s.organizationId,
            adopted: true,
          },
          s,
        ),
      );
      if (!current) continue;
      if (current.rules.length === 0) {
        this.find(
          "warning",
          "empty-record",
          record,
          `has no rules, so it is left out`,
          "IOM publishes no policy without rules: add its rules in IOM, or delete the draft",
        );
        continue;
      }
      const yaml: Policy = {
        name: current.name,
        ...(current.description !== undefined ? { description: current.description } : {}),
        type: current.type,
        criticality: current.criticality,
        entity: current.entity,
        published: current.published,
        rules: current.rules.map(orderedRule) as Policy["rules"],
      };
      if (this.fits("policy", record, yaml)) out.push(yaml);
    }
    return out;
  }

  async orchestrationFlows(
    providers: readonly ImportedProvider[],
    policies: readonly Policy[],
  ): Promise<OrchestrationFlow[]> {
    const s = this.s;
    const c = columns.designer;
    const rows = await s.client.list(await entitySet(s, FLOW), {
      select: [flowRow.id, flowRow.name, c.orchestrationType],
    });
    const providerIds = Object.fromEntries(providers.map((p) => [p.yaml.name, p.id]));
    const providerNames = new Set(providers.map((p) => p.yaml.name));
    const policyNames = new Set(policies.map((p) => p.name.toLowerCase()));
    const out: OrchestrationFlow[] = [];
    for (const row of this.unique(
      byName(rows, flowRow.name, flowRow.id),
      { table: FLOW, ...flowRow },
      "orchestration flows",
    )) {
      const id = rowId(row, flowRow.id);
      const record = { table: FLOW, id, name: String(row[flowRow.name] ?? "") };
      if (
        !(await isChoice(s, FLOW, c.orchestrationType, row[c.orchestrationType], orchestrationType.order))
      ) {
        this.find(
          "error",
          "undescribable-record",
          record,
          `has orchestration type ${JSON.stringify(row[c.orchestrationType] ?? null)}, which is not "${orchestrationType.order.label}", the one type the YAML knows`,
          "correct src/iom/facts.ts (orchestrationType) if IOM offers more types",
        );
        continue;
      }
      const seed = {
        name: record.name,
        type: "order orchestration",
        published: false,
        // The steps are read from the row; the seed's only content is which provider has which id.
        steps: [],
        providerIds,
        recordId: id,
        organizationId: s.organizationId,
        adopted: true,
      } as unknown as Parameters<typeof orchestrationFlow.read>[1];
      const current = await this.describe(record, () => orchestrationFlow.read(id, seed, s));
      if (!current) continue;
      if (current.steps.length === 0) {
        this.find(
          "warning",
          "empty-record",
          record,
          `has no steps, so it is left out`,
          "add its steps in IOM's designer, or delete the draft",
        );
        continue;
      }
      const unresolved = current.steps.flatMap((step) =>
        unresolvedReferences(step, providerNames, policyNames),
      );
      for (const problem of unresolved)
        this.find(
          "error",
          "unresolved-reference",
          record,
          problem,
          "import describes current policies with rules and installed providers only: correct the step in IOM, then import again",
        );
      if (unresolved.length > 0) continue;
      const yaml: OrchestrationFlow = {
        name: current.name,
        type: "order orchestration",
        ...(current.description !== undefined ? { description: current.description } : {}),
        published: current.published,
        steps: current.steps.map(orderedStep) as OrchestrationFlow["steps"],
      };
      if (this.fits("orchestration-flow", record, yaml)) out.push(yaml);
    }
    return out;
  }
}

/** What a step refers to that the import does not hold: ids the kind's read could not name. */
function unresolvedReferences(
  step: OrchestrationStep,
  providers: ReadonlySet<string>,
  policies: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const policy of [...(step.filterPolicies ?? []), ...(step.executionPolicies ?? [])])
    if (!policies.has(policy.toLowerCase()))
      problems.push(
        isGuid(policy)
          ? `step '${step.name}' uses policy ${policy}, which is not a current policy of the environment`
          : `step '${step.name}' uses policy '${policy}', which is left out of the import`,
      );
  const action = step.providerAction;
  if (action && !providers.has(action.provider))
    problems.push(
      `step '${step.name}' calls an action of provider ${action.provider}, which is not installed`,
    );
  else if (action && isGuid(action.action))
    problems.push(
      `step '${step.name}' calls action ${action.action}, which provider '${action.provider}''s definition does not have`,
    );
  return problems;
}

/** A rule with its keys in the YAML's order (the kind builds them in its own). */
function orderedRule(rule: PolicyRule): PolicyRule {
  return {
    name: rule.name,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    ...(rule.when !== undefined ? { when: rule.when } : {}),
    ...(rule.actions !== undefined ? { actions: rule.actions } : {}),
  };
}

function orderedStep(step: OrchestrationStep): OrchestrationStep {
  return {
    name: step.name,
    type: step.type,
    ...(step.inputEvents !== undefined ? { inputEvents: step.inputEvents } : {}),
    ...(step.filterPolicies !== undefined ? { filterPolicies: step.filterPolicies } : {}),
    ...(step.executionPolicies !== undefined ? { executionPolicies: step.executionPolicies } : {}),
    ...(step.providerAction !== undefined
      ? { providerAction: { provider: step.providerAction.provider, action: step.providerAction.action } }
      : {}),
  };
}

/** The session the kinds' reads take: the client and the organization it reaches. */
export async function importSession(client: DataverseClient): Promise<Session> {
  const who = await client.whoAmI();
  return { client, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted: false };
}

/**
 * Reads the environment's IOM configuration: installed providers and their connections, the IOM
 * dual-write maps' settings, current policies with their rules, orchestration flows. Only reads.
 * Failures to reach or read the environment propagate as DataverseErrors.
 */
export async function importConfiguration(client: DataverseClient): Promise<ImportResult> {
  const s = await importSession(client);
  const reader = new EnvironmentReader(s);
  const providers = await reader.providers();
  const connections = await reader.connections(providers);
  const dualWriteMaps = await reader.dualWriteMaps();
  const policies = await reader.policies();
  const orchestrationFlows = await reader.orchestrationFlows(providers, policies);
  return {
    configuration: {
      environmentUrl: client.environmentUrl,
      organizationId: s.organizationId,
      providers: providers.map((p) => p.yaml),
      connections,
      dualWriteMaps,
      policies,
      orchestrationFlows,
    },
    findings: reader.findings,
    ok: !reader.findings.some((f) => f.severity === "error"),
  };
}

/** One finding as a line of text (and its hint), for the command's error output. */
export function formatFinding(finding: ImportFinding): string {
  const { table, id, name } = finding.record;
  const where = `${table} '${name}'${id ? ` (${id})` : ""}`;
  return `${finding.severity} ${finding.code}: ${where}: ${finding.message}\n  hint: ${finding.hint}\n`;
}
