// Pure conversions between a table map's mapping document (the wire JSON the gateway serves from
// <pid>/FieldMappings: entityMappingTasks[].legs[] with filters and fieldMappings[]) and the
// settings the YAML manages. Nothing here speaks HTTP. Edits never touch what the YAML does not
// manage: other tasks and legs, other field mappings and keys we do not know are copied as they are.
import { isDeepStrictEqual } from "node:util";
import type { DualWriteMap, FieldMapping } from "../../generated/dual-write-map.js";
import { mapNameKey } from "../../dataverse/dual-write.js";
import { syncDirection } from "../../iom/dual-write-facts.js";
import { DualWriteMapError } from "./errors.js";
import { typedValue as typedText, valueFromText, valueText, type Scalar } from "../common/values.js";

type Json = Record<string, unknown>;
type TransformName = NonNullable<FieldMapping["transform"]>;

/** The settings a dual-write map resource manages, in the YAML shape. */
export type MapSettings = Pick<
  DualWriteMap,
  "dataverseFilter" | "financeAndOperationsFilter" | "fieldMappings"
>;

/**
 * What a map had before the stack changed it, so that destroy can put it back exactly. Absence is
 * marked by a missing key, never by null, and field mappings are kept as the JSON text the map
 * stored: the engine's state then round-trips them byte for byte, nulls inside included.
 */
export interface FoundSettings {
  /** The leg's reversedSourceFilter; absent when the leg had none. */
  dataverseFilter?: string;
  /** Recorded while the F&O filter is managed: the leg's sourceFilter, `value` absent when none. */
  financeAndOperationsFilter?: { value?: string };
  /** One entry per managed field: its original mapping as JSON text, `mapping` absent when none. */
  fieldMappings: FoundFieldMapping[];
}

export interface FoundFieldMapping {
  dataverseField: string;
  mapping?: string;
}

/** Settings found earlier whose management ends now: put back as they were. */
export type ReleasedSettings = Pick<FoundSettings, "financeAndOperationsFilter" | "fieldMappings">;

export interface EditedDocument {
  document: Json;
  /** The document as read, which the edit was made on: a save is refused if the map's differs by then. */
  base: Json;
  /** Whether the document differs from the one edited; false means nothing needs saving. */
  changed: boolean;
}

const DIRECTION_NUMBERS: Readonly<Record<FieldMapping["direction"], number>> = {
  financeAndOperationsToDataverse: syncDirection.financeToDataverse,
  dataverseToFinanceAndOperations: syncDirection.dataverseToFinance,
  bidirectional: syncDirection.both,
};
const DIRECTION_NAMES = new Map<unknown, FieldMapping["direction"]>(
  Object.entries(DIRECTION_NUMBERS).map(([name, value]) => [value, name as FieldMapping["direction"]]),
);

const WIRE_TRANSFORMS: Readonly<Record<TransformName, string>> = { default: "Default", valueMap: "ValueMap" };

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Dataverse logical names are case-insensitive; field mappings are matched by this key. */
export function fieldKey(field: string): string {
  return field.toLowerCase();
}

/**
 * A filter with every run of whitespace outside string literals made one space, and none at the
 * ends: YAML folds long filters over lines, which means nothing. Literals ('…' in OData, '…' or
 * "…" in F&O ranges; a doubled quote escapes itself) are copied exactly.
 */
export function normaliseFilter(text: string): string {
  let out = "";
  let quote: string | undefined;
  let pendingSpace = false;
  for (const ch of text) {
    if (quote !== undefined) {
      out += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && out !== "") out += " ";
    pendingSpace = false;
    if (ch === "'" || ch === '"') quote = ch;
    out += ch;
  }
  return out;
}

/**
 * The leg the settings live in: the Finance and Operations to Dataverse leg (sourceEnvironmentType
 * AX, or none given), whose destinationField is the Dataverse column and whose
 * reversedSourceFilter is the Dataverse filter. [I] Out-of-box maps have exactly one; anything
 * else is refused rather than guessed at.
 */
