// `iom import` against the emulator: the article's configuration applied through the resource kinds
// comes back as the article's desired state in the YAML's words (only the resource names the import
// derives differ); the command writes a stack file and its policy files that `iom validate`
// accepts, or one document on stdout; records it cannot adopt are left out with a warning, records
// it cannot describe stop it with every one of them named and nothing written.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runImport } from "../../../src/cli/commands/import.js";
import { loadDesiredState, validatePaths, type DesiredState } from "../../../src/config/validate.js";
import { projectRoot } from "../../../src/engine/engine.js";
import type { StackDesiredState } from "../../../src/generated/stack.js";
import { importConfiguration, type ImportFinding } from "../../../src/gitops/import.js";
import { encodeDefinition } from "../../../src/iom/formats/orchestration-definition.js";
import { eq, guid } from "../../../src/dataverse/odata.js";
import {
  associatedEntity,
  columns,
  connectionStatus,
  criticality,
  entitySetNames,
  orchestrationType,
  policyType,
  primaryColumns,
  publishStatus,
} from "../../../src/iom/facts.js";
import { bind } from "../../../src/resources/common/records.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { dualWriteMap } from "../../../src/resources/dual-write-map/provider.js";
import { iomProviderActivation } from "../../../src/resources/iom-provider/activation.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import { orchestrationFlow } from "../../../src/resources/orchestration-flow/provider.js";
import { policy } from "../../../src/resources/policy/provider.js";
import { providerConnection } from "../../../src/resources/provider-connection/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { sessionOn } from "../resources/setup.js";

const h = useEmulator();

/** The names the import derives for the article's provider and connection (docs/import.md, Names). */
const PROVIDER = "microsoft-finance-and-operations-apps";
const CONNECTION = `${PROVIDER}-dataverse-current-environment`;
const CONNECTION_TABLE = "msdyn_iomproviderconnectionreference";

let s: Session;
let scratch: string;

