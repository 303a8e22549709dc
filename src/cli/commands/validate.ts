// `iom validate [paths...] [--format text|json|sarif|github] [--online]`: checks stack and policy
// files against the schemas and the semantic rules. Offline by default (the metadata snapshot
// shipped with the project); with --online, filters and columns are checked against the metadata
// of the environment the IOM_* / AZURE_* variables name (docs/dataverse-client.md). Exit 0 when
// valid, 1 when not, 2 on a usage error or when the environment cannot be read.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "../index.js";
import { formatOption, parseCommandArgs, UsageError } from "../usage-error.js";
import { FORMATS, format } from "../../config/formatters.js";
import type { Format } from "../../config/formatters.js";
import type { TableMetadataSource } from "../../config/metadata.js";
import { ValidatePathError, validatePaths } from "../../config/validate.js";

const USAGE = "usage: iom validate [paths...] [--format text|json|sarif|github] [--online]";

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
  /** Where --online reads the environment's settings; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/** The metadata source for --online, built only when asked so offline runs load no HTTP code. */
async function onlineMetadata(env: NodeJS.ProcessEnv): Promise<TableMetadataSource> {
  const { dataverseConfigFromEnv } = await import("../../dataverse/config.js");
  const { createDataverseClient } = await import("../../dataverse/client.js");
  const { OnlineMetadataSource } = await import("../../config/online-metadata.js");
  const { ConfigError } = await import("../../dataverse/errors.js");
  try {
    return new OnlineMetadataSource(createDataverseClient(dataverseConfigFromEnv(env)));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`--online: ${err.message}`);
    throw err;
  }
}

/** The command's logic with its input and output injected (tests pin its output with goldens). */
export async function runValidate(args: string[], io: ValidateIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      allowPositionals: true,
      options: {
        format: { type: "string", short: "f", default: "text" },
        online: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    },
    USAGE,
  );
  if (parsed.values.help) {
    io.write(
      `${USAGE}\n\nWith no paths, validates the stacks in stacks/ and the policy files they include.\n`,
    );
    return 0;
  }
  const formatName = formatOption(parsed.values.format, FORMATS, USAGE);
  let paths = parsed.positionals;
  if (paths.length === 0) {
    if (!existsSync(path.join(io.cwd, "stacks"))) {
      throw new UsageError(`no paths given and no stacks/ directory in ${io.cwd}\n${USAGE}`);
    }
    paths = ["stacks"];
  }
  const metadata = parsed.values.online ? await onlineMetadata(io.env ?? process.env) : undefined;
  let result;
  try {
    result = await validatePaths(paths, { cwd: io.cwd, ...(metadata ? { metadata } : {}) });
  } catch (err) {
    if (err instanceof ValidatePathError) throw new UsageError(err.message);
    if (metadata) {
      // Reading the environment failed (unreachable, signed out, no access): nothing was validated.
      const { DataverseError } = await import("../../dataverse/errors.js");
      if (err instanceof DataverseError) {
        throw new UsageError(`--online: could not read ${metadata.description}: ${err.message}`);
      }
    }
    throw err;
  }
  io.write(format(result, formatName as Format, packageVersion()));
  return result.valid ? 0 : 1;
}

export const command: Command = {
  summary: "check stack and policy files (schemas, references, filters) without touching an environment",
  run: (args) => runValidate(args, { cwd: process.cwd(), write: (text) => process.stdout.write(text) }),
};
