// The adapter every kind goes through: what a partly applied create or update hands the engine.
import { describe, expect, it, vi } from "vitest";
// vi.mock calls are hoisted above the imports: the adapter gets the stand-in session.

vi.mock("../../../src/resources/runtime/session.js", () => ({
  configureSession: () => undefined,
  assertSameOrganization: () => undefined,
  session: async () => ({ client: {}, organizationId: "org", deleteAdopted: false }),
}));
vi.mock("../../../src/resources/runtime/warm-metadata.js", () => ({ warmMetadata: () => undefined }));

import { PartialApplyError, toDynamicProvider } from "../../../src/resources/runtime/kind.js";

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
