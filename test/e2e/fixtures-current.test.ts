// The plan-summary and drift fixtures (test/unit/gitops/fixtures) are what the engine produces
// today: the capture script runs every scenario afresh against the emulator, and each new preview
// must have the committed fixture's shape (steps, what each changes, diagnostics) and give the same
// plan summary and drift report the unit tests pin in their goldens. A change that alters what
// previews look like fails here until the fixtures are captured again (fixtures/capture.ts) and
// the goldens reviewed; the unit tests can never approve fixtures the engine no longer writes.
// The built `iom plan-summary` is also fed each fresh preview on stdin, in the pull request's
// checkout, as the pull-request workflow pipes it, and must write the goldens.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/engine/engine.js";
import { analyzeDrift } from "../../src/gitops/drift.js";
import { formatDrift } from "../../src/gitops/drift-format.js";
import { parsePreviewDocuments } from "../../src/gitops/plan-preview.js";
import { orderEffects } from "../../src/gitops/plan-effect.js";
import { buildPlan, renderMarkdown, renderText } from "../../src/gitops/plan-summary.js";
import { engineForTests, planSummary } from "./harness.js";

const availability = engineForTests();
const COMMITTED = path.join(projectRoot, "test", "unit", "gitops", "fixtures");
const GOLDEN = path.join(projectRoot, "test", "unit", "gitops", "golden");

const FIXTURES = {
  create: "preview-create.json",
  change: "preview-change.json",
  replace: "preview-replace.json",
  "no-change": "preview-no-change.json",
  many: "preview-many.json.gz",
  invalid: "preview-invalid.json",
  drift: "drift-refresh.json",
} as const;

function read(dir: string, name: string): string {
  const bytes = readFileSync(path.join(dir, name));
  return name.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
}

/** A text without what differs on every run: the emulator's port, temporary folders, times. */
const volatile = (s: string): string =>
  s
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
    .replace(/\/tmp\/[\w.-]+/g, "/tmp/DIR")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "TIME");

/** What a preview document says, without what differs on every run (ids, ports, times, paths). */
function shape(text: string): unknown {
  const doc = JSON.parse(text) as {
    steps?: Array<{
      op: string;
      urn: string;
      diffReasons?: string[];
      replaceReasons?: string[];
      detailedDiff?: Record<string, { kind: string }> | null;
    }>;
    diagnostics?: Array<{ severity: string; message: string; urn?: string }>;
    changeSummary?: Record<string, number>;
  };
  return {
    changeSummary: doc.changeSummary,
    steps: (doc.steps ?? [])
      .map((s) => ({
        op: s.op,
        urn: s.urn,
        diffReasons: [...(s.diffReasons ?? [])].sort(),
        replaceReasons: [...(s.replaceReasons ?? [])].sort(),
        detailedDiff: Object.entries(s.detailedDiff ?? {})
          .map(([k, v]) => `${k}:${v.kind}`)
          .sort(),
      }))
      .sort((a, b) => `${a.urn} ${a.op}`.localeCompare(`${b.urn} ${b.op}`)),
    diagnostics: (doc.diagnostics ?? [])
      .map((d) => `${d.severity} ${d.urn ?? ""} ${volatile(d.message)}`)
      .sort(),
  };
}

describe.skipIf(!availability.engine)("the committed preview fixtures", () => {
  let fresh: string;

  beforeAll(async () => {
    fresh = mkdtempSync(path.join(tmpdir(), "iom-fixtures-"));
    // The capture script itself, as a person refreshing the fixtures runs it.
    await promisify(execFile)(
      process.execPath,
      ["--no-warnings", path.join(COMMITTED, "capture.ts"), "--out", fresh],
      {
        cwd: projectRoot,
        env: { ...process.env, PATH: `${availability.engine!.binDir}${path.delimiter}${process.env.PATH}` },
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  }, 660_000);

  afterAll(() => {
    if (fresh) rmSync(fresh, { recursive: true, force: true });
  });

  it.each(Object.entries(FIXTURES))(
    "%s: the engine's preview has the committed fixture's shape",
    (_scenario, name) => {
      expect(
        shape(read(fresh, name)),
        `${name}: capture again (test/unit/gitops/fixtures/capture.ts)`,
      ).toEqual(shape(read(COMMITTED, name)));
    },
  );

  it.each(["create", "change", "replace", "no-change", "many", "invalid"] as const)(
    "%s: the engine's preview gives the plan summary the goldens pin",
    async (scenario) => {
      // With the order cases of the pull request's checkout each capture wrote beside its preview.
      const plan = async (dir: string) => {
        const documents = parsePreviewDocuments(read(dir, FIXTURES[scenario]), FIXTURES[scenario]);
        const built = buildPlan(documents);
        const effects = await orderEffects(documents, { cwd: path.join(dir, "change-project") });
        for (const [index, effect] of effects) built.stacks[index]!.effect = effect;
        return built;
      };
      const [now, committed] = [await plan(fresh), await plan(COMMITTED)];
      expect(volatile(renderMarkdown(now))).toBe(volatile(renderMarkdown(committed)));
      expect(volatile(renderText(now))).toBe(volatile(renderText(committed)));
    },
  );

  it.each(["create", "change", "no-change", "replace"] as const)(
    "%s: the built `iom plan-summary` reads the engine's preview from stdin and writes the goldens",
    async (scenario) => {
      // The command as the workflow runs it, in the pull request's checkout (its order cases).
      const preview = read(fresh, FIXTURES[scenario]);
      const cwd = path.join(fresh, "change-project");
      const markdown = await planSummary(preview, { cwd });
      expect({ code: markdown.code, stderr: markdown.stderr }).toEqual({ code: 0, stderr: "" });
      const golden = (name: string) => volatile(readFileSync(path.join(GOLDEN, name), "utf8"));
      expect(volatile(markdown.stdout)).toBe(golden(`plan-${scenario}.md`));
      const text = await planSummary(preview, { args: ["--format", "text"], cwd });
      expect(volatile(text.stdout)).toBe(golden(`plan-${scenario}.txt`));
    },
  );

  it.each(
    ["Pulumi.yaml", "stacks/dev.iom.yaml", "tests/finops.orders.yaml"].concat(
      ["finops-sales-order", "finops-order-product"].map((p) => `policies/${p}.policy.yaml`),
    ),
  )("change: the pull request's %s is the committed one", (file) => {
    const at = (dir: string) => readFileSync(path.join(dir, "change-project", file), "utf8");
    expect(at(fresh), `capture again (test/unit/gitops/fixtures/capture.ts)`).toBe(at(COMMITTED));
  });

  it("drift: the engine's refreshing preview gives the drift report the goldens pin", async () => {
    const report = async (dir: string) =>
      formatDrift(
        await analyzeDrift(parsePreviewDocuments(read(dir, FIXTURES.drift), FIXTURES.drift)[0]!.digest),
        "text",
      );
    expect(volatile(await report(fresh))).toBe(volatile(await report(COMMITTED)));
  });
});
