// The provider connection kind against the emulator: saved inactive, activated, rebound (while
// inactive) to another Power Platform connection, read back as the YAML has it, deleted.
import { describe, expect, it } from "vitest";
import { columns, connectionStatus, entitySetNames } from "../../../src/iom/facts.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import { providerConnection } from "../../../src/resources/provider-connection/provider.js";
import { useEmulator } from "../dataverse/harness.js";
import { FINOPS, FINOPS_CONNECTION, sessionOn } from "./setup.js";

const h = useEmulator();

describe("provider connection", () => {
  it("keeps a connection inactive while it is rebound, then activates it again", async () => {
    const s = await sessionOn(h);
    const provider = await iomProvider.create(
      { name: "finops", definition: FINOPS, activated: true, recordId: derivedId("test", "finops") },
      s,
    );
    const inputs = {
      name: "c",
      provider: "finops",
      connection: FINOPS_CONNECTION,
      connectionId: "one",
      activated: true,
      recordId: derivedId("test", "c"),
      providerId: provider.id,
    };
    const created = await providerConnection.create(inputs, s);
    expect(await providerConnection.read(created.id, created.outs, s)).toEqual(created.outs);
    const updated = await providerConnection.update(
      created.id,
      created.outs,
      { ...inputs, connectionId: "two" },
      s,
    );
    expect(await providerConnection.read(created.id, updated, s)).toMatchObject({
      connectionId: "two",
      activated: true,
    });
    const [row] = await s.client.list(entitySetNames.msdyn_iomproviderconnectionreference, {
      select: [columns.providerConnectionRef.status],
    });
    expect(row![columns.providerConnectionRef.status]).toBe(connectionStatus.active.value);

    const inactive = await providerConnection.update(
      created.id,
      updated,
      { ...inputs, connectionId: "two", activated: false },
      s,
    );
    expect(await providerConnection.read(created.id, inactive, s)).toMatchObject({ activated: false });

    await providerConnection.delete(created.id, inactive, s);
    expect(await providerConnection.read(created.id, inactive, s)).toBeUndefined();
    await providerConnection.delete(created.id, inactive, s); // already gone: deleted
    await iomProvider.delete(provider.id, provider.outs, s);
  });

  it("names the definition's connections when the one asked for does not exist", async () => {
    const s = await sessionOn(h);
    const provider = await iomProvider.create(
      { name: "finops", definition: FINOPS, activated: true, recordId: derivedId("test", "finops") },
      s,
    );
    await expect(
      providerConnection.create(
        {
          name: "c",
          provider: "finops",
          connection: "No such connection",
          connectionId: "x",
          activated: true,
          recordId: derivedId("test", "c"),
          providerId: provider.id,
        },
        s,
      ),
    ).rejects.toThrow(/no connection "No such connection".*Dataverse \(current environment\) Connection/);
    await iomProvider.delete(provider.id, provider.outs, s);
  });
});

