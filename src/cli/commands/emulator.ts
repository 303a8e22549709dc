// `iom emulator`: runs the local Dataverse/IOM emulator until SIGINT or SIGTERM.
import * as path from "node:path";
import { parseArgs } from "node:util";

import { GUID_PATTERN } from "../../emulator/ids.js";
import type { Command } from "../index.js";
import { UsageError } from "../usage-error.js";

/** The port `iom emulator` listens on when --port is not given. */
export const DEFAULT_PORT = 4800;
/** Inside the project, and ignored by git (.gitignore has .iom/). */
export const DEFAULT_DATA_DIR = path.join(".iom", "emulator-data");

const HELP = `usage: iom emulator [--port N] [--gateway-port N] [--data DIR] [--metadata FILE] [--token T] [--seed N] [--organization ID] [--service-protection N/SECONDS]

Runs a local emulator of the Dataverse Web API, the IOM tables and dual-write management
on 127.0.0.1 (docs/emulator.md), with a read-only console at its root address: open
http://127.0.0.1:PORT/?token=<token> or sign in on the page.

  --port N    port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --gateway-port N
              port of the dual-write management gateway, a host of its own as in a real
              tenant; 0 picks a free one (default: the port after --port, or a free one
              with --port 0)
  --data DIR  where the data persists across restarts (default ${DEFAULT_DATA_DIR})
  --metadata FILE
              serve this metadata file's tables instead of the built-in ones, e.g. one
              written by \`iom doctor --capture\` (seed rows keep only the tables and
              columns the file has)
  --token T   bearer token every request must carry (default dev-token)
  --seed N    seed of the fault-injection random sequence (default 1)
  --organization ID
              the organization id (a GUID) WhoAmI answers with, to stand for another
              environment (default: the emulator's fixed id)
  --service-protection N/SECONDS
              answer 429 with Retry-After, as Dataverse does, past N requests in any
              SECONDS (Dataverse's limit per user is 6000/300); default off`;

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${text}'`);
  return Number(text);
}

export const command: Command = {
  summary: "run the local Dataverse/IOM emulator (Web API, metadata, dual-write management)",
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          port: { type: "string" },
          "gateway-port": { type: "string" },
          data: { type: "string" },
          metadata: { type: "string" },
          token: { type: "string" },
          seed: { type: "string" },
          organization: { type: "string" },
          "service-protection": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const port = integer("port", values.port, 0, 65535) ?? DEFAULT_PORT;
    const gatewayPort =
      integer("gateway-port", values["gateway-port"], 0, 65535) ??
      (port === 0 || port === 65535 ? 0 : port + 1);
    const seed = integer("seed", values.seed, 0, 2 ** 32 - 1);
    if (values.token !== undefined && values.token.trim() === "")
      throw new UsageError("--token must not be empty");
    if (values.organization !== undefined && !GUID_PATTERN.test(values.organization))
      throw new UsageError(`--organization must be a GUID, not '${values.organization}'`);
    let serviceProtection: { requests: number; windowSeconds: number } | undefined;
    const limitText = values["service-protection"];
    if (limitText !== undefined) {
      const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(limitText);
      if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0)
        throw new UsageError(
          `--service-protection must be REQUESTS/SECONDS, e.g. 6000/300 (Dataverse's limit), not '${limitText}'`,
        );
      serviceProtection = { requests: Number(m[1]), windowSeconds: Number(m[2]) };
    }
    const { startEmulator } = await import("../../emulator/index.js");
    let metadata;
    if (values.metadata !== undefined) {
      const { loadMetadataFile, MetadataFileError } = await import("../../emulator/metadata-file.js");
      try {
        metadata = loadMetadataFile(path.resolve(values.metadata));
      } catch (err) {
        // A bad file is the user's input: refused before anything starts, every problem located.
        if (err instanceof MetadataFileError) throw new UsageError(err.message);
        throw err;
      }
    }
    const emulator = await startEmulator({
      port,
      gatewayPort,
      dataDir: path.resolve(values.data ?? DEFAULT_DATA_DIR),
      ...(values.token !== undefined ? { token: values.token } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(values.organization !== undefined ? { organizationId: values.organization } : {}),
      ...(metadata ? { metadata } : {}),
      ...(serviceProtection ? { serviceProtection } : {}),
    });
    for (const warning of emulator.warnings) process.stderr.write(`iom emulator: ${warning}\n`);
    // The first line is a fixed interface (tools wait for it); the gateway's address follows.
    process.stdout.write(`listening on ${emulator.url}\n`);
    process.stdout.write(
      `dual-write gateway on ${emulator.dualWriteUrl} (IOM_DUALWRITE_URL=${emulator.dualWriteUrl} IOM_FINOPS_URL=${emulator.financeAndOperationsUrl})\n`,
    );
    // The token is not printed (it may be a secret): the page asks for it, or take ?token=<token>.
    process.stdout.write(`console on ${emulator.consoleUrl} (sign in with the emulator's token)\n`);
    if (serviceProtection)
      process.stdout.write(
        `service protection: 429 past ${serviceProtection.requests} requests in ${serviceProtection.windowSeconds} s\n`,
      );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await emulator.close();
    return 0;
  },
};
