// A stack applied by the previous version of iom-gitops, upgraded: its state (fixtures/
// state-before-fingerprints/state.json, exported by that version, see capture.ts there) holds every
// resource's inputs whole in its outputs, and the serialised provider objects of that version.
// This version must preview it with no changes and no errors, refresh it into the outputs it keeps
// now (docs/adr/0014-outputs-keep-what-the-environment-cannot-tell.md) without losing the YAML's
// words, and go on from there.
//
// The environment is made by this version's own `up` of the same project (its record ids derive
// from the project, the stack and the YAML, its dual-write maps come from the emulator's seed), and
// the old state is then imported over the state that `up` wrote.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Deployment } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();
const FIXTURE = path.join(__dirname, "fixtures", "state-before-fingerprints");
const SPELLED = "Spelled order product parameters";

/** The fixture's project files (the stack, its policy files), as the previous version applied them. */
function projectFiles(): Record<string, string> {
  const root = path.join(FIXTURE, "project");
  return Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        return [path.relative(root, file), readFileSync(file, "utf8")];
      }),
  );
}

interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

const policies = (deployment: Deployment): StateResource[] =>
  (deployment.deployment.resources as StateResource[]).filter((r) => r.type.endsWith(":Policy"));
const named = (resources: StateResource[], name: string): StateResource =>
  resources.find((r) => r.inputs?.name === name) as StateResource;

describe.skipIf(!availability.engine)("a stack applied by the previous version", () => {
  let environment: TestEnvironment;
  let project: TestProject;
  const old = JSON.parse(readFileSync(path.join(FIXTURE, "state.json"), "utf8")) as Deployment;

  beforeAll(async () => {
    environment = await TestEnvironment.start();
    project = await createTestProject(availability.engine!, "index", {
      files: projectFiles(),
      env: environment.env,
    });
    await project.up();
    await project.stack.importStack(old);
  });

  afterAll(async () => {
    await project?.destroy().catch(() => undefined);
    await project?.dispose();
    await environment?.close();
  });

  it("holds the inputs whole in every policy's outputs (the fixture is the old shape)", () => {
    for (const policy of policies(old)) {
      const { __provider: _provider, ...inputs } = policy.inputs ?? {};
      expect(policy.outputs).toMatchObject(inputs);
    }
  });

  it("previews with no changes and no errors, with and without refresh", async () => {
    for (const refresh of [false, true]) {
      const preview = await project.stack.preview({ refresh, expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: 11 });
      expect(preview.stderr).toBe("");
    }
  });

  it("refreshes into the outputs this version keeps, with the YAML's words, and shows no change after", async () => {
    expect((await project.refresh()).summary.resourceChanges).toEqual({ same: 11 });
    const state = await project.stack.exportStack();
    for (const policy of policies(state)) {
      expect(policy.outputs?.fingerprint).toMatch(/^[\w-]{16}\.[\w-]{16}$/);
      expect(policy.outputs).not.toHaveProperty("name");
    }
    // The article's policies read back as written; the spelled one keeps its words and order.
    const spelled = named(policies(state), SPELLED);
    const before = named(policies(old), SPELLED);
    expect(spelled.inputs).toEqual(before.inputs);
    expect(spelled.outputs?.rules).toEqual(before.inputs?.rules);
    expect(spelled.outputs?.description).toBe("");
    for (const policy of policies(state).filter((p) => p !== spelled))
      expect(policy.outputs).not.toHaveProperty("rules");

    // The diff now compares fingerprints; a second refresh reads from what was kept.
    const preview = await project.stack.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: 11 });
    expect((await project.refresh()).summary.resourceChanges).toEqual({ same: 11 });
    expect(named(policies(await project.stack.exportStack()), SPELLED).inputs).toEqual(before.inputs);
  });
});