export function managedLeg(document: Json): Json {
  const tasks = Array.isArray(document.entityMappingTasks) ? document.entityMappingTasks : [];
  const legs = tasks
    .flatMap((task: unknown) => (isObject(task) && Array.isArray(task.legs) ? task.legs : []))
    .filter(isObject)
    .filter(
      (leg) => leg.sourceEnvironmentType == null || String(leg.sourceEnvironmentType).toUpperCase() === "AX",
    );
  if (legs.length !== 1)
    throw new DualWriteMapError(
      "unsupported-mapping",
      `the map's mapping has ${legs.length} Finance and Operations to Dataverse legs (entityMappingTasks[].legs[] with sourceEnvironmentType AX); exactly one is needed to know where the filters and field mappings go`,
    );
  return legs[0] as Json;
}

/**
 * The entity mapping task a new version of the map stores: a version row holds one task with its
 * legs at the top level [3P: dualWriteTableFacts.mapping]. A document with more than one task is
 * refused rather than split or guessed at.
 */
export function versionTask(document: Json): Json {
  const tasks = Array.isArray(document.entityMappingTasks) ? document.entityMappingTasks : [];
  const [task] = tasks;
  if (tasks.length !== 1 || !isObject(task))
    throw new DualWriteMapError(
      "unsupported-mapping",
      `the map's mapping has ${tasks.length} entity mapping tasks; a map version holds exactly one, so iom-gitops cannot save it as a new version`,
    );
  return task;
}

/**
 * Whether two documents hold the same mapping: their entity mapping tasks, nothing else (the
 * gateway's document also carries the project's state and dates, which change on their own).
 */
export function sameMappings(a: Json, b: Json): boolean {
  return isDeepStrictEqual(a.entityMappingTasks ?? null, b.entityMappingTasks ?? null);
}

function legFieldMappings(leg: Json): Json[] {
  return Array.isArray(leg.fieldMappings) ? (leg.fieldMappings as Json[]) : [];
}

/** The index of the field's mapping in the leg, or -1; two mappings of one field are refused. */
function fieldIndex(mappings: readonly Json[], field: string): number {
  const key = fieldKey(field);
  const hits = mappings.flatMap((m, i) =>
    isObject(m) && typeof m.destinationField === "string" && fieldKey(m.destinationField) === key ? [i] : [],
  );
  if (hits.length > 1)
    throw new DualWriteMapError(
      "duplicate-field",
      `the map has ${hits.length} field mappings to the Dataverse field '${field}'; remove the extra ones in Finance and Operations (Data management > Dual-write), or leave the field out of the configuration`,
    );
  return hits[0] ?? -1;
}

