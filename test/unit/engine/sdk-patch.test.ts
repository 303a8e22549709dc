// The installed @pulumi/pulumi carries our patch (patches/README.md, ADR 0015): loading the SDK
// does not load TypeScript, which only serializing a function needs. Every engine command starts
// two Node.js processes that load the SDK (the program and the dynamic provider plugin), and
// TypeScript cost each about 0.25 s of CPU. The patch is applied by `npm ci` (the postinstall
// script, which fails the install when a patch does not apply or names another version); this
// test fails if the patch is lost some other way (`npm ci --ignore-scripts`, say). Offline: one Node.js process on the installed packages.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../../src/engine/engine.js";

interface Probe {
  /** TypeScript's files in the module cache once the SDK is loaded. */
  atLoad: string[];
  /** Whether `serializeFunction` still serializes (it now loads TypeScript itself). */
  serialized: boolean;
  /** TypeScript's files in the module cache after serializing. */
  afterSerializing: number;
}

function probe(): Probe {
  const script = `
    const typescriptFiles = () =>
      Object.keys(require.cache).filter((f) => /[\\\\/](typescript[\\\\/]|typescript-shim)/.test(f));
    const pulumi = require("@pulumi/pulumi");
    require("@pulumi/pulumi/dynamic");
    const atLoad = typescriptFiles();
    pulumi.runtime.serializeFunction(function answer() { return 42; }).then((f) => {
      process.stdout.write(JSON.stringify({
        atLoad,
        serialized: f.text.includes("return 42"),
        afterSerializing: typescriptFiles().length,
      }));
    });`;
  const stdout = execFileSync(process.execPath, ["-e", script], {
    cwd: projectRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Probe;
}

describe("the patched @pulumi/pulumi", () => {
  it("loads without TypeScript, and still loads it to serialize a function", { timeout: 60_000 }, () => {
    const result = probe();
    expect(result.atLoad, "TypeScript loaded with the SDK: is patches/ applied?").toEqual([]);
    expect(result.serialized).toBe(true);
    expect(result.afterSerializing).toBeGreaterThan(0);
  });

  it("has a patch for the installed version of each patched package", () => {
    // patch-package names a patch <package>+<version>.patch: the patches on record are for the
    // versions installed, and a missing one would only make the runs slower again.
    const patches = readdirSync(path.join(projectRoot, "patches")).filter((f) => f.endsWith(".patch"));
    expect(patches.length).toBeGreaterThan(0);
    for (const file of patches) {
      const match = /^(.+)\+([^+]+)\.patch$/.exec(file);
      expect(match, file).not.toBeNull();
      const name = match![1]!.replace("+", "/");
      const manifest = path.join(projectRoot, "node_modules", name, "package.json");
      expect(existsSync(manifest), `${file}: ${name} is not installed`).toBe(true);
      expect((JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version, file).toBe(
        match![2],
      );
    }
  });
});
