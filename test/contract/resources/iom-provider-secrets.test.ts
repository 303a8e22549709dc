// A secret provider parameter against the emulator: the Dataverse row gets the real value, and an
// error about it never shows the value, even when the environment's answer quotes it (Dataverse's
// validation messages can), while a plain parameter's value shows as before.
import { describe, expect, it } from "vitest";
import { entitySetNames } from "../../../src/iom/facts.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { useEmulator } from "../dataverse/harness.js";
import { sessionOn } from "./setup.js";
import { addDefinitionParameter } from "./secret-parameter.js";

const h = useEmulator();

const STORED = "shpat_stored_6c1f0e9a";
const ROTATED = "shpat_rotated_2b7d4c11";
const PLAIN = "https://plain-1f2e3d.myshopify.com";

/** A session whose parameter writes are refused with a message that quotes the value sent. */
async function quotingSession(): Promise<Session> {
  const quoting: typeof fetch = async (input, init) => {
    const url = String(input);
    if (init?.method !== "PATCH" || !url.includes(`/${entitySetNames.msdyn_iomproviderparameter}(`))
      return fetch(input, init);
    const sent = JSON.parse(String(init.body)) as { msdyn_value?: string };
    return new Response(
      JSON.stringify({
        error: {
          code: "0x80044331",
          message: `The value '${sent.msdyn_value}' of msdyn_value is not valid for this provider.`,
        },
      }),
      { status: 400, headers: { "content-type": "application/json" } },
    );
  };
  const client = h.client({}, { fetch: quoting }).dv;
  const who = await client.whoAmI();
  return { client, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted: false };
}

describe("a secret provider parameter", () => {
  it("is written to its row as it is, and no error shows it", async () => {
    const s = await sessionOn(h);
    await addDefinitionParameter(s, "Shopify", "API key");
    await addDefinitionParameter(s, "Shopify", "Store URL");
    const inputs = {
      name: "shopify",
      definition: "Shopify",
      activated: false,
      parameters: { "API key": STORED, "Store URL": "https://contoso.myshopify.com" },
      secretParameters: ["API key"],
      recordId: derivedId("test", "shopify"),
    };
    const created = await iomProvider.create(inputs, s);
    const rows = await s.client.list(entitySetNames.msdyn_iomproviderparameter, {
      select: ["msdyn_name", "msdyn_value"],
    });
    expect(rows.map((r) => [r.msdyn_name, r.msdyn_value]).sort()).toEqual([
      ["API key", STORED],
      ["Store URL", "https://contoso.myshopify.com"],
    ]);

    const refused = await quotingSession();
    const rotate = { ...inputs, parameters: { ...inputs.parameters, "API key": ROTATED } };
    const error = (await iomProvider
      .update(created.id, created.outs, rotate, refused)
      .catch((e) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain("The value '[redacted]' of msdyn_value is not valid");
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(ROTATED);

    // The same answer about a plain parameter quotes its value: the redaction above is the secret's.
    const plain = { ...inputs, parameters: { ...inputs.parameters, "Store URL": PLAIN } };
    const shown = (await iomProvider
      .update(created.id, created.outs, plain, refused)
      .catch((e) => e)) as Error;
    expect(shown.message).toContain(`The value '${PLAIN}' of msdyn_value`);
  });
});
