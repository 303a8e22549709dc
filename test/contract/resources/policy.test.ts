// The policy kind against the emulator: the KindImplementation driven directly, with a session on a
// client pointed at the emulator, and every effect checked by reading the rows back with plain
// client calls. Option values are looked up by label in the emulator's metadata, never assumed.
import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import type { DataverseClient, DataverseRecord } from "../../../src/dataverse/client.js";
import { NotFoundError } from "../../../src/dataverse/errors.js";
import { eq, guid } from "../../../src/dataverse/odata.js";
import type { Policy } from "../../../src/generated/policy.js";
import type { PolicyFile } from "../../../src/generated/policy-file.js";
import { decodeRuleDefinition, encodeRuleDefinition } from "../../../src/iom/formats/rule-definition.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import type { PolicyInputs } from "../../../src/resources/policy/index.js";
import { policy } from "../../../src/resources/policy/provider.js";
import { PartialApplyError, changedKeys, type Outputs } from "../../../src/resources/runtime/kind.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";

const h = useEmulator();

const POLICIES = "msdyn_iompolicies";
const RULES = "msdyn_iomrules";
const POLICY_COLUMNS = [
  "msdyn_iompolicyid",
  "msdyn_name",
  "msdyn_description",
  "msdyn_policytype",
  "msdyn_criticality",
  "msdyn_associatedentity",
  "msdyn_publishstatus",
  "msdyn_policyversionstate",
  "msdyn_policyversionid",
  "msdyn_policyversionnumber",
] as const;
const RULE_COLUMNS = [
  "msdyn_iomruleid",
  "msdyn_name",
  "msdyn_ruledefinition",
  "msdyn_associatedentity",
] as const;

/** A policy of the repository's own policies/ folder, as the program would declare it. */
function policyFrom(file: string): PolicyInputs {
  const text = readFileSync(path.resolve(__dirname, "../../../policies", file), "utf8");
  const [yaml] = (load(text) as PolicyFile).policies as [Policy];
  return { ...yaml, recordId: derivedId("contract", "dev", "policy", yaml.name.toLowerCase()) };
}

const orderProduct = (): PolicyInputs => policyFrom("finops-order-product.policy.yaml");
const salesOrder = (): PolicyInputs => policyFrom("finops-sales-order.policy.yaml");
/** The order-product policy, its first rule's condition in the YAML's own spelling of names and labels. */
function spelledOrderProduct(): PolicyInputs {
  const inputs = orderProduct();
  inputs.rules[0].when = {
    and: [
      { field: "msdyn_shippingwarehouse", operator: "does not contain data" },
      { relatedEntity: "order", where: { field: "order type", operator: "equals", value: "item based" } },
    ],
  };
  return inputs;
}
// Fulfillment orders have no published table: the rule's names are kept as written.
const fulfillment = (): PolicyInputs => ({
  name: "Fulfillment has a warehouse",
  type: "filter",
  criticality: "information",
  entity: "fulfillment order",
  published: false,
  rules: [
    { name: "Has warehouse", description: "", when: { field: "Warehouse", operator: "contains data" } },
  ],
  recordId: derivedId("contract", "dev", "policy", "fulfillment has a warehouse"),
});

async function session(options: { deleteAdopted?: boolean; maxAttempts?: number } = {}): Promise<Session> {
  const { dv } = h.client(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {});
  const who = await dv.whoAmI();
  return {
    client: dv,
    organizationId: who.OrganizationId.toLowerCase(),
    deleteAdopted: options.deleteAdopted ?? false,
  };
}

const label = (dv: DataverseClient, table: string, column: string, text: string): Promise<number> =>
  dv.metadata.optionValue(table, column, text);

async function policiesNamed(dv: DataverseClient, name: string): Promise<DataverseRecord[]> {
  return dv.list(POLICIES, { select: [...POLICY_COLUMNS], filter: eq("msdyn_name", name) });
}

async function rulesOf(dv: DataverseClient, policyId: string): Promise<DataverseRecord[]> {
  return dv.list(RULES, {
    select: [...RULE_COLUMNS],
    filter: eq("_msdyn_policy_value", guid(policyId)),
    orderBy: ["msdyn_name"],
  });
}

