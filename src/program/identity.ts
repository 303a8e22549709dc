// The name Pulumi knows each resource by. A YAML entry's `name` is a label people rename
// ("sales-order-headers" → "order-headers", "Default company" → "Default Company"); the record it
// manages does not change with it. Were the label the resource's Pulumi name, a rename would be a
// new resource that adopts the record (by natural key) followed by the delete of the old one, which
// deletes the record or restores the settings found before the stack took it over
// (docs/resources.md, "Renames"). So every resource is named by its natural key, in one canonical
// form (trimmed, lower case, as Dataverse compares names): a new label is the same
// resource, and only a change of the natural key is another record.
//
// Stacks applied before resources were named this way know them by their labels: each resource
// carries its label as an alias, so the first `up` after the change moves them to their new names
// without a single call to the environment.
import type * as pulumi from "@pulumi/pulumi";
import { mapNameParts } from "../dataverse/dual-write.js";
import type { DesiredState } from "../config/validate.js";

type Spec<K extends keyof DesiredState> = DesiredState[K] extends readonly (infer T)[] ? T : never;

/** Trimmed, lower case: how Dataverse compares names (and how `iom validate` finds duplicates). */
export const canonicalName = (name: string): string => name.trim().toLowerCase();

/** The Pulumi names of a stack's resources, by kind. */
export const naturalName = {
  policy: (p: Pick<Spec<"policies">, "name">): string => canonicalName(p.name),
  orchestrationFlow: (f: Pick<Spec<"orchestrationFlows">, "name">): string => canonicalName(f.name),
  /**
   * An installed provider: the name IOM lists it by (its display name, else its definition's).
   * Not the definition: a provider whose definition changes under the same name is replaced, the
   * old one deleted first (../resources/iom-provider); a new name is another provider.
   */
  provider: (p: Pick<Spec<"providers">, "displayName" | "definition">): string =>
    canonicalName(p.displayName ?? p.definition),
  /** A provider's connection: its provider's natural name and the definition's connection. */
  connection: (providerName: string, c: Pick<Spec<"connections">, "connection">): string =>
    `${providerName} / ${canonicalName(c.connection)}`,
  /** A table map, in the F&O UI's form whichever form the YAML uses ("label (entityset)"). */
  dualWriteMap: (m: Pick<Spec<"dualWriteMaps">, "map">): string => {
    const { entitySet, label } = mapNameParts(m.map);
    return canonicalName(entitySet ? `${label} (${entitySet})` : label);
  },
};

/**
 * The resource options that carry a resource's label as an alias, unless the label is its name
 * already or another resource of the same type is named so (an alias may never name another
 * resource of the stack).
 */
export function labelAlias(
  label: string,
  name: string,
  namesOfType: ReadonlySet<string>,
): pulumi.CustomResourceOptions {
  if (label === name || namesOfType.has(label)) return {};
  return { aliases: [{ name: label }] };
}
