// The emulator must not share the client's guesses about IOM: if it served what src/iom and the
// resource kinds assume, no test against it could catch a wrong assumption. So no module under
// src/emulator imports from src/iom or src/resources (statically, dynamically or by re-export);
// it reads its tables from its own metadata file instead (docs/emulator.md).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(__dirname, "../../../src");
const EMULATOR = path.join(SRC, "emulator");
const FORBIDDEN = ["iom", "resources"].map((dir) => path.join(SRC, dir));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|mts|cts)$/.test(entry.name) ? [full] : [];
  });
}

/** Every module specifier of a source: import/export ... from "x", import "x", import("x"), require("x"). */
export function specifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gs,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1] as string));
}

function forbiddenImports(file: string): string[] {
  return specifiers(readFileSync(file, "utf8"))
    .filter((s) => s.startsWith("."))
    .filter((s) => {
      const target = path.resolve(path.dirname(file), s);
      return FORBIDDEN.some((dir) => target === dir || target.startsWith(`${dir}${path.sep}`));
    })
    .map((s) => `${path.relative(SRC, file).split(path.sep).join("/")}: ${s}`);
}

describe("the emulator's independence from the client", () => {
  it("imports nothing from src/iom or src/resources", () => {
    expect(sources(EMULATOR).flatMap(forbiddenImports)).toEqual([]);
  });

  it("finds every form of import (the check above can fail)", () => {
    const text = [
      'import { a } from "../iom/facts.js";',
      'import type {\n  B,\n} from "../resources/policy/x.js";',
      'export { c } from "../iom/formats/x.js";',
      'import "../iom/side-effect.js";',
      'const d = await import("../resources/y.js");',
      'import { e } from "./own.js";',
    ].join("\n");
    expect(specifiers(text)).toEqual([
      "../iom/facts.js",
      "../resources/policy/x.js",
      "../iom/formats/x.js",
      "./own.js",
      "../iom/side-effect.js",
      "../resources/y.js",
    ]);
  });
});