/** Current and archived rows of the policy's name, by version state label. */
async function versions(
  dv: DataverseClient,
  name: string,
): Promise<{ current: DataverseRecord[]; archived: DataverseRecord[] }> {
  const archived = await label(dv, "msdyn_iompolicy", "msdyn_policyversionstate", "Archived");
  const rows = await policiesNamed(dv, name);
  return {
    current: rows.filter((r) => r.msdyn_policyversionstate !== archived),
    archived: rows.filter((r) => r.msdyn_policyversionstate === archived),
  };
}

/** The diff the engine would compute between what was applied and what refresh read. */
function diff(before: PolicyInputs, after: PolicyInputs): string[] {
  return changedKeys(policy.canonical(before), policy.canonical(after));
}

describe("policy: create", () => {
  it("creates the policy and its rules from empty, with the environment's option values", async () => {
    const s = await session();
    const dv = s.client;
    const inputs = orderProduct();

    await h.resetCounters();
    const { id, outs } = await policy.create(inputs, s);

    expect(id).toBe(inputs.recordId);
    expect(outs).toEqual({ ...inputs, organizationId: s.organizationId, adopted: false });
    // The policy and its rules in one change set, then the publish.
    const { byMethod } = await h.counters();
    expect([byMethod.POST, byMethod.PATCH, byMethod.DELETE]).toEqual([1, 1, undefined]);
    const [row, ...others] = await policiesNamed(dv, inputs.name);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      msdyn_iompolicyid: inputs.recordId,
      msdyn_name: "FinOps order product parameters",
      msdyn_description: inputs.description,
      msdyn_policytype: await label(dv, "msdyn_iompolicy", "msdyn_policytype", "Execution Policy"),
      msdyn_criticality: await label(dv, "msdyn_iompolicy", "msdyn_criticality", "Critical"),
      msdyn_associatedentity: await label(dv, "msdyn_iompolicy", "msdyn_associatedentity", "Order product"),
      msdyn_publishstatus: await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Published"),
      msdyn_policyversionstate: await label(dv, "msdyn_iompolicy", "msdyn_policyversionstate", "Current"),
    });

    const rules = await rulesOf(dv, id);
    expect(rules).toHaveLength(1);
    const [rule] = rules as [DataverseRecord];
    expect(rule).toMatchObject({
      msdyn_iomruleid: derivedId(inputs.recordId, "assign company, site and warehouse"),
      msdyn_name: "Assign company, site and warehouse",
      msdyn_associatedentity: await label(dv, "msdyn_iomrule", "msdyn_associatedentity", "Order product"),
    });
    expect(decodeRuleDefinition(rule.msdyn_ruledefinition)).toEqual({
      condition: {
        and: [
          { column: "msdyn_shippingwarehouse", operator: "null" },
          {
            related: { table: "salesorder", lookup: "salesorderid" },
            where: {
              column: "msdyn_ordertype",
              operator: "eq",
              value: await label(dv, "salesorder", "msdyn_ordertype", "Item based"),
            },
          },
        ],
      },
      actions: [
        { column: "msdyn_company", value: "usmf" },
        { column: "msdyn_shippingsite", value: "1" },
        { column: "msdyn_shippingwarehouse", value: "11" },
      ],
    });
  });

  it("writes nothing when a rule does not fit the environment's tables", async () => {
    const s = await session();
    const inputs = orderProduct();
    inputs.rules[0].actions = [{ set: "Shiping Warehouse", to: "11" }];
    await expect(policy.create(inputs, s)).rejects.toThrow(
      /rules\[0\]\.actions\[0\]\.set: .*has no column 'Shiping Warehouse'; did you mean 'Shipping Warehouse'\?/,
    );
    expect(await policiesNamed(s.client, inputs.name)).toEqual([]);
  });

  it("leaves nothing when the environment refuses one of the rules (one change set)", async () => {
    const s = await session();
    const inputs = orderProduct();
    // Longer than the Rule Definition column holds: the second rule's create fails on the server.
    inputs.rules.push({ name: "Too long", description: "x".repeat(1_048_577) });
    await expect(policy.create(inputs, s)).rejects.toThrow(/length/i);
    expect(await policiesNamed(s.client, inputs.name)).toEqual([]);
    expect(await s.client.list(RULES, { select: ["msdyn_name"] })).toEqual([]);
  });

  it("finishes an interrupted create on the next run instead of making a second policy", async () => {
    const inputs = orderProduct();
    // The first run makes the rows, then loses the environment before publishing.
    await h.faults([{ method: "PATCH", path: POLICIES, status: 503, count: 1 }]);
    const first = await session({ maxAttempts: 1 });
    const error = await policy.create(inputs, first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialApplyError);
    expect(error).toMatchObject({ id: inputs.recordId, properties: { published: false } });
    expect((await versions(first.client, inputs.name)).current).toHaveLength(1);

    // The engine may not have recorded it (the run was killed): the next create finds its own row.
    const s = await session();
    const { id, outs } = await policy.create(inputs, s);
    expect(id).toBe(inputs.recordId);
    expect(outs.adopted).toBe(false);
    const { current } = await versions(s.client, inputs.name);
    expect(current).toHaveLength(1);
    expect(current[0]?.msdyn_publishstatus).toBe(
      await label(s.client, "msdyn_iompolicy", "msdyn_publishstatus", "Published"),
    );
    expect(await rulesOf(s.client, id)).toHaveLength(1);
  });

  it("adopts a hand-made policy of the same name, without a duplicate, and brings it to the YAML", async () => {
    const s = await session();
    const dv = s.client;
    const inputs = orderProduct();
    const handMade = "0e4b9a52-51a8-4c3f-9b1e-2d7c6f8a9b10";
    await dv.create(
      POLICIES,
      {
        msdyn_name: inputs.name,
        msdyn_policytype: await label(dv, "msdyn_iompolicy", "msdyn_policytype", "Filter Policy"),
        msdyn_criticality: await label(dv, "msdyn_iompolicy", "msdyn_criticality", "Information"),
        msdyn_associatedentity: await label(dv, "msdyn_iompolicy", "msdyn_associatedentity", "Order product"),
      },
      { primaryIdAttribute: "msdyn_iompolicyid", id: handMade },
    );
    // A rule in a format iom-gitops did not write, and one the YAML does not have.
    const nav = await dv.metadata.navigationProperty("msdyn_iomrule", "msdyn_policy", "msdyn_iompolicy");
    for (const [name, definition] of [
      ["Assign company, site and warehouse", "<designer format>"],
      ["Old rule", "<designer format>"],
    ])
      await dv.create(RULES, {
        msdyn_name: name,
        msdyn_ruledefinition: definition,
        [`${nav}@odata.bind`]: `/${POLICIES}(${handMade})`,
      });
    await dv.update(POLICIES, handMade, {
      msdyn_publishstatus: await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Published"),
    });

    const { id, outs } = await policy.create(inputs, s);

    expect(id).toBe(handMade);
    expect(outs.adopted).toBe(true);
    const { current } = await versions(dv, inputs.name);
    expect(current.map((r) => r.msdyn_iompolicyid)).toEqual([handMade]);
    expect(current[0]).toMatchObject({
      msdyn_policytype: await label(dv, "msdyn_iompolicy", "msdyn_policytype", "Execution Policy"),
      msdyn_criticality: await label(dv, "msdyn_iompolicy", "msdyn_criticality", "Critical"),
      msdyn_publishstatus: await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Published"),
    });
    expect((await rulesOf(dv, id)).map((r) => r.msdyn_name)).toEqual(["Assign company, site and warehouse"]);
    expect(await policy.read(id, outs, s)).toEqual(outs);

    // Released, not deleted, on destroy, unless the stack may delete what it adopted.
    await policy.delete(id, outs, s);
    expect((await versions(dv, inputs.name)).current).toHaveLength(1);
    await policy.delete(id, outs, await session({ deleteAdopted: true }));
    expect((await versions(dv, inputs.name)).current).toHaveLength(0);
  });
});

