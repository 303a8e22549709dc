// $batch: change sets are atomic, Content-ID references work inside them, and the batch stops at
// the first failure unless Prefer: odata.continue-on-error.
import { describe, expect, it } from "vitest";

import { seedIds } from "../../../src/emulator/seed.js";
import { body, useEmulator } from "./harness.js";

const h = useEmulator();
const FINOPS = seedIds.providerDefinition("msdyn_FinanceAndOperationsProvider");

function part(method: string, url: string, payload?: unknown, contentId?: string): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId) lines.push(`Content-ID: ${contentId}`);
  lines.push("", `${method} ${url} HTTP/1.1`);
  if (payload !== undefined)
    lines.push("Content-Type: application/json; type=entry", "", JSON.stringify(payload));
  else lines.push("");
  return lines.join("\r\n");
}

function changeSet(boundary: string, parts: string[]): string {
  return [
    `Content-Type: multipart/mixed; boundary=${boundary}`,
    "",
    ...parts.map((p) => `--${boundary}\r\n${p}`),
    `--${boundary}--`,
  ].join("\r\n");
}

function batch(items: string[], prefer?: string): Promise<Response> {
  const text = [...items.map((i) => `--batch_1\r\n${i}`), "--batch_1--", ""].join("\r\n");
  return h.api("$batch", {
    method: "POST",
    body: text,
    headers: { "Content-Type": "multipart/mixed; boundary=batch_1", ...(prefer ? { Prefer: prefer } : {}) },
  });
}

async function policyNames(): Promise<string[]> {
  const res = await h.api("msdyn_iompolicies?$select=msdyn_name&$orderby=msdyn_name");
  return (await body<{ value: Array<{ msdyn_name: string }> }>(res)).value.map((r) => r.msdyn_name);
}

describe("$batch", () => {
  it("runs a change set with a Content-ID reference, atomically, and answers with its parts", async () => {
    const res = await batch([
      changeSet("changeset_1", [
        part("POST", `${h.emulator.apiUrl}msdyn_iompolicies`, { msdyn_name: "Batch policy" }, "1"),
        part("POST", "msdyn_iomrules", { msdyn_name: "Batch rule", "msdyn_Policy@odata.bind": "$1" }, "2"),
        part("PATCH", "$1", { msdyn_description: "patched through $1" }, "3"),
      ]),
      part("GET", `msdyn_iomrules?$select=msdyn_name,_msdyn_policy_value`),
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    const text = await res.text();
    expect(text.match(/HTTP\/1\.1 204 No Content/g)).toHaveLength(3);
    expect(text).toMatch(/Content-ID: 1/);
    expect(text).toMatch(/HTTP\/1\.1 200 OK/);
    const rules = await body<{ value: Array<{ _msdyn_policy_value: string }> }>(
      await h.api("msdyn_iomrules"),
    );
    const policies = await body<{ value: Array<{ msdyn_iompolicyid: string; msdyn_description: string }> }>(
      await h.api("msdyn_iompolicies"),
    );
    expect(policies.value).toHaveLength(1);
    expect(policies.value[0]?.msdyn_description).toBe("patched through $1");
    expect(rules.value[0]?._msdyn_policy_value).toBe(policies.value[0]?.msdyn_iompolicyid);
    expect(text).toContain(`"msdyn_name":"Batch rule"`);
  });

  it("rolls a change set back when one of its requests fails, and stops the batch", async () => {
    const res = await batch([
      changeSet("changeset_a", [
        part("POST", "msdyn_iompolicies", { msdyn_name: "Never kept" }, "1"),
        part("POST", "msdyn_iompolicies", { msdyn_name: "Bad", msdyn_policytype: 42 }, "2"),
      ]),
      part("POST", "msdyn_iompolicies", { msdyn_name: "Not run either" }),
    ]);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("0x8004431a");
    expect(text.match(/HTTP\/1\.1/g)).toHaveLength(1);
    expect(await policyNames()).toEqual([]);
  });

  it("goes on after a failure under Prefer: odata.continue-on-error", async () => {
    const res = await batch(
      [
        part("POST", "msdyn_iompolicies", { msdyn_name: "Bad", msdyn_colour: "red" }),
        part("POST", "msdyn_iompolicies", { msdyn_name: "Good" }),
        part("GET", `msdyn_iomproviderdefinitions(${FINOPS})?$select=msdyn_displayname`),
      ],
      "odata.continue-on-error",
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Preference-Applied")).toBe("odata.continue-on-error");
    const text = await res.text();
    expect(text).toMatch(/HTTP\/1\.1 400 Bad Request/);
    expect(text).toMatch(/HTTP\/1\.1 204 No Content/);
    expect(text).toContain("Microsoft Finance and Operations apps");
    expect(await policyNames()).toEqual(["Good"]);
  });

  it("refuses forward references, GET inside a change set, and a body that is not multipart", async () => {
    const forward = await batch([
      changeSet("changeset_f", [
        part("POST", "msdyn_iomrules", { msdyn_name: "R", "msdyn_Policy@odata.bind": "$9" }, "1"),
      ]),
    ]);
    expect(forward.status).toBe(400);
    expect(await forward.text()).toContain("0x80048d19");
    const withGet = await batch([changeSet("changeset_g", [part("GET", "accounts", undefined, "1")])]);
    expect(withGet.status).toBe(400);
    const notMultipart = await h.api("$batch", { method: "POST", json: {} });
    expect(notMultipart.status).toBe(400);
    expect(await policyNames()).toEqual([]);
  });
});
