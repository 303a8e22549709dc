// The adapter every kind goes through: what a partly applied create or update hands the engine, and
// what a kind that keeps part of its outputs stores and compares.
import { describe, expect, it, vi } from "vitest";
// vi.mock calls are hoisted above the imports: the adapter gets the stand-in session.

vi.mock("../../../src/resources/runtime/session.js", () => ({
  configureSession: () => undefined,
  assertSameOrganization: () => undefined,
  session: async () => ({ client: {}, organizationId: "org", deleteAdopted: false }),
}));
vi.mock("../../../src/resources/runtime/warm-metadata.js", () => ({ warmMetadata: () => undefined }));

import {
  FINGERPRINT,
  PartialApplyError,
  toDynamicProvider,
  type KindImplementation,
} from "../../../src/resources/runtime/kind.js";

describe("a create that failed after the record was made", () => {
  it("keeps the record in state with its provider, and gives the engine the cause as a reason", async () => {
    const provider = toDynamicProvider({
      label: "policy",
      programInputs: [],
      canonical: (i) => ({ ...i }),
      create: async () => {
        throw new PartialApplyError("publishing failed (HTTP 503)", "id-1", { name: "p", published: false });
      },
      read: async () => undefined,
      update: async (_id, o) => o,
      delete: async () => undefined,
    });
    const error = (await provider
      .create({ name: "p", __provider: "serialised" })
      .catch((e: unknown) => e)) as {
      message: string;
      id: string;
      properties: Record<string, unknown>;
      reasons: string[];
    };
    expect(error.id).toBe("id-1");
    expect(error.properties).toEqual({ name: "p", published: false, __provider: "serialised" });
    // The engine prints `reasons` for a resource whose init failed, not the message.
    expect(error.reasons).toEqual(["creating policy 'p': publishing failed (HTTP 503)"]);
  });
});

describe("an update that failed after part of it was applied", () => {
  it("keeps the new outputs with their provider, and gives the cause as a reason", async () => {
    const provider = toDynamicProvider({
      label: "dual-write map",
      programInputs: [],
      canonical: (i) => ({ ...i }),
      create: async () => ({ id: "id-1", outs: { organizationId: "org", adopted: false } }),
      read: async () => undefined,
      update: async () => {
        throw new PartialApplyError("the map could not be started again", "id-1", {
          name: "m",
          stoppedFrom: 4,
        });
      },
      delete: async () => undefined,
    });
    const update = provider.update as NonNullable<typeof provider.update>;
    const error = (await update(
      "id-1",
      { name: "m", __provider: "old" },
      { name: "m", __provider: "serialised" },
    ).catch((e: unknown) => e)) as { id: string; properties: Record<string, unknown>; reasons: string[] };
    expect(error.id).toBe("id-1");
    expect(error.properties).toEqual({ name: "m", stoppedFrom: 4, __provider: "serialised" });
    expect(error.reasons).toEqual(["updating dual-write map 'm': the map could not be started again"]);
  });
});

/** Inputs of a kind whose names mean nothing of case (as IOM's display names). */
interface Named {
  name: string;
  rules: string[];
}

/** A kind that keeps only the organization and its inputs' fingerprint, reading back in lower case. */
function keeping(canonical: (i: Named) => Record<string, unknown>) {
  const impl: KindImplementation<Named> = {
    label: "policy",
    programInputs: [],
    canonical,
    recorded: async (outs) => ({ organizationId: outs.organizationId }),
    create: async (inputs) => ({ id: "id-1", outs: { ...inputs, organizationId: "org", adopted: false } }),
    read: async () => ({ name: "hand made", rules: ["b", "a"], organizationId: "org", adopted: false }),
    update: async (_id, olds, news) => ({ ...news, organizationId: olds.organizationId, adopted: false }),
    delete: async () => undefined,
  };
  const provider = toDynamicProvider(impl);
  return {
    provider,
    async create(inputs: Named): Promise<Record<string, unknown>> {
      const result = (await provider.create({ ...inputs, __provider: "p" })) as {
        outs: Record<string, unknown>;
      };
      return result.outs;
    },
    async changes(olds: Record<string, unknown>, news: Named): Promise<boolean | undefined> {
      return (
        await (provider.diff as NonNullable<typeof provider.diff>)("id-1", olds, { ...news, __provider: "p" })
      ).changes;
    },
  };
}

