// The orchestration flow kind against the emulator: published only once its policies are published
// and its provider activated, stored with ids and read back with names, stopped to be edited and
// published again, adopted by name, stopped before it is deleted.
import { beforeEach, describe, expect, it } from "vitest";
import { decodeDefinition } from "../../../src/iom/formats/orchestration-definition.js";
import { columns, entitySetNames, publishStatus } from "../../../src/iom/facts.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { orchestrationFlow } from "../../../src/resources/orchestration-flow/provider.js";
import type { OrchestrationFlowInputs } from "../../../src/resources/orchestration-flow/index.js";
import { PartialApplyError } from "../../../src/resources/runtime/kind.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { activatedFinOps, articleFlow, articlePolicies, sessionOn } from "./setup.js";

const h = useEmulator();
const FLOWS = entitySetNames.msdyn_iomdesigner;

let s: Session;
let providerId: string;
let policies: string[];

beforeEach(async () => {
  await h.admin("POST", "reset");
  s = await sessionOn(h);
  policies = await articlePolicies(s);
  providerId = await activatedFinOps(s);
});

function flow(published = true): OrchestrationFlowInputs & { providerIds: Record<string, string> } {
  return articleFlow(providerId, policies, { published });
}

async function row(id: string) {
  return s.client.retrieve(FLOWS, id, {
    select: ["msdyn_name", columns.designer.publishStatus, columns.designer.definition],
  });
}

describe("orchestration flow", () => {
  it("is created unpublished, then published, with the steps' references stored as ids", async () => {
    const created = await orchestrationFlow.create(flow(), s);
    expect(created.id).toBe(derivedId("test", "flow"));
    const stored = await row(created.id);
    expect(stored[columns.designer.publishStatus]).toBe(publishStatus.published.value);
    const definition = decodeDefinition(stored[columns.designer.definition]);
    expect(definition.steps[1]!.providerAction?.providerId).toBe(providerId);
    expect(definition.steps[1]!.executionPolicyIds).toHaveLength(2);
    // read gives the YAML back, names and all
    expect(await orchestrationFlow.read(created.id, created.outs, s)).toEqual(created.outs);
  });

  it("stops a published flow to edit it and publishes it again", async () => {
    const created = await orchestrationFlow.create(flow(), s);
    const changed = { ...flow(), description: "Now with a description change." };
    await h.resetCounters();
    const outs = await orchestrationFlow.update(created.id, created.outs, changed, s);
    expect((await orchestrationFlow.read(created.id, outs, s))?.description).toBe(
      "Now with a description change.",
    );
    expect((await row(created.id))[columns.designer.publishStatus]).toBe(publishStatus.published.value);
    // Three writes: stop, save, publish (the emulator refuses an edit of a published flow).
    expect((await h.counters()).byMethod.PATCH).toBe(3);
  });

  it("resolves every name before it stops a published flow: a typo leaves the flow published, untouched", async () => {
    const created = await orchestrationFlow.create(flow(), s);
    const typo = flow();
    typo.steps[1] = { ...typo.steps[1]!, executionPolicies: ["FinOps sales order parameterz"] };
    await h.resetCounters();
    await expect(orchestrationFlow.update(created.id, created.outs, typo, s)).rejects.toThrow(
      /no policy is named "FinOps sales order parameterz"/,
    );
    expect((await h.counters()).byMethod.PATCH ?? 0).toBe(0);
    expect((await row(created.id))[columns.designer.publishStatus]).toBe(publishStatus.published.value);
  });

  it("says the flow is left stopped when the save after the stop fails, as a partial apply", async () => {
    const created = await orchestrationFlow.create(flow(), s);
    const changed = { ...flow(), description: "Changed." };
    // The second write of the update (the save, after the stop) is lost.
    const send = s.client.request.bind(s.client);
    let patches = 0;
    s.client.request = (async (spec: Parameters<typeof send>[0]) => {
      if (spec.method === "PATCH" && ++patches === 2) throw new Error("the connection was reset");
      return send(spec);
    }) as typeof s.client.request;
    let error: unknown;
    try {
      await orchestrationFlow.update(created.id, created.outs, changed, s);
    } catch (err) {
      error = err;
    } finally {
      s.client.request = send;
    }
    expect(error).toBeInstanceOf(PartialApplyError);
    expect((error as Error).message).toMatch(
      /was stopped \(unpublished\).*the connection was reset.*left stopped/s,
    );
    expect((error as PartialApplyError).properties).toMatchObject({ published: false });
    expect((await row(created.id))[columns.designer.publishStatus]).toBe(publishStatus.unpublished.value);
    // The next apply, from the state the partial apply recorded, saves and publishes it.
    await orchestrationFlow.update(created.id, (error as PartialApplyError).properties as never, changed, s);
    expect((await row(created.id))[columns.designer.publishStatus]).toBe(publishStatus.published.value);
  });

  it("writes nothing when nothing changed", async () => {
    const created = await orchestrationFlow.create(flow(), s);
    await h.resetCounters();
    await orchestrationFlow.update(created.id, created.outs, flow(), s);
    const counters = await h.counters();
    expect(counters.byMethod.PATCH ?? 0).toBe(0);
    expect(counters.byMethod.POST ?? 0).toBe(0);
  });

  it("names the provider's actions when the one asked for does not exist", async () => {
    const bad = flow();
    bad.steps[1] = { ...bad.steps[1]!, providerAction: { provider: "finops", action: "Teleport" } };
    await expect(orchestrationFlow.create(bad, s)).rejects.toThrow(
      /no action "Teleport".*Send order to fulfillment/,
    );
    expect(await s.client.list(FLOWS, { select: ["msdyn_name"] })).toEqual([]);
  });

  it("adopts a flow of the same name made by hand, and brings it to the YAML without a duplicate", async () => {
    await s.client.create(FLOWS, {
      msdyn_name: "Order orchestration with F&O",
      [columns.designer.publishStatus]: publishStatus.unpublished.value,
      [columns.designer.definition]: JSON.stringify({ formatVersion: 1, steps: [] }),
    });
    const adopted = await orchestrationFlow.create(flow(), s);
    expect(adopted.outs.adopted).toBe(true);
    expect(await s.client.list(FLOWS, { select: ["msdyn_name"] })).toHaveLength(1);
    expect(await orchestrationFlow.read(adopted.id, adopted.outs, s)).toEqual(adopted.outs);
    // released on destroy, not deleted
    await orchestrationFlow.delete(adopted.id, adopted.outs, s);
    expect(await s.client.list(FLOWS, { select: ["msdyn_name"] })).toHaveLength(1);
  });

  it("stops a published flow before deleting it; a flow already gone counts as deleted", async () => {
    const created = await orchestrationFlow.create(flow(), s);
    await orchestrationFlow.delete(created.id, created.outs, s);
    expect(await s.client.list(FLOWS, { select: ["msdyn_name"] })).toEqual([]);
    await orchestrationFlow.delete(created.id, created.outs, s);
    expect(await orchestrationFlow.read(created.id, created.outs, s)).toBeUndefined();
  });
});
