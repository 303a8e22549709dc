// How `iom test` prints its report: text for people, JSON for tools, GitHub workflow commands for
// annotations on a pull request, and JUnit XML for CI test tabs (one testsuite per case file, one
// testcase per case).
import type { CaseFinding, CaseResult, Failure, TestReport } from "./run.js";

export const TEST_FORMATS = ["text", "json", "github", "junit"] as const;
export type TestFormat = (typeof TEST_FORMATS)[number];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function where(l: { file: string; line: number; column: number }): string {
  return `${l.file}:${l.line}:${l.column}`;
}

/** A failure in a few lines: what was expected, what happened, and the clause that decided it. */
export function describeFailure(f: Failure): string[] {
  const lines = [`${where(f.location)}: ${f.record}: expected ${f.expectation}; ${f.message}`];
  if (f.clause) {
    lines.push(`  decided by \`${f.clause.text}\` at ${where(f.clause.location)}: ${f.clause.reason}`);
    if (f.clause.read && f.clause.read.length > 0)
      lines.push(`  values read: ${f.clause.read.map((r) => `${r.column} = ${r.value}`).join(", ")}`);
  }
  return lines;
}

function findingLine(f: CaseFinding): string[] {
  const lines = [`${where(f)}: ${f.severity} ${f.code}: ${f.message}`];
  if (f.hint) lines.push(`  hint: ${f.hint}`);
  return lines;
}

function status(c: CaseResult): "ok" | "FAIL" | "ERROR" {
  return c.passed ? "ok" : c.errors > 0 ? "ERROR" : "FAIL";
}

export function formatText(report: TestReport): string {
  const out: string[] = [];
  for (const f of report.findings) out.push(...findingLine(f));
  for (const c of report.cases) {
    out.push(`${status(c).padEnd(5)} ${c.name} (${where(c.location)})`);
    for (const failure of c.failures) out.push(...describeFailure(failure).map((l) => `  ${l}`));
    for (const note of c.notes) out.push(`  note: ${note}`);
  }
  const passed = report.cases.filter((c) => c.passed).length;
  const errors = report.findings.filter((f) => f.severity === "error").length;
  out.push(
    `${plural(report.cases.length, "case")}: ${passed} passed, ${report.cases.length - passed} failed` +
      (errors > 0 ? `, ${plural(errors, "error")}` : "") +
      ` in ${plural(report.files.length, "file")}`,
  );
  return out.join("\n") + "\n";
}

export function formatJson(report: TestReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function annotation(
  level: "error" | "warning",
  l: { file: string; line: number; column: number },
  title: string,
  message: string,
): string {
  return `::${level} file=${escapeProperty(l.file)},line=${l.line},col=${l.column},title=${escapeProperty(title)}::${escapeData(message)}\n`;
}

export function formatGithub(report: TestReport): string {
  let out = "";
  for (const f of report.findings)
    out += annotation(f.severity, f, f.code, f.hint ? `${f.message} (fix: ${f.hint})` : f.message);
  for (const c of report.cases)
    for (const failure of c.failures)
      out += annotation(
        "error",
        failure.location,
        `iom test: ${c.name}`,
        describeFailure(failure).join("\n"),
      );
  return out;
}

/** Escapes text for XML, dropping the characters XML 1.0 cannot hold (control characters). */
function xml(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x20 && ch !== "\t" && ch !== "\n" && ch !== "\r") continue;
    out += ch === "&" ? "&amp;" : ch === "<" ? "&lt;" : ch === ">" ? "&gt;" : ch === '"' ? "&quot;" : ch;
  }
  return out;
}

export function formatJunit(report: TestReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failed = report.cases.filter((c) => !c.passed && c.errors === 0).length;
  const errored = report.cases.filter((c) => c.errors > 0).length;
  out.push(
    `<testsuites name="iom test" tests="${report.cases.length}" failures="${failed}" errors="${errored}">`,
  );
  for (const file of report.files) {
    const cases = report.cases.filter((c) => c.file === file);
    const findings = report.findings.filter((f) => f.file === file && f.severity === "error");
    const fileErrors = cases.length === 0 && findings.length > 0 ? 1 : 0;
    out.push(
      `  <testsuite name="${xml(file)}" tests="${cases.length + fileErrors}" failures="${cases.filter((c) => !c.passed && c.errors === 0).length}" errors="${cases.filter((c) => c.errors > 0).length + fileErrors}">`,
    );
    if (fileErrors)
      out.push(
        `    <testcase name="${xml(file)}" classname="${xml(file)}"><error message="the file cannot be run">${xml(findings.flatMap(findingLine).join("\n"))}</error></testcase>`,
      );
    for (const c of cases) {
      out.push(
        `    <testcase name="${xml(c.name)}" classname="${xml(file)}" file="${xml(file)}" line="${c.location.line}">`,
      );
      if (c.errors > 0) {
        const own = report.findings.filter(
          (f) =>
            f.severity === "error" &&
            ((f.file === c.file && f.pointer?.startsWith(`${c.pointer}/`)) ||
              f.code === "policy-not-evaluated"),
        );
        out.push(
          `      <error message="the case cannot be run">${xml(own.flatMap(findingLine).join("\n"))}</error>`,
        );
      }
      for (const failure of c.failures)
        out.push(
          `      <failure message="${xml(`${failure.record}: expected ${failure.expectation}`)}">${xml(describeFailure(failure).join("\n"))}</failure>`,
        );
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

export function formatReport(report: TestReport, format: TestFormat): string {
  switch (format) {
    case "text":
      return formatText(report);
    case "json":
      return formatJson(report);
    case "github":
      return formatGithub(report);
    case "junit":
      return formatJunit(report);
  }
}