/** The YAML's field mappings, refusing a Dataverse field listed twice (they would fight). */
function managedFields(settings: MapSettings): FieldMapping[] {
  const seen = new Set<string>();
  for (const m of settings.fieldMappings ?? []) {
    const key = fieldKey(m.dataverseField);
    if (seen.has(key))
      throw new DualWriteMapError(
        "duplicate-field",
        `fieldMappings lists the Dataverse field '${m.dataverseField}' more than once; keep one entry per field`,
      );
    seen.add(key);
  }
  return settings.fieldMappings ?? [];
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A stored value in the type the YAML used for it (the hint), by the one rule of
 * ../common/values.ts: "true" for true, "5" for 5, anything else ("True", "05") stays text and
 * shows as drift instead of hiding behind a lenient parse.
 */
export function typedValue(value: unknown, hint: unknown): Scalar {
  if (typeof value === "boolean" || typeof value === "number") return value;
  return typedText(textOf(value), hint);
}

function transformName(transform: unknown): TransformName | undefined {
  const type = isObject(transform) ? String(transform.transformType ?? "").toLowerCase() : "";
  return type === "default" ? "default" : type === "valuemap" ? "valueMap" : undefined;
}

/** The transform a YAML mapping means when it names none but gives a value for one. */
function impliedTransform(m: FieldMapping): TransformName | undefined {
  if (m.transform) return m.transform;
  if (m.defaultValue !== undefined) return "default";
  if (m.valueMap !== undefined) return "valueMap";
  return undefined;
}

/**
 * A stored field mapping in the YAML shape. `hint` is the YAML's own mapping of the field, whose
 * value types the stored text is read back in. `exact` is false when the stored transforms are
 * more than the YAML can say (two of one type, or a type it does not know).
 *
 * Transforms: the first stored transform is `transform`; the Default transform's value is
 * `defaultValue` and the ValueMap transform's map is `valueMap`, whichever comes first.
 */
export function describeFieldMapping(
  wire: Json,
  hint?: FieldMapping,
): { value: FieldMapping; exact: boolean } {
  const field =
    typeof wire.destinationField === "string" ? wire.destinationField : (hint?.dataverseField ?? "");
  const direction = DIRECTION_NAMES.get(wire.syncDirection);
  if (!direction)
    throw new DualWriteMapError(
      "unsupported-mapping",
      `the field mapping of '${field}' has syncDirection ${JSON.stringify(wire.syncDirection)}; known are 1 (F&O to Dataverse), 2 (Dataverse to F&O) and 3 (both)`,
    );
  const source =
    typeof wire.sourceField === "string" && wire.sourceField !== "" ? wire.sourceField : undefined;
  const value: FieldMapping = {
    dataverseField: field,
    ...(source !== undefined ? { financeAndOperationsField: source } : {}),
    direction,
  };
  const transforms: unknown[] = Array.isArray(wire.valueTransforms) ? wire.valueTransforms : [];
  const names = transforms.map(transformName);
  const exact = names.every((n) => n !== undefined) && new Set(names).size === names.length;
  if (names[0]) value.transform = names[0];
  const byDefault = transforms[names.indexOf("default")];
  if (isObject(byDefault) && byDefault.defaultValue != null)
    value.defaultValue = typedValue(byDefault.defaultValue, hint?.defaultValue);
  const byMap = transforms[names.indexOf("valueMap")];
  if (isObject(byMap) && isObject(byMap.valueMap)) {
    value.valueMap = Object.fromEntries(
      Object.entries(byMap.valueMap).map(([from, to]) => [from, typedValue(to, hint?.valueMap?.[from])]),
    );
  }
  return { value, exact };
}

/** A stored field mapping in the YAML shape (see describeFieldMapping). */
export function fieldMappingToYaml(wire: Json, hint?: FieldMapping): FieldMapping {
  return describeFieldMapping(wire, hint).value;
}

function transformsToWire(desired: FieldMapping, previous: readonly unknown[]): Json[] {
  const primary = impliedTransform(desired);
  if (!primary) return [];
  const order: TransformName[] = primary === "default" ? ["default", "valueMap"] : ["valueMap", "default"];
  const wanted = (name: TransformName): boolean =>
    name === primary ||
    (name === "default" ? desired.defaultValue !== undefined : desired.valueMap !== undefined);
  return order.filter(wanted).map((name) => {
    // Keys of the stored transform we do not manage (createValuesOnDestination, …) are kept.
    const before = previous.find((t) => transformName(t) === name);
    const transform: Json = { ...(isObject(before) ? before : {}), transformType: WIRE_TRANSFORMS[name] };
    if (name === "default") {
      if (desired.defaultValue === undefined) delete transform.defaultValue;
      else transform.defaultValue = valueText(desired.defaultValue);
    } else if (desired.valueMap === undefined) delete transform.valueMap;
    else
      transform.valueMap = Object.fromEntries(
        Object.entries(desired.valueMap).map(([from, to]) => [from, valueText(to)]),
      );
    return transform;
  });
}

/** The YAML's field mapping as stored, on top of the stored one when there is one (its other keys kept). */
export function fieldMappingToWire(desired: FieldMapping, existing?: Json): Json {
  const transforms = transformsToWire(
    desired,
    existing && Array.isArray(existing.valueTransforms) ? existing.valueTransforms : [],
  );
  if (!existing)
    return {
      syncDirection: DIRECTION_NUMBERS[desired.direction],
      sourceField: desired.financeAndOperationsField ?? null,
      destinationField: desired.dataverseField,
      valueTransforms: transforms,
      isSystemGenerated: false,
    };
  const wire: Json = { ...existing, syncDirection: DIRECTION_NUMBERS[desired.direction] };
  if (desired.financeAndOperationsField !== undefined) wire.sourceField = desired.financeAndOperationsField;
  // No F&O field: a stored null, "" or missing source already says so and is kept as it is.
  else if (typeof wire.sourceField === "string" && wire.sourceField !== "") wire.sourceField = null;
  wire.valueTransforms = transforms;
  return wire;
}

/** The comparable form of one YAML field mapping: what the stored document would make of it. */
function canonicalFieldMapping(m: FieldMapping): Json {
  return {
    dataverseField: fieldKey(String(m.dataverseField ?? "")),
    financeAndOperationsField: m.financeAndOperationsField || null,
    direction: m.direction ?? null,
    transform: impliedTransform(m) ?? null,
    defaultValue: m.defaultValue === undefined ? null : valueText(m.defaultValue),
    valueMap:
      m.valueMap === undefined
        ? null
        : Object.entries(m.valueMap)
            .map(([from, to]) => [from, valueText(to)])
            .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0)),
  };
}

