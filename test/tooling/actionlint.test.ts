// The GitHub workflows (.github/workflows/) pass actionlint, and keep the promises docs/gitops.md
// makes about them: what runs when, in which order, under which identity and concurrency group.
// actionlint is built once per machine from the Go module proxy (scripts/provision-actionlint.sh);
// with CI=true a machine that cannot build it fails this file, elsewhere it is skipped with the
// reason printed.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { projectRoot } from "../../src/engine/engine.js";

const SCRIPT = path.join(projectRoot, "scripts", "provision-actionlint.sh");
const WORKFLOWS = path.join(projectRoot, ".github", "workflows");
/** The script's exit code when there is no Go toolchain to build actionlint with. */
const NO_GO = 3;
/** bash by its path, so a test can give the script a PATH with nothing on it. */
const BASH = execFileSync("sh", ["-c", "command -v bash"], { encoding: "utf8", timeout: 10_000 }).trim();

type Provisioned = { bin: string; reason?: undefined } | { bin?: undefined; reason: string };

/**
 * Runs the provisioning script. No Go: a failure under CI=true, never a silent skip; elsewhere the
 * reason, printed. Any other failure of the script (a broken build) always fails.
 */
function provisionActionlint(env: NodeJS.ProcessEnv): Provisioned {
  const run = spawnSync(BASH, [SCRIPT], { env, encoding: "utf8", timeout: 600_000 });
  if (run.status === 0) return { bin: run.stdout.trim().split("\n").pop() ?? "" };
  if (run.status === NO_GO) {
    const reason = `actionlint could not be built: ${run.stderr.trim()}`;
    if (env.CI === "true") throw new Error(`CI=true and ${reason}`);
    console.warn(`workflows: skipped: ${reason}`);
    return { reason };
  }
  throw new Error(`scripts/provision-actionlint.sh failed (exit ${run.status}):\n${run.stderr}`);
}

/**
 * actionlint on a copy of the workflows (with `edit` applied to the named files) in a scratch
 * project. actionlint checks calls of `./.github/workflows/*.yml` only inside a project it
 * recognises by its `.git` folder: the copy has one, so the calls are checked wherever this runs.
 * shellcheck and pyflakes are off, so every machine gives the same answer.
 */
