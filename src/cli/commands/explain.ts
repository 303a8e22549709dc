// `iom explain ORDER-NUMBER [--stack NAME|FILE] [--format text|json]`: against the environment the
// IOM_* / AZURE_* variables name (like `iom doctor`; the maps' filters from the dual-write gateway,
// IOM_DUALWRITE_URL and IOM_FINOPS_URL), says for one order and each of its lines whether it would
// sync to F&O, clause by clause, with the values read (docs/testing-orders.md). Only reads. With
// --stack, the maps are the stack's, named as the stack names them, and a filter that differs from
// the stack's is pointed out. Exit 0 when explained, 1 when the order or the maps are not there,
// 2 on a usage error or when the environment cannot be reached or read.
import type { ClientInternals } from "../../dataverse/client.js";
import type { Command } from "../index.js";
import { environmentClient } from "../environment.js";
import { formatOption, parseCommandArgs, UsageError } from "../usage-error.js";

const USAGE = "usage: iom explain ORDER-NUMBER [--stack NAME|FILE] [--format text|json]";
const FORMATS = ["text", "json"] as const;

const HELP = `${USAGE}

Reads one order (by its Order ID) and its lines from the environment that IOM_DATAVERSE_URL names,
the Dataverse filters of its dual-write maps from the gateway (IOM_DUALWRITE_URL, IOM_FINOPS_URL)
and its published policies, and says for the header and each line whether it would sync to
Finance + Operations once the published order orchestration flow's execution policies ran:
clause by clause, with the values read (only the columns the filters and rules name).

  --stack S   take the maps from a stack (a name in stacks/ or a *.iom.yaml file) and point out
              a filter the environment has changed (default: IOM's F&O maps)
  --format F  text (default) or json

Exit status: 0 explained, 1 no such order or no map to explain, 2 usage error or the environment
cannot be read.`;

export interface ExplainIo {
  cwd: string;
  write(text: string): void;
  writeError(text: string): void;
  env?: NodeJS.ProcessEnv;
  internals?: ClientInternals;
}

export async function runExplain(args: string[], io: ExplainIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      allowPositionals: true,
      options: {
        stack: { type: "string", short: "s" },
        format: { type: "string", short: "f", default: "text" },
        help: { type: "boolean", short: "h" },
      },
    },
    USAGE,
  );
  if (parsed.values.help) {
    io.write(`${HELP}\n`);
    return 0;
  }
  const format = formatOption(parsed.values.format, FORMATS, USAGE);
  const [orderNumber, ...extra] = parsed.positionals;
  if (orderNumber === undefined || orderNumber.trim() === "" || extra.length > 0)
    throw new UsageError(`give one order number (the order's Order ID)\n${USAGE}`);

  const { DataverseError } = await import("../../dataverse/errors.js");
  const { ExplainError, explainOrder, formatExplanation } = await import("../../order-tests/explain.js");
  let stack;
  if (parsed.values.stack !== undefined) {
    const { stackOption, TestUsageError } = await import("../../order-tests/run.js");
    const { loadStack } = await import("../../order-tests/stack.js");
    let file: string;
    try {
      file = stackOption(parsed.values.stack, io.cwd);
    } catch (err) {
      if (err instanceof TestUsageError) throw new UsageError(`${err.message}\n${USAGE}`);
      throw err;
    }
    const loaded = await loadStack(file, io.cwd);
    if (!loaded.ok)
      throw new UsageError(`the stack ${parsed.values.stack} cannot be read: run iom validate on it`);
    stack = loaded.stack;
  }
  const client = await environmentClient(io.env, io.internals);
  try {
    const explanation = await explainOrder(client, orderNumber, stack);
    io.write(
      format === "json" ? JSON.stringify(explanation, null, 2) + "\n" : formatExplanation(explanation),
    );
    return 0;
  } catch (err) {
    if (err instanceof ExplainError) {
      io.writeError(`iom explain: ${err.message}\n`);
      return 1;
    }
    if (err instanceof DataverseError) {
      io.writeError(`iom explain: could not read ${client.environmentUrl}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

export const command: Command = {
  summary: "say whether an order of the environment and each line would sync to F&O, clause by clause",
  run: (args) =>
    runExplain(args, {
      cwd: process.cwd(),
      write: (text) => process.stdout.write(text),
      writeError: (text) => process.stderr.write(text),
    }),
};
