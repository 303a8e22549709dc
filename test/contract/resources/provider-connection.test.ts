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
