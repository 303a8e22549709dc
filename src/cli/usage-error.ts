import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how a command was called: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `parseArgs`, with its complaint turned into a UsageError followed by the command's usage. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
  }
}

/** The `--format` given, if the command offers it; a UsageError listing the formats otherwise. */
export function formatOption<F extends string>(value: unknown, formats: readonly F[], usage: string): F {
  if (typeof value === "string" && (formats as readonly string[]).includes(value)) return value as F;
  throw new UsageError(`unknown format '${String(value)}': use one of ${formats.join(", ")}\n${usage}`);
}
