// A refresh of many resources costs few requests: the policy kind's reads that arrive together are
// answered by one query for the policies and one for their rules (src/resources/common/records.ts),
// and give exactly what reading them one at a time gives. The plugin's session survives the
// configure of each kind when the stack config is the same, so WhoAmI is asked once per process.
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { derivedId } from "../../../src/resources/common/ids.js";
import type { PolicyInputs } from "../../../src/resources/policy/index.js";
import { policy } from "../../../src/resources/policy/provider.js";
import type { Outputs } from "../../../src/resources/runtime/kind.js";
import { configureSession, session as pluginSession } from "../../../src/resources/runtime/session.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";

const h = useEmulator();

async function session(): Promise<Session> {
  const { dv } = h.client();
  const who = await dv.whoAmI();
  return { client: dv, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted: false };
}

const policyNamed = (name: string, entity: PolicyInputs["entity"]): PolicyInputs => ({
  name,
  type: "execution",
  criticality: "critical",
  entity,
  published: true,
  rules: [
    {
      name: `${name} rule`,
      when: { field: entity === "order" ? "Company" : "Shipping Site", operator: "does not contain data" },
      actions: [{ set: "Company", to: "usmf" }],
    },
  ],
  recordId: derivedId("contract", "refresh", name.toLowerCase()),
});

/** Requests for policy and rule rows (metadata left out), by route. */
async function recordReads(): Promise<Record<string, number>> {
  const { byRoute } = await h.counters();
  return Object.fromEntries(
    Object.entries(byRoute).filter(([route]) => /msdyn_iompolicies|msdyn_iomrules/.test(route)),
  );
}

describe("refresh reads", () => {
  it("reads policies refreshed together in one query for the rows and one for the rules", async () => {
    const s = await session();
    const created: Array<{ id: string; outs: Outputs<PolicyInputs> }> = [];
    for (let i = 0; i < 6; i++)
      created.push(await policy.create(policyNamed(`Refresh ${i}`, i % 2 ? "order product" : "order"), s));
    // One of them deleted by hand: its refresh must say it is gone, the others unaffected.
    await policy.delete(created[3]!.id, created[3]!.outs, s);

    await h.resetCounters();
    const alone = [];
    for (const { id, outs } of created) alone.push(await policy.read(id, outs, s));
    expect(await recordReads()).toEqual({
      "GET /api/data/v9.2/msdyn_iompolicies(id)": 6,
      "GET /api/data/v9.2/msdyn_iomrules": 6,
    });

    await h.resetCounters();
    const together = await Promise.all(created.map(({ id, outs }) => policy.read(id, outs, s)));
    expect(await recordReads()).toEqual({
      "GET /api/data/v9.2/msdyn_iompolicies": 1,
      "GET /api/data/v9.2/msdyn_iomrules": 1,
    });

    expect(together).toEqual(alone);
    expect(together[3]).toBeUndefined();
    expect(together.filter((r) => r !== undefined)).toHaveLength(5);
    // Each read is the policy as created (refresh finds nothing to change).
    for (const [i, read] of together.entries())
      if (i !== 3) expect(policy.canonical(read!)).toEqual(policy.canonical(created[i]!.outs));
  });

  it("reads a table whole once a refresh has asked for many of its rows, and gives the same answers", async () => {
    const s = await session();
    const created: Array<{ id: string; outs: Outputs<PolicyInputs> }> = [];
    for (let i = 0; i < 40; i++)
      created.push(await policy.create(policyNamed(`Whole ${i}`, i % 2 ? "order product" : "order"), s));
    // Deleted by hand, among the reads the whole-table read answers: it must still read as gone.
    await policy.delete(created[30]!.id, created[30]!.outs, s);
    const alone = [];
    for (const { id, outs } of created) alone.push(await policy.read(id, outs, await session()));

    // As the engine refreshes: eight at a time, the next eight once those are answered.
    await h.resetCounters();
    const together = [];
    for (let wave = 0; wave < created.length; wave += 8)
      together.push(
        ...(await Promise.all(created.slice(wave, wave + 8).map(({ id, outs }) => policy.read(id, outs, s)))),
      );

    expect(together).toEqual(alone);
    expect(together[30]).toBeUndefined();
    // Two waves of eight gathered into one query each, then the table read whole for the other
    // three waves; the deleted policy, which that read does not hold, is read on its own. Without
    // the whole read, five queries for the policies and five for their rules.
    const reads = await recordReads();
    expect(reads["GET /api/data/v9.2/msdyn_iompolicies"]).toBe(3);
    expect(reads["GET /api/data/v9.2/msdyn_iompolicies(id)"]).toBe(1);
    expect(reads["GET /api/data/v9.2/msdyn_iomrules"]).toBeLessThanOrEqual(4);
  });

  it("keeps the plugin's session across the kinds' configure, and starts a new one when a setting changes", async () => {
    const emulator = h.emulator();
    const config = (settings: Record<string, string>) =>
      ({ get: (key: string) => settings[key] }) as unknown as pulumi.dynamic.Config;
    const settings = { "iom:environmentUrl": emulator.url, "iom:token": emulator.token };

    await h.resetCounters();
    configureSession(config(settings));
    const first = await pluginSession();
    configureSession(config({ ...settings }));
    expect(await pluginSession()).toBe(first);
    expect((await h.counters()).byRoute["GET /api/data/v9.2/WhoAmI"]).toBe(1);

    configureSession(config({ ...settings, "iom:deleteAdopted": "true" }));
    const second = await pluginSession();
    expect(second).not.toBe(first);
    expect(second.deleteAdopted).toBe(true);
    expect((await h.counters()).byRoute["GET /api/data/v9.2/WhoAmI"]).toBe(2);
  });
});