describe("policy: read", () => {
  it.each([
    ["order product", orderProduct],
    ["sales order", salesOrder],
    ["fulfillment order", fulfillment],
  ])("returns exactly the inputs after create (%s policy)", async (_what, make) => {
    const s = await session();
    const inputs = make();
    const { id, outs } = await policy.create(inputs, s);
    const read = await policy.read(id, outs, s);
    expect(read).toEqual(outs);
    expect(Object.keys(read ?? {})).toEqual(Object.keys(outs));
  });

  it("keeps the YAML's own spelling of names and labels", async () => {
    const s = await session();
    const inputs = spelledOrderProduct();
    const { id, outs } = await policy.create(inputs, s);
    expect(await policy.read(id, outs, s)).toEqual(outs);
  });

  it("shows a change made by hand as a diff", async () => {
    const s = await session();
    const dv = s.client;
    const inputs = orderProduct();
    const { id, outs } = await policy.create(inputs, s);
    await dv.update(POLICIES, id, {
      msdyn_publishstatus: await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Unpublished"),
    });
    await dv.update(POLICIES, id, {
      msdyn_criticality: await label(dv, "msdyn_iompolicy", "msdyn_criticality", "Information"),
    });
    const [rule] = (await rulesOf(dv, id)) as [DataverseRecord];
    const stored = decodeRuleDefinition(rule.msdyn_ruledefinition);
    stored.actions[2] = { column: "msdyn_shippingwarehouse", value: "12" };
    await dv.update(RULES, String(rule.msdyn_iomruleid), {
      msdyn_ruledefinition: encodeRuleDefinition(stored),
    });

    const read = (await policy.read(id, outs, s)) as Outputs<PolicyInputs>;

    expect(read.criticality).toBe("information");
    expect(read.published).toBe(false);
    expect(read.rules[0].actions?.[2]).toEqual({ set: "Shipping Warehouse", to: "12" });
    expect(diff(outs, read)).toEqual(["criticality", "published", "rules"]);
  });

  it("says a rule edited outside iom-gitops cannot be read", async () => {
    const s = await session();
    const dv = s.client;
    const { id, outs } = await policy.create({ ...orderProduct(), published: false }, s);
    const [rule] = (await rulesOf(dv, id)) as [DataverseRecord];
    await dv.update(RULES, String(rule.msdyn_iomruleid), { msdyn_ruledefinition: "<designer format>" });
    await expect(policy.read(id, outs, s)).rejects.toThrow(
      /rules\['Assign company, site and warehouse'\]: the rule's definition cannot be read/,
    );
  });

  it("returns undefined when the policy is gone", async () => {
    const s = await session();
    const { id, outs } = await policy.create({ ...orderProduct(), published: false }, s);
    await s.client.delete(POLICIES, id);
    expect(await policy.read(id, outs, s)).toBeUndefined();
  });
});

