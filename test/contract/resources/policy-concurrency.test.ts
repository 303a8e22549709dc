// The policy kind when someone else changes the policy between the kind's read and its write. Every
// write of an update is made on the version it was decided on; a refused write (412) leads to one
// fresh read and a new decision, and a second refusal to an error that names the policy. Either
// way, nothing is written over a change the kind did not see.
import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import type { DataverseRecord } from "../../../src/dataverse/client.js";
import { PreconditionFailedError } from "../../../src/dataverse/errors.js";
import { eq, guid } from "../../../src/dataverse/odata.js";
import type { Policy } from "../../../src/generated/policy.js";
import type { PolicyFile } from "../../../src/generated/policy-file.js";
import { columns, policyVersionState, publishStatus } from "../../../src/iom/facts.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import type { PolicyInputs } from "../../../src/resources/policy/index.js";
import { policy } from "../../../src/resources/policy/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { interleave, otherWriter, type Interleaving } from "./concurrent-writer.js";

const h = useEmulator();
const POLICIES = "msdyn_iompolicies";
const RULES = "msdyn_iomrules";

function salesOrder(): PolicyInputs {
  const text = readFileSync(
    path.resolve(__dirname, "../../../policies/finops-sales-order.policy.yaml"),
    "utf8",
  );
  const [yaml] = (load(text) as PolicyFile).policies as [Policy];
  return { ...yaml, recordId: derivedId("contract", "dev", "policy", yaml.name.toLowerCase()) };
}

async function session(fetch?: typeof globalThis.fetch): Promise<Session> {
  const { dv } = h.client({}, fetch ? { fetch } : {});
  return {
    client: dv,
    organizationId: (await dv.whoAmI()).OrganizationId.toLowerCase(),
    deleteAdopted: false,
  };
}

async function value(s: Session, column: string, label: string): Promise<number> {
  return s.client.metadata.optionValue("msdyn_iompolicy", column, label);
}

async function rulesOf(s: Session, policyId: string): Promise<DataverseRecord[]> {
  return s.client.list(RULES, {
    select: ["msdyn_name", columns.rule.ruleDefinition],
    filter: eq(`_${columns.rule.policy}_value`, guid(policyId)),
    orderBy: ["msdyn_name"],
  });
}

async function policyRow(s: Session, id: string): Promise<DataverseRecord> {
  return s.client.retrieve(POLICIES, id, {
    select: [
      "msdyn_name",
      columns.policy.description,
      columns.policy.publishStatus,
      columns.policy.versionState,
    ],
  });
}

/** The statuses of the kind's writes, e.g. ["PATCH msdyn_iompolicies 412", ...]. */
function writes(run: Interleaving): string[] {
  return run.writes.map((w) => `${w.method} ${w.path.replace(/[(?].*$/, "")} ${w.status}`);
}

describe("policy: someone else writes between the kind's read and its write", () => {
  it("re-reads and re-applies when the policy was republished with a renamed rule in between", async () => {
    const s = await session();
    const inputs = salesOrder();
    const { id } = await policy.create(inputs, s);
    const [rule] = await s.client.list(RULES, {
      select: ["msdyn_iomruleid"],
      filter: eq(`_${columns.rule.policy}_value`, guid(id)),
    });
    const other = otherWriter(h);
    const published = await value(s, columns.policy.publishStatus, publishStatus.published.label);
    const unpublished = await value(s, columns.policy.publishStatus, publishStatus.unpublished.label);
    // Just before the update's first write (its unpublish): someone unpublishes, renames the rule in
    // IOM's designer and publishes again. The update was decided on the rules as they were before.
    const run = interleave({
      1: async () => {
        await other.patch(`${POLICIES}(${id})`, { [columns.policy.publishStatus]: unpublished });
        await other.patch(`${RULES}(${String(rule?.msdyn_iomruleid)})`, { msdyn_name: "Renamed by hand" });
        await other.patch(`${POLICIES}(${id})`, { [columns.policy.publishStatus]: published });
      },
    });
    const news = { ...inputs, description: "Edited in the YAML" };

    const outs = await policy.update(
      id,
      { ...inputs, organizationId: s.organizationId, adopted: false },
      news,
      await session(run.fetch),
    );

    expect(run.problems).toEqual([]);
    expect(run.ran).toBe(1);
    // The unpublish made on the version it had read was refused; after a fresh read the update
    // unpublished the republished version, fixed the rules and published again.
    expect(writes(run)).toEqual([
      "PATCH msdyn_iompolicies 412",
      "PATCH msdyn_iompolicies 200",
      "POST $batch 200",
      "PATCH msdyn_iompolicies 200",
    ]);
    expect(outs.description).toBe("Edited in the YAML");
    expect(await policyRow(s, id)).toMatchObject({
      [columns.policy.description]: "Edited in the YAML",
      [columns.policy.publishStatus]: published,
    });
    // The published policy has the YAML's rule again, not the renamed one a stale plan would have
    // republished as if it were the YAML's.
    expect((await rulesOf(s, id)).map((r) => r.msdyn_name)).toEqual(["Assign company and invoice customer"]);
    // The version the other writer published is kept by IOM as an archived copy, rename and all.
    const archived = await value(s, columns.policy.versionState, policyVersionState.archived.label);
    const archives = await s.client.list(POLICIES, {
      select: ["msdyn_iompolicyid"],
      filter: eq(columns.policy.versionState, archived),
    });
    const archivedRules = (
      await Promise.all(archives.map((a) => rulesOf(s, String(a.msdyn_iompolicyid))))
    ).flat();
    expect(archivedRules.map((r) => r.msdyn_name)).toContain("Renamed by hand");
  });

  it("stops with an error naming the policy when it changes again after the fresh read", async () => {
    const s = await session();
    const inputs = { ...salesOrder(), published: false };
    const { id } = await policy.create(inputs, s);
    const other = otherWriter(h);
    // Someone saves the description in IOM just before each of the update's writes.
    const run = interleave({
      1: () => other.patch(`${POLICIES}(${id})`, { [columns.policy.description]: "First hand edit" }),
      2: () => other.patch(`${POLICIES}(${id})`, { [columns.policy.description]: "Second hand edit" }),
    });
    const news = { ...inputs, description: "Edited in the YAML" };

    const error = await policy
      .update(
        id,
        { ...inputs, organizationId: s.organizationId, adopted: false },
        news,
        await session(run.fetch),
      )
      .catch((e: unknown) => e);

    expect(run.problems).toEqual([]);
    expect(run.ran).toBe(2);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect((error as Error).message).toContain(
      `the policy 'FinOps sales order parameters' (msdyn_iompolicies(${id})) was changed by someone else between iom-gitops's read and its write, and again after it was read anew; that change was not written over`,
    );
    expect((error as Error).message).toContain("Run `pulumi refresh`");
    expect(writes(run)).toEqual(["POST $batch 412", "POST $batch 412"]);
    // The other writer's last change stands; the YAML's was not forced over it.
    expect(await policyRow(s, id)).toMatchObject({ [columns.policy.description]: "Second hand edit" });
  });
});
