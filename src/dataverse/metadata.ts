// Table metadata read from the environment: entity set names, attributes, option sets and lookups.
// IOM's option values are not published, so resource kinds never hard-code them: they name a
// label ("Execution") and this module finds its number in the environment, and back. Likewise the
// navigation property a lookup is bound through is read, never derived from the column's name.
//
// Every table is read whole, in one request with the others asked for at the same time: the
// RetrieveMetadataChanges function takes an EntityQueryExpression that spans several tables and
// returns each column with the properties of its own type, option sets included [C:
// PA:query-schema-definitions.md]. The EntityDefinitions entity set cannot: a query that expands
// Attributes casts to one derived column type only, so the option sets of Picklist, Status and
// Boolean columns need a request per table and type [C: same page, "Evaluate other options"].
// Answers are cached per process and environment; a Pulumi run asks for each table once.

import { NotFoundError, UnknownLookupError, UnknownOptionError, UnexpectedResponseError } from "./errors.js";
import { identifier, recordPath } from "./odata.js";
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

/** A table as one answer gives it: its definition, its columns and its lookups. */
export interface TableMetadata {
  entity: EntityMetadata;
  attributes: AttributeMetadata[];
  lookups: LookupMetadata[];
}

/** What the metadata reader needs from the client: one GET that returns parsed JSON. */
export interface MetadataTransport {
  readonly environmentUrl: string;
  getJson(path: string): Promise<unknown>;
}

/** The column types that have an option set: Picklist, State, Status, Boolean and multi-select. */
const CHOICE_TYPES: ReadonlySet<string> = new Set([
  "Picklist",
  "State",
  "Status",
  "Boolean",
  "MultiSelectPicklist",
]);

/**
 * Tables per request: the query travels in the URL (a parameter alias of a GET function), about
 * 200 characters a table once encoded, so a request stays under 10,000 characters.
 */
const TABLES_PER_REQUEST = 40;

/** Shown in errors instead of the request's whole URL, which carries the query. */
const FUNCTION_PATH = "RetrieveMetadataChanges";

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

/** A table as read, with each choice column's option set as the environment wrote it. */
interface TableAnswer extends TableMetadata {
  optionSets: ReadonlyMap<string, unknown>;
}

const cache = new Map<string, Promise<TableAnswer | undefined>>();

/**
 * Tables asked for in this turn of the event loop, not yet sent, per client: each request goes
 * with the credentials of the client that asked (answers are shared by environment, in `cache`).
 */
const gathering = new WeakMap<MetadataTransport, Map<string, Waiter>>();

interface Waiter {
  resolve(answer: TableAnswer | undefined): void;
  reject(error: unknown): void;
}

/** Forget all cached metadata (tests; or after a solution import changed the schema). */
export function clearMetadataCache(): void {
  cache.clear();
}

export class Metadata {
  constructor(private readonly transport: MetadataTransport) {}

  /**
   * Reads these tables now, in one request with any other table asked for in this turn of the
   * event loop: a process that knows which tables it will use (the assumption check, the provider
   * plugin) asks for all of them at once instead of one by one as each is first needed. The request
   * is sent at once, not after the turn, so that it leaves beside whatever the caller sends next
   * (the plugin's WhoAmI) even when the event loop is busy. Rejects when the request fails; the
   * tables are then asked for again when next needed.
   */
  async prefetch(logicalNames: Iterable<string>): Promise<void> {
    const reads = [...new Set(logicalNames)].map((name) => this.read(name));
    const batch = gathering.get(this.transport);
    if (batch) this.flush(batch);
    await Promise.all(reads);
  }

  /** A table's definition, columns and lookups; undefined when the environment has no such table. */
  async table(logicalName: string): Promise<TableMetadata | undefined> {
    const answer = await this.read(logicalName);
    return answer && { entity: answer.entity, attributes: answer.attributes, lookups: answer.lookups };
  }

  async entity(logicalName: string): Promise<EntityMetadata> {
    return (await this.existing(logicalName)).entity;
  }

  async entitySetName(logicalName: string): Promise<string> {
    return (await this.entity(logicalName)).entitySetName;
  }

  async attributes(logicalName: string): Promise<AttributeMetadata[]> {
    return (await this.existing(logicalName)).attributes;
  }

  async attribute(logicalName: string, attributeName: string): Promise<AttributeMetadata | undefined> {
    return (await this.attributes(logicalName)).find((a) => a.logicalName === attributeName);
  }

