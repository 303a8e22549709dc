// Table metadata read from the environment's EntityDefinitions: entity set names, attributes,
// option sets and lookups. IOM's option values are not published, so resource kinds never
// hard-code them: they name a label ("Execution") and this module finds its number in the
// environment, and back. Likewise the navigation property a lookup is bound through is read, never
// derived from the column's name. Answers are cached per process and environment; a Pulumi run asks
// for each table once.

import { NotFoundError, UnknownLookupError, UnknownOptionError, UnexpectedResponseError } from "./errors.js";
import { identifier, literal, recordPath } from "./odata.js";
import type { Guid } from "./odata.js";

export interface EntityMetadata {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string | undefined;
}

export interface AttributeMetadata {
  logicalName: string;
  /** AttributeType as Dataverse names it: String, Picklist, State, Status, Boolean, Lookup, … */
  attributeType: string;
  /** The label the UI shows, in the caller's language, when the attribute has one. */
  displayName: string | undefined;
}

export interface OptionMetadata {
  value: number;
  label: string;
}

/** One lookup of a table and one table it points to: a many-to-one relationship, seen from its referencing side. */
export interface LookupMetadata {
  /** The lookup column's logical name (ReferencingAttribute), e.g. msdyn_providerdefinition. */
  attribute: string;
  /** The table it points to (ReferencedEntity). A polymorphic lookup has one entry per target. */
  target: string;
  /**
   * The single-valued navigation property (ReferencingEntityNavigationPropertyName), e.g.
   * msdyn_ProviderDefinition: the name `<nav>@odata.bind` needs, matched case-sensitively.
   */
  navigationProperty: string;
}

/** What the metadata reader needs from the client: one GET that returns parsed JSON. */
export interface MetadataTransport {
  readonly environmentUrl: string;
  getJson(path: string): Promise<unknown>;
}

const OPTION_CAST: Readonly<Record<string, string>> = {
  Picklist: "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
  State: "Microsoft.Dynamics.CRM.StateAttributeMetadata",
  Status: "Microsoft.Dynamics.CRM.StatusAttributeMetadata",
  Boolean: "Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
  MultiSelectPicklist: "Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata",
};

/**
 * The attribute's type as iom-gitops names it: AttributeType, except that Dataverse publishes a
 * multi-select choice as a Virtual attribute whose AttributeTypeName is MultiSelectPicklistType
 * [C: PA:multi-select-picklist.md], which is named MultiSelectPicklist here.
 */
function attributeTypeOf(record: Record<string, unknown>, path: string): string {
  const type = requireString(record, "AttributeType", path);
  const name = (record["AttributeTypeName"] as { Value?: unknown } | null | undefined)?.Value;
  return type === "Virtual" && name === "MultiSelectPicklistType" ? "MultiSelectPicklist" : type;
}

const cache = new Map<string, Promise<unknown>>();

/** Forget all cached metadata (tests; or after a solution import changed the schema). */
export function clearMetadataCache(): void {
  cache.clear();
}

export class Metadata {
  constructor(private readonly transport: MetadataTransport) {}

  entity(logicalName: string): Promise<EntityMetadata> {
    const path =
      `EntityDefinitions(LogicalName=${literal(identifier(logicalName))})` +
      "?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute";
    return this.cached(`entity|${logicalName}`, async () => {
      const body = await this.transport.getJson(path);
      const record = asRecord(body, path);
      return {
        logicalName: requireString(record, "LogicalName", path),
        entitySetName: requireString(record, "EntitySetName", path),
        primaryIdAttribute: requireString(record, "PrimaryIdAttribute", path),
        primaryNameAttribute:
          typeof record["PrimaryNameAttribute"] === "string" ? record["PrimaryNameAttribute"] : undefined,
      };
    });
  }

