// Validation against an environment's dual-write gateway: a map the gateway does not list is an
// error at the map's name, with a did-you-mean, and for the sales order lines map (two names: the
// seed article's and today's "V2") it says which of the two the environment has. Offline, or with
// no gateway to ask, map names are not checked.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../temp.js";
import { OfflineMetadataSource } from "../../../src/config/metadata.js";
import { validatePaths } from "../../../src/config/validate.js";

afterAll(removeTempDirs);

const ROOT = path.resolve(__dirname, "../../..");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");
const LOCAL = read("stacks/local.iom.yaml");

/** Offline table metadata, and a gateway that lists `maps` (tName form, as the gateway does). */
class WithGateway extends OfflineMetadataSource {
  constructor(private readonly maps: readonly string[] | undefined) {
    super();
  }
  dualWriteMaps(): Promise<readonly string[] | undefined> {
    return Promise.resolve(this.maps);
  }
}

const HEADERS = "salesorders - CDS sales order headers";
const LINES = "salesorderdetails - CDS sales order lines";
const LINES_V2 = "salesorderdetails - CDS sales order lines V2";

async function findings(stack: string, maps: readonly string[] | undefined) {
  const dir = tempDir("iom-map-names-");
  const files = {
    "stacks/test.iom.yaml": stack,
    "policies/finops-sales-order.policy.yaml": read("policies/finops-sales-order.policy.yaml"),
    "policies/finops-order-product.policy.yaml": read("policies/finops-order-product.policy.yaml"),
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const result = await validatePaths(["stacks"], { cwd: dir, metadata: new WithGateway(maps) });
  return result.findings.filter((f) => f.code === "unknown-dual-write-map");
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

describe("dual-write map names against the gateway", () => {
  it("accept the article's maps in the UI's form when the gateway lists them in its own", async () => {
    expect(await findings(LOCAL, [HEADERS, LINES, LINES_V2])).toEqual([]);
    expect(
      await findings(LOCAL.replace("CDS sales order lines (salesorderdetails)", LINES_V2), [
        HEADERS,
        LINES_V2,
      ]),
    ).toEqual([]);
  });

  it("are not checked without a gateway to ask", async () => {
    expect(await findings(LOCAL, undefined)).toEqual([]);
  });

  it("say which lines map an environment has when the stack names the other, with a did-you-mean at the name", async () => {
    const [finding, ...rest] = await findings(LOCAL, [HEADERS, LINES_V2]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: "error",
      line: lineOf(LOCAL, "map: CDS sales order lines (salesorderdetails)"),
    });
    expect(finding!.message).toBe(
      "the environment's dual-write gateway lists no map named 'CDS sales order lines (salesorderdetails)'; of the two sales order lines maps (the seed article's 'CDS sales order lines (salesorderdetails)', today's docs' 'CDS sales order lines V2 (salesorderdetails)') it has 'CDS sales order lines V2 (salesorderdetails)'",
    );
    expect(finding!.hint).toContain("did you mean 'CDS sales order lines V2 (salesorderdetails)'?");
  });

  it("catch the seed article's spelling of the lines map, and name both lines maps when the environment has both", async () => {
    const stack = LOCAL.replace(
      "CDS sales order lines (salesorderdetails)",
      "CDS sales order lines (saleorderdetails)",
    );
    const [finding] = await findings(stack, [HEADERS, LINES, LINES_V2]);
    expect(finding!.message).toContain(
      "it has 'CDS sales order lines (salesorderdetails)' and 'CDS sales order lines V2 (salesorderdetails)'",
    );
    expect(finding!.hint).toContain("did you mean 'CDS sales order lines (salesorderdetails)'?");
  });

  it("list the gateway's maps when nothing is close", async () => {
    const [finding] = await findings(
      LOCAL.replace("CDS sales order headers (salesorders)", "Customers V3 (contacts)"),
      [HEADERS, LINES],
    );
    expect(finding!.message).toBe(
      "the environment's dual-write gateway lists no map named 'Customers V3 (contacts)'",
    );
    expect(finding!.hint).toBe(
      "set map to one the gateway lists: 'CDS sales order headers (salesorders)', 'CDS sales order lines (salesorderdetails)'",
    );
  });
});
