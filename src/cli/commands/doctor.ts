// `iom doctor [--format text|json]`: for a team about to point iom-gitops at a real environment for
// the first time. IOM's tables are undocumented, so the tool runs on guesses (src/iom/facts.ts);
// this signs in with the same IOM_* / AZURE_* settings as `iom validate --online`
// (docs/dataverse-client.md), says which environment and organization it reached, and checks every
// guess against that environment's metadata, naming the line of code to correct for each one that
// does not hold. Exit 0 when all hold (warnings aside), 1 when any does not, 2 on a usage error or
// when the environment cannot be reached or read.
import type { ClientInternals, WhoAmI } from "../../dataverse/client.js";
import type { AssumptionReport } from "../../iom/assumptions.js";
import type { Command } from "../index.js";
import { environmentClient } from "../environment.js";
import { formatOption, parseCommandArgs } from "../usage-error.js";

const USAGE = "usage: iom doctor [--format text|json] [--capture FILE]";
const FORMATS = ["text", "json"] as const;
type Format = (typeof FORMATS)[number];

export interface DoctorIo {
  write(text: string): void;
  /** Where a failure to reach or read the environment is told (the exit code is then 2). */
  writeError(text: string): void;
  /** Where the environment's settings are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The client's test seams (a fetch that alters answers); none in production. */
  internals?: ClientInternals;
}

/** The command's logic with its input and output injected. */
export async function runDoctor(args: string[], io: DoctorIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      options: {
        format: { type: "string", short: "f", default: "text" },
        capture: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    USAGE,
  );
  if (parsed.values.help) {
    io.write(
      `${USAGE}\n\nChecks what iom-gitops assumes about IOM's tables against the environment that ` +
        "IOM_DATAVERSE_URL names (docs/dataverse-client.md), and how the environment's rule and flow " +
        "definitions compare with iom-gitops's formats. --capture FILE also writes the metadata of " +
        "IOM's tables (no row values) for `iom emulator --metadata FILE`.\n",
    );
    return 0;
  }
  const format: Format = formatOption(parsed.values.format, FORMATS, USAGE);

  // Loaded only when run, like `validate --online`, so `iom --help` loads no HTTP code.
  const { DataverseError } = await import("../../dataverse/errors.js");
  const { checkAssumptions, formatAssumptionReport } = await import("../../iom/assumptions.js");

  const client = await environmentClient(io.env, io.internals);

  // Error messages from the client are redacted: no token or secret reaches the output.
  const failed = (doing: string, err: unknown): number => {
    if (!(err instanceof DataverseError)) throw err;
    io.writeError(`iom doctor: could not ${doing} ${client.environmentUrl}: ${err.message}\n`);
    return 2;
  };
  let who: WhoAmI;
  try {
    who = await client.whoAmI();
  } catch (err) {
    return failed("reach", err);
  }
  if (format === "text") io.write(`${describeConnection(client.environmentUrl, who)}\n`);
  let report: AssumptionReport;
  try {
    report = await checkAssumptions(client);
  } catch (err) {
    return failed("read the metadata of", err);
  }
  // The formats nobody publishes, compared with the rows the environment already has (counts only).
  const { formatProbeReport, probeFormats } = await import("../../iom/format-probe.js");
  const formats = await probeFormats(client, parsed.values.capture !== undefined ? 3 : 0);
  // The dual-write gateway, before any write: reachable, token taken, connection and the stacks' maps found.
  const { formatGatewayProbe, probeGateway, stackMapNames } =
    await import("../../dataverse/dual-write-probe.js");
  const gateway = await probeGateway(client, stackMapNames());
  io.write(
    format === "json"
      ? `${JSON.stringify({ ...jsonReport(who, report), formats: formats.map(({ samples: _, ...counts }) => counts), gateway }, null, 2)}\n`
      : formatAssumptionReport(report) + formatProbeReport(formats) + formatGatewayProbe(gateway),
  );
  if (parsed.values.capture !== undefined) {
    const { captureEnvironment } = await import("../doctor-capture.js");
    try {
      const written = await captureEnvironment(client, who, parsed.values.capture, formats);
      if (format === "text")
        io.write(`\nCaptured the metadata of ${written.tables} tables in ${written.file}.\n`);
    } catch (err) {
      if (err instanceof DataverseError) return failed("capture the metadata of", err);
      io.writeError(`iom doctor: could not write ${parsed.values.capture}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  return report.ok && gateway.ok ? 0 : 1;
}

function describeConnection(environmentUrl: string, who: WhoAmI): string {
  return [
    `environment:  ${environmentUrl}`,
    `organization: ${who.OrganizationId}`,
    `signed in as: user ${who.UserId}, business unit ${who.BusinessUnitId}`,
    "",
  ].join("\n");
}

function jsonReport(who: WhoAmI, report: AssumptionReport): Record<string, unknown> {
  const count = (status: string): number => report.results.filter((r) => r.status === status).length;
  return {
    environmentUrl: report.environmentUrl,
    organizationId: who.OrganizationId,
    userId: who.UserId,
    businessUnitId: who.BusinessUnitId,
    ok: report.ok,
    summary: {
      total: report.results.length,
      holds: count("holds"),
      fails: count("fails"),
      unchecked: count("unchecked"),
    },
    results: report.results.map(({ assumption, ...outcome }) => ({ ...assumption, ...outcome })),
  };
}

export const command: Command = {
  summary: "check what iom-gitops assumes about IOM's tables against a real environment",
  run: (args) =>
    runDoctor(args, {
      write: (text) => process.stdout.write(text),
      writeError: (text) => process.stderr.write(text),
    }),
};
