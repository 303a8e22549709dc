// `iom engine`: provides the Pulumi engine (building it on first use) and prints the PATH entries
// that run it as the tests and the demo do: the engine's directory, then the directory of the
// project's Node.js (the language host starts programs with the `node` it finds on PATH, and the
// SDK needs Node 22+):
//   export PATH="$(npx iom engine):$PATH"
import { execFileSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../../engine/engine.js";
import type { Command } from "../index.js";
import { UsageError } from "../usage-error.js";

export const command: Command = {
  summary: "provide the Pulumi engine (built once per machine) and print its PATH entries",
  async run(args) {
    try {
      parseArgs({ args, options: {}, allowPositionals: false });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const binDir = execFileSync("bash", [path.join(projectRoot, "scripts", "provision-engine.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    process.stdout.write(`${[binDir, path.dirname(process.execPath)].join(path.delimiter)}\n`);
    return 0;
  },
};
