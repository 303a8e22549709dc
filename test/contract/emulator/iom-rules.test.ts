// IOM's lifecycle rules over real HTTP: each operation refused in the wrong order, with a
// business-rule error that names the record and what to do first, and accepted in IOM's order
// (connections -> provider -> flow on the way up, the reverse on the way down), plus policy
// versioning on unpublish.
import { describe, expect, it } from "vitest";

import { FINOPS_CONNECTION } from "../../../src/iom/catalog.js";
import { encodeDefinition } from "../../../src/iom/formats/orchestration-definition.js";
import {
  columns,
  connectionStatus,
  policyVersionState,
  providerStatus,
  publishStatus,
} from "../../../src/iom/facts.js";
import { useEmulator } from "./harness.js";
import { FINOPS, SETS, SHOPIFY, expectRuleError, iomClient } from "./iom.js";

const h = useEmulator();
const iom = iomClient(h);
const p = columns.policy;

describe("providers and their connections", () => {
  it("activates a connection only with a URL, and a provider only once its connections are Active", async () => {
    const provider = await iom.provider();
    await expectRuleError(
      await iom.setProvider(provider, providerStatus.activated),
      "Provider 'F&O' cannot be activated",
      `'${FINOPS_CONNECTION}'`,
    );
    const connection = await iom.connection(provider, null);
    await expectRuleError(
      await iom.setProvider(provider, providerStatus.activated),
      `'${FINOPS_CONNECTION}' are missing or not Active`,
    );
    await expectRuleError(
      await iom.setConnection(connection, connectionStatus.active),
      "Provider connection reference 'F&O connection' cannot be Active without a connection URL",
    );
    expect(
      (
        await iom.update(SETS.connections, connection, {
          [columns.providerConnectionRef.connectionUrl]: "https://make.powerautomate.com/connections/1",
        })
      ).status,
    ).toBe(204);
    expect((await iom.setConnection(connection, connectionStatus.active)).status).toBe(204);
    expect((await iom.setProvider(provider, providerStatus.activated)).status).toBe(204);
    // An Active connection keeps its URL.
    await expectRuleError(
      await iom.update(SETS.connections, connection, { [columns.providerConnectionRef.connectionUrl]: "" }),
      "without a connection URL",
    );
  });

  it("refuses to create a provider Activated before it has connections", async () => {
    const res = await h.api(SETS.providers, {
      method: "POST",
      json: {
        msdyn_name: "Too soon",
        "msdyn_IOMProviderDefinition@odata.bind": `/${SETS.definitions}(${FINOPS})`,
        [columns.provider.status]: providerStatus.activated.value,
      },
    });
    await expectRuleError(res, "Provider 'Too soon' cannot be activated");
    expect(await iom.count(SETS.providers)).toBe(0);
  });

  it("deletes a provider only when it is not Activated", async () => {
    const provider = await iom.activatedProvider();
    await expectRuleError(
      await iom.remove(SETS.providers, provider),
      "Provider 'F&O' is Activated and cannot be deleted: deactivate it first",
    );
    expect(await iom.count(SETS.connections)).toBe(1);
    expect((await iom.setProvider(provider, providerStatus.installed)).status).toBe(204);
    expect((await iom.remove(SETS.providers, provider)).status).toBe(204);
    expect(await iom.count(SETS.connections)).toBe(0);
  });
});