beforeEach(async () => {
  s = await sessionOn(h);
  scratch = mkdtempSync(path.join(tmpdir(), "iom-import-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

async function articleState(): Promise<DesiredState> {
  const { state, validation } = await loadDesiredState(path.join(projectRoot, "stacks", "local.iom.yaml"), {
    cwd: projectRoot,
  });
  expect(validation.findings).toEqual([]);
  return state as DesiredState;
}

/** The article's stack applied through the kinds, in the program's order; returns the provider id. */
async function applyArticle(state: DesiredState): Promise<string> {
  const id = (name: string) => derivedId("contract", "import", name);
  for (const p of state.policies) await policy.create({ ...p, recordId: id(p.name) }, s);
  for (const m of state.dualWriteMaps) await dualWriteMap.create(m, s);
  const [provider] = state.providers;
  const installed = await iomProvider.create({ ...provider!, recordId: id(provider!.name) }, s);
  for (const c of state.connections)
    await providerConnection.create({ ...c, recordId: id(c.name), providerId: installed.id }, s);
  await iomProviderActivation.create(
    { name: provider!.name, providerId: installed.id, providerAdopted: false },
    s,
  );
  for (const f of state.orchestrationFlows)
    await orchestrationFlow.create(
      { ...f, recordId: id(f.name), providerIds: { [provider!.name]: installed.id } },
      s,
    );
  return installed.id;
}

/** The article's desired state with the resource names the import gives. */
function articleAsImported(state: DesiredState): Omit<DesiredState, never> {
  const renamed = (name: string) => (name === "finops" ? PROVIDER : name);
  return {
    providers: state.providers.map((p) => ({ ...p, name: PROVIDER })),
    connections: state.connections.map((c) => ({ ...c, name: CONNECTION, provider: PROVIDER })),
    dualWriteMaps: state.dualWriteMaps,
    policies: [...state.policies].sort((a, b) => a.name.localeCompare(b.name)),
    orchestrationFlows: state.orchestrationFlows.map((f) => ({
      ...f,
      steps: f.steps.map((step) =>
        step.providerAction
          ? {
              ...step,
              providerAction: { ...step.providerAction, provider: renamed(step.providerAction.provider) },
            }
          : step,
      ) as typeof f.steps,
    })),
  };
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function iomImport(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  let out = "";
  let err = "";
  const em = h.emulator();
  const code = await runImport(args, {
    cwd: scratch,
    write: (text) => (out += text),
    writeError: (text) => (err += text),
    env: env ?? {
      IOM_DATAVERSE_URL: em.url,
      IOM_TOKEN: em.token,
      IOM_DUALWRITE_URL: em.dualWriteUrl,
      IOM_FINOPS_URL: em.financeAndOperationsUrl,
    },
  });
  return { code, out, err };
}

const rows = (set: string) => s.client.list(set, { select: ["msdyn_name"] });

describe("iom import", () => {
  it("describes the article's configuration, applied through the kinds, as the article's desired state", async () => {
    const state = await articleState();
    await applyArticle(state);
    const result = await importConfiguration(s.client);
    expect(result.findings).toEqual([]);
    expect(result.ok).toBe(true);
    const { environmentUrl, organizationId, ...imported } = result.configuration;
    expect(environmentUrl).toBe(h.emulator().url);
    expect(organizationId).toBe(s.organizationId);
    expect(imported).toEqual(articleAsImported(state));
  });

  it("writes a stack file with modelines and one policy file per policy beside it, which validate accepts", async () => {
    await applyArticle(await articleState());
    const run = await iomImport(["--out", "stacks/prod.iom.yaml"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const files = readdirSync(path.join(scratch, "stacks")).sort();
    expect(files).toEqual([
      "finops-order-product-parameters.policy.yaml",
      "finops-sales-order-parameters.policy.yaml",
      "prod.iom.yaml",
    ]);
    expect(run.out.split("\n").sort()).toEqual(["", ...files.map((f) => `wrote ${path.join("stacks", f)}`)]);
    for (const file of files) {
      const text = readFileSync(path.join(scratch, "stacks", file), "utf8");
      const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
      // Outside a project, the modeline points at the schemas iom-gitops ships.
      expect(path.resolve(scratch, "stacks", schema!)).toBe(
        path.join(
          projectRoot,
          "schemas",
          file.endsWith(".iom.yaml") ? "stack.schema.json" : "policy-file.schema.json",
        ),
      );
      // Readable names: no record ids anywhere but the organization named in the header comment.
      expect(text.replace(/^#.*$/gm, "")).not.toMatch(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
      );
    }
    const stack = load(
      readFileSync(path.join(scratch, "stacks", "prod.iom.yaml"), "utf8"),
    ) as StackDesiredState;
    expect(stack.include).toEqual(files.filter((f) => f.endsWith(".policy.yaml")));
    expect(stack.policies).toBeUndefined();
    // Labels, not option values, in the rules.
    expect(readFileSync(path.join(scratch, "stacks", files[0]!), "utf8")).toContain("value: Item based");

    const validation = await validatePaths(["stacks"], { cwd: scratch });
    expect(validation.findings).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it("writes one document with the policies inline to stdout", async () => {
    const state = await articleState();
    await applyArticle(state);
    const run = await iomImport([]);
    expect(run).toMatchObject({ code: 0, err: "" });
    // Headed for stacks/ (there is none here, so the modeline names the schemas iom-gitops ships).
    const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(run.out)?.[1];
    expect(path.resolve(scratch, "stacks", schema!)).toBe(
      path.join(projectRoot, "schemas", "stack.schema.json"),
    );
    const stack = load(run.out) as StackDesiredState;
    expect(stack.include).toBeUndefined();
    expect(stack.policies).toEqual(articleAsImported(state).policies);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it("leaves out what a stack could not adopt, with a warning each, and archived policy versions entirely", async () => {
    const state = await articleState();
    const [salesOrder] = state.policies;
    const created = await policy.create({ ...salesOrder!, recordId: derivedId("contract", "archived") }, s);
    // Edited by hand after publishing: IOM keeps the old version as an archived row of the same name.
    await policy.update(created.id, created.outs, { ...created.outs, description: "Edited by hand." }, s);
    expect(
      (await rows(entitySetNames.msdyn_iompolicy)).filter((r) => r.msdyn_name === salesOrder!.name),
    ).toHaveLength(2);
    // A draft policy without rules, and a provider whose connection was never bound.
    await s.client.create(entitySetNames.msdyn_iompolicy, {
      msdyn_name: "Draft policy",
      [columns.policy.policyType]: policyType.execution.value,
      [columns.policy.criticality]: criticality.critical.value,
      [columns.policy.associatedEntity]: associatedEntity.order.value,
      [columns.policy.publishStatus]: publishStatus.unpublished.value,
    });
    const provider = await iomProvider.create(
      {
        name: "finops",
        definition: "Microsoft Finance and Operations apps",
        activated: false,
        recordId: derivedId("x"),
      },
      s,
    );
    const definitionConnections = await s.client.list(
      entitySetNames.msdyn_iomproviderdefinitionconnectionref,
      {
        select: [
          primaryColumns.msdyn_iomproviderdefinitionconnectionref.id,
          primaryColumns.msdyn_iomproviderdefinitionconnectionref.name,
        ],
      },
    );
    const definitionName = primaryColumns.msdyn_iomproviderdefinitionconnectionref.name;
    const finopsConnection = definitionConnections.find((r) =>
      /Finance and Operations Dataverse/.test(String(r[definitionName])),
    )!;
    await s.client.create(entitySetNames.msdyn_iomproviderconnectionreference, {
      msdyn_name: finopsConnection[definitionName],
      [columns.providerConnectionRef.status]: connectionStatus.inactive.value,
      ...(await bind(
        s,
        CONNECTION_TABLE,
        columns.providerConnectionRef.provider,
        "msdyn_iomprovider",
        provider.id,
      )),
      ...(await bind(
        s,
        CONNECTION_TABLE,
        columns.providerConnectionRef.definitionConnectionRef,
        "msdyn_iomproviderdefinitionconnectionref",
        String(finopsConnection.msdyn_iomproviderdefinitionconnectionrefid),
      )),
    });

    const result = await importConfiguration(s.client);
    expect(result.ok).toBe(true);
    const summary = (f: ImportFinding) => `${f.severity} ${f.code} ${f.record.table} ${f.record.name}`;
    expect(result.findings.map(summary)).toEqual([
      "warning connection-without-url msdyn_iomproviderconnectionreference Microsoft Finance and Operations Dataverse (current environment) Connection",
      // Out of box, the lines map has no Dataverse filter: nobody configured it.
      "warning map-without-filter dual-write map CDS sales order lines (salesorderdetails)",
      "warning empty-record msdyn_iompolicy Draft policy",
    ]);
    const { configuration } = result;
    expect(configuration.policies).toEqual([{ ...salesOrder!, description: "Edited by hand." }]);
    expect(configuration.providers).toEqual([
      { name: PROVIDER, definition: "Microsoft Finance and Operations apps", activated: false },
    ]);
    expect(configuration.connections).toEqual([]);
    // The headers map comes with a filter of its own, and the out-of-box readiness mapping; it is
    // running, which the YAML says so that adopting it leaves it so.
    expect(configuration.dualWriteMaps).toEqual([
      {
        name: "sales-order-headers",
        map: "CDS sales order headers (salesorders)",
        table: "salesorder",
        running: true,
        dataverseFilter: "msdyn_ordertype eq 192350000",
        fieldMappings: [{ dataverseField: "msdyn_isreadytosync", direction: "bidirectional" }],
      },
    ]);
  });

  it("names providers after their installed names, apart when two would share one, the same every time", async () => {
    for (const displayName of ["Contoso F&O (EU)", "contoso f-o eu"])
      await iomProvider.create(
        {
          name: displayName,
          definition: "Microsoft Finance and Operations apps",
          displayName,
          parameters: { "Disable Status Update Handlers": false },
          activated: false,
          recordId: derivedId("contract", displayName),
        },
        s,
      );
    const first = await importConfiguration(s.client);
    expect(first.configuration.providers.map((p) => [p.name, p.displayName, p.parameters])).toEqual([
      ["contoso-f-o-eu", "Contoso F&O (EU)", { "Disable Status Update Handlers": false }],
      ["contoso-f-o-eu-2", "contoso f-o eu", { "Disable Status Update Handlers": false }],
    ]);
    expect(await importConfiguration(s.client)).toEqual(first);
  });

  it("writes nothing when records cannot be described, and names every one of them", async () => {
    const [salesOrder] = (await articleState()).policies;
    // A rule edited in IOM's designer (a definition iom-gitops did not write), and a flow whose
    // step uses a policy id that no current policy has.
    const draft = await policy.create(
      { ...salesOrder!, published: false, recordId: derivedId("contract", "designer") },
      s,
    );
    const [rule] = await s.client.list(entitySetNames.msdyn_iomrule, {
      select: ["msdyn_iomruleid"],
      filter: eq(`_${columns.rule.policy}_value`, guid(draft.id)),
    });
    await s.client.update(entitySetNames.msdyn_iomrule, String(rule!.msdyn_iomruleid), {
      [columns.rule.ruleDefinition]: "<rule designer='iom'/>",
    });
    await s.client.create(entitySetNames.msdyn_iomdesigner, {
      msdyn_name: "Hand-made flow",
      [columns.designer.orchestrationType]: orchestrationType.order.value,
      [columns.designer.publishStatus]: publishStatus.unpublished.value,
      [columns.designer.definition]: encodeDefinition({
        formatVersion: 1,
        steps: [
          {
            name: "Check",
            tile: "custom",
            inputEvents: [],
            filterPolicyIds: ["00000000-0000-4000-8000-00000000beef"],
            executionPolicyIds: [],
            providerAction: null,
          },
        ],
      }),
    });

    // Two current policies of one name, which adoption by name could not tell apart.
    for (let i = 0; i < 2; i++)
      await s.client.create(entitySetNames.msdyn_iompolicy, {
        msdyn_name: "Twin",
        [columns.policy.policyType]: policyType.filter.value,
        [columns.policy.criticality]: criticality.information.value,
        [columns.policy.associatedEntity]: associatedEntity.order.value,
        [columns.policy.publishStatus]: publishStatus.unpublished.value,
      });
    const run = await iomImport(["--out", "stacks/prod.iom.yaml"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toMatch(
      /^error undescribable-record: msdyn_iompolicy '.+' \([0-9a-f-]{36}\): cannot be described: rules\['.+'\]: the rule's definition cannot be read/m,
    );
    expect(run.err).toMatch(
      /^error unresolved-reference: msdyn_iomdesigner 'Hand-made flow' \([0-9a-f-]{36}\): step 'Check' uses policy 00000000-0000-4000-8000-00000000beef, which is not a current policy of the environment$/m,
    );
    expect(run.err).toMatch(
      /^error duplicate-record: msdyn_iompolicy 'Twin' \([0-9a-f-]{36}\): 2 current policies have this name \([0-9a-f-]{36}, [0-9a-f-]{36}\)$/m,
    );
    expect(run.err).toMatch(/iom import: nothing was written: 3 records cannot be described\n$/);
    expect(existsSync(path.join(scratch, "stacks"))).toBe(false);
  });

  it("exits 2 when the environment cannot be read, without showing the token", async () => {
    const refused = await iomImport([], {
      IOM_DATAVERSE_URL: h.emulator().url,
      IOM_TOKEN: "not-the-token-1234",
    });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^iom import: could not read http:\/\/127\.0\.0\.1:\d+: .*401/);
    expect(refused.err).not.toContain("not-the-token-1234");
    expect(refused.out).toBe("");
  });
});
