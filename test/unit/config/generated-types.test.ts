// src/generated/ must be exactly what `npm run generate` produces from schemas/.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_DIR, generateTypes } from "../../../scripts/generate-types.mjs";

describe("generated types", () => {
  it("are up to date with the schemas (run `npm run generate` if not)", async () => {
    const expected = await generateTypes();
    const actual = Object.fromEntries(
      readdirSync(GENERATED_DIR)
        .sort()
        .map((f) => [f, readFileSync(path.join(GENERATED_DIR, f), "utf8")]),
    );
    expect(Object.keys(actual)).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) expect(actual[file], file).toBe(content);
  });

  it("carry the generated-file banner", () => {
    for (const file of readdirSync(GENERATED_DIR)) {
      expect(readFileSync(path.join(GENERATED_DIR, file), "utf8"), file).toMatch(
        /npm run generate.*\n.*Do not edit by hand|Do not edit by hand/,
      );
    }
  });
});
