import { describe, expect, it } from "vitest";
import {
  DefinitionFormatError,
  decodeDefinition,
  encodeDefinition,
  referencedPolicyIds,
  referencedProviderIds,
  type StoredDefinition,
} from "../../../src/iom/formats/orchestration-definition.js";

const P1 = "11111111-1111-4111-8111-111111111111";
const P2 = "22222222-2222-4222-8222-222222222222";
const PROVIDER = "33333333-3333-4333-8333-333333333333";
const ACTION = "44444444-4444-4444-8444-444444444444";

const definition: StoredDefinition = {
  formatVersion: 1,
  steps: [
    {
      name: "Validate",
      tile: "validate order header",
      inputEvents: [],
      filterPolicyIds: [],
      executionPolicyIds: [],
      providerAction: null,
    },
    {
      name: "Send",
      tile: "custom",
      inputEvents: ["Order created"],
      filterPolicyIds: [P1],
      executionPolicyIds: [P1.toUpperCase(), P2],
      providerAction: { providerId: PROVIDER.toUpperCase(), logicDefinitionId: ACTION },
    },
  ],
};

describe("the stored orchestration definition [I]", () => {
  it("round-trips, with ids lower-cased and keys in a fixed order", () => {
    const text = encodeDefinition(definition);
    const decoded = decodeDefinition(text);
    expect(decoded.steps[1]!.providerAction).toEqual({ providerId: PROVIDER, logicDefinitionId: ACTION });
    expect(decoded.steps[1]!.executionPolicyIds).toEqual([P1, P2]);
    expect(encodeDefinition(decoded)).toBe(text);
    expect(text.startsWith('{"formatVersion":1,"steps":[{"name":"Validate","tile":')).toBe(true);
  });

  it("is stored as exactly this text (a literal golden: the format rows already in IOM hold)", () => {
    expect(encodeDefinition(definition)).toBe(
      '{"formatVersion":1,"steps":[' +
        '{"name":"Validate","tile":"validate order header","inputEvents":[],"filterPolicyIds":[],' +
        '"executionPolicyIds":[],"providerAction":null},' +
        '{"name":"Send","tile":"custom","inputEvents":["Order created"],' +
        '"filterPolicyIds":["11111111-1111-4111-8111-111111111111"],' +
        '"executionPolicyIds":["11111111-1111-4111-8111-111111111111","22222222-2222-4222-8222-222222222222"],' +
        '"providerAction":{"providerId":"33333333-3333-4333-8333-333333333333",' +
        '"logicDefinitionId":"44444444-4444-4444-8444-444444444444"}}]}',
    );
  });

  it("lists the policies and providers it references, once each", () => {
    const decoded = decodeDefinition(encodeDefinition(definition));
    expect(referencedPolicyIds(decoded)).toEqual([P1, P2]);
    expect(referencedProviderIds(decoded)).toEqual([PROVIDER]);
  });

  it("reads an empty column as a flow with no steps", () => {
    expect(decodeDefinition(null)).toEqual({ formatVersion: 1, steps: [] });
    expect(decodeDefinition("  ")).toEqual({ formatVersion: 1, steps: [] });
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["another format", '{"steps":[]}', /format 1/],
    [
      "a step without a tile",
      '{"formatVersion":1,"steps":[{"name":"x"}]}',
      /steps\[0\] needs a name and a tile/,
    ],
    [
      "a half provider action",
      '{"formatVersion":1,"steps":[{"name":"x","tile":"custom","inputEvents":[],"filterPolicyIds":[],"executionPolicyIds":[],"providerAction":{"providerId":"a"}}]}',
      /providerAction needs providerId and logicDefinitionId/,
    ],
    [
      "policy ids that are not strings",
      '{"formatVersion":1,"steps":[{"name":"x","tile":"custom","inputEvents":[],"filterPolicyIds":[1],"executionPolicyIds":[],"providerAction":null}]}',
      /filterPolicyIds must be a list of strings/,
    ],
  ])("refuses %s with a located message", (_what, text, message) => {
    expect(() => decodeDefinition(text)).toThrow(DefinitionFormatError);
    expect(() => decodeDefinition(text)).toThrow(message);
  });
});
