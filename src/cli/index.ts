// The `iom` command-line tool. Each subcommand lives in its own module under ./commands and is
// imported only when used, so `iom validate` on save does not pay for the Pulumi SDK.
import { UsageError } from "./usage-error.js";

export interface Command {
  /** One line for `iom --help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  demo: async () => (await import("./commands/demo.js")).command,
  doctor: async () => (await import("./commands/doctor.js")).command,
  drift: async () => (await import("./commands/drift.js")).command,
  emulator: async () => (await import("./commands/emulator.js")).command,
  engine: async () => (await import("./commands/engine.js")).command,
  explain: async () => (await import("./commands/explain.js")).command,
  import: async () => (await import("./commands/import.js")).command,
  "plan-summary": async () => (await import("./commands/plan-summary.js")).command,
  test: async () => (await import("./commands/test.js")).command,
  validate: async () => (await import("./commands/validate.js")).command,
};

/** The names of all subcommands, sorted, for usage text and tests. */
export function commandNames(): string[] {
  return Object.keys(commands).sort();
}

async function usage(): Promise<string> {
  const lines = ["usage: iom <command> [options]", "", "commands:"];
  for (const name of commandNames()) {
    const loader = commands[name];
    if (loader) lines.push(`  ${name.padEnd(13)} ${(await loader()).summary}`);
  }
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write((await usage()) + "\n");
    return name === undefined ? 2 : 0;
  }
  const loader = commands[name];
  if (!loader) {
    process.stderr.write(`iom: unknown command '${name}'\n${await usage()}\n`);
    return 2;
  }
  try {
    return await (await loader()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`iom ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`iom: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
