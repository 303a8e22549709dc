// The real previews captured by fixtures/capture.ts, and the golden-file check the plan-summary and
// drift tests share. Regenerate the goldens with UPDATE_GOLDEN=1 after an intended change, and
// read the diff before committing it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { expectGolden } from "../../golden.js";

export const FIXTURES = path.join(__dirname, "fixtures");
/** The pull request's checkout of the `change` scenario: its stack, policy files and order cases. */
export const CHANGE_PROJECT = path.join(FIXTURES, "change-project");
const GOLDEN = path.join(__dirname, "golden");

/** A captured `pulumi preview --json` output as text (`.json.gz` fixtures are unpacked). */
export function fixture(name: string): string {
  const file = path.join(FIXTURES, name);
  const bytes = readFileSync(file);
  return name.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
}

export function golden(name: string, actual: string): void {
  expectGolden(GOLDEN, name, actual);
}
