// Loads and validates a stack's desired IOM state before the program declares anything: an invalid
// file fails the update with every located finding, and nothing is sent to the environment.
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import path from "node:path";
import { formatText } from "../config/formatters.js";
import { loadDesiredState, type DesiredState } from "../config/validate.js";
import type { DataverseClient, SettingName, SettingsSource } from "../dataverse/index.js";
import { stackSecretConfig } from "./secret-parameters.js";

/**
 * The environment's settings as the providers see them: stack config `iom:<name>` (secrets
 * included, read from the engine's decrypted configuration), else the environment variables.
 */
async function programSettings(): Promise<SettingsSource> {
  const { envSource, SETTINGS } = await import("../dataverse/index.js");
  const env = envSource();
  return {
    get(name: SettingName) {
      const value = pulumi.runtime.getConfig(`iom:${name}`);
      return value !== undefined && value.trim() !== "" ? value.trim() : env.get(name);
    },
    describe: (name: SettingName) => `iom:${name} (or ${SETTINGS[name].env})`,
  };
}

/** A client for the configured environment, or undefined when none is configured (offline run). */
export async function environmentClient(): Promise<DataverseClient | undefined> {
  const settings = await programSettings();
  if (settings.get("environmentUrl") === undefined) return undefined;
  const { createDataverseClient, dataverseConfigFromSource } = await import("../dataverse/index.js");
  return createDataverseClient(dataverseConfigFromSource(settings));
}

/** Where a stack's desired state lives unless `iom:desiredState` says otherwise. */
export function defaultDesiredStatePath(projectDir: string, stack: string): string {
  return path.join(projectDir, "stacks", `${stack}.iom.yaml`);
}

/**
 * The folder holding Pulumi.yaml. The program's working directory is not always it (Pulumi runs a
 * program from the folder of its `main`), so paths in config are resolved against this one.
 */
export function projectDirectory(): string {
  return pulumi.runtime.getRootDirectory() || process.cwd();
}

/**
 * Loads the running stack's desired state and validates it like `iom validate` (against the
 * environment's own metadata when one is configured). Any finding stops the run before a single
 * resource is registered.
 */
export async function loadStackDesiredState(
  config: pulumi.Config,
  projectDir = projectDirectory(),
): Promise<LoadedStack> {
  const stack = pulumi.getStack();
  const configured = config.get("desiredState");
  const file = configured ? path.resolve(projectDir, configured) : defaultDesiredStatePath(projectDir, stack);
  if (!existsSync(file)) {
    throw new pulumi.RunError(
      `stack '${stack}' has no desired state: create ${path.relative(projectDir, file)} ` +
        "or set iom:desiredState to its path",
    );
  }
  const client = await environmentClient();
  if (!client) {
    const { validation, state } = await loadDesiredState(file, {
      cwd: projectDir,
      secretConfig: stackSecretConfig(),
    });
    return checked(file, validation, state);
  }
  // Before any write: every assumption the resources make about the environment's tables,
  // columns, option labels and navigation properties, reported together (`iom doctor` alone).
  // It runs beside the validation against the environment's metadata, which reads other tables
  // through the same cache: their round trips overlap. A failed assumption is reported first, as
  // the validation's findings may follow from it.
  const { checkAssumptions, formatAssumptionReport } = await import("../iom/assumptions.js");
  const { runTables } = await import("../iom/run-tables.js");
  // The organization the environment is, for the stack's organization guard (declare.ts).
  const who = client.whoAmI();
  who.catch(() => undefined); // awaited below, unless the assumption check fails first
  // Every table the check and the validation read, in one request sent beside WhoAmI, before the
  // next import can delay it (src/dataverse/metadata.ts). A failure is the check's to report.
  client.metadata.prefetch(runTables()).catch(() => undefined);
  const { OnlineMetadataSource } = await import("../config/online-metadata.js");
  const assumptions = checkAssumptions(client);
  const loaded = loadDesiredState(file, {
    cwd: projectDir,
    metadata: new OnlineMetadataSource(client),
    secretConfig: stackSecretConfig(),
  });
  loaded.catch(() => undefined); // awaited below, unless the assumption check fails first
  const report = await assumptions;
  if (!report.ok) {
    throw new pulumi.RunError(
      `the environment does not match what iom-gitops assumes about IOM; nothing was changed\n` +
        formatAssumptionReport(report),
    );
  }
  const { validation, state } = await loaded;
  return {
    ...checked(file, validation, state),
    organization: { organizationId: (await who).OrganizationId },
  };
}

export interface LoadedStack {
  file: string;
  state: DesiredState;
  /** The configured environment's organization; absent when no environment is configured. */
  organization?: { organizationId: string };
}

/** The loaded state, or the run stopped with every located finding. */
function checked(
  file: string,
  validation: Awaited<ReturnType<typeof loadDesiredState>>["validation"],
  state: DesiredState | undefined,
): { file: string; state: DesiredState } {
  if (!state) {
    // RunError: the engine prints the message alone, without a JavaScript stack trace.
    throw new pulumi.RunError(`the desired state is invalid; nothing was changed\n${formatText(validation)}`);
  }
  return { file, state };
}
