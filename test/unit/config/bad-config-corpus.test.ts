// Every file of the bad-config corpus must yield located findings, including the one its first
// line announces (# expect: <code>), and an invalid result; nothing may throw.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../../temp.js";
import { FINDING_CODES } from "../../../src/config/findings.js";
import { MAX_FILE_BYTES } from "../../../src/config/yaml-source.js";
import { validatePaths } from "../../../src/config/validate.js";

afterEach(removeTempDirs);

const CORPUS = path.resolve(__dirname, "../../fixtures/bad-config");
const files = readdirSync(CORPUS).sort();

function expectedCode(file: string): string {
  const first = readFileSync(path.join(CORPUS, file), "utf8").split("\n")[0] ?? "";
  return /^# expect: (\S+)/.exec(first)?.[1] ?? "file-empty";
}

async function expectLocatedInvalid(dir: string, file: string): Promise<string[]> {
  const result = await validatePaths([file], { cwd: dir });
  expect(result.valid, file).toBe(false);
  expect(result.findings.length, file).toBeGreaterThan(0);
  for (const f of result.findings) {
    expect(f.line, `${file}: ${f.message}`).toBeGreaterThanOrEqual(1);
    expect(f.column, `${file}: ${f.message}`).toBeGreaterThanOrEqual(1);
    expect(Object.keys(FINDING_CODES)).toContain(f.code);
    expect(f.message).not.toMatch(/\n\s+at /); // no stack traces
  }
  return result.findings.map((f) => f.code);
}

describe("bad-config corpus", () => {
  it("has at least 40 files", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)("%s yields located findings including its expected code", async (file) => {
    const codes = await expectLocatedInvalid(CORPUS, file);
    expect(codes).toContain(expectedCode(file));
  });

  it("reports a very large file without parsing it", async () => {
    const dir = tempDir("iom-bad-");
    const line = "# padding padding padding padding padding padding padding padding padding\n";
    writeFileSync(
      path.join(dir, "huge.iom.yaml"),
      "version: 1\n" + line.repeat(Math.ceil(MAX_FILE_BYTES / line.length) + 10),
    );
    expect(await expectLocatedInvalid(dir, "huge.iom.yaml")).toEqual(["file-too-large"]);
  });

  it("reports a large but acceptable file with a deep error at its exact line", async () => {
    const dir = tempDir("iom-bad-");
    const rules = Array.from(
      { length: 3000 },
      (_, i) => `      - name: R${i}\n        actions:\n          - set: Company\n            to: usmf\n`,
    );
    rules[2500] = "      - name: R2500\n        actions:\n          - set: Company\n            too: usmf\n";
    const text =
      "version: 1\npolicies:\n  - name: P\n    type: execution\n    criticality: critical\n    entity: order\n    published: true\n    rules:\n" +
      rules.join("");
    writeFileSync(path.join(dir, "large.policy.yaml"), text);
    const result = await validatePaths(["large.policy.yaml"], { cwd: dir });
    const unknown = result.findings.find((f) => f.code === "schema-unknown-key");
    expect(unknown).toMatchObject({ line: 9 + 2500 * 4 + 3, column: 13 });
  });

  it.each([
    ["random bytes", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ["NUL bytes in text", Buffer.from("version: 1\n\u0000\u0000description: x\n")],
    ["invalid UTF-8", Buffer.from([0x76, 0x3a, 0x20, 0xc3, 0x28, 0x0a])],
    ["control characters", Buffer.from("version: 1\ndescription: \u0007\u0008\n")],
  ])("reports binary junk (%s) as a located finding", async (_label, bytes) => {
    const dir = tempDir("iom-bad-");
    writeFileSync(path.join(dir, "junk.iom.yaml"), bytes);
    const codes = await expectLocatedInvalid(dir, "junk.iom.yaml");
    expect(codes.some((c) => ["file-not-text", "yaml-syntax"].includes(c))).toBe(true);
  });
});
