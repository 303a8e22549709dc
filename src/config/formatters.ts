// How `iom validate` prints findings: text for people, JSON for tools, SARIF 2.1.0 for code
// scanning, and GitHub workflow commands for annotations on a pull request.
import { FINDING_CODES } from "./findings.js";
import type { Finding } from "./findings.js";
import type { ValidationResult } from "./validate.js";

export const FORMATS = ["text", "json", "sarif", "github"] as const;
export type Format = (typeof FORMATS)[number];

const TOOL_NAME = "iom validate";
const INFORMATION_URI = "https://github.com/iom-gitops/iom-gitops/blob/main/docs/configuration.md";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function formatText(result: ValidationResult): string {
  const lines: string[] = [];
  for (const f of result.findings) {
    lines.push(`${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code}: ${f.message}`);
    if (f.hint) lines.push(`  hint: ${f.hint}`);
  }
  const errors = result.findings.filter((f) => f.severity === "error").length;
  const warnings = result.findings.length - errors;
  const files = plural(result.files.length, "file");
  lines.push(
    result.findings.length === 0
      ? `ok: ${files} valid`
      : `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${files}`,
  );
  return lines.join("\n") + "\n";
}

export function formatJson(result: ValidationResult): string {
  return (
    JSON.stringify({ valid: result.valid, files: result.files, findings: result.findings }, null, 2) + "\n"
  );
}

export function formatSarif(result: ValidationResult, version: string): string {
  const codes = Object.keys(FINDING_CODES) as Array<keyof typeof FINDING_CODES>;
  const index = new Map(codes.map((c, i) => [c, i]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version,
            informationUri: INFORMATION_URI,
            rules: codes.map((code) => ({
              id: code,
              shortDescription: { text: FINDING_CODES[code] },
            })),
          },
        },
        artifacts: result.files.map((file) => ({ location: { uri: encodeURI(file) } })),
        results: result.findings.map((f: Finding) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code),
          level: f.severity === "error" ? "error" : "warning",
          message: { text: f.hint ? `${f.message}. Fix: ${f.hint}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file) },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  ...(f.endLine !== undefined ? { endLine: f.endLine, endColumn: f.endColumn } : {}),
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

// Workflow command escaping, as GitHub's @actions/core does it.
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(result: ValidationResult): string {
  return result.findings
    .map((f) => {
      const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`];
      if (f.endLine !== undefined) props.push(`endLine=${f.endLine}`, `endColumn=${f.endColumn}`);
      props.push(`title=${escapeProperty(f.code)}`);
      const message = f.hint ? `${f.message} (fix: ${f.hint})` : f.message;
      return `::${f.severity === "error" ? "error" : "warning"} ${props.join(",")}::${escapeData(message)}\n`;
    })
    .join("");
}

export function format(result: ValidationResult, formatName: Format, version: string): string {
  switch (formatName) {
    case "text":
      return formatText(result);
    case "json":
      return formatJson(result);
    case "sarif":
      return formatSarif(result, version);
    case "github":
      return formatGithub(result);
  }
}
