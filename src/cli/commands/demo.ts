// `iom demo`: the README's main job. It starts the embedded emulator, runs `pulumi up` on the
// `local` stack against it through the real engine, then a second preview that must show no
// changes, and stops the emulator. State goes to the local file backend (.iom/state) unless
// PULUMI_BACKEND_URL says otherwise.
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmulator } from "../../emulator/index.js";
import { engineEnv, locateEngine, missingEngineMessage, projectRoot } from "../../engine/engine.js";
import type { Command } from "../index.js";
import { UsageError } from "../usage-error.js";

/** The passphrase of the local stack's secrets: it only guards emulator settings. */
const localPassphrase = "iom-local-emulator";

export const command: Command = {
  summary: "start the emulator and `pulumi up` the local stack against it",
  async run(args) {
    let stackName: string;
    try {
      const { values } = parseArgs({ args, options: { stack: { type: "string", default: "local" } } });
      stackName = values.stack ?? "local";
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const engine = locateEngine();
    if (!engine) {
      process.stderr.write(`iom demo: ${missingEngineMessage}\n`);
      return 1;
    }

    const stateDir = path.join(projectRoot, ".iom", "state");
    mkdirSync(stateDir, { recursive: true });
    const emulator = await startEmulator({
      port: 0,
      dataDir: path.join(projectRoot, ".iom", "emulator-data"),
    });
    process.stdout.write(`emulator listening on ${emulator.url}\n`);
    try {
      const env = engineEnv(engine, {
        PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? localPassphrase,
        // The emulator's port changes from run to run, so it reaches the program through the
        // environment instead of the committed stack file.
        IOM_DATAVERSE_URL: emulator.url,
        IOM_TOKEN: emulator.token,
      });
      const pulumiCommand = await PulumiCommand.get({ root: path.dirname(engine.binDir) });
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: projectRoot },
        { pulumiCommand, envVars: env },
      );
      const onOutput = (out: string) => process.stdout.write(out);
      const up = await stack.up({ onOutput, color: "never" });
      const preview = await stack.preview({ color: "never" });
      const changed = Object.entries(preview.changeSummary).filter(
        ([op, n]) => op !== "same" && (n ?? 0) > 0,
      );
      if (changed.length > 0) {
        process.stderr.write(
          `iom demo: a second preview still shows changes: ${JSON.stringify(preview.changeSummary)}\n`,
        );
        return 1;
      }
      process.stdout.write(
        `\nup: ${up.summary.result}; second preview: no changes (${preview.changeSummary.same ?? 0} unchanged)\n`,
      );
      return 0;
    } finally {
      await emulator.close();
    }
  },
};
