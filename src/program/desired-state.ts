// Loads and validates a stack's desired IOM state before the program declares anything: an invalid
// file fails the update with every located finding, and nothing is sent to the environment.
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import path from "node:path";
import { formatText } from "../config/formatters.js";
import type { TableMetadataSource } from "../config/metadata.js";
import { validatePaths } from "../config/validate.js";

/**
 * The environment's own metadata when the environment is configured (IOM_DATAVERSE_URL and its
 * sign-in settings, as `npm run demo` sets them for the emulator), so filters are checked against
 * what it really has; otherwise the snapshot shipped with the project.
 */
async function environmentMetadata(): Promise<TableMetadataSource | undefined> {
  if (!process.env.IOM_DATAVERSE_URL) return undefined;
  const { dataverseConfigFromEnv } = await import("../dataverse/config.js");
  const { createDataverseClient } = await import("../dataverse/client.js");
  const { OnlineMetadataSource } = await import("../config/online-metadata.js");
  return new OnlineMetadataSource(createDataverseClient(dataverseConfigFromEnv()));
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

/** Validates the desired-state file of the running stack; returns its path. */
export async function validateDesiredState(
  config: pulumi.Config,
  projectDir = projectDirectory(),
): Promise<string> {
  const stack = pulumi.getStack();
  const configured = config.get("desiredState");
  const file = configured ? path.resolve(projectDir, configured) : defaultDesiredStatePath(projectDir, stack);
  if (!existsSync(file)) {
    throw new pulumi.RunError(
      `stack '${stack}' has no desired state: create ${path.relative(projectDir, file)} ` +
        "or set iom:desiredState to its path",
    );
  }
  const metadata = await environmentMetadata();
  const result = await validatePaths([file], { cwd: projectDir, ...(metadata ? { metadata } : {}) });
  if (!result.valid) {
    // RunError: the engine prints the message alone, without a JavaScript stack trace.
    throw new pulumi.RunError(`the desired state is invalid; nothing was changed\n${formatText(result)}`);
  }
  return file;
}
