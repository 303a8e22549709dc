// `iom plan-summary [FILE...] [--format markdown|text] [--cases PATH]... [--no-cases]`: reads
// `pulumi preview --json` output (files, or stdin when none is given; any number of stacks) and
// writes the pull-request summary: Markdown for the comment (default), plain text for logs. When a
// stack's policies, maps or flows change, its order cases (the project's tests/ folder, or
// --cases) are run before and after the change. Exit 0 when written, 1 when an input is not a
// preview, 2 on a usage error.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "../index.js";
import { formatOption, parseCommandArgs, UsageError } from "../usage-error.js";

const USAGE = "usage: iom plan-summary [FILE...] [--format markdown|text] [--cases PATH]... [--no-cases]";
const FORMATS = ["markdown", "text"] as const;

const HELP = `${USAGE}

Summarises \`pulumi preview --json\` output for a pull request: the counts first, then only the
resources that change, by stack and kind, with their property changes. Reads the files given, or
stdin (several previews one after the other are several stacks).

  --format markdown  for a PR comment: folded where long, always under GitHub's 65,536-character
                     limit, with a note of anything cut to fit (default)
  --format text      for logs: everything, never cut
  --cases PATH       order case files (*.orders.yaml) or folders to run when a stack's policies,
                     dual-write maps or flows change; repeatable (default: the project's tests/)
  --no-cases         run no order cases

When a preview changes a policy, a dual-write map or an orchestration flow, the order cases written
for that stack (their \`stack\` is the stack's desired-state file) run against the stack as the
files hold it and as it is applied (the preview's old inputs), and the summary says which cases
change outcome, with the deciding clause. Run it in the pull request's checkout, where the preview
was made.`;

export interface PlanSummaryIo {
  cwd: string;
  write(text: string): void;
  /** Diagnostics (unreadable input): stderr. */
  error(text: string): void;
  /** The whole of stdin, read only when no file is given. */
  stdin(): Promise<string>;
  /** Whether stdin is a terminal (then nothing is piped in, and waiting would hang). */
  stdinIsTty: boolean;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** The command's logic with its input and output injected (tests pin its output with goldens). */
export async function runPlanSummary(args: string[], io: PlanSummaryIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      allowPositionals: true,
      options: {
        format: { type: "string", short: "f", default: "markdown" },
        cases: { type: "string", multiple: true },
        "no-cases": { type: "boolean" },
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
  const cases = parsed.values.cases;
  if (cases && parsed.values["no-cases"])
    throw new UsageError(`--cases and --no-cases exclude each other\n${USAGE}`);
  const files = parsed.positionals;
  if (files.length === 0 && io.stdinIsTty)
    throw new UsageError(`no input: give files or pipe \`pulumi preview --json\` into it\n${USAGE}`);

  const { parsePreviewDocuments, PreviewInputError } = await import("../../gitops/plan-preview.js");
  const { buildPlan, renderMarkdown, renderText, throughKinds } =
    await import("../../gitops/plan-summary.js");
  const { compareWithKind } = await import("../../gitops/drift.js");
  const documents = [];
  try {
    // "-" is stdin, as for most tools; no file at all means stdin too.
    for (const file of files.length > 0 ? files : ["-"]) {
      if (file === "-") {
        documents.push(...parsePreviewDocuments(await io.stdin(), "stdin"));
        continue;
      }
      let text: string;
      try {
        text = await readFile(path.resolve(io.cwd, file), "utf8");
      } catch (err) {
        throw new PreviewInputError(
          "preview-unreadable",
          `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          file,
          1,
          1,
        );
      }
      documents.push(...parsePreviewDocuments(text, file));
    }
  } catch (err) {
    if (err instanceof PreviewInputError) {
      io.error(`iom plan-summary: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  // What the engine will do, as each kind sees it: whitespace and case it ignores are no change.
  const plan = await throughKinds(buildPlan(documents), compareWithKind);
  if (!parsed.values["no-cases"]) {
    const { orderEffects, CasesUsageError } = await import("../../gitops/plan-effect.js");
    try {
      const effects = await orderEffects(documents, { cwd: io.cwd, ...(cases ? { cases } : {}) });
      for (const [index, effect] of effects) {
        const stack = plan.stacks[index];
        if (stack) stack.effect = effect;
      }
    } catch (err) {
      if (err instanceof CasesUsageError) throw new UsageError(`${err.message}\n${USAGE}`);
      throw err;
    }
  }
  io.write(format === "text" ? renderText(plan) : renderMarkdown(plan));
  return 0;
}

export const command: Command = {
  summary: "summarise `pulumi preview --json` output for a pull-request comment (or a log)",
  run: (args) =>
    runPlanSummary(args, {
      cwd: process.cwd(),
      write: (text) => process.stdout.write(text),
      error: (text) => process.stderr.write(text),
      stdin: () => readAll(process.stdin),
      stdinIsTty: process.stdin.isTTY === true,
    }),
};
