// The client for the environment the IOM_* and AZURE_* variables name, for the commands that read
// one (`iom doctor`, `iom import`). Loaded only when such a command runs, so `iom --help` loads no
// HTTP code; settings that are missing or wrong are a usage error (exit 2).
import type { ClientInternals, DataverseClient } from "../dataverse/client.js";
import { UsageError } from "./usage-error.js";

export async function environmentClient(
  env: NodeJS.ProcessEnv = process.env,
  internals?: ClientInternals,
): Promise<DataverseClient> {
  const { dataverseConfigFromEnv } = await import("../dataverse/config.js");
  const { createDataverseClient } = await import("../dataverse/client.js");
  const { ConfigError } = await import("../dataverse/errors.js");
  try {
    return createDataverseClient(dataverseConfigFromEnv(env), internals);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