describe("policy: what state keeps", () => {
  it.each([
    ["order product", orderProduct],
    ["sales order", salesOrder],
  ])(
    "keeps no rules that read back as written, and refreshes from it to the inputs (%s policy)",
    async (_what, make) => {
      const s = await session();
      const { id, outs } = await policy.create(make(), s);
      const kept = await policy.recorded!(outs, s);
      expect(kept).toEqual({ organizationId: s.organizationId });
      expect(await policy.read(id, kept as never, s)).toEqual(outs);
    },
  );

  it("keeps the rules when one has an empty description, which reads back as none", async () => {
    const s = await session();
    const inputs = fulfillment();
    const { id, outs } = await policy.create(inputs, s);
    const kept = await policy.recorded!(outs, s);
    expect(kept.rules).toEqual(inputs.rules);
    expect(await policy.read(id, kept as never, s)).toEqual(outs);
  });

  it("keeps the rules where the YAML words them otherwise, so that a refresh keeps its words", async () => {
    const s = await session();
    const inputs = spelledOrderProduct();
    const { id, outs } = await policy.create(inputs, s);
    const kept = await policy.recorded!(outs, s);
    expect(kept.rules).toEqual(inputs.rules);
    expect(await policy.read(id, kept as never, s)).toEqual(outs);
  });

  it("keeps the rules when reading back would order them otherwise", async () => {
    const s = await session();
    const inputs = salesOrder();
    const rule = inputs.rules[0];
    inputs.rules = [
      { ...rule, name: "Z first" },
      { ...rule, name: "A second" },
    ] as typeof inputs.rules;
    const { id, outs } = await policy.create(inputs, s);
    const kept = await policy.recorded!(outs, s);
    expect(kept.rules).toEqual(inputs.rules);
    expect(await policy.read(id, kept as never, s)).toEqual(outs);
  });

  it("keeps an empty description, which Dataverse stores as none, and an adopted policy's record id", async () => {
    const s = await session();
    const dv = s.client;
    const inputs = { ...salesOrder(), description: "" };
    // Made by hand first: the stack adopts it, so its id is not the stack's record id.
    const handMade = "5c0f8f4e-3b6a-4d2e-9a71-0b8d2c4e6f13";
    await dv.create(
      POLICIES,
      {
        msdyn_name: inputs.name,
        msdyn_policytype: await label(dv, "msdyn_iompolicy", "msdyn_policytype", "Filter Policy"),
        msdyn_criticality: await label(dv, "msdyn_iompolicy", "msdyn_criticality", "Information"),
        msdyn_associatedentity: await label(dv, "msdyn_iompolicy", "msdyn_associatedentity", "Order"),
      },
      { primaryIdAttribute: "msdyn_iompolicyid", id: handMade },
    );
    const { id, outs } = await policy.create(inputs, s);
    expect(id).toBe(handMade);
    const kept = await policy.recorded!(outs, s);
    expect(kept).toMatchObject({ adopted: true, recordId: inputs.recordId, description: "" });
    expect(await policy.read(id, kept as never, s)).toEqual(outs);
  });
});