  /**
   * A table's definition with, as asked, its attributes and its lookups: the requests are sent at
   * once (one round trip, not one after another). Undefined when the environment has no such
   * table: then every request fails, and the definition's 404 is the one that counts.
   */
  async table(
    logicalName: string,
    parts: { attributes?: boolean; lookups?: boolean } = {},
  ): Promise<
    { entity: EntityMetadata; attributes: AttributeMetadata[]; lookups: LookupMetadata[] } | undefined
  > {
    const attributes = parts.attributes ? this.attributes(logicalName) : Promise.resolve([]);
    const lookups = parts.lookups ? this.lookups(logicalName) : Promise.resolve([]);
    // Awaited below, once the table is known to exist.
    attributes.catch(() => undefined);
    lookups.catch(() => undefined);
    let entity: EntityMetadata;
    try {
      entity = await this.entity(logicalName);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    return { entity, attributes: await attributes, lookups: await lookups };
  }

  async entitySetName(logicalName: string): Promise<string> {
    return (await this.entity(logicalName)).entitySetName;
  }

  attributes(logicalName: string): Promise<AttributeMetadata[]> {
    const path =
      `EntityDefinitions(LogicalName=${literal(identifier(logicalName))})/Attributes` +
      "?$select=LogicalName,AttributeType,AttributeTypeName,DisplayName";
    return this.cached(`attributes|${logicalName}`, () =>
      this.collection(path, (record) => ({
        logicalName: requireString(record, "LogicalName", path),
        attributeType: attributeTypeOf(record, path),
        displayName: labelText(record["DisplayName"]),
      })),
    );
  }

  async attribute(logicalName: string, attributeName: string): Promise<AttributeMetadata | undefined> {
    return (await this.attributes(logicalName)).find((a) => a.logicalName === attributeName);
  }

  /** The choices of a Picklist, State, Status or Boolean column, in the environment's order. */
  options(logicalName: string, attributeName: string): Promise<OptionMetadata[]> {
    return this.cached(`options|${logicalName}|${attributeName}`, async () => {
      const attribute = await this.attribute(logicalName, attributeName);
      if (!attribute) {
        throw new UnknownOptionError(`${logicalName} has no column ${attributeName}`, {
          hint: `Check the column name against the ${logicalName} table's metadata.`,
        });
      }
      const cast = OPTION_CAST[attribute.attributeType];
      if (!cast) {
        throw new UnknownOptionError(
          `${logicalName}.${attributeName} is a ${attribute.attributeType} column, not a choice`,
          { hint: "Only Picklist, State, Status and Boolean columns have option labels." },
        );
      }
      const path =
        `EntityDefinitions(LogicalName=${literal(identifier(logicalName))})` +
        `/Attributes(LogicalName=${literal(identifier(attributeName))})/${cast}` +
        "?$select=LogicalName&$expand=OptionSet";
      const body = asRecord(await this.transport.getJson(path), path);
      return readOptions(body["OptionSet"], path);
    });
  }

  /** The number behind a label; labels match exactly first, then ignoring case and spaces. */
  async optionValue(logicalName: string, attributeName: string, label: string): Promise<number> {
    const options = await this.options(logicalName, attributeName);
    const exact = options.filter((o) => o.label === label);
    const loose =
      exact.length > 0 ? exact : options.filter((o) => normalizeLabel(o.label) === normalizeLabel(label));
    if (loose.length === 1) return (loose[0] as OptionMetadata).value;
    const known = options.map((o) => `"${o.label}" (${o.value})`).join(", ");
    if (loose.length > 1) {
      throw new UnknownOptionError(
        `${logicalName}.${attributeName} has several options labelled "${label}": ${known}`,
        {
          hint: "Use the exact label, with its case, to choose one.",
        },
      );
    }
    throw new UnknownOptionError(
      `${logicalName}.${attributeName} has no option "${label}"; it has ${known}`,
      {
        hint: "Use one of the labels listed.",
      },
    );
  }

  async optionLabel(logicalName: string, attributeName: string, value: number): Promise<string> {
    const options = await this.options(logicalName, attributeName);
    const match = options.find((o) => o.value === value);
    if (match) return match.label;
    const known = options.map((o) => `${o.value} "${o.label}"`).join(", ");
    throw new UnknownOptionError(
      `${logicalName}.${attributeName} has no option with value ${value}; it has ${known}`,
      {
        hint: "The environment's option set changed or the value was written outside iom-gitops; refresh and check the column.",
      },
    );
  }

  /** Every lookup of a table with its targets and navigation properties, from ManyToOneRelationships. */
  lookups(logicalName: string): Promise<LookupMetadata[]> {
    const path =
      `EntityDefinitions(LogicalName=${literal(identifier(logicalName))})/ManyToOneRelationships` +
      "?$select=ReferencingAttribute,ReferencingEntityNavigationPropertyName,ReferencedEntity";
    return this.cached(`lookups|${logicalName}`, () =>
      this.collection(path, (record) => ({
        attribute: requireString(record, "ReferencingAttribute", path),
        target: requireString(record, "ReferencedEntity", path),
        navigationProperty: requireString(record, "ReferencingEntityNavigationPropertyName", path),
      })),
    );
  }

  /**
   * The navigation property through which a lookup is written (`<nav>@odata.bind`). Its case is the
   * environment's own (msdyn_ProviderDefinition for the column msdyn_providerdefinition) and the
   * Web API matches it exactly, so it is read from the metadata, never assumed. A polymorphic lookup
   * (Customer, Owner, multi-table) has one per target table: name the target. With a target, the
   * lookup must point to it. UnknownLookupError otherwise.
   */
  async navigationProperty(logicalName: string, lookupAttribute: string, target?: string): Promise<string> {
    const candidates = await this.lookupTargets(logicalName, lookupAttribute);
    const targets = candidates.map((c) => c.target).join(", ");
    if (target === undefined) {
      if (candidates.length === 1) return (candidates[0] as LookupMetadata).navigationProperty;
      throw new UnknownLookupError(
        `${logicalName}.${lookupAttribute} points to several tables (${targets})`,
        {
          hint: "Name the target table to choose the navigation property.",
        },
      );
    }
    const match = candidates.find((c) => c.target === target);
    if (match) return match.navigationProperty;
    throw new UnknownLookupError(`${logicalName}.${lookupAttribute} points to ${targets}, not ${target}`, {
      hint: `Bind it to a row of ${targets}, or check the target table's name.`,
    });
  }

  /**
   * `{ "<nav>@odata.bind": "/<set>(<id>)" }` for a create or update body; null clears the lookup.
   * The target is named by its entity set, as the bind value needs; for a polymorphic lookup that
   * also chooses the navigation property.
   */
  async bindValue(
    logicalName: string,
    lookupAttribute: string,
    targetEntitySet: string,
    id: string | Guid | null,
  ): Promise<Record<string, string | null>> {
    const candidates = await this.lookupTargets(logicalName, lookupAttribute);
    // Checked even for a single target: a wrong set would otherwise surface as a 400 on the write.
    const sets = await Promise.all(candidates.map((c) => this.entitySetName(c.target)));
    const match = candidates[sets.indexOf(targetEntitySet)];
    if (!match) {
      const known = candidates.map((c, i) => `${c.target} (${sets[i]})`).join(", ");
      throw new UnknownLookupError(
        `${logicalName}.${lookupAttribute} points to ${known}, not to the entity set ${targetEntitySet}`,
        { hint: "Bind it to a row of the table it points to, named by that table's entity set." },
      );
    }
    const key = `${match.navigationProperty}@odata.bind`;
    return { [key]: id === null ? null : `/${recordPath(targetEntitySet, id)}` };
  }

  /** The relationships of one lookup column; UnknownLookupError, listing the table's lookups, if none. */
  private async lookupTargets(logicalName: string, lookupAttribute: string): Promise<LookupMetadata[]> {
    const lookups = await this.lookups(logicalName);
    const matches = lookups.filter((l) => l.attribute === lookupAttribute);
    if (matches.length > 0) return matches;
    const byAttribute = new Map<string, string[]>();
    for (const l of lookups)
      byAttribute.set(l.attribute, [...(byAttribute.get(l.attribute) ?? []), l.target]);
    const known = [...byAttribute]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([attribute, targets]) => `${attribute} (to ${targets.join(", ")})`)
      .join(", ");
    throw new UnknownLookupError(
      `${logicalName} has no lookup ${lookupAttribute}; ${known ? `its lookups are ${known}` : "it has no lookups"}`,
    );
  }

