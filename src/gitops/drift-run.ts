// Runs a drift check the way `pulumi` runs in a project folder: the project is the nearest folder
// with a Pulumi.yaml, its backend comes from Pulumi.yaml or PULUMI_BACKEND_URL, the passphrase from
// PULUMI_CONFIG_PASSPHRASE, the environment from stack config or IOM_DATAVERSE_URL/IOM_TOKEN (as the
// program reads them). The Automation API's workspace answers which stack and its configuration;
// the engine itself runs `pulumi preview --refresh --json --show-sames`, because that JSON is what
// the analysis reads and the Automation API's preview does not write it. A preview with refresh
// reads the environment and writes no state, unlike `pulumi refresh`, which is never run.
import { LocalWorkspace, PulumiCommand, type ConfigMap } from "@pulumi/pulumi/automation";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { loadYamlText } from "../config/yaml-source.js";
import type { SettingName, SettingsSource } from "../dataverse/index.js";
import { engineEnv, locateEngine, missingEngineMessage } from "../engine/engine.js";
import { analyzeDrift, type DriftReport } from "./drift.js";
import { parsePreviewDocuments, PreviewInputError } from "./plan-preview.js";

/** The closed list of reasons a drift check could not be made. */
export type DriftErrorCode =
  "drift-no-project" | "drift-no-engine" | "drift-no-stack" | "drift-preview-failed";

