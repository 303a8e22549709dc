// `iom doctor --capture FILE` and `iom emulator --metadata FILE`, the real commands, built and
// spawned: a capture of the emulator, served by a second emulator, captures to the same document
// (the round trip that lets a user run everything against their tenant's real schema); the file
// holds metadata and no row values; a file that cannot be served is refused with its location.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBuild } from "../../dist.js";

const root = path.resolve(__dirname, "../../..");
const bin = path.join(root, "bin", "iom");
const TOKEN = "capture-contract-token";
const children: ChildProcessWithoutNullStreams[] = [];
let dir: string;

beforeAll(() => {
  // bin/iom runs dist/, built once before the tests (scripts/run.sh); never rebuilt here.
  assertFreshBuild();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "iom-capture-"));
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `iom emulator` and resolves with its URL once it prints the listening line. */
function emulator(args: string[]): Promise<{ url: string; stderr: () => string }> {
  const child = spawn(bin, ["emulator", "--port", "0", "--token", TOKEN, ...args], { cwd: root });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) resolve({ url: m[1] as string, stderr: () => stderr });
      else reject(new Error(`unexpected first line '${line}'`));
    });
  });
}

async function iom(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, args, {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

async function capture(url: string, file: string): Promise<Record<string, unknown>> {
  const run = await iom(["doctor", "--capture", file], { IOM_DATAVERSE_URL: url, IOM_TOKEN: TOKEN });
  // Whether the client's assumptions hold is another test's business: 0 or 1, but a capture.
  expect([0, 1], run.stderr).toContain(run.code);
  expect(run.stdout).toContain(`in ${file}.`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

const withoutHeader = ({ captured: _, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;

describe("iom doctor --capture and iom emulator --metadata", () => {
  it("round-trips: a capture served by the emulator captures to the same document", async () => {
    const first = await emulator(["--data", path.join(dir, "a")]);
    const firstFile = path.join(dir, "first.json");
    const captured = await capture(first.url, firstFile);

    const tables = captured.tables as Array<{
      logicalName: string;
      attributes: Array<Record<string, unknown>>;
    }>;
    const definition = tables.find((t) => t.logicalName === "msdyn_iomproviderdefinition");
    expect(definition?.attributes.find((a) => a.logicalName === "msdyn_iomservicetype")).toMatchObject({
      type: "MultiSelectPicklist",
      evidence: { kind: "captured" },
      options: [
        { value: 192350000, label: "Fulfillment" },
        { value: 192350001, label: "Order intake" },
        { value: 192350002, label: "Inventory" },
      ],
    });
    expect(captured.captured).toMatchObject({ environmentUrl: first.url });
    // Metadata only: no seeded row's value is in the file.
    const text = fs.readFileSync(firstFile, "utf8");
    for (const value of [
      "Microsoft Finance and Operations apps",
      "Contoso Retail USA",
      "msdyn_FinOpsSendOrderToFulfillment",
    ])
      expect(text).not.toContain(value);

    const second = await emulator(["--data", path.join(dir, "b"), "--metadata", firstFile]);
    expect(second.stderr()).not.toContain("IOM rules not enforced");
    const again = await capture(second.url, path.join(dir, "second.json"));
    expect(withoutHeader(again)).toEqual(withoutHeader(captured));
  }, 120_000);

  it("refuses a metadata file that cannot be served, at the line and column of each problem", async () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, '{\n  "formatVersion": 1,\n  "tables": [],\n  "colour": "blue"\n}\n');
    const run = await iom(["emulator", "--port", "0", "--metadata", bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/bad\.json:4:3: .*colour/);
  }, 30_000);
});
