// `iom test` end to end, in process and offline: the article's shipped cases hold against the
// article's stack, and break, with the deciding clause in the output, when the stack is broken on
// purpose (the article's own filter typo, a policy action removed, a filter clause dropped).
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import jsYaml from "js-yaml";
import { afterEach, describe, expect, it } from "vitest";
import { runTest } from "../../../src/cli/commands/test.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { removeTempDirs, tempDir } from "../../temp.js";

const ROOT = path.resolve(__dirname, "../../..");
const CASES = path.join(ROOT, "tests/finops.orders.yaml");

afterEach(removeTempDirs);

async function run(args: string[], cwd = ROOT): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runTest(args, { cwd, write: (t) => (out += t) });
  return { code, out };
}

/** A copy of the project's stacks, policies and cases, to break on purpose. */
function project(): string {
  const dir = tempDir("iom-test-");
  for (const sub of ["stacks", "policies", "tests"])
    cpSync(path.join(ROOT, sub), path.join(dir, sub), { recursive: true });
  return dir;
}

/** Replaces text in a file of the copy (exactly once), and returns the 1-based line it is on. */
function edit(dir: string, file: string, from: string, to: string): number {
  const full = path.join(dir, file);
  const text = readFileSync(full, "utf8");
  expect(text.split(from).length - 1, `${from} in ${file}`).toBe(1);
  const changed = text.replace(from, to);
  writeFileSync(full, changed);
  return changed.slice(0, changed.indexOf(to)).split("\n").length;
}

const caseNames = (): string[] =>
  (jsYaml.load(readFileSync(CASES, "utf8")) as { cases: Array<{ name: string }> }).cases.map((c) => c.name);

describe("iom test on the article's cases", () => {
  it("passes every shipped case against the stack they name (exit 0)", async () => {
    const { code, out } = await run([]);
    expect(out).not.toMatch(/FAIL|ERROR|error/);
    for (const name of caseNames())
      expect(out).toMatch(new RegExp(`^ok +${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(`, "m"));
    expect(out).toContain(`${caseNames().length} cases: ${caseNames().length} passed, 0 failed in 1 file`);
    expect(code).toBe(0);
  });

  it("fails on the article's lines filter as written (msdyn_company_value), naming the clause and where it is", async () => {
    const dir = project();
    const line = edit(
      dir,
      "stacks/local.iom.yaml",
      "      _msdyn_company_value ne null and _msdyn_shippingsite_value",
      "      msdyn_company_value ne null and _msdyn_shippingsite_value",
    );
    const { code, out } = await run([], dir);
    expect(code).toBe(1);
    expect(out).toContain(
      `decided by \`msdyn_company_value ne null\` at stacks/local.iom.yaml:${line}:7: Dataverse refuses the filter: lookup values are written with a leading underscore: '_msdyn_company_value'`,
    );
    // The line that should sync is the failure, at its expectation in the case file.
    expect(out).toMatch(/^FAIL +An item-based order without a company gets usmf and syncs/m);
    expect(out).toMatch(
      /tests\/finops\.orders\.yaml:\d+:\d+: the line without site or warehouse: expected syncs: true;/,
    );
    // Headers are untouched by the lines map: the invoiced order still holds.
    expect(out).toMatch(/^ok +An invoiced order is held back/m);
  });

  it("fails when the order product policy no longer sets Shipping Warehouse, at the expectation and the filter clause", async () => {
    const dir = project();
    edit(
      dir,
      "policies/finops-order-product.policy.yaml",
      '          - set: Shipping Warehouse\n            to: "11"\n',
      "",
    );
    const { code, out } = await run([], dir);
    expect(code).toBe(1);
    expect(out).toContain(
      'the line without site or warehouse: expected values: Shipping Warehouse: "11"; Shipping Warehouse is empty; no rule of the flow\'s policies sets it',
    );
    expect(out).toMatch(
      /expected syncs: true; .*held back by map 'sales-order-lines'\n +decided by `_msdyn_shippingwarehouse_value ne null` at stacks\/local\.iom\.yaml:\d+:\d+: _msdyn_shippingwarehouse_value is empty/,
    );
  });

  it("fails when the header filter loses 'statuscode ne 100003': the invoiced order syncs", async () => {
    const dir = project();
    edit(
      dir,
      "stacks/local.iom.yaml",
      "msdyn_isreadytosync eq true and statuscode ne 100003",
      "msdyn_isreadytosync eq true",
    );
    const { code, out } = await run([], dir);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL +An invoiced order is held back/m);
    expect(out).toContain(
      "the order: expected syncs: false; the order syncs through map 'sales-order-headers'",
    );
    expect(out).toContain(
      "expected heldBackBy: statuscode ne 100003; the order syncs: 'sales-order-headers' let it through",
    );
  });

  it("fails when a rule's condition is inverted: the rule applies to orders that already have a company", async () => {
    const dir = project();
    const line = edit(
      dir,
      "policies/finops-sales-order.policy.yaml",
      "operator: does not contain data\n            - field: Invoice Customer",
      "operator: contains data\n            - field: Invoice Customer",
    );
    const { code, out } = await run([], dir);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL +An invoiced order is held back/m);
    expect(out).toContain(
      "the order: expected rules: []; the rules that apply are [FinOps sales order parameters › Assign company and invoice customer]",
    );
    expect(out).toContain(
      `decided by \`Company contains data\` at policies/finops-sales-order.policy.yaml:${line - 1}:15: holds: Company is 'usmf'`,
    );
  });

  it("runs against a stack named with --stack (a name in stacks/ or a file), and the other formats", async () => {
    expect((await run(["tests", "--stack", "local"])).code).toBe(0);
    expect((await run(["tests/finops.orders.yaml", "--stack", "stacks/local.iom.yaml"])).code).toBe(0);
    const json = JSON.parse((await run(["--format", "json"])).out) as { ok: boolean; cases: unknown[] };
    expect(json.ok).toBe(true);
    expect(json.cases).toHaveLength(caseNames().length);
    const junit = (await run(["--format", "junit"])).out;
    expect(junit.match(/<testcase /g)).toHaveLength(caseNames().length);
    expect(junit).toContain('failures="0" errors="0"');
    expect((await run(["--format", "github"])).out).toBe("");
  });
});

