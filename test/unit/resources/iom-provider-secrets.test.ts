// The IOM provider kind with secret parameters, as the provider plugin sees them: the values arrive
// resolved (the engine strips the secret mark on the way in), the names of the secret ones arrive
// beside them, outside the schema check. Which parameters are secret is part of the comparison, so
// that a value turning secret is an update and the engine writes the outputs again, encrypted;
// states written before secret parameters existed compare as before.
import { describe, expect, it } from "vitest";
import { iomProvider, parameterValues } from "../../../src/resources/iom-provider/provider.js";
import { toDynamicProvider } from "../../../src/resources/runtime/kind.js";

const provider = toDynamicProvider(iomProvider);
const diff = provider.diff as NonNullable<typeof provider.diff>;
const check = provider.check as NonNullable<typeof provider.check>;

const base = {
  name: "shopify",
  definition: "Shopify",
  activated: false,
  recordId: "00000000-0000-4000-8000-000000000001",
};
const applied = {
  ...base,
  parameters: { "API key": "shpat_old", "Page size": 50 },
  organizationId: "org",
  adopted: false,
};

describe("secret parameters in the IOM provider kind", () => {
  it("passes the schema check with the names of the secret parameters beside the values", async () => {
    const news = { ...base, parameters: { "API key": "shpat_old" }, secretParameters: ["API key"] };
    expect((await check({}, news)).failures).toEqual([]);
  });

  it("updates when a parameter turns secret with the same value, when it turns plain, and when it is rotated, and only then", async () => {
    const { organizationId: _o, adopted: _a, ...inputs } = applied;
    // A state written before secret parameters existed, and one with the same secret ones: no change.
    expect((await diff("id", applied, inputs)).changes).toBe(false);
    const same = { ...applied, secretParameters: ["API key"] };
    expect((await diff("id", same, { ...inputs, secretParameters: ["api KEY "] })).changes).toBe(false);
    const secretInputs = { ...inputs, secretParameters: ["API key"] };
    expect(await diff("id", applied, secretInputs)).toMatchObject({ changes: true, replaces: [] });
    const secret = { ...applied, secretParameters: ["API key"] };
    expect((await diff("id", secret, inputs)).changes).toBe(true);
    const rotated = { ...secretInputs, parameters: { "API key": "shpat_new", "Page size": 50 } };
    expect((await diff("id", secret, rotated)).changes).toBe(true);
  });

  it("refuses a reference that reached the provider unresolved, naming the parameter but no value", () => {
    expect(() => parameterValues({ parameters: { "API key": { secret: "shopifyApiKey" } } })).toThrow(
      /parameter "API key" still names its secret config key \(shopifyApiKey\)/,
    );
    expect(parameterValues({ parameters: { "Page size": 50 } })).toEqual({ "Page size": 50 });
    expect(parameterValues({})).toBeUndefined();
  });
});
