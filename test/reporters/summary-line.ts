// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own
// summary: CI systems that read a run's last line understand that form, not vitest's table.
//
// A test that never ran because the setup around it failed (a `beforeAll` of its file or of a
// suite) is counted as failed, not skipped: vitest marks such tests skipped, and a closing line of
// "0 passed, 0 failed, 2 skipped" would hide a broken run behind a clean count.
import type { Reporter, TestCase, TestModule, TestSuite } from "vitest/node";

export interface SummaryCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Whether the setup of a suite or file around this test failed (errors outside any test). */
function setupFailed(test: TestCase): boolean {
  let parent: TestSuite | TestModule = test.parent;
  for (;;) {
    if (parent.errors().length > 0) return true;
    if (parent.type === "module") return false;
    parent = parent.parent;
  }
}

export function countTests(testModules: ReadonlyArray<TestModule>): SummaryCounts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    const tests = [...module.children.allTests()];
    for (const test of tests) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed" || setupFailed(test)) counts.failed++;
      else counts.skipped++;
    }
    // A file that fails to load has no tests to count: it counts as one failure.
    if (module.state() === "failed" && tests.length === 0) counts.failed++;
  }
  return counts;
}

export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = countTests(testModules);
    process.stdout.write(
      `\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
