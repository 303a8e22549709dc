// `iom import` on the command line, before any environment is reached: registered with the `iom`
// command, its help, and every way of calling it wrong exiting 2 with a usage message.
import { afterEach, describe, expect, it, vi } from "vitest";
import { runImport } from "../../../src/cli/commands/import.js";
import { commandNames, main } from "../../../src/cli/index.js";
import { UsageError } from "../../../src/cli/usage-error.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  return {
    out,
    io: { cwd: "/nowhere", write: (t: string) => out.push(t), writeError: (t: string) => out.push(t), env },
  };
}

describe("iom import command", () => {
  it("is one of the iom commands, and exits 2 through iom on a usage error", async () => {
    expect(commandNames()).toContain("import");
    let err = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    expect(await main(["import", "--out", "prod.yaml"])).toBe(2);
    expect(err).toMatch(/^iom import: --out prod\.yaml: a stack file's name ends in \.iom\.yaml/);
    expect(err).toContain("usage: iom import [--out FILE]");
  });

  it("prints its usage on --help", async () => {
    const { out, io: streams } = io();
    expect(await runImport(["--help"], streams)).toBe(0);
    expect(out.join("")).toMatch(/^usage: iom import \[--out FILE\]\n\nWrites the desired state/);
  });

  it.each([
    [["--out", "stacks/prod.yaml"], /ends in \.iom\.yaml/],
    [["--out"], /argument missing/],
    [["stacks/prod.iom.yaml"], /positional/],
    [["--stack", "prod"], /Unknown option '--stack'/],
    [[], /IOM_DATAVERSE_URL/],
  ])("refuses %j as a usage error", async (args, message) => {
    const { out, io: streams } = io();
    await expect(runImport(args, streams)).rejects.toThrow(UsageError);
    await expect(runImport(args, streams)).rejects.toThrow(message);
    expect(out).toEqual([]);
  });
});
