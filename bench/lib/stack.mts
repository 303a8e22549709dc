// The stacks the engine figures apply: the article's (stacks/local.iom.yaml and its two policy
// files), and the article's grown to N resources of our kinds with extra policies of one rule
// each. Every generated stack is validated like `iom validate` before it is used, so a figure is
// never taken of a stack the program would refuse.
import { readFileSync } from "node:fs";
import path from "node:path";

import type * as ValidateModule from "../../src/config/validate.js";
import type * as Project from "./project.mjs";

// Sibling modules are imported by URL: Node runs them with their types stripped and needs the
// real file name (.mts), which tsc refuses in a static import without allowImportingTsExtensions.
const { dist, ROOT } = (await import(new URL("./project.mts", import.meta.url).href)) as typeof Project;

/**
 * The resources of our kinds the article's stack declares: its provider, the provider's activation
 * and connection, two dual-write maps, two policies, a flow, and the stack's organization record
 * (src/resources/stack-organization, the guard against applying to another environment).
 */
export const ARTICLE_RESOURCES = 9;

const read = (relative: string): string => readFileSync(path.join(ROOT, relative), "utf8");

/** Project files of the article's stack, for a stack named `stack`. */
export function articleFiles(stack = "bench"): Record<string, string> {
  return {
    [`stacks/${stack}.iom.yaml`]: read("stacks/local.iom.yaml"),
    "policies/finops-sales-order.policy.yaml": read("policies/finops-sales-order.policy.yaml"),
    "policies/finops-order-product.policy.yaml": read("policies/finops-order-product.policy.yaml"),
  };
}

/**
 * The article's stack plus policies of one rule each, so that it declares `resources` resources
 * of our kinds in all. The extra policies are published and alternate between the order and the
 * order line tables, with conditions and actions on columns of their own entity.
 */
export function grownFiles(resources: number, stack = "bench"): Record<string, string> {
  const extra = resources - ARTICLE_RESOURCES;
  if (extra < 0) throw new RangeError(`a grown stack has at least ${ARTICLE_RESOURCES} resources`);
  const policies: string[] = [];
  for (let i = 0; i < extra; i++) {
    const line = i % 2 === 1;
    policies.push(
      `  - name: Bench policy ${i}\n` +
        `    description: Generated for the benchmark (${i}).\n` +
        `    type: execution\n` +
        `    criticality: ${i % 3 === 0 ? "critical" : "information"}\n` +
        `    entity: ${line ? "order product" : "order"}\n` +
        `    published: true\n` +
        `    rules:\n` +
        `      - name: Rule ${i}\n` +
        `        when:\n` +
        `          field: ${line ? "Shipping Site" : "Company"}\n` +
        `          operator: does not contain data\n` +
        `        actions:\n` +
        `          - set: Company\n` +
        `            to: usmf\n`,
    );
  }
  const files = articleFiles(stack);
  files["policies/bench.policy.yaml"] =
    `version: 1\ndescription: ${extra} generated policies.\npolicies:\n${policies.join("")}`;
  files[`stacks/${stack}.iom.yaml`] = (files[`stacks/${stack}.iom.yaml`] as string).replace(
    "include:\n",
    "include:\n  - ../policies/bench.policy.yaml\n",
  );
  return files;
}

/** Validates the project's stack file offline, as `iom validate` does; throws with the findings. */
export async function assertValid(dir: string, stack = "bench"): Promise<void> {
  const { validatePaths } = dist<typeof ValidateModule>("config/validate");
  const result = await validatePaths([`stacks/${stack}.iom.yaml`], { cwd: dir });
  if (!result.valid)
    throw new Error(
      `the generated stack is not valid:\n${result.findings
        .slice(0, 5)
        .map((f) => `${f.file}:${f.line}:${f.column} ${f.code} ${f.message}`)
        .join("\n")}`,
    );
}
