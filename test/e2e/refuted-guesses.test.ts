// An environment whose metadata differs from the emulator's built-in file the way public sources
// refuted iom-gitops's old guesses (test/fixtures/metadata/refuted-guesses.json: the old lookup,
// column and label names). Served by the emulator, `iom doctor` and the program's preflight both
// stop before any write, naming each difference and the source the expectation rests on. This
// passes once the client (src/iom) holds the corrected facts the built-in file holds.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../../src/cli/commands/doctor.js";
import { clearMetadataCache } from "../../src/dataverse/metadata.js";
import { loadMetadataFile } from "../../src/emulator/metadata-file.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();
const FIXTURE = path.resolve(__dirname, "../fixtures/metadata/refuted-guesses.json");

/**
 * Each refuted guess the environment holds, as the report must name it: what the client now
 * expects (the corrected name or label) and the source that says so.
 */
const DIFFERENCES: Array<{ expected: string; source: string }> = [
  { expected: "msdyn_iomproviderdefinition", source: "SHOPIFY:" }, // the lookups to the definition
  { expected: "msdyn_displayname", source: "SHOPIFY:" }, // primary name of the definition tables
  { expected: "msdyn_iomservicetype", source: "SHOPIFY:" }, // a multi-select choice, not text
  { expected: "msdyn_workflowid", source: "SHOPIFY:" },
  { expected: "msdyn_iomactiontype", source: "SHOPIFY:" }, // a lookup and a table, not text
  { expected: "msdyn_connectorid", source: "SHOPIFY:" },
  { expected: '"Filter Policy"', source: "IOM:lab-create-policies.md" },
  { expected: '"Execution Policy"', source: "IOM:lab-create-policies.md" },
  { expected: '"Provider message handler"', source: "IOM:create-new-provider.md" },
];

function expectEveryDifference(report: string): void {
  const missing = DIFFERENCES.filter((d) => !report.includes(d.expected)).map((d) => d.expected);
  expect(missing, report).toEqual([]);
  for (const { source } of DIFFERENCES) expect(report).toContain(source);
}

describe("an environment built on the refuted guesses", () => {
  let environment: TestEnvironment;

  beforeAll(async () => {
    environment = await TestEnvironment.start({ metadata: loadMetadataFile(FIXTURE) });
  });

  afterAll(async () => {
    await environment?.close();
  });

  it("makes iom doctor exit 1, naming each difference and its source, having written nothing", async () => {
    clearMetadataCache();
    await environment.resetCounters();
    let out = "";
    let err = "";
    const code = await runDoctor([], {
      write: (text) => (out += text),
      writeError: (text) => (err += text),
      env: environment.env,
    });
    process.stdout.write(`--- iom doctor against refuted-guesses.json (exit ${code}) ---\n${out}${err}\n`);
    expect(err).toBe("");
    expect(code).toBe(1);
    expectEveryDifference(out);
    const counters = await environment.counters();
    expect(Object.keys(counters.byMethod)).toEqual(["GET"]);
  });

  describe.skipIf(!availability.engine)("the program's preflight", () => {
    let project: TestProject;

    beforeAll(async () => {
      project = await createTestProject(availability.engine!, "index", {
        files: articleFiles(),
        env: environment.env,
      });
    });

    afterAll(async () => {
      await project?.dispose();
    });

    it("stops up before any write, naming each difference and its source", async () => {
      await environment.resetCounters();
      const failure = await project.up().then(
        () => undefined,
        (error: unknown) => String(error),
      );
      process.stdout.write(`--- pulumi up against refuted-guesses.json ---\n${failure ?? "(no failure)"}\n`);
      expect(failure).toContain(
        "the environment does not match what iom-gitops assumes about IOM; nothing was changed",
      );
      expectEveryDifference(failure ?? "");
      const counters = await environment.counters();
      expect(Object.keys(counters.byMethod).sort()).toEqual(["GET"]);
      const state = await project.stack.exportStack();
      const created = (state.deployment.resources ?? []).filter((r: { type: string }) =>
        r.type.includes("dynamic/iom:"),
      );
      expect(created).toEqual([]);
    });
  });
});