describe("provider connection rebinding", () => {
  /** The writes to connection references, in the order the client sent them. */
  function recordWrites(s: Awaited<ReturnType<typeof sessionOn>>): { writes: string[]; stop(): void } {
    const send = s.client.request.bind(s.client);
    const writes: string[] = [];
    const status = columns.providerConnectionRef.status;
    const url = columns.providerConnectionRef.connectionUrl;
    s.client.request = (async (spec: Parameters<typeof send>[0]) => {
      if (
        spec.method === "PATCH" &&
        spec.path.startsWith(entitySetNames.msdyn_iomproviderconnectionreference)
      ) {
        const body = (spec.body ?? {}) as Record<string, unknown>;
        if (url in body)
          writes.push(
            `url ${String(body[url]).replace(/.*\/connections\/(?:[^/]+\/)*?([^/]+)\/details$/, "$1")}`,
          );
        if (status in body)
          writes.push(body[status] === connectionStatus.active.value ? "activate" : "deactivate");
      }
      return send(spec);
    }) as typeof s.client.request;
    return { writes, stop: () => (s.client.request = send) };
  }

  it("rebinds an adopted active connection only while it is inactive: deactivate, rebind, activate", async () => {
    const s = await sessionOn(h);
    const provider = await iomProvider.create(
      { name: "finops", definition: FINOPS, activated: true, recordId: derivedId("test", "finops") },
      s,
    );
    const base = {
      name: "c",
      provider: "finops",
      connection: FINOPS_CONNECTION,
      activated: true,
      providerId: provider.id,
    };
    // Set up by hand (another stack's record id): bound to "one", active.
    await providerConnection.create({ ...base, connectionId: "one", recordId: derivedId("hand", "c") }, s);
    const log = recordWrites(s);
    try {
      const adopted = await providerConnection.create(
        { ...base, connectionId: "two", recordId: derivedId("test", "c") },
        s,
      );
      expect(adopted.outs.adopted).toBe(true);
      expect(log.writes).toEqual(["deactivate", "url two", "activate"]);
      // Already bound to "two": adopting again writes no URL, only the status it asks for.
      log.writes.length = 0;
      await providerConnection.create({ ...base, connectionId: "two", recordId: derivedId("test", "c") }, s);
      expect(log.writes).toEqual(["activate"]);
      // An update rebinds in the same order.
      log.writes.length = 0;
      await providerConnection.update(
        adopted.id,
        adopted.outs,
        { ...base, connectionId: "three", recordId: derivedId("test", "c") },
        s,
      );
      expect(log.writes).toEqual(["deactivate", "url three", "activate"]);
    } finally {
      log.stop();
    }
  });
});

describe("the Connection URL", () => {
  it("is asked for beside the search for an existing connection, not after it", async () => {
    const setup = await sessionOn(h);
    const provider = await iomProvider.create(
      { name: "finops", definition: FINOPS, activated: true, recordId: derivedId("test", "finops-rounds") },
      setup,
    );
    // Each request's start and end, by what it asks for; every answer a little late, so that
    // requests sent together overlap unmistakably.
    const log: Array<{ path: string; start: number; end: number }> = [];
    const slow: typeof fetch = async (input, init) => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const response = await fetch(input, init);
      log.push({ path: decodeURIComponent(String(input)), start, end: performance.now() });
      return response;
    };
    const client = h.client({}, { fetch: slow }).dv;
    const s = { ...setup, client };
    await providerConnection.create(
      {
        name: "c",
        provider: "finops",
        connection: FINOPS_CONNECTION,
        connectionId: "conn-rounds",
        activated: false,
        recordId: derivedId("test", "c-rounds"),
        providerId: provider.id,
      },
      s,
    );
    const search = log.find((r) =>
      r.path.includes(`${entitySetNames.msdyn_iomproviderconnectionreference}?`),
    );
    const organization = log.find((r) => r.path.includes("RetrieveCurrentOrganization"));
    expect(search && organization).toBeTruthy();
    expect(organization!.start).toBeLessThan(search!.end);
    expect(search!.start).toBeLessThan(organization!.end);
  });

  it("is the connection page's address, with the environment's id and the definition's connector", async () => {
    const s = await sessionOn(h);
    const environmentId = await s.client.environmentId();
    expect(environmentId).toMatch(/^[0-9a-f-]{36}$/);
    const provider = await iomProvider.create(
      { name: "finops", definition: FINOPS, activated: true, recordId: derivedId("test", "finops-url") },
      s,
    );
    const created = await providerConnection.create(
      {
        name: "c",
        provider: "finops",
        connection: FINOPS_CONNECTION,
        connectionId: "shared-commondataser-9a8b",
        activated: false,
        recordId: derivedId("test", "c-url"),
        providerId: provider.id,
      },
      s,
    );
    const row = await s.client.retrieve(entitySetNames.msdyn_iomproviderconnectionreference, created.id, {
      select: [columns.providerConnectionRef.connectionUrl],
    });
    expect(row[columns.providerConnectionRef.connectionUrl]).toBe(
      `https://make.powerautomate.com/environments/${environmentId}/connections/shared_commondataserviceforapps/shared-commondataser-9a8b/details`,
    );
    expect((await providerConnection.read(created.id, created.outs, s))?.connectionId).toBe(
      "shared-commondataser-9a8b",
    );
  });
});
