// Temporary folders for tests, removed again: each file that makes them registers
// `afterEach(removeTempDirs)` (or afterAll), which runs whether the test passed or failed, so a run
// leaves no 8 MiB files, sparse 64 GiB files or hundreds of fuzzed stacks behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const made: string[] = [];

/** A new folder under the system's temporary folder, named `<prefix>XXXXXX`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder tempDir made since the last call. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
