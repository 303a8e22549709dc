// `iom doctor --capture`: an environment's metadata of the tables iom-gitops uses, written in the
// emulator's metadata format (schemas/emulator-metadata.schema.json) so that `iom emulator
// --metadata FILE` serves it: a user can run the whole suite against their tenant's real schema,
// and send us the file. Only metadata is read (EntityDefinitions with attributes, keys, lookups
// and option sets), never a row's values. Every fact is marked captured; the environment, when
// and which tables were missing go in the document's `captured` header.
import type { Attribute, EmulatorMetadata, Option, Table } from "../generated/emulator-metadata.js";
import { ATTRIBUTE_TYPES } from "../iom/tables/types.js";
import { NotFoundError } from "./errors.js";
import type { MetadataTransport } from "./metadata.js";
import { identifier, literal } from "./odata.js";

type Json = Record<string, unknown>;

const CAPTURED = { kind: "captured" } as const;

/** Attribute types the emulator serves, by Dataverse's AttributeType: those iom-gitops models. */
const SERVED_TYPES: ReadonlySet<string> = new Set<string>(ATTRIBUTE_TYPES);
const LOOKUP_TYPES = new Set(["Lookup", "Customer", "Owner"]);
const CASCADES = new Set(["Cascade", "RemoveLink", "Restrict"]);
/** The metadata type whose option sets a choice column's cast reads. */
const OPTION_CASTS: Readonly<Record<string, string>> = {
  Picklist: "PicklistAttributeMetadata",
  MultiSelectPicklist: "MultiSelectPicklistAttributeMetadata",
  State: "StateAttributeMetadata",
  Status: "StatusAttributeMetadata",
  Boolean: "BooleanAttributeMetadata",
};

const record = (value: unknown): Json =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);

function labelOf(value: unknown): string {
  const label = record(value);
  const user = record(label.UserLocalizedLabel).Label;
  if (typeof user === "string") return user;
  const first = list(label.LocalizedLabels)[0]?.Label;
  return typeof first === "string" ? first : "";
}

/**
 * The emulator's name of an attribute's type: AttributeType, but a multi-select choice, which
 * Dataverse publishes as Virtual with AttributeTypeName MultiSelectPicklistType. Undefined for
 * types the emulator does not serve (Virtual, EntityName, PartyList, Image, File, ...).
 */
export function servedType(attribute: Json): string | undefined {
  const type = attribute.AttributeType;
  const typeName = record(attribute.AttributeTypeName).Value;
  if (type === "Virtual" && typeName === "MultiSelectPicklistType") return "MultiSelectPicklist";
  return typeof type === "string" && SERVED_TYPES.has(type) ? type : undefined;
}

function options(optionSet: unknown, type: string): Option[] {
  const set = record(optionSet);
  if (type === "Boolean")
    return [set.FalseOption, set.TrueOption]
      .map(record)
      .filter((o) => typeof o.Value === "number")
      .map((o) => ({ value: o.Value as number, label: labelOf(o.Label) }));
  return list(set.Options)
    .filter((o) => typeof o.Value === "number")
    .map((o) => ({
      value: o.Value as number,
      label: labelOf(o.Label),
      ...(type === "Status" && typeof o.State === "number" ? { state: o.State } : {}),
    }));
}