describe("policy: update", () => {
  it("unpublishes a published policy, changes it and its rules, and publishes it again", async () => {
    const s = await session();
    const dv = s.client;
    const olds = (await policy.create(orderProduct(), s)).outs;
    const id = olds.recordId;
    const [oldRule] = (await rulesOf(dv, id)) as [DataverseRecord];
    const news = orderProduct();
    news.description = "Company, site and warehouse for every line.";
    news.rules[0].actions = [
      { set: "Company", to: "usmf" },
      { set: "Shipping Warehouse", to: "12" },
    ];
    news.rules.push({
      name: "Ready to sync",
      description: "Lines become ready once the parameters are set.",
      when: { field: "Is Ready To Sync", operator: "equals", value: false },
      actions: [{ set: "Is Ready To Sync", to: true }],
    });

    const outs = await policy.update(id, olds, news, s);

    expect(outs).toEqual({ ...news, organizationId: s.organizationId, adopted: false });
    const { current, archived } = await versions(dv, news.name);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      msdyn_iompolicyid: id,
      msdyn_description: news.description,
      msdyn_publishstatus: await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Published"),
    });
    const rules = await rulesOf(dv, id);
    expect(rules.map((r) => r.msdyn_name)).toEqual(["Assign company, site and warehouse", "Ready to sync"]);
    // The changed rule kept its row; the new one has its derived id.
    expect(rules[0]?.msdyn_iomruleid).toBe(oldRule.msdyn_iomruleid);
    expect(rules[1]?.msdyn_iomruleid).toBe(derivedId(id, "ready to sync"));

    // Unpublishing left the version before the change as an archived copy, which read ignores.
    expect(archived).toHaveLength(1);
    expect(archived[0]?.msdyn_policyversionid).toBe(id);
    const archivedRules = await rulesOf(dv, String(archived[0]?.msdyn_iompolicyid));
    expect(archivedRules.map((r) => r.msdyn_ruledefinition)).toEqual([oldRule.msdyn_ruledefinition]);
    expect(await policy.read(id, outs, s)).toEqual(outs);

    // A second update with the same inputs changes nothing, so it does not unpublish.
    await h.resetCounters();
    await policy.update(id, outs, news, s);
    expect((await versions(dv, news.name)).archived).toHaveLength(1);
    const counters = await h.counters();
    expect(counters.byMethod.PATCH ?? 0).toBe(0);
    expect(counters.byMethod.POST ?? 0).toBe(0);
  });

  it("unpublishes when the YAML says so, and deletes rules the YAML no longer has", async () => {
    const s = await session();
    const dv = s.client;
    const start = orderProduct();
    start.rules.push({ name: "Second", actions: [{ set: "Company", to: "demf" }] });
    const olds = (await policy.create(start, s)).outs;
    const news = { ...orderProduct(), published: false };

    await policy.update(olds.recordId, olds, news, s);

    const { current } = await versions(dv, news.name);
    expect(current[0]?.msdyn_publishstatus).toBe(
      await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Unpublished"),
    );
    expect((await rulesOf(dv, olds.recordId)).map((r) => r.msdyn_name)).toEqual([
      "Assign company, site and warehouse",
    ]);
  });

  it("says a policy it unpublished is left unpublished when the change after that fails, as a partial apply", async () => {
    const s = await session();
    const dv = s.client;
    const olds = (await policy.create(orderProduct(), s)).outs;
    const news = { ...orderProduct(), description: "Changed." };
    // The change set after the unpublish is lost.
    const send = dv.request.bind(dv);
    dv.request = (async (spec: Parameters<typeof send>[0]) => {
      if (spec.method === "POST" && spec.path.includes("$batch")) throw new Error("the connection was reset");
      return send(spec);
    }) as typeof dv.request;
    let error: unknown;
    try {
      await policy.update(olds.recordId, olds, news, s);
    } catch (err) {
      error = err;
    } finally {
      dv.request = send;
    }
    expect(error).toBeInstanceOf(PartialApplyError);
    expect((error as Error).message).toMatch(
      /was unpublished to be changed.*connection was reset.*left unpublished/s,
    );
    expect((error as PartialApplyError).properties).toMatchObject({ published: false });
    const { current } = await versions(dv, news.name);
    expect(current[0]?.msdyn_publishstatus).toBe(
      await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Unpublished"),
    );
    // From the state the partial apply recorded, the next apply changes and publishes it.
    await policy.update(olds.recordId, (error as PartialApplyError).properties as never, news, s);
    const after = await versions(dv, news.name);
    expect(after.current[0]).toMatchObject({
      msdyn_description: "Changed.",
      msdyn_publishstatus: await label(dv, "msdyn_iompolicy", "msdyn_publishstatus", "Published"),
    });
  });

  it("refuses to update a policy deleted outside iom-gitops, with what to do", async () => {
    const s = await session();
    const { id, outs } = await policy.create({ ...orderProduct(), published: false }, s);
    await s.client.delete(POLICIES, id);
    const error = await policy.update(id, outs, orderProduct(), s).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/pulumi refresh/);
  });
});

