// The plugin side of every kind's provider object: from the first check on, the kinds
// are loaded and their schemas compiled in the background, before any check asks for them.
import { describe, expect, it, vi } from "vitest";
import type * as SchemaRegistryModule from "../../../src/config/schema-registry.js";

const prepared: string[] = [];
vi.mock("../../../src/config/schema-registry.js", async (original) => {
  const actual = await original<typeof SchemaRegistryModule>();
  return {
    ...actual,
    schemaRegistry: () => ({ ...actual.schemaRegistry(), prepare: (name: string) => prepared.push(name) }),
  };
});

import { RESOURCE_KINDS } from "../../../src/config/schema-registry.js";
import { install, kindsPreparation } from "../../../src/resources/runtime/dispatch.js";

describe("the provider plugin's first check", () => {
  it("compiles every kind's schema in the background, with no check of those kinds asking for it", async () => {
    const target: Record<string, unknown> = {};
    await install(target, "stack-organization", { config: { get: () => undefined, require: () => "" } });
    // Configured only, as a refresh or a destroy leaves it: nothing started, nothing compiled.
    expect(kindsPreparation()).toBeUndefined();
    expect(prepared).toEqual([]);
    await (target.check as (olds: object, news: object) => Promise<unknown>)({}, { organizationId: "org" });
    await kindsPreparation();
    expect([...prepared].sort()).toEqual([...RESOURCE_KINDS].sort());
  });
});
