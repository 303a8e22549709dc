// Loads and validates a stack's desired IOM state before the program declares anything: an invalid
// file fails the update with every located finding, and nothing is sent to the environment.
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import path from "node:path";
import { formatText } from "../config/formatters.js";
import { validatePaths } from "../config/validate.js";

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
  const result = await validatePaths([file], { cwd: projectDir });
  if (!result.valid) {
    // RunError: the engine prints the message alone, without a JavaScript stack trace.
    throw new pulumi.RunError(`the desired state is invalid; nothing was changed\n${formatText(result)}`);
  }
  return file;
}