function actionlint(bin: string, edit: Record<string, (text: string) => string> = {}) {
  const project = mkdtempSync(path.join(tmpdir(), "iom-actionlint-"));
  try {
    const dir = path.join(project, ".github", "workflows");
    mkdirSync(dir, { recursive: true });
    mkdirSync(path.join(project, ".git"));
    for (const file of workflowFiles) {
      const text = readFileSync(path.join(WORKFLOWS, file), "utf8");
      writeFileSync(path.join(dir, file), edit[file]?.(text) ?? text);
    }
    const files = workflowFiles.map((f) => path.join(".github", "workflows", f));
    return spawnSync(bin, ["-no-color", "-oneline", "-shellcheck=", "-pyflakes=", ...files], {
      cwd: project,
      encoding: "utf8",
      timeout: 60_000,
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort();

describe("the provisioning gate", () => {
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(path.join(tmpdir(), "iom-actionlint-"));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  // An empty PATH (no Go wherever this machine keeps it) and an empty cache: nothing to build with.
  const withoutGo = (extra: NodeJS.ProcessEnv) => ({
    PATH: cache,
    HOME: cache,
    IOM_ACTIONLINT_CACHE: cache,
    ...extra,
  });

  it("fails under CI=true when actionlint cannot be built", () => {
    expect(() => provisionActionlint(withoutGo({ CI: "true" }))).toThrow(
      /^CI=true and actionlint could not be built: .*no Go toolchain/,
    );
  });

  it("skips elsewhere, with the reason printed", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(provisionActionlint(withoutGo({})).reason).toMatch(/no Go toolchain/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^workflows: skipped: /));
    warn.mockRestore();
  });
});

describe("actionlint", () => {
  let provisioned: Provisioned;
  beforeAll(() => {
    provisioned = provisionActionlint(process.env);
  }, 600_000);

  it("is the pinned version", ({ skip }) => {
    if (!provisioned.bin) return skip(provisioned.reason);
    const pinned = /^version="([^"]+)"/m.exec(readFileSync(SCRIPT, "utf8"))?.[1];
    expect(
      execFileSync(provisioned.bin, ["-version"], { encoding: "utf8", timeout: 10_000 }).split("\n")[0],
    ).toBe(`v${pinned}`);
  });

  it("finds nothing in the workflows", ({ skip }) => {
    if (!provisioned.bin) return skip(provisioned.reason);
    expect(workflowFiles).toEqual(["deploy.yml", "drift.yml", "iom-stack.yml", "pull-request.yml"]);
    const run = actionlint(provisioned.bin);
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("reports a broken call of the shared stack workflow (so a clean run means something)", ({ skip }) => {
    if (!provisioned.bin) return skip(provisioned.reason);
    const run = actionlint(provisioned.bin, {
      "deploy.yml": (text) => text.replace("operation: up", "operatoin: up"),
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/deploy\.yml:\d+:\d+: input "operatoin" is not defined/);
  });
});

// What actionlint cannot know: the pipeline's own rules.
describe("the workflows' pipeline rules", () => {
  interface Job {
    needs?: string | string[];
    if?: string;
    uses?: string;
    with?: Record<string, string>;
    permissions?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown> };
    concurrency?: { group: string; "cancel-in-progress": boolean };
    environment?: string;
    steps?: { run?: string; uses?: string; with?: Record<string, unknown> }[];
  }
  interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
  }
  const load = (file: string) => parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
  const stackCalls = (wf: Workflow) =>
    Object.entries(wf.jobs).filter(([, job]) => job.uses === "./.github/workflows/iom-stack.yml");

  it("runs every stack operation in the stack's concurrency group, never cancelling a running engine", () => {
    const run = load("iom-stack.yml").jobs.run!;
    expect(run.concurrency).toEqual({ group: "iom-stack-${{ inputs.stack }}", "cancel-in-progress": false });
  });

  it("signs in by workload identity only: an OIDC token file, no client secret", () => {
    const text = readFileSync(path.join(WORKFLOWS, "iom-stack.yml"), "utf8");
    expect(text).toContain("IOM_AUTH: workload-identity");
    expect(text).toContain("AZURE_FEDERATED_TOKEN_FILE=");
    expect(text).toContain("audience=api://AzureADTokenExchange");
    for (const file of workflowFiles) {
      expect(readFileSync(path.join(WORKFLOWS, file), "utf8")).not.toMatch(
        /CLIENT_SECRET|client-secret|AZURE_CREDENTIALS/,
      );
    }
    for (const file of ["pull-request.yml", "deploy.yml", "drift.yml"]) {
      for (const [name, job] of stackCalls(load(file))) {
        expect(job.permissions, `${file} ${name}`).toMatchObject({ "id-token": "write" });
      }
    }
  });

  it("validates and previews pull requests per changed stack, then posts one summary comment", () => {
    const wf = load("pull-request.yml");
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.jobs.validate!.steps!.map((s) => s.run)).toContain("npx iom validate --format github");
    expect(wf.jobs.preview).toMatchObject({
      needs: ["validate", "changes"],
      strategy: { matrix: { stack: "${{ fromJSON(needs.changes.outputs.stacks) }}" } },
      with: { stack: "${{ matrix.stack }}", operation: "preview" },
    });
    const comment = wf.jobs.comment!.steps!.map((s) => s.run ?? "").join("\n");
    expect(comment).toContain("npx iom plan-summary");
    expect(comment).toContain("--method PATCH");
  });

  it("deploys main dev, then test, then prod, each in its environment", () => {
    const wf = load("deploy.yml");
    expect(wf.on).toHaveProperty("push", { branches: ["main"] });
    expect(stackCalls(wf).map(([name, job]) => [name, job.needs, job.with])).toEqual([
      ["dev", "stacks", { stack: "dev", operation: "up", environment: "dev" }],
      ["test", ["stacks", "dev"], { stack: "test", operation: "up", environment: "test" }],
      ["prod", ["stacks", "test"], { stack: "prod", operation: "up", environment: "prod" }],
    ]);
    expect(wf.jobs.test!.if).toContain("!failure()");
    expect(wf.jobs.prod!.if).toContain("!failure()");
  });

  it("checks drift on a schedule and manages one issue per stack from iom drift's exit code", () => {
    const wf = load("drift.yml");
    expect(wf.on).toHaveProperty("schedule");
    expect(wf.jobs.drift).toMatchObject({
      permissions: { issues: "write" },
      with: { operation: "drift" },
    });
    const text = readFileSync(path.join(WORKFLOWS, "iom-stack.yml"), "utf8");
    expect(text).toContain('npx iom drift --stack "$STACK" --format markdown');
    expect(text).toMatch(/if \[ "\$STATUS" = 3 \]/);
    expect(text).toContain("gh issue close");
  });
});
