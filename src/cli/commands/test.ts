// `iom test [PATH...] [--stack NAME|FILE] [--format text|json|github|junit]`: runs order cases
// (tests/<name>.orders.yaml) against a stack, offline: the stack's published execution policies,
// then its dual-write maps' Dataverse filters, and compares with what each case expects
// (docs/testing-orders.md). Exit 0 when every case holds, 1 when one does not or a file has an
// error, 2 on a usage error.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "../index.js";
import { formatOption, parseCommandArgs, UsageError } from "../usage-error.js";
import { TEST_FORMATS, formatReport } from "../../order-tests/format.js";
import { TestUsageError, runOrderTests } from "../../order-tests/run.js";

const USAGE = "usage: iom test [paths...] [--stack NAME|FILE] [--format text|json|github|junit]";

const HELP = `${USAGE}

Runs order cases (*.orders.yaml; with no paths, those under tests/) against a stack without
touching an environment: the stack's published execution policies run on the order and its lines
in the order its orchestration flow uses them, then each dual-write map's Dataverse filter decides
whether the header and each line sync to Finance + Operations. A case that does not hold is
printed with its expectation and the clause that decided it.

  --stack S   the stack: a name (stacks/S.iom.yaml) or a *.iom.yaml file
              (default: the file's own 'stack', else the project's only stack)
  --format F  text (default), json, github (annotations) or junit (XML)

Exit status: 0 every case holds, 1 a case does not or a file has an error, 2 usage error.`;

export interface TestIo {
  cwd: string;
  write(text: string): void;
}

/** The command's logic with its input and output injected. */
export async function runTest(args: string[], io: TestIo): Promise<number> {
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
  const format = formatOption(parsed.values.format, TEST_FORMATS, USAGE);
  if (parsed.values.stack !== undefined && parsed.values.stack.trim() === "")
    throw new UsageError(`--stack needs a name or a file\n${USAGE}`);
  let paths = parsed.positionals;
  if (paths.length === 0) {
    if (!existsSync(path.join(io.cwd, "tests")))
      throw new UsageError(`no paths given and no tests/ directory in ${io.cwd}\n${USAGE}`);
    paths = ["tests"];
  }
  try {
    const report = await runOrderTests(paths, {
      cwd: io.cwd,
      ...(parsed.values.stack !== undefined ? { stack: parsed.values.stack } : {}),
    });
    io.write(formatReport(report, format));
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof TestUsageError) throw new UsageError(`${err.message}\n${USAGE}`);
    throw err;
  }
}

export const command: Command = {
  summary: "run order cases (tests/*.orders.yaml): do the policies and filters let each order reach F&O?",
  run: (args) => runTest(args, { cwd: process.cwd(), write: (text) => process.stdout.write(text) }),
};
