// The gateway probe `iom doctor` runs before any write, against the emulator's gateway: each step
// (configured, reachable, token, connection, maps) holds or fails with what to do, the stack's
// maps are found by either form of their name, and a misspelt one gets a did-you-mean.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";

import { DataverseClient } from "../../../src/dataverse/client.js";
import { formatGatewayProbe, probeGateway, stackMapNames } from "../../../src/dataverse/dual-write-probe.js";
import { useEmulator } from "./harness.js";

const h = useEmulator();

function client(overrides: Record<string, unknown> = {}): DataverseClient {
  const em = h.emulator();
  return new DataverseClient({
    environmentUrl: em.url,
    auth: { kind: "static-token", token: em.token },
    dualWriteUrl: em.dualWriteUrl,
    financeAndOperationsUrl: em.financeAndOperationsUrl,
    retry: { maxAttempts: 1 },
    ...overrides,
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the gateway probe", () => {
  it("holds on the emulator, finding the stack's maps by either form of their name", async () => {
    const report = await probeGateway(client(), [
      "CDS sales order headers (salesorders)",
      "salesorderdetails - CDS sales order lines",
    ]);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.check, s.ok])).toEqual([
      ["configured", true],
      ["reachable", true],
      ["token", true],
      ["connection", true],
      ["maps", true],
    ]);
    expect(report.maps.map((m) => m.found?.tName)).toEqual([
      "salesorders - CDS sales order headers",
      "salesorderdetails - CDS sales order lines",
    ]);
    expect(formatGatewayProbe(report)).toContain("ok   maps: 3 maps listed; all 2 the stacks name are there");
  });

  it("fails on a map the gateway does not list, with the closest name it does", async () => {
    const report = await probeGateway(client(), ["CDS sales order lines (saleorderdetails)"]);
    expect(report.ok).toBe(false);
    expect(report.maps).toEqual([
      {
        name: "CDS sales order lines (saleorderdetails)",
        suggestion: "CDS sales order lines (salesorderdetails)",
      },
    ]);
    expect(formatGatewayProbe(report)).toContain(
      "FAIL map 'CDS sales order lines (saleorderdetails)': not listed; did you mean 'CDS sales order lines (salesorderdetails)'?",
    );
  });

  it("tells a refused token from an unreachable gateway, and never prints the token", async () => {
    const refused = await probeGateway(
      client({ auth: { kind: "static-token", token: "wrong-token-0815" } }),
      [],
    );
    expect(refused.steps.map((s) => [s.check, s.ok])).toEqual([
      ["configured", true],
      ["reachable", true],
      ["token", false],
    ]);
    expect(formatGatewayProbe(refused)).toContain("https://IntegratorApp.com/.default");
    expect(formatGatewayProbe(refused)).not.toContain("wrong-token-0815");

    const port = await closedPort();
    const unreachable = await probeGateway(client({ dualWriteUrl: `http://127.0.0.1:${port}` }), []);
    expect(unreachable.steps.map((s) => [s.check, s.ok])).toEqual([
      ["configured", true],
      ["reachable", false],
    ]);
  });

  it("is skipped with nothing to manage and nothing configured, and fails naming the settings when maps need it", async () => {
    const bare = client({ dualWriteUrl: undefined, financeAndOperationsUrl: undefined });
    expect(await probeGateway(bare, [])).toMatchObject({ ok: true, skipped: expect.any(String) });
    const needed = await probeGateway(bare, ["CDS sales order headers (salesorders)"]);
    expect(needed.ok).toBe(false);
    expect(needed.steps[0]?.detail).toContain(
      "iom:dualWriteUrl (IOM_DUALWRITE_URL) and iom:financeAndOperationsUrl",
    );
  });

  it("reads the map names of the repository's stacks", () => {
    expect(stackMapNames()).toEqual(
      expect.arrayContaining([
        "CDS sales order headers (salesorders)",
        "CDS sales order lines (salesorderdetails)",
      ]),
    );
  });
});

describe("online validation's view of the gateway", () => {
  it("lists the maps the gateway has, and none without the gateway's settings", async () => {
    const { OnlineMetadataSource } = await import("../../../src/config/online-metadata.js");
    expect(await new OnlineMetadataSource(client()).dualWriteMaps()).toEqual([
      "salesorderdetails - CDS sales order lines",
      "salesorderdetails - CDS sales order lines V2",
      "salesorders - CDS sales order headers",
    ]);
    expect(
      await new OnlineMetadataSource(client({ dualWriteUrl: undefined })).dualWriteMaps(),
    ).toBeUndefined();
  });
});
