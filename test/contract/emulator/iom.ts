// Builds IOM configuration through the Web API for the relationship and lifecycle tests, as a
// client would: lookups bound under their navigation property names, choices by inferred value,
// flow definitions written by the one encoder.
import { expect } from "vitest";

import { seedIds } from "../../../src/emulator/seed.js";
import { FINOPS_CONNECTION, FINOPS_SEND_TO_FULFILLMENT } from "../../../src/iom/catalog.js";
import { encodeDefinition, type StoredStep } from "../../../src/iom/formats/orchestration-definition.js";
import { columns, connectionStatus, providerStatus, publishStatus } from "../../../src/iom/facts.js";
import { body, idFrom, type Harness } from "./harness.js";

export const FINOPS = seedIds.providerDefinition("msdyn_FinanceAndOperationsProvider");
export const SHOPIFY = seedIds.providerDefinition("msdyn_shopify");

export const SETS = {
  definitions: "msdyn_iomproviderdefinitions",
  definitionConnections: "msdyn_iomproviderdefinitionconnectionrefs",
  logicDefinitions: "msdyn_iomproviderdefinitionlogicdefinitions",
  providers: "msdyn_iomproviders",
  connections: "msdyn_iomproviderconnectionreferences",
  parameters: "msdyn_iomproviderparameters",
  policies: "msdyn_iompolicies",
  rules: "msdyn_iomrules",
  flows: "msdyn_iomdesigners",
} as const;

export type ErrorBody = { error: { code: string; message: string } };
type Json = Record<string, unknown>;

/** Expects a refusal with this status and code whose message contains every fragment. */
export async function expectError(
  res: Response,
  status: number,
  code: string,
  ...fragments: string[]
): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const { error } = JSON.parse(text) as ErrorBody;
  expect(error.code).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error.message;
}

/** A refusal by one of IOM's lifecycle rules: 400 with the plug-in (business process) code. */
export const expectRuleError = (res: Response, ...fragments: string[]): Promise<string> =>
  expectError(res, 400, "0x80040265", ...fragments);

