// The registry of resource kinds stays honest: every kind the schemas define has a folder under
// src/resources with its program side and its implementation, a Pulumi type, docs and tests.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RESOURCE_KINDS } from "../../../src/config/schema-registry.js";
import { projectRoot } from "../../../src/engine/engine.js";
import { RESOURCE_TYPES } from "../../../src/resources/common/dynamic.js";

const resourcesDir = path.join(projectRoot, "src", "resources");
const PROGRAM_KINDS = ["stack-organization"] as const;

describe("resource kinds", () => {
  it("have one folder each under src/resources, named as their schema, and nothing else does", () => {
    const folders = readdirSync(resourcesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !["common", "runtime", ...PROGRAM_KINDS].includes(d.name))
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...RESOURCE_KINDS].sort());
  });

  // Kinds the program declares on its own, with no YAML (so no schema): the stack's organization.
  it.each(PROGRAM_KINDS)(
    "%s (no YAML) has a program side, an implementation, a Pulumi type, docs and tests",
    (kind) => expectKindParts(kind, { schema: false, testDirs: ["unit"] }),
  );

  it.each(RESOURCE_KINDS)(
    "%s has a schema, a program side, an implementation, a Pulumi type, docs and tests",
    (kind) => expectKindParts(kind, { schema: true, testDirs: ["unit", "contract"] }),
  );
});

/** Every part of a kind: its schema (or none), both sides, its type, dispatch, docs and a test. */
function expectKindParts(
  kind: keyof typeof RESOURCE_TYPES,
  expected: { schema: boolean; testDirs: readonly ("unit" | "contract")[] },
): void {
  expect(existsSync(path.join(projectRoot, "schemas", `${kind}.schema.json`))).toBe(expected.schema);
  expect(existsSync(path.join(resourcesDir, kind, "index.ts"))).toBe(true);
  expect(existsSync(path.join(resourcesDir, kind, "provider.ts"))).toBe(true);
  expect(RESOURCE_TYPES[kind]).toMatch(/^[A-Z][A-Za-z]+$/);
  const dispatch = readFileSync(path.join(resourcesDir, "runtime", "dispatch.ts"), "utf8");
  expect(dispatch).toContain(`../${kind}/provider.js`);
  expect(readFileSync(path.join(projectRoot, "docs", "resources.md"), "utf8")).toContain(
    `## ${RESOURCE_TYPES[kind]}`,
  );
  const tests = expected.testDirs.flatMap((group) =>
    readdirSync(path.join(projectRoot, "test", group, "resources")),
  );
  expect(tests.some((f) => f.startsWith(kind))).toBe(true);
}
