// The effect of a pull request on the stack's order cases, in `iom plan-summary`: the stack as the
// pull request's files hold it against the stack as applied (the preview's old inputs), on the
// `change` scenario's checkout (fixtures/change-project, written by fixtures/capture.ts).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runPlanSummary } from "../../../src/cli/commands/plan-summary.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { appliedStack, compareRecords } from "../../../src/gitops/plan-effect.js";
import { parsePreviewDocuments } from "../../../src/gitops/plan-preview.js";
import { loadStack } from "../../../src/order-tests/stack.js";
import { CHANGE_PROJECT, fixture } from "./plan-summary-fixtures.js";

const PREVIEW = path.join(CHANGE_PROJECT, "..", "preview-change.json");

async function run(cwd: string, args: string[]) {
  let out = "";
  let err = "";
  const code = await runPlanSummary([PREVIEW, "--format", "text", ...args], {
    cwd,
    write: (t) => (out += t),
    error: (t) => (err += t),
    stdin: async () => "",
    stdinIsTty: false,
  });
  return { code, out, err };
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the pull request's checkout to break on purpose. */
function checkout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "iom-effect-"));
  temporary.push(dir);
  cpSync(CHANGE_PROJECT, dir, { recursive: true });
  return dir;
}

describe("the stack as applied", () => {
  it("is the files' stack with the preview's old inputs: updates reverted, creates out, deletes back", async () => {
    const loaded = await loadStack(path.join(CHANGE_PROJECT, "stacks", "dev.iom.yaml"), CHANGE_PROJECT);
    if (!loaded.ok) throw new Error("the checkout's stack does not load");
    const steps = parsePreviewDocuments(fixture("preview-change.json"), "preview-change.json")[0]!.digest
      .steps!;
    const { stack, notes } = appliedStack(loaded.stack, steps);
    expect(notes).toEqual([]);
    const headers = (s: typeof stack) => s.maps.find((m) => m.value.name === "sales-order-headers")?.value;
    expect(headers(loaded.stack)?.dataverseFilter).toContain("totalamount gt 0");
    expect(headers(stack)?.dataverseFilter).not.toContain("totalamount");
    // The file's location is kept for what did not change, and dropped for what comes from the preview.
    expect(stack.maps.map((m) => m.file)).toEqual(["", "stacks/dev.iom.yaml"]);
    const company = (s: typeof stack) =>
      s.policies.get("finops sales order parameters")?.value.rules[0]?.actions?.[0]?.to;
    expect([company(loaded.stack), company(stack)]).toEqual(["demf", "usmf"]);
    expect(stack.policies.has("hold orders without a customer")).toBe(false);
    expect(stack.policies.has("hold high-value orders")).toBe(true);
    expect(stack.flows[0]?.description).toMatch(/^Validates/);
    expect(loaded.stack.flows[0]?.description).toMatch(/^Checks/);
  });

  it("says when the files are not the ones the preview was made from", async () => {
    const dir = checkout();
    const file = path.join(dir, "stacks", "dev.iom.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("totalamount gt 0", "totalamount gt 10"));
    const { code, out } = await run(dir, []);
    expect(code).toBe(0);
    expect(out).toContain(
      "    note: the preview's map 'sales-order-headers' is not as stacks/dev.iom.yaml writes it: was the preview made from these files?",
    );
  });
});

describe("rows of the effect table", () => {
  const clause = { text: "statuscode ne 100003", reason: "statuscode is 100003 (Invoiced)" };
  it("show the clause that now holds a record back, or the one that held it back before", () => {
    expect(
      compareRecords(
        [
          {
            record: "the order",
            table: "salesorder",
            maps: [
              { map: "headers", passes: false, clause },
              { map: "old", passes: true },
            ],
          },
        ],
        [
          {
            record: "the order",
            table: "salesorder",
            maps: [
              { map: "headers", passes: true },
              { map: "new", passes: true },
            ],
          },
        ],
      ),
    ).toEqual([
      {
        record: "the order",
        map: "headers",
        before: "held back",
        after: "syncs",
        clause: { ...clause, side: "before" },
      },
      {
        record: "the order",
        map: "old",
        before: "syncs",
        after: "no map",
        note: "the map is no longer in the stack",
      },
      {
        record: "the order",
        map: "new",
        before: "no map",
        after: "syncs",
        note: "the map is new in the stack",
      },
    ]);
  });
});

describe("iom plan-summary with order cases", () => {
  it("runs the checkout's tests/ by default and says which case changes, with the deciding clause", async () => {
    const { code, out, err } = await run(CHANGE_PROJECT, []);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toContain(
      "  order cases: 1 of 4 order cases changes outcome\n" +
        "    An item-based order without a company gets usmf and syncs (tests/finops.orders.yaml:12:11)\n" +
        "      the order, sales-order-headers: syncs -> held back; held back by `totalamount gt 0` at stacks/dev.iom.yaml:50:7:",
    );
  });

  it("takes case files with --cases, and none with --no-cases", async () => {
    const given = await run(CHANGE_PROJECT, ["--cases", "tests/finops.orders.yaml"]);
    expect(given.out).toContain("order cases: 1 of 4");
    const none = await run(CHANGE_PROJECT, ["--no-cases"]);
    expect(none.out).not.toContain("order cases");
    await expect(run(CHANGE_PROJECT, ["--cases", "tests", "--no-cases"])).rejects.toThrow(UsageError);
  });

  it("refuses a --cases path that is not a case file, as a usage error", async () => {
    await expect(run(CHANGE_PROJECT, ["--cases", "missing.orders.yaml"])).rejects.toThrow(
      /--cases: no such file or directory: missing\.orders\.yaml/,
    );
    await expect(run(CHANGE_PROJECT, ["--cases", "stacks/dev.iom.yaml"])).rejects.toThrow(
      /--cases: not an order case file/,
    );
  });

  it("runs no case written for another stack", async () => {
    const dir = checkout();
    const file = path.join(dir, "tests", "finops.orders.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("../stacks/dev.iom.yaml", "../stacks/prod.iom.yaml"),
    );
    const { out } = await run(dir, []);
    expect(out).not.toContain("order cases");
  });

  it("says where a case file cannot be read instead of leaving the cases out silently", async () => {
    const dir = checkout();
    writeFileSync(path.join(dir, "tests", "broken.orders.yaml"), "version: 1\ncases:\n  - name: 3\n");
    const { code, out } = await run(dir, []);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^ {4}note: tests\/broken\.orders\.yaml:3:\d+: .*: the case file cannot be read \(iom test says why\)$/m,
    );
    expect(out).toContain("order cases: 1 of 4");
  });
});
