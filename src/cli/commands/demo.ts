// `iom demo`: the README's main job. It starts the embedded emulator with its data in .iom/demo,
// applies the `local` stack (Microsoft's "Set up the Finance + Operations provider" configuration)
// through the real engine, runs a second preview that must show no changes, and ends with an
// account of what was done and what to try next, the console's address last. State goes to the local file backend
// (.iom/state) unless PULUMI_BACKEND_URL says otherwise.
//
// Running it again converges: `up` refreshes first, so state and the emulator's data agree even
// when one of them was removed by hand, and creates find their own earlier rows by id.
import { LocalWorkspace, PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_TOKEN, startEmulator } from "../../emulator/index.js";
import { engineEnv, locateEngine, missingEngineMessage, projectRoot } from "../../engine/engine.js";
import type { Command } from "../index.js";
import { UsageError } from "../usage-error.js";

/** The passphrase of the local stack's secrets: it only guards emulator settings. */
const localPassphrase = "iom-local-emulator";

/** What previews call each kind, in the account at the end. */
const KIND_LABELS: Record<string, string> = {
  Policy: "policy",
  DualWriteMap: "dual-write map",
  IomProvider: "IOM provider",
  ProviderConnection: "provider connection",
  IomProviderActivation: "provider activation",
  OrchestrationFlow: "orchestration flow",
};

/** "create policy 'FinOps sales order parameters'" from a finished step's event. */
function describeStep(event: EngineEvent): string | undefined {
  const step = event.resOutputsEvent?.metadata;
  if (!step || step.op === "same" || step.op === "read" || step.op === "refresh") return undefined;
  const type = step.type.split(":").pop() ?? step.type;
  const label = KIND_LABELS[type];
  if (!label) return undefined;
  const name = step.urn.split("::").pop() ?? step.urn;
  return `${step.op} ${label} '${name}'`;
}

export const command: Command = {
  summary: "apply the article's stack to the embedded emulator (data in .iom/demo)",
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
    const dataDir = path.join(projectRoot, ".iom", "demo");
    mkdirSync(stateDir, { recursive: true });
    const emulator = await startEmulator({ port: 0, dataDir });
    process.stdout.write(
      `emulator listening on ${emulator.url}, dual-write gateway on ${emulator.dualWriteUrl} (data in .iom/demo)\n`,
    );
    try {
      const env = engineEnv(engine, {
        PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? localPassphrase,
        // The emulator's port changes from run to run, so it reaches the program and the providers
        // through the environment instead of the committed stack file.
        IOM_DATAVERSE_URL: emulator.url,
        IOM_TOKEN: emulator.token,
        // Dual-write maps are managed on the gateway's own host, found by their F&O environment.
        IOM_DUALWRITE_URL: emulator.dualWriteUrl,
        IOM_FINOPS_URL: emulator.financeAndOperationsUrl,
      });
      const pulumiCommand = await PulumiCommand.get({ root: path.dirname(engine.binDir) });
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: projectRoot },
        { pulumiCommand, envVars: env },
      );
      const steps: string[] = [];
      const up = await stack.up({
        onOutput: (out: string) => process.stdout.write(out),
        onEvent: (event) => {
          const step = describeStep(event);
          if (step) steps.push(step);
        },
        color: "never",
        refresh: true,
      });
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
      const lines = [
        "",
        `iom demo: ${up.summary.result}. The emulator now holds Microsoft's F&O provider setup (stacks/local.iom.yaml).`,
        steps.length > 0
          ? `What was done, in order:\n${steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s}`).join("\n")}`
          : "Nothing needed to change: the environment already matched the stack.",
        `A second preview shows no changes (${preview.changeSummary.same ?? 0} resources unchanged).`,
        "",
        "Next:",
        "  npx iom emulator --data .iom/demo --port 4800   # serve the result (Ctrl+C stops it)",
        "  edit a dataverseFilter in stacks/local.iom.yaml, then, with that emulator running:",
        '  export PATH="$(npx iom engine):$PATH" PULUMI_CONFIG_PASSPHRASE=iom-local-emulator',
        "  IOM_DATAVERSE_URL=http://127.0.0.1:4800 IOM_DUALWRITE_URL=http://127.0.0.1:4801 \\",
        "    IOM_FINOPS_URL=https://finops.emulator.local IOM_TOKEN=dev-token pulumi preview --diff --stack local",
        "  npm run demo                                     # apply it (runs again converge)",
        "",
        // Last, so that it is what the run ends with. dev-token is the emulator's documented default
        // (a token given with --token is never printed: the console's page asks for it instead).
        "The console shows what was applied, while `npx iom emulator --data .iom/demo --port 4800` runs:",
        `  http://127.0.0.1:4800/?token=${DEFAULT_TOKEN}`,
        "",
      ];
      process.stdout.write(lines.join("\n"));
      return 0;
    } finally {
      await emulator.close();
    }
  },
};