  /** The choices of a Picklist, State, Status or Boolean column, in the environment's order. */
  async options(logicalName: string, attributeName: string): Promise<OptionMetadata[]> {
    const table = await this.existing(logicalName);
    const attribute = table.attributes.find((a) => a.logicalName === attributeName);
    if (!attribute) {
      throw new UnknownOptionError(`${logicalName} has no column ${attributeName}`, {
        hint: `Check the column name against the ${logicalName} table's metadata.`,
      });
    }
    if (!CHOICE_TYPES.has(attribute.attributeType)) {
      throw new UnknownOptionError(
        `${logicalName}.${attributeName} is a ${attribute.attributeType} column, not a choice`,
        { hint: "Only Picklist, State, Status and Boolean columns have option labels." },
      );
    }
    return readOptions(
      table.optionSets.get(attributeName),
      `${FUNCTION_PATH} ${logicalName}.${attributeName}`,
    );
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
  async lookups(logicalName: string): Promise<LookupMetadata[]> {
    return (await this.existing(logicalName)).lookups;
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

  /** The table, or NotFoundError when the environment has none by that name. */
  private async existing(logicalName: string): Promise<TableAnswer> {
    const answer = await this.read(logicalName);
    if (answer) return answer;
    throw new NotFoundError(`the environment has no table ${logicalName}`, {
      method: "GET",
      path: FUNCTION_PATH,
      hint: `Check the table's logical name; ${logicalName} is not among the environment's table definitions.`,
    });
  }

  /** The table from the cache, or gathered with the others asked for in this turn of the event loop. */
  private read(logicalName: string): Promise<TableAnswer | undefined> {
    const key = `${this.transport.environmentUrl}|${identifier(logicalName)}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = this.gather(logicalName);
      cache.set(key, entry);
      // A failure is not remembered: the next caller asks again.
      entry.catch(() => {
        if (cache.get(key) === entry) cache.delete(key);
      });
    }
    return entry;
  }

  private gather(logicalName: string): Promise<TableAnswer | undefined> {
    let batch = gathering.get(this.transport);
    if (!batch) {
      const created = new Map<string, Waiter>();
      batch = created;
      gathering.set(this.transport, created);
      // After the current turn: every table asked for meanwhile goes in the same request.
      setImmediate(() => this.flush(created));
    }
    const waiting = batch;
    return new Promise((resolve, reject) => waiting.set(logicalName, { resolve, reject }));
  }

  /** Sends a batch, unless it was sent already (by prefetch, before its turn ended). */
  private flush(batch: ReadonlyMap<string, Waiter>): void {
    if (gathering.get(this.transport) !== batch) return;
    gathering.delete(this.transport);
    const names = [...batch.keys()];
    for (let i = 0; i < names.length; i += TABLES_PER_REQUEST)
      void this.send(names.slice(i, i + TABLES_PER_REQUEST), batch);
  }

  private async send(names: readonly string[], waiters: ReadonlyMap<string, Waiter>): Promise<void> {
    try {
      const answers = readTables(await this.transport.getJson(tablesQuery(names)));
      for (const name of names) waiters.get(name)?.resolve(answers.get(name));
    } catch (error) {
      for (const name of names) waiters.get(name)?.reject(error);
    }
  }
}

/**
 * The EntityQueryExpression for these tables, as RetrieveMetadataChanges takes it: a JSON value
 * in a parameter alias [C: PA:query-schema-definitions.md, the Web API example]. Tables are
 * matched by an Or of Equals conditions, as in that example; columns come with their type, label
 * and option set (a column type without one has no such property), lookups with the names a bind
 * needs. Labels come in every language provisioned, the caller's in UserLocalizedLabel.
 */
function tablesQuery(names: readonly string[]): string {
  const properties = (...names: string[]) => ({ AllProperties: false, PropertyNames: names });
  const query = {
    Criteria: {
      FilterOperator: "Or",
      Conditions: names.map((name) => ({
        ConditionOperator: "Equals",
        PropertyName: "LogicalName",
        Value: { Type: "System.String", Value: identifier(name) },
      })),
    },
    // Attributes and ManyToOneRelationships must be among the Properties for their sub-queries to
    // apply [C: PA:query-schema-definitions.md].
    Properties: properties(
      "EntitySetName",
      "PrimaryIdAttribute",
      "PrimaryNameAttribute",
      "Attributes",
      "ManyToOneRelationships",
    ),
    AttributeQuery: {
      Properties: properties("LogicalName", "AttributeType", "AttributeTypeName", "DisplayName", "OptionSet"),
    },
    RelationshipQuery: {
      Properties: properties(
        "ReferencingAttribute",
        "ReferencedEntity",
        "ReferencingEntityNavigationPropertyName",
      ),
    },
  };
  return `${FUNCTION_PATH}(Query=@q)?@q=${encodeURIComponent(JSON.stringify(query))}`;
}

/** The tables of a RetrieveMetadataChangesResponse, by logical name, each checked and read. */
function readTables(body: unknown): Map<string, TableAnswer> {
  const path = FUNCTION_PATH;
  const entities = asRecord(body, path)["EntityMetadata"];
  if (!Array.isArray(entities)) throw malformed(path, "no EntityMetadata array");
  const tables = new Map<string, TableAnswer>();
  for (const item of entities) {
    const record = asRecord(item, path);
    const logicalName = requireString(record, "LogicalName", path);
    const where = `${path} ${logicalName}`;
    const attributes = arrayOf(record, "Attributes", where);
    const optionSets = new Map<string, unknown>();
    for (const a of attributes)
      if (a["OptionSet"] != null) optionSets.set(requireString(a, "LogicalName", where), a["OptionSet"]);
    tables.set(logicalName, {
      entity: {
        logicalName,
        entitySetName: requireString(record, "EntitySetName", where),
        primaryIdAttribute: requireString(record, "PrimaryIdAttribute", where),
        primaryNameAttribute:
          typeof record["PrimaryNameAttribute"] === "string" ? record["PrimaryNameAttribute"] : undefined,
      },
      attributes: attributes.map((a) => ({
        logicalName: requireString(a, "LogicalName", where),
        attributeType: attributeTypeOf(a, where),
        displayName: labelText(a["DisplayName"]),
      })),
      lookups: arrayOf(record, "ManyToOneRelationships", where).map((r) => ({
        attribute: requireString(r, "ReferencingAttribute", where),
        target: requireString(r, "ReferencedEntity", where),
        navigationProperty: requireString(r, "ReferencingEntityNavigationPropertyName", where),
      })),
      optionSets,
    });
  }
  return tables;
}

function arrayOf(record: Record<string, unknown>, key: string, path: string): Array<Record<string, unknown>> {
  const value = record[key];
  if (!Array.isArray(value)) throw malformed(path, `no ${key} array`);
  return value.map((item) => asRecord(item, path));
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
