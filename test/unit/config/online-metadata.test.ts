// Validation against an environment's own metadata (the program's, and `iom validate --online`):
// how many round trips it costs. Each round is a round trip that a real environment's latency adds
// to every `pulumi preview` and `up`, before anything is declared.
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { OnlineMetadataSource } from "../../../src/config/online-metadata.js";
import { loadDesiredState } from "../../../src/config/validate.js";
import { clearMetadataCache } from "../../../src/dataverse/metadata.js";
import { fakeEnvironment, registryTables } from "../iom/fake-environment.js";

const ROOT = path.resolve(__dirname, "../../..");

beforeEach(() => clearMetadataCache());

describe("OnlineMetadataSource", () => {
  it("reads a table's definition, its columns and its lookups' targets in one round", async () => {
    const env = fakeEnvironment(registryTables());
    const table = await new OnlineMetadataSource(env.client).getTable("salesorderdetail");
    const order = table?.attributes.find((a) => a.logicalName === "salesorderid");
    expect(order).toMatchObject({ type: "Lookup", targets: ["salesorder"] });
    // Definition, columns and relationships in one answer.
    expect(env.requests).toHaveLength(1);
    expect(env.rounds()).toBe(1);
  });

  it("answers undefined for a table the environment lacks, with no stray rejection", async () => {
    const env = fakeEnvironment(registryTables().filter((t) => t.logicalName !== "salesorder"));
    // An unhandled rejection (the columns' 404) would fail this test run.
    await expect(new OnlineMetadataSource(env.client).getTable("salesorder")).resolves.toBeUndefined();
  });
});

describe("validating the article's stack online", () => {
  it("reads every table once, all in one round, related entities included", async () => {
    const env = fakeEnvironment(registryTables());
    const { validation, state } = await loadDesiredState("stacks/local.iom.yaml", {
      cwd: ROOT,
      metadata: new OnlineMetadataSource(env.client),
    });
    expect(validation.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(state).toBeDefined();
    // The policies' tables (orders, order lines, and the order an order-line rule relates to
    // through its lookup) and the dual-write maps' tables: asked for together, in one request.
    expect(env.requests).toHaveLength(1);
    expect(env.maxTablesInFlight()).toBe(2);
    expect(env.requests[0]).toContain('"Value":"salesorder"');
    expect(env.requests[0]).toContain('"Value":"salesorderdetail"');
    expect(env.rounds()).toBe(1);
  });
});
