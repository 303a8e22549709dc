// The emulator's console over real sockets: signing in with the token (which never comes back in a
// page, a cookie or an error), the model a person reads (rules in words, filter clauses one a line,
// flows as steps with their provider action, the latest writes without their bodies), the ETag of
// the JSON, the view pushed over server-sent events when the data changes, and read-only routes.
// Rules and flows are written with the client's own encoders (src/iom/formats): the console's
// reader must understand what iom-gitops writes.
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";

import type { ConsoleModel } from "../../../src/emulator/console/index.js";
import { SALES_ORDER_HEADERS_MAP, dualWriteSeedIds } from "../../../src/emulator/dual-write-seed.js";
import { FINOPS_SEND_TO_FULFILLMENT } from "../../../src/iom/catalog.js";
import { associatedEntity, columns, policyType, publishStatus } from "../../../src/iom/facts.js";
import { encodeRuleDefinition, type StoredRule } from "../../../src/iom/formats/rule-definition.js";
import { body, useEmulator } from "./harness.js";
import { FINOPS, SETS, iomClient } from "./iom.js";

// A token of its own, so that any echo of it in a page, cookie or error is unmistakable.
const TOKEN = `console-${randomBytes(12).toString("hex")}`;
const h = useEmulator({ token: TOKEN });
const iom = iomClient(h);
const HEADERS = dualWriteSeedIds.project(SALES_ORDER_HEADERS_MAP);

/** A request without the bearer token (a browser's), no redirects followed. */
function visit(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL(path, h.emulator.url), { redirect: "manual", ...init });
}