const lowerCase = (i: Named) => ({ name: i.name.toLowerCase(), rules: [...i.rules].sort() });

describe("a kind that keeps part of its outputs", () => {
  it("stores what it keeps and its inputs' fingerprint, not the inputs", async () => {
    const kind = keeping(lowerCase);
    const outs = await kind.create({ name: "Bench", rules: ["a"] });
    expect(Object.keys(outs).sort()).toEqual([FINGERPRINT, "organizationId"]);
    expect(outs[FINGERPRINT]).toMatch(/^[\w-]{16}\.[\w-]{16}$/);
  });

  it("shows a change exactly when the inputs change canonically", async () => {
    const kind = keeping(lowerCase);
    const outs = await kind.create({ name: "Bench", rules: ["a", "b"] });
    expect(await kind.changes(outs, { name: "Bench", rules: ["a", "b"] })).toBe(false);
    // Case and order mean nothing to this kind's canonical form.
    expect(await kind.changes(outs, { name: "BENCH", rules: ["b", "a"] })).toBe(false);
    expect(await kind.changes(outs, { name: "Bench", rules: ["a"] })).toBe(true);
    expect(await kind.changes(outs, { name: "Other", rules: ["a", "b"] })).toBe(true);
  });

  it("sees no change in unchanged inputs after the canonical form changed (an upgrade)", async () => {
    const outs = await keeping(lowerCase).create({ name: "Bench", rules: ["a", "b"] });
    const upgraded = keeping((i) => ({ name: i.name.trim().toLowerCase(), rules: i.rules.length }));
    expect(await upgraded.changes(outs, { name: "Bench", rules: ["a", "b"] })).toBe(false);
    expect(await upgraded.changes(outs, { name: "Bench", rules: ["a", "c"] })).toBe(true);
  });

  it("compares the inputs whole in outputs that hold them (a state written before, or drift)", async () => {
    const kind = keeping(lowerCase);
    const whole = { name: "Bench", rules: ["a"], organizationId: "org", adopted: false, __provider: "old" };
    expect(await kind.changes(whole, { name: "bench", rules: ["a"] })).toBe(false);
    expect(await kind.changes(whole, { name: "Bench", rules: ["b"] })).toBe(true);
  });

  it("refreshes into what it keeps, with the inputs as read for the next diff", async () => {
    const kind = keeping(lowerCase);
    const outs = await kind.create({ name: "Bench", rules: ["a"] });
    const read = (await (kind.provider.read as NonNullable<typeof kind.provider.read>)("id-1", outs)) as {
      props: Record<string, unknown>;
      inputs: Record<string, unknown>;
    };
    expect(read.inputs).toEqual({ name: "hand made", rules: ["b", "a"] });
    expect(Object.keys(read.props).sort()).toEqual([FINGERPRINT, "organizationId"]);
    expect(await kind.changes(read.props, { name: "Hand Made", rules: ["a", "b"] })).toBe(false);
    expect(await kind.changes(read.props, { name: "Bench", rules: ["a"] })).toBe(true);
  });

  it("cannot be one whose inputs replace the record: the fingerprint does not say which changed", () => {
    expect(() =>
      toDynamicProvider({
        label: "provider",
        programInputs: [],
        replaceOn: ["definition"],
        canonical: (i) => ({ ...i }),
        recorded: async () => ({}),
        create: async () => ({ id: "id", outs: { organizationId: "org", adopted: false } }),
        read: async () => undefined,
        update: async (_id, o) => ({ ...o, adopted: false }),
        delete: async () => undefined,
      }),
    ).toThrow(/cannot replace/);
  });
});