export function iomClient(h: Harness) {
  async function create(set: string, json: Json): Promise<string> {
    const res = await h.api(set, { method: "POST", json });
    expect(res.status, await res.clone().text()).toBe(204);
    return idFrom(res);
  }
  const update = (set: string, id: string, json: Json): Promise<Response> =>
    h.api(`${set}(${id})`, { method: "PATCH", json });
  const remove = (set: string, id: string): Promise<Response> => h.api(`${set}(${id})`, { method: "DELETE" });

  async function read(set: string, id: string): Promise<Json> {
    const res = await h.api(`${set}(${id})`);
    expect(res.status).toBe(200);
    return body(res);
  }

  async function list(set: string, filter: string): Promise<Json[]> {
    const res = await h.api(`${set}?$filter=${encodeURIComponent(filter)}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await body<{ value: Json[] }>(res)).value;
  }

  async function count(set: string): Promise<number> {
    const res = await h.api(`${set}?$count=true&$top=0`);
    return (await body<{ "@odata.count": number }>(res))["@odata.count"];
  }

  /** The F&O definition's one connection (a definition connection reference). */
  async function finopsConnection(): Promise<string> {
    const rows = await list(SETS.definitionConnections, `_msdyn_iomproviderdefinition_value eq ${FINOPS}`);
    expect(rows.map((r) => r.msdyn_displayname)).toEqual([FINOPS_CONNECTION]);
    return rows[0]?.msdyn_iomproviderdefinitionconnectionrefid as string;
  }

  /** The id of a logic definition of a catalog definition, by display name. */
  async function action(definition: string, name: string): Promise<string> {
    const rows = await list(
      SETS.logicDefinitions,
      `_msdyn_iomproviderdefinition_value eq ${definition} and msdyn_displayname eq '${name}'`,
    );
    expect(rows).toHaveLength(1);
    return rows[0]?.msdyn_iomproviderdefinitionlogicdefinitionid as string;
  }

  /** An installed (not activated) F&O provider. */
  const provider = (name = "F&O"): Promise<string> =>
    create(SETS.providers, {
      msdyn_name: name,
      "msdyn_IOMProviderDefinition@odata.bind": `/${SETS.definitions}(${FINOPS})`,
      [columns.provider.status]: providerStatus.installed.value,
    });

  /** The provider's connection for the F&O definition's connection, saved but not activated. */
  const connection = async (providerId: string, url: string | null = "https://make.powerautomate.com/c/1") =>
    create(SETS.connections, {
      msdyn_name: "F&O connection",
      "msdyn_IOMProvider@odata.bind": `/${SETS.providers}(${providerId})`,
      "msdyn_IOMProviderDefinitionConnectionRef@odata.bind": `/${SETS.definitionConnections}(${await finopsConnection()})`,
      [columns.providerConnectionRef.connectionUrl]: url,
      [columns.providerConnectionRef.status]: connectionStatus.inactive.value,
    });

  const setConnection = (id: string, status: typeof connectionStatus.active): Promise<Response> =>
    update(SETS.connections, id, { [columns.providerConnectionRef.status]: status.value });

  const setProvider = (id: string, status: typeof providerStatus.activated): Promise<Response> =>
    update(SETS.providers, id, { [columns.provider.status]: status.value });

  /** An activated F&O provider, set up in IOM's order: connection, activate it, activate provider. */
  async function activatedProvider(name = "F&O"): Promise<string> {
    const id = await provider(name);
    expect((await setConnection(await connection(id), connectionStatus.active)).status).toBe(204);
    expect((await setProvider(id, providerStatus.activated)).status).toBe(204);
    return id;
  }

  const rule = (policyId: string, name = "Set company"): Promise<string> =>
    create(SETS.rules, {
      msdyn_name: name,
      "msdyn_Policy@odata.bind": `/${SETS.policies}(${policyId})`,
      [columns.rule.ruleDefinition]: "{}",
    });

  const setPublished = (set: string, column: string, id: string, published: boolean): Promise<Response> =>
    update(set, id, { [column]: (published ? publishStatus.published : publishStatus.unpublished).value });
  const setPolicyPublished = (id: string, published: boolean): Promise<Response> =>
    setPublished(SETS.policies, columns.policy.publishStatus, id, published);
  const setFlowPublished = (id: string, published: boolean): Promise<Response> =>
    setPublished(SETS.flows, columns.designer.publishStatus, id, published);

  /** A policy with one rule, published. */
  async function publishedPolicy(name = "Company policy"): Promise<string> {
    const id = await create(SETS.policies, { msdyn_name: name });
    await rule(id);
    expect((await setPolicyPublished(id, true)).status).toBe(204);
    return id;
  }

  /** A custom step calling the F&O "send order to fulfillment" action of a provider. */
  async function step(
    providerId: string,
    policyIds: string[] = [],
    logicDefinitionId?: string,
  ): Promise<StoredStep> {
    return {
      name: "Send Order to FinOps for Fulfillment",
      tile: "custom",
      inputEvents: [],
      filterPolicyIds: [],
      executionPolicyIds: policyIds,
      providerAction: {
        providerId,
        logicDefinitionId: logicDefinitionId ?? (await action(FINOPS, FINOPS_SEND_TO_FULFILLMENT)),
      },
    };
  }

  /** An unpublished orchestration flow with these steps. */
  const flow = (steps: StoredStep[], name = "Order flow"): Promise<string> =>
    create(SETS.flows, {
      msdyn_name: name,
      [columns.designer.definition]: encodeDefinition({ formatVersion: 1, steps }),
    });

  return {
    create,
    update,
    remove,
    read,
    list,
    count,
    finopsConnection,
    action,
    provider,
    connection,
    setConnection,
    setProvider,
    activatedProvider,
    rule,
    setPolicyPublished,
    setFlowPublished,
    publishedPolicy,
    step,
    flow,
  };
}