  /** A metadata collection (`{ value: [...] }`), each item checked and read by `read`. */
  private async collection<T>(path: string, read: (record: Record<string, unknown>) => T): Promise<T[]> {
    const body = asRecord(await this.transport.getJson(path), path);
    const value = body["value"];
    if (!Array.isArray(value)) throw malformed(path, "no value array");
    return value.map((item) => read(asRecord(item, path)));
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const full = `${this.transport.environmentUrl}|${key}`;
    let entry = cache.get(full) as Promise<T> | undefined;
    if (!entry) {
      entry = load();
      cache.set(full, entry);
      // A failure is not remembered: the next caller asks again.
      entry.catch(() => {
        if (cache.get(full) === entry) cache.delete(full);
      });
    }
    return entry;
  }
}

function readOptions(optionSet: unknown, path: string): OptionMetadata[] {
  const set = asRecord(optionSet, path);
  if (Array.isArray(set["Options"])) return set["Options"].map((o) => readOption(o, path));
  // Boolean columns carry their two choices as TrueOption and FalseOption.
  const pair = [set["FalseOption"], set["TrueOption"]].filter((o) => o != null);
  if (pair.length > 0) return pair.map((o) => readOption(o, path));
  throw malformed(path, "an OptionSet with neither Options nor TrueOption/FalseOption");
}

function readOption(option: unknown, path: string): OptionMetadata {
  const record = asRecord(option, path);
  const value = record["Value"];
  if (typeof value !== "number") throw malformed(path, "an option without a numeric Value");
  return { value, label: labelText(record["Label"]) ?? String(value) };
}

// Label is {UserLocalizedLabel:{Label}, LocalizedLabels:[{Label, LanguageCode}]}.
function labelText(label: unknown): string | undefined {
  if (typeof label !== "object" || label === null) return undefined;
  const user = (label as { UserLocalizedLabel?: { Label?: unknown } }).UserLocalizedLabel;
  if (typeof user?.Label === "string") return user.Label;
  const localized = (label as { LocalizedLabels?: Array<{ Label?: unknown }> }).LocalizedLabels;
  const first = Array.isArray(localized) ? localized.find((l) => typeof l.Label === "string") : undefined;
  return typeof first?.Label === "string" ? first.Label : undefined;
}

function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, " ").toLowerCase();
}

function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed(path, "not a JSON object");
  return value as Record<string, unknown>;
}

function requireString(record: Record<string, unknown>, key: string, path: string): string {
  const value = record[key];
  if (typeof value !== "string" || value === "") throw malformed(path, `no ${key}`);
  return value;
}

function malformed(path: string, what: string): UnexpectedResponseError {
  return new UnexpectedResponseError(`the metadata response has ${what}`, { method: "GET", path });
}