/** Whether two YAML field mappings mean the same stored mapping. */
export function sameFieldMapping(a: FieldMapping, b: FieldMapping): boolean {
  return JSON.stringify(canonicalFieldMapping(a)) === JSON.stringify(canonicalFieldMapping(b));
}

/**
 * The comparable form of a map resource's inputs: map names compared in either form, without regard to case,
 * filters without meaningless whitespace, field mappings as a set keyed by Dataverse field, no
 * list the same as an empty one, and default and value-map values as the text they are stored as.
 */
export function canonicalSettings(inputs: DualWriteMap): Record<string, unknown> {
  const fields = (inputs.fieldMappings ?? []).map(canonicalFieldMapping);
  fields.sort((a, b) => {
    const x = String(a.dataverseField);
    const y = String(b.dataverseField);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  // Not `name`: the YAML's label for the map is stored nowhere, and renaming it changes nothing
  // (src/program/identity.ts).
  return {
    // Either form of a map's name ("Label (set)", "set - Label") names the same map.
    map: mapNameKey(String(inputs.map ?? "")),
    table: inputs.table,
    dataverseFilter: normaliseFilter(String(inputs.dataverseFilter ?? "")),
    financeAndOperationsFilter:
      inputs.financeAndOperationsFilter === undefined
        ? undefined
        : normaliseFilter(inputs.financeAndOperationsFilter),
    fieldMappings: fields,
    running: inputs.running,
  };
}

function storedFilter(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The desired filter when it means what is stored (keeps the YAML's own layout), else what is stored. */
function preferDesired(stored: unknown, desired: string): string {
  return normaliseFilter(storedFilter(stored)) === normaliseFilter(desired) ? desired : storedFilter(stored);
}

/**
 * The managed settings as the document has them now, in the YAML shape: the F&O filter only when
 * `managed` has one, and only the field mappings `managed` lists (a managed field the map no
 * longer has is left out). Where the stored setting means what `managed` says, `managed`'s own
 * value is returned, so that an unchanged map reads back exactly as configured.
 */
export function readSettings(document: Json, managed: MapSettings): MapSettings {
  const leg = managedLeg(document);
  const mappings = legFieldMappings(leg);
  const settings: MapSettings = {
    dataverseFilter: preferDesired(leg.reversedSourceFilter, managed.dataverseFilter),
  };
  if (managed.financeAndOperationsFilter !== undefined)
    settings.financeAndOperationsFilter = preferDesired(leg.sourceFilter, managed.financeAndOperationsFilter);
  if (managed.fieldMappings !== undefined) {
    settings.fieldMappings = managedFields(managed).flatMap((desired) => {
      const index = fieldIndex(mappings, desired.dataverseField);
      if (index < 0) return [];
      const current = fieldMappingToYaml(mappings[index] as Json, desired);
      return [sameFieldMapping(current, desired) ? desired : current];
    });
  }
  return settings;
}

/** A stored value in the type the YAML writes it in: true, false or a number when exactly so written. */
function asWritten(value: unknown): Scalar {
  if (typeof value === "boolean" || typeof value === "number") return value;
  return valueFromText(textOf(value));
}

/**
 * The settings a map has now, in the YAML shape, with no YAML to follow (`iom import`): the
 * Dataverse filter, the F&O filter when the leg has a non-empty one, and the mappings of `fields`
 * that the map has, in that order. Values are typed as the YAML writes them ("true" is true, "5"
 * is 5), which store back as the same text. `inexact` names the fields whose stored transforms say
 * more than the YAML can (applying the YAML would rewrite those mappings).
 */
export function describeSettings(
  document: Json,
  fields: readonly string[],
): { settings: MapSettings; inexact: string[] } {
  const leg = managedLeg(document);
  const mappings = legFieldMappings(leg);
  const settings: MapSettings = { dataverseFilter: storedFilter(leg.reversedSourceFilter) };
  if (storedFilter(leg.sourceFilter) !== "")
    settings.financeAndOperationsFilter = storedFilter(leg.sourceFilter);
  const inexact: string[] = [];
  const described: FieldMapping[] = [];
  for (const field of fields) {
    const index = fieldIndex(mappings, field);
    if (index < 0) continue;
    const { value, exact } = describeFieldMapping(mappings[index] as Json);
    if (value.defaultValue !== undefined) value.defaultValue = asWritten(value.defaultValue);
    if (value.valueMap !== undefined)
      value.valueMap = Object.fromEntries(
        Object.entries(value.valueMap).map(([from, to]) => [from, asWritten(to)]),
      );
    if (!exact) inexact.push(value.dataverseField);
    described.push(value);
  }
  if (described.length > 0) settings.fieldMappings = described;
  return { settings, inexact };
}

/** What the document has now for the settings `managed` manages, to be put back on destroy. */
export function snapshot(document: Json, managed: MapSettings): FoundSettings {
  const leg = managedLeg(document);
  const mappings = legFieldMappings(leg);
  const found: FoundSettings = { fieldMappings: [] };
  if (typeof leg.reversedSourceFilter === "string") found.dataverseFilter = leg.reversedSourceFilter;
  if (managed.financeAndOperationsFilter !== undefined)
    found.financeAndOperationsFilter =
      typeof leg.sourceFilter === "string" ? { value: leg.sourceFilter } : {};
  for (const desired of managedFields(managed)) {
    const index = fieldIndex(mappings, desired.dataverseField);
    const entry: FoundFieldMapping = { dataverseField: fieldKey(desired.dataverseField) };
    if (index >= 0) entry.mapping = JSON.stringify(mappings[index]);
    found.fieldMappings.push(entry);
  }
  return found;
}

/**
 * The found settings to keep after the managed set changed to `desired`: what was recorded stays
 * as recorded (destroy restores what was there before the stack), settings managed for the first
 * time are recorded from the document now, and settings no longer managed are released, to be put
 * back now, as destroy would have.
 */
export function carryFound(
  found: FoundSettings,
  document: Json,
  desired: MapSettings,
): { found: FoundSettings; released: ReleasedSettings } {
  const fresh = snapshot(document, desired);
  const next: FoundSettings = { fieldMappings: [] };
  if (found.dataverseFilter !== undefined) next.dataverseFilter = found.dataverseFilter;
  const released: ReleasedSettings = { fieldMappings: [] };
  if (desired.financeAndOperationsFilter !== undefined)
    next.financeAndOperationsFilter = found.financeAndOperationsFilter ?? fresh.financeAndOperationsFilter;
  else if (found.financeAndOperationsFilter !== undefined)
    released.financeAndOperationsFilter = found.financeAndOperationsFilter;
  const recorded = new Map(found.fieldMappings.map((f) => [fieldKey(f.dataverseField), f]));
  for (const entry of fresh.fieldMappings)
    next.fieldMappings.push(recorded.get(entry.dataverseField) ?? entry);
  const kept = new Set(fresh.fieldMappings.map((f) => f.dataverseField));
  released.fieldMappings = found.fieldMappings.filter((f) => !kept.has(fieldKey(f.dataverseField)));
  return { found: next, released };
}

interface LegEdit {
  /** undefined: leave it; null: remove the key; a string: set it. */
  reversedSourceFilter?: string | null;
  sourceFilter?: string | null;
  /** Field mappings to set (replacing the field's mapping, or added at the end) or, with null, remove. */
  fieldMappings: Array<{ field: string; mapping: Json | null }>;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function editDocument(document: Json, planEdit: (leg: Json) => LegEdit): EditedDocument {
  const copy = structuredClone(document);
  const leg = managedLeg(copy);
  const edit = planEdit(leg);
  let changed = false;
  for (const key of ["reversedSourceFilter", "sourceFilter"] as const) {
    const value = edit[key];
    if (value === undefined) continue;
    if (value === null) {
      if (key in leg) {
        delete leg[key];
        changed = true;
      }
    } else if (leg[key] !== value) {
      leg[key] = value;
      changed = true;
    }
  }
  const mappings = [...legFieldMappings(leg)];
  let fieldsChanged = false;
  for (const { field, mapping } of edit.fieldMappings) {
    const index = fieldIndex(mappings, field);
    if (mapping === null) {
      if (index < 0) continue;
      mappings.splice(index, 1);
    } else if (index < 0) mappings.push(mapping);
    else if (same(mappings[index], mapping)) continue;
    else mappings[index] = mapping;
    fieldsChanged = true;
  }
  if (fieldsChanged) leg.fieldMappings = mappings;
  changed ||= fieldsChanged;
  return { document: changed ? copy : document, base: document, changed };
}

function releaseEdit(released: ReleasedSettings): Pick<LegEdit, "sourceFilter" | "fieldMappings"> {
  return {
    ...(released.financeAndOperationsFilter !== undefined
      ? { sourceFilter: released.financeAndOperationsFilter.value ?? null }
      : {}),
    fieldMappings: released.fieldMappings.map((f) => ({
      field: f.dataverseField,
      mapping: f.mapping === undefined ? null : (JSON.parse(f.mapping) as Json),
    })),
  };
}

/**
 * The document with the desired settings applied (and released ones put back). A setting whose
 * stored form already means the desired one is left exactly as it is, so `changed` is false
 * precisely when the YAML and the map agree, and the map is then not stopped at all.
 */
export function applySettings(
  document: Json,
  desired: MapSettings,
  released: ReleasedSettings = { fieldMappings: [] },
): EditedDocument {
  const fields = managedFields(desired);
  return editDocument(document, (leg) => {
    const mappings = legFieldMappings(leg);
    const edit: LegEdit = { fieldMappings: [] };
    const back = releaseEdit(released);
    if (back.sourceFilter !== undefined) edit.sourceFilter = back.sourceFilter;
    edit.fieldMappings.push(...back.fieldMappings);
    if (normaliseFilter(storedFilter(leg.reversedSourceFilter)) !== normaliseFilter(desired.dataverseFilter))
      edit.reversedSourceFilter = normaliseFilter(desired.dataverseFilter);
    const finOps = desired.financeAndOperationsFilter;
    if (finOps !== undefined && normaliseFilter(storedFilter(leg.sourceFilter)) !== normaliseFilter(finOps))
      edit.sourceFilter = normaliseFilter(finOps);
    for (const field of fields) {
      const index = fieldIndex(mappings, field.dataverseField);
      const existing = index >= 0 ? (mappings[index] as Json) : undefined;
      if (existing) {
        const { value, exact } = describeFieldMapping(existing, field);
        if (exact && sameFieldMapping(value, field)) continue;
      }
      edit.fieldMappings.push({ field: field.dataverseField, mapping: fieldMappingToWire(field, existing) });
    }
    return edit;
  });
}

/** The document with every found setting put back exactly as it was recorded. */
export function restoreSettings(document: Json, found: FoundSettings): EditedDocument {
  return editDocument(document, () => ({
    reversedSourceFilter: found.dataverseFilter ?? null,
    ...releaseEdit(found),
  }));
}
