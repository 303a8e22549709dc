// `iom engine`: provides the Pulumi engine (building it on first use) and prints its directory, so
// a developer can put the same `pulumi` on PATH that the tests and the demo use:
//   export PATH="$(npx iom engine):$PATH"
import { execFileSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../../engine/engine.js";
import type { Command } from "../index.js";
import { UsageError } from "../usage-error.js";

export const command: Command = {
  summary: "provide the Pulumi engine (built once per machine) and print its directory",
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
    process.stdout.write(`${binDir}\n`);
    return 0;
  },
};
