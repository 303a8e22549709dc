// The names `iom import` gives what it finds. Pulumi knows a resource by its name (the URN), so a
// name must come out the same on every import of an unchanged environment, and differ from the
// other names of its kind. Names are derived from names the environment holds, never from ids or
// from the order rows come back in: kebab-case words of the installed provider's name, of the
// connection's name after what it shares with its provider's definition, of the map's name
// without its "CDS" prefix and entity set. Policies and orchestration flows keep their IOM names,
// which are their natural keys. See docs/import.md, "Names".

/** The schemas' maxLength of names. */
export const MAX_NAME_LENGTH = 100;

/** Lower-case ASCII words of a name: accents dropped, anything but letters and digits a separator. */
export function words(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/** A kebab-case name of at most `max` characters, cut at a word boundary where there is one. */
export function kebab(parts: readonly string[], max = MAX_NAME_LENGTH): string {
  const name = parts.join("-");
  if (name.length <= max) return name;
  const cut = name.slice(0, max);
  if (name[max] === "-") return cut;
  const dash = cut.lastIndexOf("-");
  return dash > 0 ? cut.slice(0, dash) : cut;
}

/** The name of an installed provider: its own name (Providers > Installed) in kebab-case. */
export function providerName(installedName: string): string {
  return kebab(words(installedName)) || "provider";
}

/**
 * The name of a provider connection: the provider's name, then the words of the connection's name
 * that its provider's definition does not already say, without a closing "connection".
 * "Microsoft Finance and Operations Dataverse (current environment) Connection" of the definition
 * "Microsoft Finance and Operations apps" gives "<provider>-dataverse-current-environment".
 */
export function connectionName(provider: string, connection: string, definition: string): string {
  const own = words(connection);
  const shared = words(definition);
  let start = 0;
  while (start < own.length && own[start] === shared[start]) start++;
  const rest = own.slice(start);
  if (rest.length > 1 && rest[rest.length - 1] === "connection") rest.pop();
  return kebab([provider, ...(rest.length > 0 ? rest : ["connection"])]);
}

/**
 * The name of a dual-write map: its name without the "CDS" prefix and the entity set in
 * parentheses, in kebab-case ("CDS sales order headers (salesorders)" gives "sales-order-headers").
 */
export function mapName(map: string): string {
  const core = map
    .replace(/\s*\([^()]*\)\s*$/, "")
    .replace(/^\s*CDS\s+/i, "")
    .trim();
  return kebab(words(core)) || kebab(words(map)) || "map";
}

/** The file a policy is written to beside the stack file: its name in kebab-case. */
export function policyFileStem(policy: string): string {
  return kebab(words(policy)) || "policy";
}

/**
 * Hands out names unique within one kind: the first holder of a name keeps it, later ones get
 * "-2", "-3", ... Names compare without regard to case, so they stay unique however the stack's
 * checks compare them. Callers offer names in an order that does not depend on the environment's
 * row order (sorted by the record's own name, then id).
 */
export class NameRegister {
  private readonly taken = new Set<string>();

  take(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name.toLowerCase()); n++) {
      const suffix = `-${n}`;
      name = `${kebab([base], MAX_NAME_LENGTH - suffix.length).replace(/-+$/, "")}${suffix}`;
    }
    this.taken.add(name.toLowerCase());
    return name;
  }
}
