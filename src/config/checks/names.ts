// Names are how resources refer to each other: they must be unique among resources of one kind,
// and rule and step names unique within their policy or flow. Natural keys are how resources find
// their record in the environment (docs/resources.md): two resources with one natural key would
// adopt the same record, or stop, save and restart the same dual-write map at once, so they must
// be unique too, compared as the environment compares them (without case).
import { mapNameKey } from "../../dataverse/dual-write.js";
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

interface Keyed extends Named {
  /** The natural key, compared as is (callers lower-case it). */
  key: string;
  /** What the key is, for the message: "installs 'X' as 'Y'". */
  says: string;
}

/** A finding at every resource of a group that shares a natural key, naming the others. */
function sameNaturalKey(items: readonly Keyed[], what: string, why: string): Finding[] {
  const groups = new Map<string, Keyed[]>();
  for (const item of items) groups.set(item.key, [...(groups.get(item.key) ?? []), item]);
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const item of group) {
      const others = group
        .filter((o) => o !== item)
        .map((o) => {
          const at = o.source.locate(o.path);
          return `'${o.name}' at ${at.file}:${at.line}:${at.column}`;
        });
      findings.push(
        findingAt(item.source, item.path, {
          code: "duplicate-natural-key",
          message: `${what} '${item.name}' ${item.says}, as ${what} ${others.join(" and ")} does: ${why}`,
          hint: `keep one ${what} for it and remove the other, or make them differ`,
        }),
      );
    }
  }
  return findings;
}

function naturalKeys(config: Configuration): Finding[] {
  return [
    ...sameNaturalKey(
      config.providers.map((l) => {
        const shown = l.value.displayName ?? l.value.definition;
        return {
          name: l.value.name,
          source: l.source,
          path: [...l.path, l.value.displayName === undefined ? "definition" : "displayName"],
          // The installed name alone, whatever the definition: IOM lists installed providers by
          // name, and the stack knows a provider by it (src/program/identity.ts).
          key: shown.trim().toLowerCase(),
          says: `is installed as '${shown}'`,
        };
      }),
      "provider",
      "both would be one installed provider",
    ),
    ...sameNaturalKey(
      config.connections.map((l) => ({
        name: l.value.name,
        source: l.source,
        path: [...l.path, "connection"],
        key: `${l.value.provider.trim().toLowerCase()}|${l.value.connection.trim().toLowerCase()}`,
        says: `sets up '${l.value.connection}' of provider '${l.value.provider}'`,
      })),
      "connection",
      "both would adopt one connection reference",
    ),
    ...sameNaturalKey(
      config.dualWriteMaps.map((l) => ({
        name: l.value.name,
        source: l.source,
        path: [...l.path, "map"],
        key: mapNameKey(l.value.map),
        says: `manages the table map '${l.value.map}'`,
      })),
      "dual-write map",
      "both would stop, save and restart one map, each over the other's settings",
    ),
  ];
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
    ...naturalKeys(config),
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
