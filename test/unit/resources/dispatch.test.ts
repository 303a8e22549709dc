// The plugin side of every kind's serialised provider object: after the first configure, the kinds
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
import { install, prepareKinds } from "../../../src/resources/runtime/dispatch.js";

describe("the provider plugin's first configure", () => {
  it("compiles every kind's schema in the background, with no check asking for it", async () => {
    expect(prepared).toEqual([]);
    await install({}, "stack-organization", { config: { get: () => undefined, require: () => "" } });
    await prepareKinds();
    expect([...prepared].sort()).toEqual([...RESOURCE_KINDS].sort());
  });
});
