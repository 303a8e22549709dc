// The order test files start in. Vitest starts the longest files first when it has the times of
// an earlier run (its cache under node_modules/.vite); a fresh clone, as CI runs it, has none, and
// vitest then starts the largest files first, which put the e2e group's longest files (the kill
// trials, about a third of the group) behind shorter ones, to finish alone on one of the two
// workers at the end. This sequencer keeps vitest's order of the groups, and within a group starts
// the files the table below knows longest first, then the others by vitest's own times.
//
// The table is only an order: a stale figure can cost time, never change what a test does or
// whether it passes. Its figures are the seconds of docs/testing.md's fresh-clone run.
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Seconds each long file took in a fresh-clone run (docs/testing.md); files not named take less. */
export const EXPECTED_SECONDS: Readonly<Record<string, number>> = {
  "test/e2e/interrupted.test.ts": 138,
  "test/e2e/fixtures-current.test.ts": 95,
  "test/e2e/lifecycle.test.ts": 70,
  "test/e2e/article.test.ts": 37,
  "test/e2e/faults.test.ts": 30,
  "test/e2e/environments.test.ts": 30,
  "test/e2e/drift.test.ts": 23,
  "test/e2e/state-upgrade.test.ts": 21,
};

/**
 * Seconds a file is expected to take: the table's, or else vitest's own time from an earlier run
 * on this machine. The table comes first: vitest keeps the time of whatever ran last, a single
 * test picked with -t or a run cut short included, which would reorder the long files by chance.
 */
function expected(spec: TestSpecification, known: (spec: TestSpecification) => number | undefined): number {
  const relative = path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join("/");
  return EXPECTED_SECONDS[relative] ?? known(spec) ?? 0;
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const cache = this.ctx.cache;
    const known = (spec: TestSpecification): number | undefined => {
      const duration = cache.getTestSpecificationResult(spec)?.duration;
      return duration === undefined ? undefined : duration / 1000;
    };
    // Groups run one after another in vitest's order; only the order within a group changes. The
    // sort is stable: files the table does not know keep vitest's order among themselves.
    const groups = new Map<string, TestSpecification[]>();
    for (const spec of sorted) {
      const group = groups.get(spec.project.name) ?? [];
      group.push(spec);
      groups.set(spec.project.name, group);
    }
    return [...groups.values()].flatMap((group) =>
      [...group].sort((a, b) => expected(b, known) - expected(a, known)),
    );
  }
}
