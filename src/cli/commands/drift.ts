// `iom drift [--stack NAME] [--format text|markdown|json]`: in a project folder, like `pulumi`,
// reports what the environment holds against what the stack last applied, per resource and
// property, and where to look; it writes no state (src/gitops/drift-run.ts). Exit 0 when there is
// no drift, 3 when there is, 1 when the check could not be made, 2 on a usage error.
import type { Command } from "../index.js";
import { formatOption, parseCommandArgs, UsageError } from "../usage-error.js";

const USAGE = "usage: iom drift [--stack NAME] [--format text|markdown|json]";
const FORMATS = ["text", "markdown", "json"] as const;

const HELP = `${USAGE}

Compares what the environment holds with what the stack last applied, per resource and property,
without writing state (a \`pulumi preview --refresh\`, never a refresh). Runs in the project folder:
the backend from Pulumi.yaml or PULUMI_BACKEND_URL, the passphrase from PULUMI_CONFIG_PASSPHRASE,
the environment from stack config or IOM_DATAVERSE_URL and IOM_TOKEN.

  --stack NAME  the stack (default: the selected stack, or the only one)
  --format F    text (default), markdown (for an issue) or json

Exit status: 0 no drift, 3 drift found, 1 the check could not be made, 2 usage error.`;

/** Exit status when drift was found: distinct from errors, so a schedule can tell them apart. */
export const DRIFT_EXIT = 3;

export interface DriftIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  write(text: string): void;
  error(text: string): void;
}

/** The command's logic with its input and output injected. */
export async function runDrift(args: string[], io: DriftIo): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args,
      options: {
        stack: { type: "string", short: "s" },
        format: { type: "string", short: "f", default: "text" },
        help: { type: "boolean", short: "h" },
      },
    },
    USAGE,
  );
  if (values.help) {
    io.write(`${HELP}\n`);
    return 0;
  }
  const format = formatOption(values.format, FORMATS, USAGE);
  if (values.stack !== undefined && values.stack.trim() === "")
    throw new UsageError(`--stack needs a name\n${USAGE}`);

  const { checkDrift, DriftError } = await import("../../gitops/drift-run.js");
  const { formatDrift } = await import("../../gitops/drift-format.js");
  try {
    const report = await checkDrift({
      cwd: io.cwd,
      env: io.env,
      ...(values.stack !== undefined ? { stack: values.stack } : {}),
    });
    io.write(formatDrift(report, format));
    return report.drifted.length > 0 ? DRIFT_EXIT : 0;
  } catch (err) {
    if (err instanceof DriftError) {
      io.error(`iom drift: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export const command: Command = {
  summary: "report what the environment changed since the stack's last apply (writes no state)",
  run: (args) =>
    runDrift(args, {
      cwd: process.cwd(),
      env: process.env,
      write: (text) => process.stdout.write(text),
      error: (text) => process.stderr.write(text),
    }),
};
