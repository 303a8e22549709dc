// `iom import [--out FILE]`: brownfield adoption. Reads the IOM configuration of the environment
// the IOM_* / AZURE_* variables name (docs/dataverse-client.md, as `iom doctor` and `validate
// --online` do) and writes the desired state that describes it: the stack document on stdout, or
// with --out the stack file FILE and one policy file per policy beside it, which FILE includes.
// Only reads. Exit 0 when written (warnings about records left out go to stderr), 1 when some
// record cannot be described (each one is named; nothing is written), 2 on a usage error or when
// the environment cannot be reached or read. See docs/import.md.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ClientInternals } from "../../dataverse/client.js";
import type { ImportResult } from "../../gitops/import.js";
import type { Command } from "../index.js";
import { environmentClient } from "../environment.js";
import { parseCommandArgs, UsageError } from "../usage-error.js";

const USAGE = "usage: iom import [--out FILE]";

export interface ImportIo {
  /** Where a relative --out is resolved, and where stdout's modeline assumes `stacks/` is. */
  cwd: string;
  write(text: string): void;
  /** Findings, and failures to reach or read the environment. */
  writeError(text: string): void;
  /** Where the environment's settings are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The client's test seams; none in production. */
  internals?: ClientInternals;
}

/** The command's logic with its input and output injected. */
export async function runImport(args: string[], io: ImportIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      options: {
        out: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
    },
    USAGE,
  );
  if (parsed.values.help) {
    io.write(
      `${USAGE}\n\nWrites the desired state (stack YAML) that describes the IOM configuration of the ` +
        "environment IOM_DATAVERSE_URL names: to stdout, or to FILE (*.iom.yaml) with its policy " +
        "files beside it (docs/import.md).\n",
    );
    return 0;
  }
  const out = parsed.values.out;
  if (out !== undefined && !/\.iom\.ya?ml$/.test(out))
    throw new UsageError(
      `--out ${out}: a stack file's name ends in .iom.yaml (e.g. stacks/prod.iom.yaml)\n${USAGE}`,
    );

  // Loaded only when run, so `iom --help` loads no HTTP code.
  const { DataverseError } = await import("../../dataverse/errors.js");
  const { formatFinding, importConfiguration } = await import("../../gitops/import.js");
  const { findSchemasDir, renderImport } = await import("../../gitops/import-yaml.js");

  const client = await environmentClient(io.env, io.internals);
  let result: ImportResult;
  try {
    result = await importConfiguration(client);
  } catch (err) {
    // Messages from the client are redacted: no token or secret reaches the output.
    if (!(err instanceof DataverseError)) throw err;
    io.writeError(`iom import: could not read ${client.environmentUrl}: ${err.message}\n`);
    return 2;
  }
  for (const finding of result.findings) io.writeError(formatFinding(finding));
  if (!result.ok) {
    const errors = result.findings.filter((f) => f.severity === "error").length;
    io.writeError(
      `iom import: nothing was written: ${errors} ${errors === 1 ? "record" : "records"} cannot be described\n`,
    );
    return 1;
  }

  const stackFile = out === undefined ? undefined : path.resolve(io.cwd, out);
  // On stdout the document is headed for the project's stacks/ folder (README's layout).
  const stackDir = stackFile ? path.dirname(stackFile) : path.join(io.cwd, "stacks");
  const files = renderImport(result.configuration, {
    ...(stackFile ? { stackFile } : {}),
    stackDir,
    schemasDir: findSchemasDir(stackDir),
  });
  if (!stackFile) {
    io.write(files.map((f) => f.text).join(""));
    return 0;
  }
  mkdirSync(stackDir, { recursive: true });
  for (const f of files) {
    const target = f.path as string;
    writeFileSync(target, f.text);
    io.write(`wrote ${path.relative(io.cwd, target) || target}\n`);
  }
  return 0;
}

export const command: Command = {
  summary: "write the stack YAML that describes a live environment's IOM configuration",
  run: (args) =>
    runImport(args, {
      cwd: process.cwd(),
      write: (text) => process.stdout.write(text),
      writeError: (text) => process.stderr.write(text),
    }),
};
