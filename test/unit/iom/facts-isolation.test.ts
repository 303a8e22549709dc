// Every guess about IOM's undocumented tables lives in src/iom/facts.ts, so that correcting one
// is a one-line change that corrects the resources, `iom import`, the emulator and the assumption
// check together. This test reads the sources and fails when a guessed name is written out as a
// string anywhere else.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { columns, entitySetNames, primaryColumns, tableFacts } from "../../../src/iom/facts.js";
import { valuesOf } from "../../../src/iom/evidence.js";

const tables = valuesOf(tableFacts);

const SRC = path.resolve(__dirname, "../../../src");

/** Where a guessed name may be spelled out: the module of guesses, and generated code. */
const ALLOWED = new Set([
  "iom/facts.ts",
  // Facts of another table (msdyn_dualwriteentitymap) that share names such as msdyn_name.
  "iom/dual-write-facts.ts",
  // A Supply Chain table, not IOM's: its columns are documented and merely share some names.
  "iom/tables/msdyn_warehouse.ts",
]);

/**
 * Folders not searched: generated code, and the emulator. The emulator keeps its own account of
 * IOM's tables (src/emulator/data/metadata.json and its seed and rules), written from the public
 * sources independently of the client's guesses, precisely so that a wrong guess here shows up as
 * a failing test against it; the names they share are two sources agreeing, not a copy. It must
 * not import them either (test/unit/emulator/imports.test.ts).
 */
const SKIPPED_DIRS = new Set(["generated", "emulator"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

// The tables' logical names are documented (IOM:alm.md), and the lookups of the provider tables
// are named after the table they point to (msdyn_iomproviderdefinition): such a name is written
// out wherever the table is meant, so it is no copy of a guessed column name.
const documentedTables = new Set<string>(Object.values(tables));

const guessed = new Set<string>(
  [
    ...Object.values(entitySetNames),
    ...Object.values(primaryColumns).flatMap((p) => [p.id, p.name]),
    ...Object.values(columns).flatMap((group) => Object.values(group)),
  ].filter((name) => !documentedTables.has(name)),
);

describe("the guesses about IOM's tables", () => {
  it("are spelled out in src/iom/facts.ts only", () => {
    const found: string[] = [];
    for (const file of sources(SRC)) {
      const relative = path.relative(SRC, file).split(path.sep).join("/");
      if (ALLOWED.has(relative)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may name them
          // A string, an object key (`msdyn_name: …`) or a property read (`row.msdyn_name`).
          const names = [
            ...line.matchAll(/["'`]([a-z_]+)["'`]/g),
            ...line.matchAll(/(?:^|[\s{,(])(msdyn_[a-z_]+)\s*:/g),
            ...line.matchAll(/[\w)\]]\??\.(msdyn_[a-z_]+)\b/g),
          ].map((m) => m[1] as string);
          for (const name of names) if (guessed.has(name)) found.push(`src/${relative}:${i + 1}: ${name}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("include every IOM table's primary columns and entity set", () => {
    // The check above is only as good as this list: the tables of both maps must be the same.
    expect(Object.keys(primaryColumns).sort()).toEqual(Object.keys(entitySetNames).sort());
    expect(guessed.has("msdyn_iompolicyid")).toBe(true);
    expect(guessed.has("msdyn_name")).toBe(true);
  });
});
