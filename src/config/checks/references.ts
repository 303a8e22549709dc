// Every reference resolves: a connection to a declared provider and to a connection of that
// provider's definition; an orchestration step to a declared provider, an action of its
// definition, and to declared policies of the right type.
import { didYouMean } from "../did-you-mean.js";
import type { Finding } from "../findings.js";
import type { Configuration } from "../model.js";
import { findingAt } from "../model.js";
import { findDefinition, sameName } from "../provider-catalog.js";

function suggest(name: string, candidates: string[], fallback: string): string {
  const s = didYouMean(name, candidates);
  return s ? `did you mean '${s}'?` : fallback;
}

export function checkReferences(config: Configuration): Finding[] {
  const findings: Finding[] = [];
  const providers = new Map(config.providers.map((p) => [p.value.name, p.value]));
  const providerNames = [...providers.keys()];
  const declared =
    providerNames.length > 0
      ? `declared providers: ${providerNames.join(", ")}`
      : "declare it under providers";

  for (const provider of config.providers) {
    if (!findDefinition(provider.value.definition)) {
      findings.push(
        findingAt(provider.source, [...provider.path, "definition"], {
          code: "unknown-provider-definition",
          severity: "warning",
          message: `provider definition '${provider.value.definition}' is not in the offline catalog, so its connections and actions cannot be checked`,
          hint: "check the name against Providers > Catalog in IOM",
        }),
      );
    }
  }

  for (const conn of config.connections) {
    const provider = providers.get(conn.value.provider);
    if (!provider) {
      findings.push(
        findingAt(conn.source, [...conn.path, "provider"], {
          code: "unknown-provider",
          message: `connection '${conn.value.name}' belongs to provider '${conn.value.provider}', which is not declared`,
          hint: suggest(conn.value.provider, providerNames, declared),
        }),
      );
      continue;
    }
    const definition = findDefinition(provider.definition);
    if (definition && !definition.connections.some((c) => sameName(c, conn.value.connection))) {
      findings.push(
        findingAt(conn.source, [...conn.path, "connection"], {
          code: "unknown-connection",
          // The offline catalog's connections are partly guessed (src/iom/catalog.ts): the
          // environment's own catalog decides when the stack is applied.
          severity: "warning",
          message: `connection '${conn.value.connection}' is not a connection of provider definition '${definition.name}'`,
          hint: suggest(
            conn.value.connection,
            definition.connections,
            `its connections: ${definition.connections.join(", ")}`,
          ),
        }),
      );
    }
  }

  const policies = new Map(config.policies.map((p) => [p.value.name.toLowerCase(), p.value]));
  const policyNames = config.policies.map((p) => p.value.name);
  for (const flow of config.orchestrationFlows) {
    flow.value.steps.forEach((step, i) => {
      const stepPath = [...flow.path, "steps", i];
      const action = step.providerAction;
      if (action) {
        const provider = providers.get(action.provider);
        if (!provider) {
          findings.push(
            findingAt(flow.source, [...stepPath, "providerAction", "provider"], {
              code: "unknown-provider",
              message: `step '${step.name}' calls provider '${action.provider}', which is not declared`,
              hint: suggest(action.provider, providerNames, declared),
            }),
          );
        } else {
          if (flow.value.published && !provider.activated)
            findings.push(
              findingAt(flow.source, [...stepPath, "providerAction", "provider"], {
                code: "provider-not-activated",
                // IOM publishes a flow only when the providers its steps call are activated, and
                // refuses to deactivate a provider a published flow calls [I: domain.md 1.2-1.4].
                message: `published flow '${flow.value.name}' calls provider '${action.provider}', which is not activated`,
                hint: `set activated: true on provider '${action.provider}', or published: false on the flow`,
              }),
            );
          const definition = findDefinition(provider.definition);
          if (definition && !definition.actions.some((a) => sameName(a, action.action))) {
            findings.push(
              findingAt(flow.source, [...stepPath, "providerAction", "action"], {
                code: "unknown-provider-action",
                // Action names are not published (src/iom/catalog.ts): a warning offline; applying
                // the stack checks them against the environment's own logic definitions.
                severity: "warning",
                message: `provider definition '${definition.name}' has no action '${action.action}'`,
                hint: suggest(
                  action.action,
                  definition.actions,
                  `its actions: ${definition.actions.join(", ")}`,
                ),
              }),
            );
          }
        }
      }
      for (const [field, type] of [
        ["filterPolicies", "filter"],
        ["executionPolicies", "execution"],
      ] as const) {
        (step[field] ?? []).forEach((name, j) => {
          const policy = policies.get(name.toLowerCase());
          if (!policy) {
            findings.push(
              findingAt(flow.source, [...stepPath, field, j], {
                code: "unknown-policy",
                message: `step '${step.name}' uses policy '${name}', which is not declared`,
                hint: suggest(
                  name,
                  policyNames,
                  "declare the policy in this stack or in an included policies/*.policy.yaml",
                ),
              }),
            );
          } else if (policy.type !== type) {
            findings.push(
              findingAt(flow.source, [...stepPath, field, j], {
                code: "policy-type-mismatch",
                message: `policy '${name}' is a ${policy.type} policy, listed under ${field}`,
                hint: `move it to ${policy.type === "filter" ? "filterPolicies" : "executionPolicies"}`,
              }),
            );
          }
        });
      }
    });
  }
  return findings;
}
