// The adapter opens the session (and loads the Dataverse client behind it) only for a method that
// acts on the environment: the plugin's checks and diffs, all a no-change preview asks of it, and
// its first check especially, which every other resource waits for, do without.
import { describe, expect, it, vi } from "vitest";

const sessions = vi.hoisted(() => ({ loaded: 0, configured: [] as unknown[] }));
vi.mock("../../../src/resources/runtime/session.js", () => {
  sessions.loaded++;
  return {
    configureSession: (config: unknown) => sessions.configured.push(config),
    assertSameOrganization: () => undefined,
    session: async () => ({ client: {}, organizationId: "org", deleteAdopted: false }),
  };
});

import { toDynamicProvider } from "../../../src/resources/runtime/kind.js";

describe("the adapter's session", () => {
  it("is not loaded by configure, check and diff, and gets the stack config when a write needs it", async () => {
    const provider = toDynamicProvider({
      label: "policy",
      schema: "policy",
      programInputs: [],
      canonical: (i) => ({ ...i }),
      create: async () => ({ id: "id-1", outs: { organizationId: "org", adopted: false } }),
      read: async () => undefined,
      update: async (_id, o) => ({ ...o, adopted: false }),
      delete: async () => undefined,
    });
    const config = { get: () => undefined, require: () => "" };
    await provider.configure?.({ config });
    await provider.check?.({}, { name: "p", __provider: "p" });
    await provider.diff?.("id-1", { name: "p", __provider: "p" }, { name: "p", __provider: "p" });
    expect(sessions.loaded).toBe(0);

    await provider.create({ name: "p", __provider: "p" });
    expect(sessions.loaded).toBe(1);
    expect(sessions.configured).toEqual([config]);
  });
});
