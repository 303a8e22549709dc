// The one golden-file check of the test suite: the output must equal the committed file.
// `UPDATE_GOLDEN=1` rewrites the file instead, on a developer's machine, for a change that is
// meant and then reviewed in the diff; under CI (CI=true) it is refused, so that a run can never
// approve its own output.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

export function expectGolden(dir: string, name: string, actual: string): void {
  const file = path.join(dir, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    if (process.env.CI === "true")
      throw new Error(
        `UPDATE_GOLDEN=1 is refused when CI=true: update ${path.basename(dir)}/${name} on your machine and commit the reviewed diff`,
      );
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${name} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}