describe("orchestration flows", () => {
  it("publishes in IOM's order and takes it down in the reverse order", async () => {
    const policy = await iom.publishedPolicy();
    const provider = await iom.activatedProvider();
    const flow = await iom.flow([await iom.step(provider, [policy])]);
    expect((await iom.setFlowPublished(flow, true)).status).toBe(204);

    // Down, in the wrong order first.
    await expectRuleError(
      await iom.setProvider(provider, providerStatus.installed),
      "Provider 'F&O' cannot be deactivated: published orchestration flow(s) 'Order flow' call its actions",
    );
    // A policy the published flow uses can be unpublished to be edited (the flow runs the version
    // it was published with), but not deleted.
    expect((await iom.setPolicyPublished(policy, false)).status).toBe(204);
    await expectRuleError(
      await iom.remove(SETS.policies, policy),
      "Policy 'Company policy' cannot be deleted: published orchestration flow(s) 'Order flow' use it",
    );
    expect((await iom.setPolicyPublished(policy, true)).status).toBe(204);
    await expectRuleError(
      await iom.remove(SETS.flows, flow),
      "Orchestration flow 'Order flow' is Published and cannot be deleted: stop it first",
    );
    expect((await iom.read(SETS.providers, provider))[columns.provider.status]).toBe(
      providerStatus.activated.value,
    );

    expect((await iom.setFlowPublished(flow, false)).status).toBe(204);
    expect((await iom.setProvider(provider, providerStatus.installed)).status).toBe(204);
    expect((await iom.remove(SETS.providers, provider)).status).toBe(204);
    expect((await iom.setPolicyPublished(policy, false)).status).toBe(204);
    expect((await iom.remove(SETS.flows, flow)).status).toBe(204);
  });

  it("refuses to publish a flow until its policies are published and its providers activated", async () => {
    const policy = await iom.create(SETS.policies, { msdyn_name: "Draft policy" });
    await iom.rule(policy);
    const provider = await iom.provider();
    const flow = await iom.flow([await iom.step(provider, [policy])]);
    await expectRuleError(
      await iom.setFlowPublished(flow, true),
      "Orchestration flow 'Order flow' cannot be published",
      "policy 'Draft policy' is not Published",
      "provider 'F&O' is not Activated",
    );
    expect((await iom.read(SETS.flows, flow))[columns.designer.publishStatus]).not.toBe(
      publishStatus.published.value,
    );
    // Created Published is publishing too.
    const res = await h.api(SETS.flows, {
      method: "POST",
      json: {
        msdyn_name: "Born published",
        [columns.designer.publishStatus]: publishStatus.published.value,
        [columns.designer.definition]: encodeDefinition({
          formatVersion: 1,
          steps: [await iom.step(provider, [policy])],
        }),
      },
    });
    await expectRuleError(res, "Orchestration flow 'Born published' cannot be published");
  });

  it("refuses a step whose action is not a logic definition of its provider's definition, and missing records", async () => {
    const provider = await iom.activatedProvider();
    const shopifyAction = await iom.action(SHOPIFY, "Shopify cancel order");
    const missing = "00000000-0000-4000-8000-000000000001";
    const flow = await iom.flow([
      await iom.step(provider, [missing], shopifyAction),
      await iom.step(missing),
    ]);
    await expectRuleError(
      await iom.setFlowPublished(flow, true),
      `${shopifyAction} is not a logic definition of provider 'F&O''s definition`,
      `policy ${missing} does not exist`,
      `calls provider ${missing}, which does not exist`,
    );
  });

  it("refuses a definition that does not decode, with the decoder's message", async () => {
    const res = await h.api(SETS.flows, {
      method: "POST",
      json: { msdyn_name: "Garbled", [columns.designer.definition]: '{"steps":[]}' },
    });
    await expectRuleError(
      res,
      "Orchestration flow 'Garbled' has a definition that cannot be read: the flow definition is not in format 1",
    );
  });

  it("keeps a Published flow's name and definition until it is stopped", async () => {
    const provider = await iom.activatedProvider();
    const flow = await iom.flow([await iom.step(provider)]);
    expect((await iom.setFlowPublished(flow, true)).status).toBe(204);
    await expectRuleError(
      await iom.update(SETS.flows, flow, { msdyn_name: "Renamed" }),
      "Orchestration flow 'Order flow' is Published: its msdyn_name cannot change. Stop it first",
    );
    const edit = { [columns.designer.definition]: encodeDefinition({ formatVersion: 1, steps: [] }) };
    await expectRuleError(
      await iom.update(SETS.flows, flow, edit),
      `its ${columns.designer.definition} cannot`,
    );
    // Stopping in the same request does not help: stop, then edit.
    await expectRuleError(
      await iom.update(SETS.flows, flow, {
        ...edit,
        [columns.designer.publishStatus]: publishStatus.unpublished.value,
      }),
      "Stop it first",
    );
    expect((await iom.update(SETS.flows, flow, { [columns.designer.description]: "allowed" })).status).toBe(
      204,
    );
    expect((await iom.setFlowPublished(flow, false)).status).toBe(204);
    expect((await iom.update(SETS.flows, flow, edit)).status).toBe(204);
  });
});

