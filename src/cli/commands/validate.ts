// `iom validate [paths...] [--format text|json|sarif|github]`: checks stack and policy files
// against the schemas and the semantic rules, offline. Exit 0 when valid, 1 when not, 2 on a
// usage error.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../index.js";
import { UsageError } from "../usage-error.js";
import { FORMATS, format } from "../../config/formatters.js";
import type { Format } from "../../config/formatters.js";
import { ValidatePathError, validatePaths } from "../../config/validate.js";

const USAGE = "usage: iom validate [paths...] [--format text|json|sarif|github]";

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, "../../../package.json"), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export interface ValidateIo {
  cwd: string;
  write(text: string): void;
}

/** The command's logic with its input and output injected (tests pin its output with goldens). */
export async function runValidate(args: string[], io: ValidateIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: "string", short: "f", default: "text" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  if (parsed.values.help) {
    io.write(
      `${USAGE}\n\nWith no paths, validates the stacks in stacks/ and the policy files they include.\n`,
    );
    return 0;
  }
  const formatName = parsed.values.format as string;
  if (!(FORMATS as readonly string[]).includes(formatName)) {
    throw new UsageError(`unknown format '${formatName}': use one of ${FORMATS.join(", ")}\n${USAGE}`);
  }
  let paths = parsed.positionals;
  if (paths.length === 0) {
    if (!existsSync(path.join(io.cwd, "stacks"))) {
      throw new UsageError(`no paths given and no stacks/ directory in ${io.cwd}\n${USAGE}`);
    }
    paths = ["stacks"];
  }
  let result;
  try {
    result = await validatePaths(paths, { cwd: io.cwd });
  } catch (err) {
    if (err instanceof ValidatePathError) throw new UsageError(err.message);
    throw err;
  }
  io.write(format(result, formatName as Format, packageVersion()));
  return result.valid ? 0 : 1;
}

export const command: Command = {
  summary: "check stack and policy files (schemas, references, filters) without touching an environment",
  run: (args) => runValidate(args, { cwd: process.cwd(), write: (text) => process.stdout.write(text) }),
};