export class DriftError extends Error {
  override name = "DriftError";
  constructor(
    readonly code: DriftErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface DriftOptions {
  /** Where the command runs; the project is this folder or the nearest above with a Pulumi.yaml. */
  cwd: string;
  /** The stack; by default the selected one, or the only one. */
  stack?: string;
  /** The environment the engine and the program see. */
  env: NodeJS.ProcessEnv;
}

/** The nearest folder at or above `from` holding a Pulumi project file, as `pulumi` looks for it. */
export function findProject(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (["Pulumi.yaml", "Pulumi.yml"].some((f) => existsSync(path.join(dir, f)))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The YAML sections that declare each kind (an activation is its provider's `activated`). */
const SECTIONS: Record<string, string> = {
  Policy: "policies",
  IomProvider: "providers",
  IomProviderActivation: "providers",
  ProviderConnection: "connections",
  DualWriteMap: "dualWriteMaps",
  OrchestrationFlow: "orchestrationFlows",
};

/**
 * Where each resource of a stack is declared, `file:line`, keyed `<section>\0<name>` (names as the
 * program keys them, trimmed and lower-cased): the stack file and the policy files it includes.
 */
export function declarations(projectDir: string, desiredState: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (file: string, includes: boolean) => {
    const abs = path.resolve(projectDir, file);
    if (!existsSync(abs)) return;
    const shown = path.relative(projectDir, abs).split(path.sep).join("/");
    const loaded = loadYamlText(shown, readFileSync(abs));
    if (!loaded.ok) return;
    const data = loaded.source.data as Record<string, unknown> | null;
    for (const section of new Set(Object.values(SECTIONS))) {
      const list = data?.[section];
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, i) => {
        const name = (entry as { name?: unknown } | null)?.name;
        if (typeof name !== "string") return;
        const at = loaded.source.locate([section, i]);
        found.set(`${section}\0${name.trim().toLowerCase()}`, `${at.file}:${at.line}`);
      });
    }
    if (includes && Array.isArray(data?.include))
      for (const include of data.include)
        if (typeof include === "string") visit(path.join(path.dirname(file), include), false);
  };
  visit(desiredState, true);
  return found;
}

/** Fills in `declaredIn` from the stack's YAML. */
export function locateDeclarations(report: DriftReport, projectDir: string): void {
  const file = report.desiredState ?? path.join("stacks", `${report.stack}.iom.yaml`);
  const where = declarations(projectDir, file);
  for (const r of report.drifted) {
    const section = SECTIONS[r.kind];
    const at = section ? where.get(`${section}\0${r.name.trim().toLowerCase()}`) : undefined;
    if (at) r.lookAt.declaredIn = at;
  }
}

/**
 * Asks the environment when (and, where it keeps `modifiedby`, by whom) each drifted row last
 * changed, through the one Dataverse client with the settings the program would use. Best effort:
 * what cannot be read becomes a note, never a failed check.
 */
export async function lookUpChanges(
  report: DriftReport,
  config: ConfigMap,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const rows = report.drifted.filter((r) => r.lookAt.record);
  if (rows.length === 0) return;
  const dataverse = await import("../dataverse/index.js");
  // Stack config first, then the environment variables: the order the program and providers use.
  const stackConfig = dataverse.keyValueSource((name) => config[`iom:${name}`]?.value);
  const fromEnv = dataverse.envSource(env);
  const source: SettingsSource = {
    get: (name: SettingName) => stackConfig.get(name) ?? fromEnv.get(name),
    describe: (name: SettingName) => `${stackConfig.describe(name)} (or ${fromEnv.describe(name)})`,
  };
  let client;
  try {
    client = dataverse.createDataverseClient(dataverse.dataverseConfigFromSource(source));
  } catch (err) {
    report.notes.push(`who changed the rows was not looked up: ${(err as Error).message}`);
    return;
  }
  for (const r of rows) {
    const { table, id } = r.lookAt.record as { table: string; id: string };
    try {
      const attributes = new Set((await client.metadata.attributes(table)).map((a) => a.logicalName));
      const select = [
        ...(attributes.has("modifiedon") ? ["modifiedon"] : []),
        ...(attributes.has("modifiedby") ? ["_modifiedby_value"] : []),
      ];
      if (select.length === 0) continue;
      const row = await client.retrieveIfExists(await client.metadata.entitySetName(table), id, {
        select: select as [string, ...string[]],
        includeAnnotations: "OData.Community.Display.V1.FormattedValue",
      });
      if (!row) continue;
      if (typeof row.modifiedon === "string") r.lookAt.modifiedOn = row.modifiedon;
      const by = row["_modifiedby_value@OData.Community.Display.V1.FormattedValue"] ?? row._modifiedby_value;
      if (typeof by === "string") r.lookAt.modifiedBy = by;
    } catch (err) {
      report.notes.push(`${table} ${id} could not be read: ${(err as Error).message}`);
    }
  }
}

/** The error diagnostics of a failed preview's JSON, each once (the engine repeats them per resource). */
function errorsOf(stdout: string): string[] {
  try {
    const messages = parsePreviewDocuments(stdout, "pulumi preview")
      .flatMap((d) => d.digest.diagnostics ?? [])
      .filter((d) => d.severity === "error" && d.message)
      .map((d) => (d.message as string).trim());
    return [...new Set(messages)];
  } catch {
    return [];
  }
}

/** Checks one stack for drift; throws a DriftError when the check itself cannot be made. */
export async function checkDrift(options: DriftOptions): Promise<DriftReport> {
  const projectDir = findProject(options.cwd);
  if (!projectDir)
    throw new DriftError(
      "drift-no-project",
      `no Pulumi.yaml in ${options.cwd} or above: run iom drift in the project folder`,
    );
  const engine = locateEngine(options.env);
  if (!engine) throw new DriftError("drift-no-engine", missingEngineMessage);
  const env = { ...stringEnv(options.env), ...engineEnv(engine) };
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(engine.binDir) });
  const workspace = await LocalWorkspace.create({ workDir: projectDir, pulumiCommand, envVars: env });
  const stacks = await workspace.listStacks();
  const names = stacks.map((s) => s.name).sort();
  const stack =
    options.stack ??
    stacks.find((s) => s.current)?.name ??
    (stacks.length === 1 ? stacks[0]?.name : undefined);
  if (!stack)
    throw new DriftError(
      "drift-no-stack",
      names.length === 0
        ? "the project's backend has no stack: nothing was ever applied"
        : `which stack? pass --stack with one of ${names.join(", ")}`,
    );
  if (!names.includes(stack) && !names.some((n) => n.split("/").pop() === stack))
    throw new DriftError(
      "drift-no-stack",
      `no stack '${stack}' in the project's backend${names.length > 0 ? ` (it has ${names.join(", ")})` : ""}`,
    );

  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(
      path.join(engine.binDir, "pulumi"),
      ["preview", "--refresh", "--json", "--show-sames", "--stack", stack, "--non-interactive"],
      { cwd: projectDir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    ));
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string; message?: string };
    const reasons = errorsOf(failed.stdout ?? "");
    throw new DriftError(
      "drift-preview-failed",
      `pulumi preview --refresh of stack '${stack}' failed:\n${
        reasons.length > 0 ? reasons.join("\n") : (failed.stderr || failed.message || "").trim()
      }`,
    );
  }
  let documents;
  try {
    documents = parsePreviewDocuments(stdout, "pulumi preview");
  } catch (err) {
    if (err instanceof PreviewInputError) throw new DriftError("drift-preview-failed", err.message);
    throw err;
  }
  const report = await analyzeDrift((documents[0] as (typeof documents)[number]).digest);
  locateDeclarations(report, projectDir);
  if (report.drifted.length > 0) {
    let config: ConfigMap = {};
    try {
      config = await workspace.getAllConfig(stack);
    } catch (err) {
      report.notes.push(
        `the stack's configuration could not be read: ${(err as Error).message.split("\n")[0]}`,
      );
    }
    await lookUpChanges(report, config, options.env);
  }
  return report;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
