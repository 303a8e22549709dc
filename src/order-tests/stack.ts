// The stack an order case runs against: its dual-write maps, its policies (its own and the
// included ones) and its orchestration flows, each with the YAML it came from so that a deciding
// clause or condition can be shown at its file:line:column. The stack is validated as
// `iom validate` does; only a file that cannot be read as a stack at all (YAML or schema errors)
// stops the run: a stack with, say, a misspelt filter column still runs, since showing what such a
// mistake does to an order is the point.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { DualWriteMap } from "../generated/dual-write-map.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import type { Policy } from "../generated/policy.js";
import type { StackDesiredState } from "../generated/stack.js";
import type { Finding } from "../config/findings.js";
import { validatePaths } from "../config/validate.js";
import type { PathSegment, YamlSource } from "../config/yaml-source.js";
import { loadYamlText } from "../config/yaml-source.js";
import type { LocatedPolicy } from "./policies.js";

export interface LocatedMap {
  value: DualWriteMap;
  file: string;
  path: PathSegment[];
}

export interface LoadedStack {
  /** The stack file as shown in messages. */
  file: string;
  maps: LocatedMap[];
  /** By name, lower case (names are compared without regard to case, as Dataverse does). */
  policies: Map<string, LocatedPolicy>;
  flows: OrchestrationFlow[];
  /** Every file read, by the name shown in messages. */
  sources: Map<string, YamlSource>;
  /** `iom validate`'s errors on the stack, which the run goes past (shown as warnings). */
  findings: Finding[];
}

/** Findings that mean the file could not be read as a stack at all. */
const FATAL = /^(file-|yaml-|schema-|include-)/;

export type StackLoad = { ok: true; stack: LoadedStack } | { ok: false; findings: Finding[] };

function display(cwd: string, abs: string): string {
  return path.relative(cwd, abs).split(path.sep).join("/") || path.basename(abs);
}

function load(cwd: string, abs: string): YamlSource | undefined {
  const loaded = loadYamlText(display(cwd, abs), readFileSync(abs));
  return loaded.ok ? loaded.source : undefined;
}

/** Loads a stack file (absolute path) and the policy files it includes. */
export async function loadStack(abs: string, cwd: string): Promise<StackLoad> {
  const validation = await validatePaths([abs], { cwd });
  const errors = validation.findings.filter((f) => f.severity === "error");
  if (errors.some((f) => FATAL.test(f.code))) return { ok: false, findings: errors };
  const source = load(cwd, abs);
  if (!source) return { ok: false, findings: errors };
  const data = source.data as StackDesiredState;
  const sources = new Map([[source.file, source]]);
  const policies = new Map<string, LocatedPolicy>();
  const addPolicies = (list: Policy[] | undefined, from: YamlSource) =>
    (list ?? []).forEach((value, i) => {
      if (!policies.has(value.name.toLowerCase()))
        policies.set(value.name.toLowerCase(), { value, file: from.file, path: ["policies", i] });
    });
  addPolicies(data.policies, source);
  for (const include of data.include ?? []) {
    const included = load(cwd, path.resolve(path.dirname(abs), include));
    if (!included) continue;
    sources.set(included.file, included);
    addPolicies((included.data as { policies?: Policy[] }).policies, included);
  }
  return {
    ok: true,
    stack: {
      file: source.file,
      maps: (data.dualWriteMaps ?? []).map((value, i) => ({
        value,
        file: source.file,
        path: ["dualWriteMaps", i],
      })),
      policies,
      flows: data.orchestrationFlows ?? [],
      sources,
      findings: errors,
    },
  };
}
