// A configuration as the semantic checks see it: every resource with the file and path it came
// from, so that each finding can point at it. Stacks bring their included policy files along.
import type { DualWriteMap } from "../generated/dual-write-map.js";
import type { Policy } from "../generated/policy.js";
import type { IomProvider } from "../generated/iom-provider.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import type { ProviderConnection } from "../generated/provider-connection.js";
import type { Finding, FindingCode, Location, Severity } from "./findings.js";
import { toPointer } from "./findings.js";
import type { PathSegment, YamlSource } from "./yaml-source.js";

export interface Located<T> {
  value: T;
  source: YamlSource;
  path: PathSegment[];
}

export interface Configuration {
  /** The stack file, when the configuration is a stack (a lone policy file has none). */
  stack?: YamlSource;
  providers: Located<IomProvider>[];
  connections: Located<ProviderConnection>[];
  dualWriteMaps: Located<DualWriteMap>[];
  policies: Located<Policy>[];
  orchestrationFlows: Located<OrchestrationFlow>[];
}

export interface FindingInput {
  code: FindingCode;
  message: string;
  hint?: string;
  severity?: Severity;
}

/** A finding on a value (or, with `key`, on its key) inside a file. */
export function findingAt(
  source: YamlSource,
  path: PathSegment[],
  input: FindingInput,
  options: { key?: boolean } = {},
): Finding {
  return toFinding(source.locate(path, options), path, input);
}

/** A finding on characters of a string value (a filter). */
export function findingInString(
  source: YamlSource,
  path: PathSegment[],
  index: number,
  length: number,
  input: FindingInput,
): Finding {
  return toFinding(source.locateInString(path, index, length), path, input);
}

function toFinding(location: Location, path: PathSegment[], input: FindingInput): Finding {
  const finding: Finding = {
    ...location,
    code: input.code,
    severity: input.severity ?? "error",
    message: input.message,
    pointer: toPointer(path),
  };
  if (input.hint) finding.hint = input.hint;
  return finding;
}
