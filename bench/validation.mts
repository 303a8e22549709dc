// P5: `iom validate` of a large stack, in process, against the least any schema validator must do
// with the same file: read it, parse it with js-yaml and validate the data with raw Ajv, the same
// schemas compiled once. YAML parsing dominates both sides; what `iom validate` does beyond it
// (located findings, semantic checks, includes) is shown against Ajv alone in the details.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type * as ValidateModule from "../src/config/validate.js";
import type { Figure } from "./lib/figure.mjs";
import type * as FigureModule from "./lib/figure.mjs";
import type * as ProjectModule from "./lib/project.mjs";

// Sibling modules are imported by URL: see bench/engine.mts.
const sibling = <T,>(relative: string): Promise<T> => import(new URL(relative, import.meta.url).href);
const { median, ms } = await sibling<typeof FigureModule>("./lib/figure.mts");
const { dist, progress, requireFromRoot, ROOT } = await sibling<typeof ProjectModule>("./lib/project.mts");

export interface ValidationOptions {
  /** Rules of the generated stack's one large policy. */
  rules: number;
  /** Timed rounds (the median is taken), after three untimed ones. */
  rounds: number;
}

/** The article's stack with one policy of `rules` rules and one of a single rule, inline. */
function generateStack(rules: number): string {
  const base = readFileSync(path.join(ROOT, "stacks", "local.iom.yaml"), "utf8").replace(
    /include:\n( {2}- .*\n)+/,
    "",
  );
  const list: string[] = [];
  for (let i = 0; i < rules; i++) {
    list.push(
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
    list.join("") +
    "  - name: Bench order product policy\n    type: execution\n    criticality: critical\n    entity: order product\n    published: true\n    rules:\n" +
    '      - name: Assign\n        actions:\n          - set: Company\n            to: usmf\n          - set: Shipping Site\n            to: "1"\n          - set: Shipping Warehouse\n            to: "11"\n';
  return base
    .replace("orchestrationFlows:", `${policies}\norchestrationFlows:`)
    .replace(
      "          - FinOps sales order parameters\n          - FinOps order product parameters\n",
      "          - Bench order policy\n          - Bench order product policy\n",
    );
}

interface AjvLike {
  addSchema(schema: unknown): void;
  getSchema(id: string): ((data: unknown) => boolean) & { errors?: unknown };
}

export async function validationFigure(options: ValidationOptions): Promise<Figure> {
  const { validatePaths } = dist<typeof ValidateModule>("config/validate");
  const Ajv = requireFromRoot("ajv") as new (options: object) => AjvLike;
  const jsYaml = requireFromRoot("js-yaml") as {
    load(text: string, options: object): unknown;
    CORE_SCHEMA: object;
  };

  const dir = mkdtempSync(path.join(tmpdir(), "iom-bench-validate-"));
  try {
    mkdirSync(path.join(dir, "stacks"));
    const file = path.join(dir, "stacks", "bench.iom.yaml");
    const text = generateStack(options.rules);
    writeFileSync(file, text);
    const check = await validatePaths(["stacks"], { cwd: dir });
    if (!check.valid)
      throw new Error(`the generated stack is not valid: ${JSON.stringify(check.findings.slice(0, 3))}`);

    // Raw Ajv: the same schemas, compiled once, on what js-yaml parsed from the same file.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const name of readdirSync(path.join(ROOT, "schemas")).filter((f) => f.endsWith(".schema.json")))
      ajv.addSchema(JSON.parse(readFileSync(path.join(ROOT, "schemas", name), "utf8")));
    const rawValidate = ajv.getSchema("https://iom-gitops.dev/schemas/stack.schema.json");

    const iom: number[] = [];
    const raw: number[] = [];
    const ajvOnly: number[] = [];
    for (let round = 0; round < options.rounds + 3; round++) {
      if (round === 3) progress(`P5: ${options.rounds} timed rounds of ${options.rules} rules`);
      let t = performance.now();
      await validatePaths(["stacks"], { cwd: dir });
      const iomTime = performance.now() - t;

      t = performance.now();
      const data = jsYaml.load(readFileSync(file, "utf8"), { schema: jsYaml.CORE_SCHEMA });
      const parsed = performance.now();
      if (!rawValidate(data)) throw new Error(`raw Ajv disagrees: ${JSON.stringify(rawValidate.errors)}`);
      const end = performance.now();
      if (round >= 3) {
        iom.push(iomTime);
        raw.push(end - t);
        ajvOnly.push(end - parsed);
      }
    }
    const iomMs = median(iom);
    const rawMs = median(raw);
    const ajvMs = median(ajvOnly);
    return {
      id: "P5",
      name: "validation",
      value: iomMs / rawMs,
      target: { atMost: 2 },
      details: [
        `\`iom validate\` of a stack of ${options.rules} policy rules (${Math.round(Buffer.byteLength(text) / 1024)} KiB), median of ${options.rounds}: ${ms(iomMs)}; read + js-yaml + Ajv: ${ms(rawMs)}, of which Ajv ${ms(ajvMs)}`,
        `beyond parsing: iom validate ${ms(iomMs - (rawMs - ajvMs))} against Ajv alone ${ms(ajvMs)} (ratio ${((iomMs - (rawMs - ajvMs)) / ajvMs).toFixed(2)})`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
