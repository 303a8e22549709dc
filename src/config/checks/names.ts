// Names are how resources refer to each other: they must be unique among resources of one kind,
// and rule and step names unique within their policy or flow.
import type { Finding } from "../findings.js";
import type { Configuration, Located } from "../model.js";
import { findingAt } from "../model.js";
import type { PathSegment, YamlSource } from "../yaml-source.js";

interface Named {
  name: string;
  source: YamlSource;
  path: PathSegment[];
}

function duplicates(items: Iterable<Named>, what: string, caseInsensitive: boolean): Finding[] {
  const findings: Finding[] = [];
  const first = new Map<string, Named>();
  for (const item of items) {
    const key = caseInsensitive ? item.name.toLowerCase() : item.name;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, item);
      continue;
    }
    const at = earlier.source.locate(earlier.path);
    findings.push(
      findingAt(item.source, item.path, {
        code: "duplicate-name",
        message: `${what} name '${item.name}' is already used at ${at.file}:${at.line}:${at.column}`,
        hint: `give each ${what} its own name`,
      }),
    );
  }
  return findings;
}

function named<T extends { name: string }>(list: Located<T>[]): Named[] {
  return list.map((l) => ({ name: l.value.name, source: l.source, path: [...l.path, "name"] }));
}

export function checkNames(config: Configuration): Finding[] {
  // IOM's own names (policies, flows) are unique in the environment regardless of case, as
  // Dataverse compares them; names local to this configuration are compared exactly.
  const findings = [
    ...duplicates(named(config.providers), "provider", false),
    ...duplicates(named(config.connections), "connection", false),
    ...duplicates(named(config.dualWriteMaps), "dual-write map", false),
    ...duplicates(named(config.policies), "policy", true),
    ...duplicates(named(config.orchestrationFlows), "orchestration flow", true),
  ];
  for (const policy of config.policies) {
    const rules = policy.value.rules.map((r, i) => ({
      name: r.name,
      source: policy.source,
      path: [...policy.path, "rules", i, "name"],
    }));
    findings.push(...duplicates(rules, "rule", true));
  }
  for (const flow of config.orchestrationFlows) {
    const steps = flow.value.steps.map((s, i) => ({
      name: s.name,
      source: flow.source,
      path: [...flow.path, "steps", i, "name"],
    }));
    findings.push(...duplicates(steps, "step", true));
  }
  return findings;
}
