// The program's side of secret provider parameters, under Pulumi's mocks: `{ secret: key }` becomes
// the stack config's value as a secret Output (plain parameters stay as written), the provider is
// told which parameters are secret by name only, and the config lookup the validation uses tells a
// secret key from a plain one and from a missing one.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { stackSecretConfig, withSecretParameters } from "../../../src/program/secret-parameters.js";
import type { IomProvider } from "../../../src/generated/iom-provider.js";

const API_KEY = "shpat_0123456789abcdef";

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) },
    "project",
    "prod",
    true,
  );
  pulumi.runtime.setAllConfig({ "iom:shopifyApiKey": API_KEY, "iom:pageSize": "50" }, ["iom:shopifyApiKey"]);
});

const spec: IomProvider = {
  name: "shopify",
  definition: "Shopify",
  activated: false,
  parameters: { "API key": { secret: "shopifyApiKey" }, "Page size": 50, Sandbox: true },
};

/** An Output's value and whether it is secret. */
async function unwrap(
  value: pulumi.Input<string | number | boolean>,
): Promise<{ value: unknown; secret: boolean }> {
  const output = pulumi.output(value) as pulumi.Output<unknown>;
  return {
    value: await new Promise((resolve) => output.apply(resolve)),
    secret: await pulumi.isSecret(output),
  };
}

describe("withSecretParameters", () => {
  it("puts the config's value, as a secret, in place of the reference, and names the secret parameters", async () => {
    const args = withSecretParameters(spec);
    expect(args.secretParameters).toEqual(["API key"]);
    expect(Object.keys(args.parameters ?? {})).toEqual(["API key", "Page size", "Sandbox"]);
    expect(await unwrap(args.parameters!["API key"]!)).toEqual({ value: API_KEY, secret: true });
    expect(args.parameters!["Page size"]).toBe(50);
    expect(args.parameters!["Sandbox"]).toBe(true);
    expect({ name: args.name, definition: args.definition, activated: args.activated }).toEqual({
      name: "shopify",
      definition: "Shopify",
      activated: false,
    });
  });

  it("leaves a provider without secret parameters exactly as written", () => {
    const plain: IomProvider = { ...spec, parameters: { "Page size": 50 } };
    expect(withSecretParameters(plain)).toEqual(plain);
    const none: IomProvider = { name: "f", definition: "Flexe", activated: true };
    expect(withSecretParameters(none)).toEqual(none);
  });
});

describe("stackSecretConfig", () => {
  it("says whether the stack sets a key, and whether as a secret, without giving its value", () => {
    const lookup = stackSecretConfig();
    expect(lookup.stack).toBe("prod");
    expect(["shopifyApiKey", "pageSize", "absent"].map((k) => lookup.state(k))).toEqual([
      "secret",
      "plain",
      "missing",
    ]);
  });
});