async function captureTable(transport: MetadataTransport, logicalName: string): Promise<Table | undefined> {
  const entityPath = `EntityDefinitions(LogicalName=${literal(identifier(logicalName))})`;
  let entity: Json;
  try {
    entity = record(
      await transport.getJson(
        `${entityPath}?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,DisplayName` +
          "&$expand=Attributes,Keys,ManyToOneRelationships",
      ),
    );
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  const relationships = list(entity.ManyToOneRelationships);
  const attributes: Attribute[] = [];
  const skipped: string[] = [];
  const choiceTypes = new Set<string>();
  for (const raw of list(entity.Attributes)) {
    const name = raw.LogicalName;
    if (typeof name !== "string") continue;
    const type = servedType(raw);
    if (!type) {
      skipped.push(`${name} (${String(raw.AttributeType)})`);
      continue;
    }
    const attribute: Attribute = {
      logicalName: name,
      displayName: labelOf(raw.DisplayName),
      type: type as Attribute["type"],
      evidence: CAPTURED,
    };
    if (typeof raw.SchemaName === "string" && raw.SchemaName !== name) attribute.schemaName = raw.SchemaName;
    if (LOOKUP_TYPES.has(type)) {
      const own = relationships.filter((r) => r.ReferencingAttribute === name);
      const targets = Array.isArray(raw.Targets)
        ? (raw.Targets as unknown[]).filter((t): t is string => typeof t === "string")
        : own.map((r) => r.ReferencedEntity).filter((t): t is string => typeof t === "string");
      if (targets.length === 0) {
        skipped.push(`${name} (${type} without targets)`);
        continue;
      }
      attribute.targets = targets as [string, ...string[]];
      const cascade = record(own[0]?.CascadeConfiguration).Delete;
      if (typeof cascade === "string" && CASCADES.has(cascade))
        attribute.cascadeDelete = cascade as Attribute["cascadeDelete"];
    }
    if (typeof raw.MaxLength === "number" && (type === "String" || type === "Memo") && raw.MaxLength >= 1)
      attribute.maxLength = raw.MaxLength;
    const required = record(raw.RequiredLevel).Value;
    if (required === "ApplicationRequired" || required === "SystemRequired") attribute.required = true;
    if (type in OPTION_CASTS) choiceTypes.add(type);
    attributes.push(attribute);
  }
  // Option sets, one request per kind of choice column the table has.
  await Promise.all(
    [...choiceTypes].map(async (type) => {
      const body = record(
        await transport.getJson(
          `${entityPath}/Attributes/Microsoft.Dynamics.CRM.${OPTION_CASTS[type]}?$select=LogicalName&$expand=OptionSet`,
        ),
      );
      for (const raw of list(body.value)) {
        const attribute = attributes.find((a) => a.logicalName === raw.LogicalName && a.type === type);
        if (attribute) attribute.options = options(raw.OptionSet, type);
      }
    }),
  );
  const table: Table = {
    logicalName: String(entity.LogicalName ?? logicalName),
    displayName: labelOf(entity.DisplayName),
    entitySetName: String(entity.EntitySetName ?? ""),
    primaryIdAttribute: String(entity.PrimaryIdAttribute ?? ""),
    primaryNameAttribute: String(entity.PrimaryNameAttribute ?? ""),
    evidence: { table: CAPTURED },
    attributes,
  };
  const keys = list(entity.Keys).filter(
    (k) => typeof k.LogicalName === "string" && Array.isArray(k.KeyAttributes),
  );
  if (keys.length > 0)
    table.alternateKeys = keys.map((k) => ({
      name: k.LogicalName as string,
      attributes: (k.KeyAttributes as unknown[]).map(String) as [string, ...string[]],
      evidence: CAPTURED,
    }));
  if (skipped.length > 0) table.skippedAttributes = skipped;
  return table;
}

export interface CaptureHeader {
  organizationId: string;
  /** When; omitted from the document when not given (tests compare documents). */
  capturedAt?: string;
}

/** The metadata of `tables` (logical names) as the environment has it, in the emulator's format. */
export async function captureMetadata(
  transport: MetadataTransport,
  tables: readonly string[],
  header: CaptureHeader,
): Promise<EmulatorMetadata> {
  const captured = await Promise.all(tables.map((name) => captureTable(transport, name)));
  const absent = tables.filter((_, i) => captured[i] === undefined);
  return {
    formatVersion: 1,
    description:
      "Captured by `iom doctor --capture`: the environment's metadata of the tables iom-gitops uses (no row values). Serve it with `iom emulator --metadata FILE`.",
    captured: {
      environmentUrl: transport.environmentUrl,
      organizationId: header.organizationId,
      ...(header.capturedAt ? { capturedAt: header.capturedAt } : {}),
      ...(absent.length > 0 ? { absentTables: absent } : {}),
    },
    tables: captured.filter((t): t is Table => t !== undefined),
  };
}

/**
 * A JSON value with its structure kept and its content removed: every string replaced by a
 * placeholder that keeps only its length class, numbers and booleans kept (they carry no
 * customer text), keys kept. For samples of gateway documents and stored formats.
 */
export function redact(value: unknown): unknown {
  if (typeof value === "string") return value === "" ? "" : "<string>";
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  return value;
}
