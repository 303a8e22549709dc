// The IOM provider, its activation and its connection, driven through their implementations
// against the emulator over HTTP: IOM's order (connection saved and activated, then the provider
// activated; deactivated before deleted), adoption by natural key, an interrupted create finished
// without a duplicate, drift seen by read, and the organization guard.
import { describe, expect, it } from "vitest";
import { columns, entitySetNames, providerStatus } from "../../../src/iom/facts.js";
import { iomProviderActivation } from "../../../src/resources/iom-provider/activation.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";
import { providerConnection } from "../../../src/resources/provider-connection/provider.js";
import type { Session } from "../../../src/resources/runtime/session.js";
import { derivedId } from "../../../src/resources/common/ids.js";
import { useEmulator } from "../dataverse/harness.js";

const h = useEmulator();

async function session(deleteAdopted = false): Promise<Session> {
  const client = h.client().dv;
  const who = await client.whoAmI();
  return { client, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted };
}

const FINOPS = "Microsoft Finance and Operations apps";
const CONNECTION = "Microsoft Finance and Operations Dataverse (current environment) Connection";

function providerInputs(name = "finops") {
  return { name, definition: FINOPS, activated: true, recordId: derivedId("test", name) };
}

async function rows(s: Session, set: string, select: [string, ...string[]]) {
  return s.client.list(set, { select });
}

describe("IOM provider, activation and connection", () => {
  it("installs, connects, activates in IOM's order, then takes it all down in reverse", async () => {
    const s = await session();
    const provider = await iomProvider.create(providerInputs(), s);
    expect(provider.id).toBe(derivedId("test", "finops"));
    expect(provider.outs).toMatchObject({ adopted: false, organizationId: s.organizationId });

    // The emulator refuses to activate a provider whose connection is not active yet.
    const early = iomProviderActivation.create(
      { name: "finops", providerId: provider.id, providerAdopted: false },
      s,
    );
    await expect(early).rejects.toThrow(/connection/i);

    const connectionInputs = {
      name: "finops-dataverse",
      provider: "finops",
      connection: CONNECTION,
      connectionId: "conn-1",
      activated: true,
      recordId: derivedId("test", "finops-dataverse"),
      providerId: provider.id,
    };
    const connection = await providerConnection.create(connectionInputs, s);
    const activation = await iomProviderActivation.create(
      { name: "finops", providerId: provider.id, providerAdopted: false },
      s,
    );
    expect(activation.outs.adopted).toBe(false);
    const [installed] = await rows(s, entitySetNames.msdyn_iomprovider, [columns.provider.status]);
    expect(installed![columns.provider.status]).toBe(providerStatus.activated.value);

    // read returns exactly the inputs; a hand edit shows.
    expect(await providerConnection.read(connection.id, connection.outs, s)).toEqual(connection.outs);
    expect(await iomProvider.read(provider.id, provider.outs, s)).toEqual(provider.outs);
    await s.client.update(entitySetNames.msdyn_iomproviderconnectionreference, connection.id, {
      [columns.providerConnectionRef.connectionUrl]:
        "https://make.powerautomate.com/connections/other/details",
    });
    expect((await providerConnection.read(connection.id, connection.outs, s))?.connectionId).toBe("other");

    // Taken down in Pulumi's reverse order: deactivate, delete the connection, delete the provider.
    await iomProviderActivation.delete(activation.id, activation.outs, s);
    await providerConnection.delete(connection.id, connection.outs, s);
    await iomProvider.delete(provider.id, provider.outs, s);
    expect(await rows(s, entitySetNames.msdyn_iomprovider, ["msdyn_name"])).toEqual([]);
    // Deleting what is already gone counts as deleted.
    await iomProvider.delete(provider.id, provider.outs, s);
  });

  it("finishes its own interrupted create, and adopts a provider installed by hand", async () => {
    const s = await session();
    const inputs = providerInputs();
    const first = await iomProvider.create(inputs, s);
    // The same create again (state lost the answer): the row is found by id, not made twice.
    const again = await iomProvider.create(inputs, s);
    expect(again.id).toBe(first.id);
    expect(again.outs.adopted).toBe(false);
    expect(await rows(s, entitySetNames.msdyn_iomprovider, ["msdyn_name"])).toHaveLength(1);

    // Another stack (another derived id) meets the same natural key: it adopts the row.
    const other = await iomProvider.create({ ...inputs, recordId: derivedId("other-stack", "finops") }, s);
    expect(other.id).toBe(first.id);
    expect(other.outs.adopted).toBe(true);
    // and releases it on destroy unless told to delete adopted records
    await iomProvider.delete(other.id, other.outs, s);
    expect(await rows(s, entitySetNames.msdyn_iomprovider, ["msdyn_name"])).toHaveLength(1);
    await iomProvider.delete(other.id, other.outs, await session(true));
    expect(await rows(s, entitySetNames.msdyn_iomprovider, ["msdyn_name"])).toHaveLength(0);
  });

  it("sets parameters by their display name and reads them back in the YAML's types", async () => {
    const s = await session();
    const inputs = { ...providerInputs(), parameters: { "Disable Status Update Handlers": true } };
    const created = await iomProvider.create(inputs, s);
    expect((await iomProvider.read(created.id, created.outs, s))?.parameters).toEqual({
      "Disable Status Update Handlers": true,
    });
    const updated = await iomProvider.update(
      created.id,
      created.outs,
      { ...inputs, parameters: { "Disable Status Update Handlers": false } },
      s,
    );
    expect((await iomProvider.read(created.id, updated, s))?.parameters).toEqual({
      "Disable Status Update Handlers": false,
    });
    await expect(
      iomProvider.update(created.id, updated, { ...inputs, parameters: { "No such parameter": 1 } }, s),
    ).rejects.toThrow(/no parameter "No such parameter".*Disable Status Update Handlers/);
    await iomProvider.delete(created.id, updated, s);
  });

  it("names the catalog when the definition does not exist", async () => {
    const s = await session();
    await expect(iomProvider.create({ ...providerInputs(), definition: "Nope" }, s)).rejects.toThrow(
      /no definition "Nope".*Microsoft Finance and Operations apps/,
    );
  });
});