describe("iom test's case files", () => {
  it("runs the example of docs/testing-orders.md as written, and its failure example is what the typo prints", async () => {
    const doc = readFileSync(path.join(ROOT, "docs/testing-orders.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] as string;
    const dir = project();
    writeFileSync(path.join(dir, "tests/doc.orders.yaml"), example);
    const passing = await run(["tests/doc.orders.yaml"], dir);
    expect(passing.out).toMatch(/2 cases: 2 passed, 0 failed/);
    expect(passing.code).toBe(0);
    edit(
      dir,
      "stacks/local.iom.yaml",
      "      _msdyn_company_value ne null and _msdyn_shippingsite_value",
      "      msdyn_company_value ne null and _msdyn_shippingsite_value",
    );
    const failing = await run(["tests/finops.orders.yaml"], dir);
    const printed = /```text\n([\s\S]*?)```/.exec(doc)?.[1] as string;
    for (const line of printed.trim().split("\n")) expect(failing.out).toContain(line);
  });

  it("reports fields, values, rules and maps that do not exist at their file:line:column (exit 1)", async () => {
    const dir = project();
    const file = path.join(dir, "tests/bad.orders.yaml");
    writeFileSync(
      file,
      [
        "version: 1",
        "stack: ../stacks/local.iom.yaml",
        "cases:",
        "  - name: bad",
        "    order:",
        "      fields:",
        "        Order Typo: Item based",
        "        Order Type: Itembased",
        "      expect:",
        "        rules:",
        "          - { policy: FinOps sales order parameters, rule: No such rule }",
        "        syncs: { no-such-map: true }",
        "",
      ].join("\n"),
    );
    const { code, out } = await run(["tests/bad.orders.yaml"], dir);
    expect(code).toBe(1);
    expect(out).toContain(
      "tests/bad.orders.yaml:7:9: error unknown-column: 'Order' (salesorder) has no column 'Order Typo'",
    );
    expect(out).toContain(
      "tests/bad.orders.yaml:8:21: error invalid-field-value: 'Order Type' (msdyn_ordertype) has no choice 'Itembased'",
    );
    expect(out).toContain("hint: did you mean 'Item based'?");
    expect(out).toMatch(
      /tests\/bad\.orders\.yaml:11:\d+: error unknown-rule: policy 'FinOps sales order parameters' has no rule 'No such rule'/,
    );
    expect(out).toContain(
      "tests/bad.orders.yaml:12:18: error unknown-map: the stack stacks/local.iom.yaml has no dual-write map 'no-such-map' on salesorder",
    );
    expect(out).toMatch(/^ERROR bad /m);
    const junit = (await run(["tests/bad.orders.yaml", "--format", "junit"], dir)).out;
    expect(junit).toContain('<testsuites name="iom test" tests="1" failures="0" errors="1">');
    expect(junit).toMatch(
      /<testcase name="bad"[^>]*>\s*<error message="the case cannot be run">[^<]*has no column 'Order Typo'[^<]*<\/error>/,
    );
  });

  it("reports schema errors of a case file with the validator's codes", async () => {
    const dir = project();
    writeFileSync(
      path.join(dir, "tests/bad.orders.yaml"),
      "version: 1\ncases:\n  - name: x\n    orders: {}\n",
    );
    const { code, out } = await run(["tests/bad.orders.yaml"], dir);
    expect(code).toBe(1);
    expect(out).toMatch(/tests\/bad\.orders\.yaml:4:5: error schema-unknown-key/);
  });

  it("refuses usage errors with exit 2: a missing path, an unknown stack, an unknown format, no stack to pick", async () => {
    await expect(run(["nope.orders.yaml"])).rejects.toThrow(UsageError);
    await expect(run(["--stack", "nope"])).rejects.toThrow(/no stack 'nope'.*stacks: local, production/);
    await expect(run(["--format", "sarif"])).rejects.toThrow(/unknown format 'sarif'/);
    const dir = project();
    writeFileSync(
      path.join(dir, "tests/bare.orders.yaml"),
      "version: 1\ncases:\n  - name: x\n    order: {}\n",
    );
    await expect(run(["tests/bare.orders.yaml"], dir)).rejects.toThrow(/does not name its stack.*--stack/);
  });
});