describe("policies and rules", () => {
  it("gives a new policy its own version line", async () => {
    const id = await iom.create(SETS.policies, { msdyn_name: "New" });
    expect(await iom.read(SETS.policies, id)).toMatchObject({
      [p.versionId]: id,
      [p.versionState]: policyVersionState.current.value,
      [p.versionNumber]: 1,
    });
  });

  it("publishes a policy only with rules, and freezes it and its rules while Published", async () => {
    const policy = await iom.create(SETS.policies, { msdyn_name: "Frozen" });
    await expectRuleError(
      await iom.setPolicyPublished(policy, true),
      "Policy 'Frozen' has no rules: add at least one rule, then publish it.",
    );
    const rule = await iom.rule(policy);
    expect((await iom.setPolicyPublished(policy, true)).status).toBe(204);

    await expectRuleError(
      await iom.update(SETS.policies, policy, { [p.description]: "new" }),
      `Policy 'Frozen' is Published: ${p.description} cannot change. Unpublish it first`,
    );
    await expectRuleError(
      await iom.update(SETS.policies, policy, {
        [p.description]: "new",
        [p.publishStatus]: publishStatus.unpublished.value,
      }),
      "Unpublish it first",
    );
    await expectRuleError(
      await iom.remove(SETS.policies, policy),
      "Policy 'Frozen' is Published and cannot be deleted",
    );
    await expectRuleError(
      await iom.update(SETS.rules, rule, { msdyn_name: "Changed" }),
      "Rule 'Set company' cannot be changed while its policy 'Frozen' is Published",
    );
    await expectRuleError(await iom.remove(SETS.rules, rule), "Rule 'Set company' cannot be deleted while");
    const created = await h.api(SETS.rules, {
      method: "POST",
      json: { msdyn_name: "Late", "msdyn_Policy@odata.bind": `/${SETS.policies}(${policy})` },
    });
    await expectRuleError(created, "Rule 'Late' cannot be created while its policy 'Frozen' is Published");
    expect(await iom.count(SETS.rules)).toBe(1);
    // Housekeeping still goes through.
    expect((await iom.update(SETS.policies, policy, { statecode: 1 })).status).toBe(204);

    expect((await iom.setPolicyPublished(policy, false)).status).toBe(204);
    expect((await iom.update(SETS.rules, rule, { msdyn_name: "Changed" })).status).toBe(204);
    expect((await iom.remove(SETS.policies, policy)).status).toBe(204);
  });

  it("archives the published version, with copies of its rules, each time a policy is unpublished", async () => {
    const policy = await iom.publishedPolicy("Versioned");
    const rule = (await iom.list(SETS.rules, `_msdyn_policy_value eq ${policy}`))[0] as Record<
      string,
      unknown
    >;
    expect((await iom.setPolicyPublished(policy, false)).status).toBe(204);
    expect((await iom.setPolicyPublished(policy, true)).status).toBe(204);
    expect((await iom.setPolicyPublished(policy, false)).status).toBe(204);

    expect(await iom.read(SETS.policies, policy)).toMatchObject({
      [p.versionId]: policy,
      [p.versionState]: policyVersionState.current.value,
      [p.versionNumber]: 3,
      [p.publishStatus]: publishStatus.unpublished.value,
    });
    const archived = await iom.list(
      SETS.policies,
      `${p.versionId} eq ${policy} and ${p.versionState} eq ${policyVersionState.archived.value}`,
    );
    expect(archived.map((a) => [a.msdyn_name, a[p.versionNumber]]).sort()).toEqual([
      ["Versioned", 1],
      ["Versioned", 2],
    ]);
    for (const copy of archived) {
      expect(copy.msdyn_iompolicyid).not.toBe(policy);
      expect(copy[p.publishStatus]).toBe(publishStatus.unpublished.value);
      const rules = await iom.list(SETS.rules, `_msdyn_policy_value eq ${copy.msdyn_iompolicyid as string}`);
      expect(rules.map((r) => [r.msdyn_name, r[columns.rule.ruleDefinition]])).toEqual([
        [rule.msdyn_name, rule[columns.rule.ruleDefinition]],
      ]);
    }
    // The current version keeps its own rule.
    expect(await iom.list(SETS.rules, `_msdyn_policy_value eq ${policy}`)).toHaveLength(1);
  });

  it("never changes an archived version or its rules", async () => {
    const policy = await iom.publishedPolicy("History");
    expect((await iom.setPolicyPublished(policy, false)).status).toBe(204);
    const [copy] = await iom.list(SETS.policies, `${p.versionState} eq ${policyVersionState.archived.value}`);
    const copyId = copy?.msdyn_iompolicyid as string;
    await expectRuleError(
      await iom.update(SETS.policies, copyId, { msdyn_name: "Rewritten" }),
      "Policy 'History' version 1 is Archived: archived versions cannot be changed (msdyn_name)",
    );
    await expectRuleError(await iom.setPolicyPublished(copyId, true), "archived versions cannot be changed");
    const [copiedRule] = await iom.list(SETS.rules, `_msdyn_policy_value eq ${copyId}`);
    await expectRuleError(
      await iom.update(SETS.rules, copiedRule?.msdyn_iomruleid as string, { msdyn_name: "x" }),
      "its policy 'History' is an archived version",
    );
    // A flow cannot use an archived version.
    const flow = await iom.flow([await iom.step(await iom.activatedProvider(), [copyId])]);
    await expectRuleError(
      await iom.setFlowPublished(flow, true),
      "is an archived version: reference the current one",
    );
    // Deleting the archived version takes its rules with it.
    expect((await iom.remove(SETS.policies, copyId)).status).toBe(204);
    expect(await iom.list(SETS.rules, `_msdyn_policy_value eq ${copyId}`)).toEqual([]);
  });
});
