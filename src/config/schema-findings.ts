// Turns Ajv errors into findings: one coded, located finding per problem, worded for a person
// reading a YAML file.
import type { ErrorObject } from "ajv";
import { didYouMean } from "./did-you-mean.js";
import { describePath, toPointer } from "./findings.js";
import type { Finding, FindingCode } from "./findings.js";
import type { PathSegment, YamlSource } from "./yaml-source.js";

function parsePointer(pointer: string, data: unknown): PathSegment[] {
  if (pointer === "") return [];
  const out: PathSegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      const index = Number(segment);
      out.push(index);
      current = current[index];
    } else {
      out.push(segment);
      current =
        current !== null && typeof current === "object"
          ? (current as Record<string, unknown>)[segment]
          : undefined;
    }
  }
  return out;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return `a ${typeof value}`;
}

function expectedType(type: unknown): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
    integer: "an integer",
    boolean: "true or false",
    null: "null",
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(" or ");
}

function quote(value: unknown): string {
  return JSON.stringify(value);
}

/** Findings for the Ajv errors of one document. `base` prefixes paths (a resource inside a file). */
export function schemaFindings(
  source: YamlSource,
  errors: readonly ErrorObject[],
  base: PathSegment[] = [],
): Finding[] {
  const findings: Finding[] = [];
  for (const error of errors) {
    // if/then/else only routes a condition to its shape; the branch's own errors say what is wrong.
    if (error.keyword === "if") continue;
    const path = [...base, ...parsePointer(error.instancePath, source.data)];
    const where = describePath(path);
    let code: FindingCode = "schema-invalid-value";
    let message: string;
    let hint: string | undefined;
    let findingPath = path;
    let key = false;
    switch (error.keyword) {
      case "additionalProperties": {
        const name = String((error.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys(
          (error.parentSchema as { properties?: Record<string, unknown> })?.properties ?? {},
        );
        code = "schema-unknown-key";
        findingPath = [...path, name];
        key = true;
        message = `unknown key '${name}' in ${where}`;
        const suggestion = didYouMean(name, known);
        hint = suggestion
          ? `did you mean '${suggestion}'?`
          : known.length > 0
            ? `known keys: ${known.join(", ")}`
            : "remove the key";
        break;
      }
      case "required": {
        const name = String((error.params as { missingProperty: string }).missingProperty);
        code = "schema-missing-key";
        message = `${where} is missing the required key '${name}'`;
        const properties = (error.parentSchema as { properties?: Record<string, { description?: string }> })
          ?.properties;
        const description = properties?.[name]?.description;
        hint = description ? `add '${name}': ${description}` : `add '${name}'`;
        break;
      }
      case "type":
        code = "schema-wrong-type";
        message = `${where} must be ${expectedType((error.params as { type: unknown }).type)}, not ${typeOf(error.data)}`;
        hint =
          typeof error.data === "string" && ["true", "false"].includes(error.data)
            ? "remove the quotes around true/false"
            : undefined;
        break;
      case "enum": {
        const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
        message = `${where} is ${quote(error.data)}; it must be one of ${allowed.map(quote).join(", ")}`;
        const suggestion =
          typeof error.data === "string" ? didYouMean(error.data, allowed.map(String)) : undefined;
        hint = suggestion ? `did you mean ${quote(suggestion)}?` : undefined;
        break;
      }
      case "const":
        message = `${where} must be ${quote((error.params as { allowedValue: unknown }).allowedValue)}, not ${quote(error.data)}`;
        break;
      case "pattern":
        message = `${where} (${quote(error.data)}) does not have the expected form`;
        hint = (error.parentSchema as { description?: string })?.description;
        break;
      case "minItems":
        message = `${where} must have at least ${(error.params as { limit: number }).limit} item(s)`;
        break;
      case "minLength":
        message = `${where} must not be empty`;
        break;
      case "maxLength":
        message = `${where} is longer than ${(error.params as { limit: number }).limit} characters`;
        break;
      default:
        message = `${where} ${error.message ?? "is not valid"}`;
    }
    const loc = source.locate(findingPath, { key });
    const finding: Finding = { ...loc, code, severity: "error", message, pointer: toPointer(findingPath) };
    if (hint) finding.hint = hint;
    findings.push(finding);
  }
  return findings;
}
