// Run: npm run build && node bench/validate.mjs
//
// Measures `iom validate` on a generated stack with 5,000 policy rules and prints the ratio of
// its in-process time to the least any schema validator must do with the same file: read it,
// parse it with js-yaml and validate the data with raw Ajv (target: ratio at most 3).
// It runs over the compiled dist/ because Node runs .ts files directly only with ESM-style
// explicit-extension imports, and the project's sources are CommonJS.
/* global Buffer, console, process */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, "..");
const { validatePaths } = require(path.join(ROOT, "dist/config/validate.js"));
const Ajv = require("ajv");
const jsYaml = require("js-yaml");

const RULES = 5000;
const ROUNDS = 15;

function generateStack() {
  const base = readFileSync(path.join(ROOT, "stacks/local.iom.yaml"), "utf8").replace(
    /include:\n( {2}- .*\n)+/,
    "",
  );
  const rules = [];
  for (let i = 0; i < RULES; i++) {
    rules.push(
      `      - name: Rule ${i}\n` +
        `        when:\n` +
        `          and:\n` +
        `            - field: Company\n` +
        `              operator: does not contain data\n` +
        `            - or:\n` +
        `                - field: Order Type\n` +
        `                  operator: equals\n` +
        `                  value: Item based\n` +
        `                - field: Name\n` +
        `                  operator: equals\n` +
        `                  value: order ${i}\n` +
        `        actions:\n` +
        `          - set: Company\n` +
        `            to: usmf\n` +
        `          - set: Invoice Customer\n` +
        `            to: US-${String(i).padStart(4, "0")}\n`,
    );
  }
  const policies =
    "policies:\n" +
    "  - name: Bench order policy\n    type: execution\n    criticality: critical\n    entity: order\n    published: true\n    rules:\n" +
    rules.join("") +
    "  - name: Bench order product policy\n    type: execution\n    criticality: critical\n    entity: order product\n    published: true\n    rules:\n" +
    '      - name: Assign\n        actions:\n          - set: Company\n            to: usmf\n          - set: Shipping Site\n            to: "1"\n          - set: Shipping Warehouse\n            to: "11"\n';
  return base
    .replace("orchestrationFlows:", policies + "\norchestrationFlows:")
    .replace(
      "          - FinOps sales order parameters\n          - FinOps order product parameters\n",
      "          - Bench order policy\n          - Bench order product policy\n",
    );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "iom-bench-"));
  mkdirSync(path.join(dir, "stacks"));
  const file = path.join(dir, "stacks", "bench.iom.yaml");
  writeFileSync(file, generateStack());

  const check = await validatePaths(["stacks"], { cwd: dir });
  if (!check.valid)
    throw new Error(
      `the generated stack is not valid:\n${JSON.stringify(check.findings.slice(0, 5), null, 2)}`,
    );

  // Raw Ajv: the same schemas, compiled once, validating what js-yaml parsed from the same file.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const name of [
    "iom-provider",
    "provider-connection",
    "dual-write-map",
    "policy",
    "orchestration-flow",
    "stack",
    "policy-file",
  ]) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(ROOT, "schemas", `${name}.schema.json`), "utf8")));
  }
  const rawValidate = ajv.getSchema("https://iom-gitops.dev/schemas/stack.schema.json");

  const iom = [];
  const raw = [];
  const ajvOnly = [];
  for (let round = 0; round < ROUNDS + 3; round++) {
    let t = performance.now();
    await validatePaths(["stacks"], { cwd: dir });
    const iomTime = performance.now() - t;

    t = performance.now();
    const data = jsYaml.load(readFileSync(file, "utf8"), { schema: jsYaml.CORE_SCHEMA });
    const t2 = performance.now();
    if (!rawValidate(data)) throw new Error("raw Ajv disagrees: " + JSON.stringify(rawValidate.errors));
    const rawTime = performance.now() - t;
    if (round >= 3) {
      iom.push(iomTime);
      raw.push(rawTime);
      ajvOnly.push(performance.now() - t2);
    }
  }
  rmSync(dir, { recursive: true, force: true });

  const size = Buffer.byteLength(generateStack());
  const iomMs = median(iom);
  const rawMs = median(raw);
  console.log(`stack: ${RULES} policy rules, ${(size / 1024).toFixed(0)} KiB; median of ${ROUNDS} rounds`);
  console.log(`iom validate (in process, end to end): ${iomMs.toFixed(1)} ms`);
  console.log(
    `raw: read + js-yaml + Ajv:             ${rawMs.toFixed(1)} ms (of which Ajv alone ${median(ajvOnly).toFixed(1)} ms)`,
  );
  const ajvMs = median(ajvOnly);
  console.log(`ratio: ${(iomMs / rawMs).toFixed(2)} (target: at most 3)`);
  // For transparency: YAML parsing dominates both sides. Beyond parsing, iom validate's own work
  // (schema findings, semantic checks, includes) compared with Ajv alone:
  console.log(
    `beyond parsing: ${(iomMs - (rawMs - ajvMs)).toFixed(1)} ms vs Ajv alone ${ajvMs.toFixed(1)} ms, ratio ${((iomMs - (rawMs - ajvMs)) / ajvMs).toFixed(2)}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