async function signIn(): Promise<string> {
  const res = await visit(`/?token=${encodeURIComponent(TOKEN)}`);
  expect(res.status).toBe(303);
  return (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

async function model(): Promise<ConsoleModel> {
  const res = await h.raw("/_console/model");
  expect(res.status).toBe(200);
  return body<ConsoleModel>(res);
}

const rule = (r: StoredRule) => encodeRuleDefinition(r);

/** Two policies as the article's stack writes them, published. */
async function articlePolicies(): Promise<{ order: string; lines: string }> {
  const policy = async (name: string, entity: number, definition: string, ruleName: string) => {
    const id = await iom.create(SETS.policies, {
      msdyn_name: name,
      [columns.policy.policyType]: policyType.execution.value,
      [columns.policy.associatedEntity]: entity,
    });
    await iom.create(SETS.rules, {
      msdyn_name: ruleName,
      "msdyn_Policy@odata.bind": `/${SETS.policies}(${id})`,
      [columns.rule.ruleDefinition]: definition,
    });
    expect((await iom.setPolicyPublished(id, true)).status).toBe(204);
    return id;
  };
  const order = await policy(
    "FinOps sales order parameters",
    associatedEntity.order.value,
    rule({
      condition: {
        or: [
          { column: "msdyn_company", operator: "null" },
          { column: "msdyn_invoicecustomer", operator: "null" },
        ],
      },
      actions: [
        { column: "msdyn_company", value: "usmf" },
        { column: "msdyn_invoicecustomer", value: "US-001" },
      ],
    }),
    "Assign company and invoice customer",
  );
  const lines = await policy(
    "FinOps order product parameters",
    associatedEntity.orderProduct.value,
    rule({
      condition: {
        and: [
          { column: "msdyn_shippingwarehouse", operator: "null" },
          {
            related: { table: "salesorder", lookup: "salesorderid" },
            where: { column: "msdyn_ordertype", operator: "eq", value: 192350000 },
          },
        ],
      },
      actions: [{ column: "msdyn_company", value: "usmf" }],
    }),
    "Assign company",
  );
  return { order, lines };
}

/** Runs a gateway action on the headers map and reads its status until it is done, as DWA does. */
async function mapAction(action: string): Promise<void> {
  const [env] = await body<Array<{ cid: string }>>(
    await h.gateway("Environments?targetType=AX&identifier=finops.emulator.local"),
  );
  const maps = await body<Array<{ detail: { pid: string; tid: string } }>>(
    await h.gateway(`Entities?targetType=AX&cid=${env!.cid}`),
  );
  const tid = maps.find((m) => m.detail.pid === HEADERS)!.detail.tid;
  const res = await h.gateway("Start", {
    method: "POST",
    json: { action, details: [{ tid, pid: HEADERS, cid: env!.cid }] },
  });
  const { requestId } = await body<{ requestId: string }>(res);
  for (let reads = 0; reads < 10; reads++) {
    const [status] = await body<
      Array<{ detail: { lastRequests: Array<{ requestId: string; state: string }> } }>
    >(await h.gateway(`Status/${requestId}`));
    const state = status!.detail.lastRequests.find((r) => r.requestId === requestId)!.state;
    if (state === "2") return;
    if (state !== "1") throw new Error(`action ${action} failed`);
  }
  throw new Error(`action ${action} never finished`);
}

describe("signing in to the console", () => {
  it("asks for the token, takes it once, and keeps it out of pages, cookies and errors", async () => {
    const first = await visit("/");
    expect(first.status).toBe(401);
    const signInPage = await first.text();
    expect(signInPage).toContain('<form method="post" action="/">');

    const wrong = await visit("/?token=not-the-token-at-all");
    expect(wrong.status).toBe(401);
    const refused = await wrong.text();
    expect(refused).toContain("That token was not accepted.");
    expect(refused).not.toContain("not-the-token-at-all");

    const cookie = await signIn();
    expect(cookie).toMatch(new RegExp(`^iom_console_${new URL(h.emulator.url).port}=[A-Za-z0-9_-]{43}$`));
    const res = await visit(`/?token=${TOKEN}`);
    expect(res.headers.get("location")).toBe("/");
    expect(res.headers.get("set-cookie")).toMatch(/; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(res.headers.get("set-cookie")).not.toContain(TOKEN);

    const page = await visit("/", { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('sse-connect="/_console/events"');
    expect(html).toContain("Dual-write maps");
    expect(html).not.toContain(TOKEN);

    // The sign-in form posts the token in the body; a form on another site may not.
    const form = await visit("/", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(form.status).toBe(303);
    const crossSite = await visit("/", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://evil.example" },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(crossSite.status).toBe(403);

    // An unknown session, and no session, get nothing but the sign-in page or a 401.
    expect((await visit("/", { headers: { Cookie: `${cookie.split("=")[0]}=forged` } })).status).toBe(401);
    const unauthorised = await visit("/_console/model");
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.text()).not.toContain(TOKEN);
  });

  it("answers on the loopback names only (a page served under another name cannot use it)", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(h.emulator.url);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: `/?token=${TOKEN}`,
          headers: { Host: `rebound.example:${url.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it("is read-only, and serves htmx and its SSE extension from the installed packages", async () => {
    expect((await h.raw("/_console/model", { method: "POST" })).status).toBe(405);
    expect((await h.raw("/", { method: "DELETE" })).status).toBe(405);
    const htmx = await visit("/_console/static/htmx.min.js");
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await htmx.text()).toContain("htmx");
    expect(await (await visit("/_console/static/sse.js")).text()).toContain("defineExtension('sse'");
  });
});

describe("what the console shows", () => {
  it("providers with their connections, policies with their rules in words, flows as steps", async () => {
    const { order, lines } = await articlePolicies();
    const provider = await iom.activatedProvider("finops");
    const flow = await iom.flow([
      {
        name: "Validate order header",
        tile: "validate order header",
        inputEvents: [],
        filterPolicyIds: [],
        executionPolicyIds: [],
        providerAction: null,
      },
      await iom.step(provider, [order, lines]),
    ]);
    expect((await iom.setFlowPublished(flow, true)).status).toBe(204);

    const m = await model();
    expect(m.providers).toEqual([
      {
        name: "finops",
        definition: "Microsoft Finance and Operations apps",
        status: "Activated",
        connections: [
          {
            name: "F&O connection",
            definitionConnection:
              "Microsoft Finance and Operations Dataverse (current environment) Connection",
            status: "Active",
            connectionUrl: "https://make.powerautomate.com/c/1",
          },
        ],
      },
    ]);
    expect(m.policies.map((p) => [p.name, p.status, p.type, p.entity, p.rules])).toEqual([
      [
        "FinOps order product parameters",
        "Published",
        "Execution Policy",
        "Order product",
        [
          {
            name: "Assign company",
            words:
              "when Shipping Warehouse does not contain data and the Order's Order Type equals Item based, set Company to usmf",
          },
        ],
      ],
      [
        "FinOps sales order parameters",
        "Published",
        "Execution Policy",
        "Order",
        [
          {
            name: "Assign company and invoice customer",
            words:
              "when Company does not contain data or Invoice Customer does not contain data, set Company to usmf and Invoice Customer to US-001",
          },
        ],
      ],
    ]);
    expect(m.flows).toEqual([
      {
        name: "Order flow",
        status: "Published",
        steps: [
          { name: "Validate order header", tile: "validate order header", policies: [], action: null },
          {
            name: "Send Order to FinOps for Fulfillment",
            tile: "custom",
            policies: ["FinOps sales order parameters", "FinOps order product parameters"],
            action: { provider: "finops", action: FINOPS_SEND_TO_FULFILLMENT },
          },
        ],
      },
    ]);

    // The page says the same, one rule a paragraph.
    const html = await (await h.raw("/")).text();
    expect(html).toContain(
      '<p class="words">when Company does not contain data or Invoice Customer does not contain data, set Company to usmf and Invoice Customer to US-001</p>',
    );
    expect(html).toContain('<span class="provider-action">Send order to fulfillment</span>');
  });

  it("a map's filter one clause a line, from its active version, with its state", async () => {
    const filter =
      "msdyn_ordertype eq 192350000 and (statuscode eq 1 or statuscode eq 2) and name ne 'Parts and labour' or msdyn_isreadytosync eq true";
    await mapAction("4"); // stop: the active version can only be edited while the map is stopped
    const version = (
      await body<{ value: Array<Record<string, unknown>> }>(
        await h.api(`msdyn_dualwriteentitymaps?$filter=msdyn_name eq '${SALES_ORDER_HEADERS_MAP}'`),
      )
    ).value[0]!;
    const mapping = JSON.parse(String(version.msdyn_mapping)) as { legs: Array<Record<string, unknown>> };
    mapping.legs[0]!.reversedSourceFilter = filter;
    const patch = await h.api(`msdyn_dualwriteentitymaps(${String(version.msdyn_dualwriteentitymapid)})`, {
      method: "PATCH",
      json: { msdyn_mapping: JSON.stringify(mapping) },
    });
    expect(patch.status).toBe(204);

    const headers = (await model()).maps.find((map) => map.name === SALES_ORDER_HEADERS_MAP)!;
    expect(headers.state).toBe("Stopped");
    expect(headers.dataverseFilter).toEqual([
      "msdyn_ordertype eq 192350000",
      "and (statuscode eq 1 or statuscode eq 2)",
      "and name ne 'Parts and labour'",
      "or msdyn_isreadytosync eq true",
    ]);
    const html = await (await h.raw("/")).text();
    expect(html).toContain("<li><code>and (statuscode eq 1 or statuscode eq 2)</code></li>");

    await mapAction("1");
    expect((await model()).maps.find((map) => map.name === SALES_ORDER_HEADERS_MAP)!.state).toBe("Running");
  });

  it("the latest writes name their record, never their body", async () => {
    const provider = await iom.provider("finops");
    const parameter = await body<{ value: Array<Record<string, unknown>> }>(
      await h.api(
        `msdyn_iomproviderdefinitionparameters?$filter=_msdyn_iomproviderdefinition_value eq ${FINOPS}`,
      ),
    );
    const secret = `secret-${randomBytes(8).toString("hex")}`;
    await iom.create(SETS.parameters, {
      msdyn_name: "Disable Status Update Handlers",
      "msdyn_IOMProvider@odata.bind": `/${SETS.providers}(${provider})`,
      "msdyn_IOMProviderDefinitionParameter@odata.bind": `/msdyn_iomproviderdefinitionparameters(${String(
        parameter.value[0]!.msdyn_iomproviderdefinitionparameterid,
      )})`,
      msdyn_value: secret,
    });
    const policy = await iom.create(SETS.policies, { msdyn_name: "Written last" });
    await iom.update(SETS.policies, policy, { msdyn_description: "edited" });

    const res = await h.raw("/_console/model");
    const text = await res.text();
    expect(text).not.toContain(secret);
    const m = JSON.parse(text) as ConsoleModel;
    expect(m.writes.map((w) => [w.method, w.record])).toEqual([
      ["PATCH", "Policy 'Written last'"],
      ["POST", "Policy 'Written last'"],
      ["POST", "Provider Parameter 'Disable Status Update Handlers'"],
      ["POST", "Provider 'finops'"],
    ]);
    expect(m.records[0]).toMatchObject({ table: "Policy", name: "Written last" });
    expect(await (await h.raw("/")).text()).not.toContain(secret);
  });
});

describe("keeping the page current", () => {
  it("the model carries an ETag that changes with the data", async () => {
    const first = await h.raw("/_console/model");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await h.raw("/_console/model", { headers: { "If-None-Match": etag } })).status).toBe(304);
    await iom.create(SETS.policies, { msdyn_name: "A change" });
    const after = await h.raw("/_console/model", { headers: { "If-None-Match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
  });

  it("pushes the view over server-sent events at once, then when the data changes", async () => {
    const controller = new AbortController();
    const res = await h.raw("/_console/events", { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    /** The data of the next "view" event. */
    const nextView = async (): Promise<string> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith("event: view\n")) continue;
          return frame
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the event stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    };
    try {
      expect(await nextView()).toContain("No policy.");
      await iom.create(SETS.policies, {
        msdyn_name: "Pushed policy",
        [columns.policy.publishStatus]: publishStatus.unpublished.value,
      });
      const view = await nextView();
      expect(view).toContain("Pushed policy");
      expect(view).toContain("Unpublished");
    } finally {
      controller.abort();
    }
  });
});
