import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { commandNames, main } from "../../../src/cli/index.js";
import { compileCacheDir, engineEnv, locateEngine } from "../../../src/engine/engine.js";

function capture() {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  return { out: () => out, err: () => err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("iom command dispatch", () => {
  it("knows the commands other tools depend on", () => {
    expect(commandNames()).toEqual(
      expect.arrayContaining(["demo", "drift", "emulator", "engine", "plan-summary", "validate"]),
    );
  });

  // --help loads every command's module: under a load average above 10 that took longer than
  // vitest's default limit of 5 s. Nothing here measures time; the limit only stops a hang.
  it("lists every command with its summary on --help and exits 0", async () => {
    const io = capture();
    expect(await main(["--help"])).toBe(0);
    for (const name of commandNames()) expect(io.out()).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  }, 60_000);

  it("exits 2 with usage when called without a command", async () => {
    const io = capture();
    expect(await main([])).toBe(2);
    expect(io.out()).toContain("usage: iom <command>");
  });

  it("exits 2 and names an unknown command", async () => {
    const io = capture();
    expect(await main(["deploy"])).toBe(2);
    expect(io.err()).toContain("unknown command 'deploy'");
  });

  it("turns a bad flag into a usage error with exit 2", async () => {
    const io = capture();
    expect(await main(["engine", "--bogus"])).toBe(2);
    expect(io.err()).toMatch(/^iom engine: .*--bogus/m);
  });
});

describe("locateEngine", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeEngine(at: string) {
    mkdirSync(at, { recursive: true });
    writeFileSync(path.join(at, "pulumi"), "");
    writeFileSync(path.join(at, "pulumi-language-nodejs"), "");
  }

  it("prefers an engine on PATH", () => {
    dir = mkdtempSync(path.join(tmpdir(), "iom-locate-"));
    fakeEngine(path.join(dir, "a"));
    expect(locateEngine({ PATH: `/nowhere${path.delimiter}${path.join(dir, "a")}` }, dir)).toEqual({
      binDir: path.join(dir, "a"),
    });
  });

  it("falls back to the directory recorded by the last provisioning", () => {
    dir = mkdtempSync(path.join(tmpdir(), "iom-locate-"));
    fakeEngine(path.join(dir, "cache", "bin"));
    mkdirSync(path.join(dir, ".iom"));
    writeFileSync(path.join(dir, ".iom", "engine-bin"), `${path.join(dir, "cache", "bin")}\n`);
    expect(locateEngine({ PATH: "/nowhere" }, dir)).toEqual({ binDir: path.join(dir, "cache", "bin") });
  });

  it("needs both the CLI and the language host", () => {
    dir = mkdtempSync(path.join(tmpdir(), "iom-locate-"));
    mkdirSync(path.join(dir, "half"));
    writeFileSync(path.join(dir, "half", "pulumi"), "");
    expect(locateEngine({ PATH: path.join(dir, "half") }, dir)).toBeUndefined();
  });
});

describe("the engine's Node.js compile cache", () => {
  it("lives in the user's cache folder, beside the engine's", () => {
    expect(compileCacheDir({ HOME: "/home/ana" })).toBe("/home/ana/.cache/iom-gitops/node-compile-cache");
    expect(compileCacheDir({ HOME: "/home/ana", XDG_CACHE_HOME: "/var/cache/ana" })).toBe(
      "/var/cache/ana/iom-gitops/node-compile-cache",
    );
  });

  it("leaves a user's own NODE_COMPILE_CACHE, and is off with NODE_DISABLE_COMPILE_CACHE", () => {
    expect(compileCacheDir({ HOME: "/home/ana", NODE_COMPILE_CACHE: "/tmp/mine" })).toBe("/tmp/mine");
    expect(compileCacheDir({ HOME: "/home/ana", NODE_DISABLE_COMPILE_CACHE: "1" })).toBeUndefined();
  });

  it("is in the environment every engine command runs in", () => {
    expect(engineEnv({ binDir: "/engine/bin" })["NODE_COMPILE_CACHE"]).toBe(compileCacheDir());
  });
});