describe("policy: delete", () => {
  it("unpublishes and deletes the policy with its rules; a policy already gone counts as deleted", async () => {
    const s = await session();
    const dv = s.client;
    const { id, outs } = await policy.create(orderProduct(), s);

    await policy.delete(id, outs, s);

    expect(await dv.retrieveIfExists(POLICIES, id, { select: ["msdyn_name"] })).toBeUndefined();
    expect(await rulesOf(dv, id)).toEqual([]);
    // The archived version unpublishing left is this policy's history and goes with it.
    const { current, archived } = await versions(dv, outs.name);
    expect(current).toEqual([]);
    expect(archived).toEqual([]);

    await expect(policy.delete(id, outs, s)).resolves.toBeUndefined();
  });

  it("never adopts an archived version: a later create makes the policy anew", async () => {
    const s = await session();
    const dv = s.client;
    const { id, outs } = await policy.create(orderProduct(), s);
    // Unpublished (IOM archives a copy), then the current row deleted outside iom-gitops.
    await policy.update(id, outs, { ...orderProduct(), published: false }, s);
    await dv.delete(POLICIES, id);
    expect((await versions(dv, outs.name)).archived).toHaveLength(1);

    const again = await policy.create(orderProduct(), s);
    expect(again.id).toBe(id);
    expect(again.outs.adopted).toBe(false);
    expect((await versions(dv, outs.name)).current).toHaveLength(1);
  });
});
