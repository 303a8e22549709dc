// Writing rows: a JSON body checked against the table's attributes (types, lengths, choices,
// lookups by @odata.bind under their case-sensitive navigation names), state/status defaults and
// pairs, alternate-key uniqueness, the table's rules, and deletes that follow each relationship's
// cascade configuration.
import type { AttributeDefinition } from "./tables.js";
import type { Context } from "./context.js";
import { ApiError, ErrorCode, caseHint, notFoundRow } from "./errors.js";
import { GUID_PATTERN, newId } from "./ids.js";
import { resolveReference } from "./keys.js";
import { children, rowName } from "./rows.js";
import {
  SYSTEM_COLUMNS,
  isLookup,
  navigationInOtherCase,
  singleNavigationName,
  type TableModel,
} from "./schema.js";
import { keyOf, type FieldValue, type Row } from "./store.js";

const BIND = "@odata.bind";

function invalidProperty(model: TableModel, name: string, hint = ""): ApiError {
  return new ApiError(
    400,
    ErrorCode.payload,
    `Invalid property '${name}' was found in entity 'Microsoft.Dynamics.CRM.${model.logicalName}'.${hint}`,
  );
}

/** Dataverse's answer to `<name>@odata.bind` when no navigation property is named `name`. */
function undeclaredProperty(model: TableModel, name: string): ApiError {
  const other = navigationInOtherCase(model, name);
  return new ApiError(
    400,
    ErrorCode.undeclaredProperty,
    `An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.${caseHint(
      other && `${other.name}@odata.bind`,
    )}`,
  );
}

/** How to write a lookup, for messages: `'<nav>@odata.bind': '/<entity set>(<id>)'`. */
function bindHint(attribute: AttributeDefinition): string {
  const names = (attribute.targets ?? []).map((t) => `'${singleNavigationName(attribute, t)}@odata.bind'`);
  return ` Set a lookup with ${names.join(" or ")}: '/<entity set>(<id>)'.`;
}

function typeError(attribute: AttributeDefinition, value: unknown, edm: string): ApiError {
  return new ApiError(
    400,
    ErrorCode.payload,
    `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${edm}' of '${attribute.logicalName}'.`,
  );
}

/** ISO 8601 in UTC without fractions, the way Dataverse returns date-times. */
export function isoNow(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A multi-select choice is written and read as a string of comma-separated option values,
 * "192350000,192350001" [C: PA:multi-select-picklist.md]; stored in ascending order without
 * repeats (the order Dataverse returns them in is not documented [I]). An empty string clears it.
 */
function checkMultiSelect(model: TableModel, attribute: AttributeDefinition, value: unknown): FieldValue {
  if (typeof value !== "string") throw typeError(attribute, value, "Edm.String");
  if (value.trim() === "") return null;
  const parts = value.split(",").map((p) => p.trim());
  if (!parts.every((p) => /^-?\d+$/.test(p))) throw typeError(attribute, value, "Edm.String");
  const values = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  const unknown = values.filter((v) => attribute.options && !attribute.options.some((o) => o.value === v));
  if (unknown.length > 0)
    throw new ApiError(
      400,
      ErrorCode.optionOutOfRange,
      `A validation error occurred. The value ${unknown.join(",")} of '${attribute.logicalName}' on record of type '${model.logicalName}' is outside the valid range. Accepted Values: ${(attribute.options ?? []).map((o) => o.value).join(",")}`,
    );
  return values.join(",");
}

function checkValue(model: TableModel, attribute: AttributeDefinition, value: unknown): FieldValue {
  if (value === null) {
    if (attribute.type === "State") throw typeError(attribute, value, "Edm.Int32");
    return null;
  }
  switch (attribute.type) {
    case "String":
    case "Memo": {
      if (typeof value !== "string") throw typeError(attribute, value, "Edm.String");
      if (attribute.maxLength !== undefined && value.length > attribute.maxLength)
        throw new ApiError(
          400,
          ErrorCode.lengthExceeded,
          `A validation error occurred. The length of the '${attribute.logicalName}' attribute of the '${model.logicalName}' entity exceeded the maximum allowed length of '${attribute.maxLength}'.`,
        );
      return value;
    }
    case "Integer":
    case "BigInt":
      if (typeof value !== "number" || !Number.isInteger(value))
        throw typeError(attribute, value, "Edm.Int32");
      return value;
    case "Decimal":
    case "Double":
    case "Money":
      if (typeof value !== "number" || !Number.isFinite(value))
        throw typeError(attribute, value, "Edm.Decimal");
      return value;
    case "Boolean":
      if (typeof value !== "boolean") throw typeError(attribute, value, "Edm.Boolean");
      return value;
    case "DateTime": {
      if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
        throw typeError(attribute, value, "Edm.DateTimeOffset");
      return isoNow(new Date(value));
    }
    case "Uniqueidentifier":
      if (typeof value !== "string" || !GUID_PATTERN.test(value))
        throw typeError(attribute, value, "Edm.Guid");
      return value.toLowerCase();
    case "MultiSelectPicklist":
      return checkMultiSelect(model, attribute, value);
    case "Picklist":
    case "State":
    case "Status": {
      if (typeof value !== "number" || !Number.isInteger(value))
        throw typeError(attribute, value, "Edm.Int32");
      if (attribute.options && !attribute.options.some((o) => o.value === value))
        throw new ApiError(
          400,
          ErrorCode.optionOutOfRange,
          `A validation error occurred. The value ${value} of '${attribute.logicalName}' on record of type '${model.logicalName}' is outside the valid range. Accepted Values: ${attribute.options.map((o) => o.value).join(",")}`,
        );
      return value;
    }
    default:
      throw invalidProperty(model, attribute.logicalName);
  }
}

/** The changes a request body asks for, as stored values, keyed by attribute logical name. */
export function readChanges(ctx: Context, model: TableModel, body: unknown): Record<string, FieldValue> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ApiError(400, ErrorCode.payload, "The request body must be a JSON object.");
  const changes: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.endsWith(BIND)) {
      const navName = key.slice(0, -BIND.length);
      const nav = model.navigations.get(navName);
      if (!nav) throw undeclaredProperty(model, navName);
      if (nav.kind !== "single") throw invalidProperty(model, navName);
      if (value === null) {
        changes[nav.attribute.logicalName] = null;
        continue;
      }
      if (typeof value !== "string")
        throw new ApiError(
          400,
          ErrorCode.payload,
          `${key} must be a string such as '/${nav.target}s(<id>)'.`,
        );
      const ref = resolveReference(ctx, value);
      if (ref.model.logicalName !== nav.target)
        throw new ApiError(
          400,
          ErrorCode.payload,
          `${key} must point at a ${nav.target}, not a ${ref.model.logicalName}.`,
        );
      // As Dataverse words it: the id alone, not the reference it came in.
      if (!ref.row) throw notFoundRow(ref.model.logicalName, ref.keyText);
      changes[nav.attribute.logicalName] = { id: ref.row.id, table: ref.model.logicalName };
      continue;
    }
    if (key.startsWith("@") || key.includes("@")) continue; // instance annotations are not data
    if (SYSTEM_COLUMNS.has(key)) continue; // Dataverse sets these itself
    const attribute = model.byName.get(key);
    if (!attribute) {
      const lookup = model.byProperty.get(key);
      throw invalidProperty(model, key, lookup ? bindHint(lookup) : "");
    }
    if (isLookup(attribute)) throw invalidProperty(model, key, bindHint(attribute));
    changes[key] = checkValue(model, attribute, value);
  }
  return changes;
}

/** Fills statecode/statuscode: defaults on create, the matching half on a change, and checks the pair. */
function settleState(
  model: TableModel,
  before: Row | undefined,
  values: Record<string, FieldValue>,
  changes: Record<string, FieldValue>,
): void {
  const state = model.byName.get("statecode");
  const status = model.byName.get("statuscode");
  if (!state || !status) return;
  const statuses = status.options ?? [];
  const defaultStatus = (s: number): number | undefined =>
    statuses.find((o) => o.state === undefined || o.state === s)?.value;
  const stateChanged = "statecode" in changes;
  const statusChanged = "statuscode" in changes;
  if (!before && !stateChanged) values.statecode = state.options?.[0]?.value ?? 0;
  if (statusChanged && !stateChanged && typeof values.statuscode === "number") {
    const owner = statuses.find((o) => o.value === values.statuscode)?.state;
    if (owner !== undefined) values.statecode = owner;
  }
  if (
    (!before && !statusChanged) ||
    (stateChanged && !statusChanged && values.statecode !== before?.values.statecode)
  )
    values.statuscode = defaultStatus(values.statecode as number) ?? null;
  const option = statuses.find((o) => o.value === values.statuscode);
  if (option?.state !== undefined && option.state !== values.statecode)
    throw new ApiError(
      400,
      ErrorCode.invalidArgument,
      `${String(values.statuscode)} is not a valid status code for state code ${model.logicalName}State.${String(values.statecode)} on ${model.logicalName}.`,
    );
}

/** Builds the stored row for a create (before undefined) or an update, and checks keys and rules. */
function buildRow(
  ctx: Context,
  model: TableModel,
  before: Row | undefined,
  id: string,
  changes: Record<string, FieldValue>,
  rules: boolean,
): Row {
  const values: Record<string, FieldValue> = before ? { ...before.values } : {};
  for (const [name, value] of Object.entries(changes)) if (name !== model.primaryId) values[name] = value;
  settleState(model, before, values, changes);
  const now = isoNow();
  if (!before) values.createdon = now;
  values.modifiedon = now;
  if (rules) ctx.rules.get(model.logicalName)?.beforeWrite?.(ctx, model, before, { id, values });
  for (const key of model.keys) {
    const joined = keyOf(key.attributes, values);
    const other = joined === undefined ? undefined : ctx.store.byKey(model.logicalName, key.name, joined);
    if (other && other.id !== id)
      throw new ApiError(
        412,
        ErrorCode.duplicateKey,
        `A record that has the attribute values ${key.attributes.map((a) => String(formatKeyValue(values[a]))).join(", ")} already exists. The entity key ${key.name} requires that this set of attributes contains unique values.`,
      );
  }
  return { id, version: ctx.store.nextVersion(), values };
}

/**
 * Stores a create (`before` undefined) or an update of the row `id`, inside the caller's
 * transaction. With `rules` (the Web API) the table's rules check it and write what it implies;
 * without (the service writing on its own account) they do not run.
 */
export function saveRow(
  ctx: Context,
  model: TableModel,
  before: Row | undefined,
  id: string,
  changes: Record<string, FieldValue>,
  rules = true,
): Row {
  const row = buildRow(ctx, model, before, id, changes, rules);
  ctx.store.put(model.logicalName, row);
  if (rules) ctx.rules.get(model.logicalName)?.afterWrite?.(ctx, model, before, row);
  return row;
}

function formatKeyValue(value: FieldValue | undefined): string {
  return value !== null && typeof value === "object" ? value.id : String(value);
}

/** A new row's id: the one in the body if given (Dataverse allows choosing it), else a new one. */
export function idForCreate(model: TableModel, changes: Record<string, FieldValue>): string {
  const given = changes[model.primaryId];
  return typeof given === "string" ? given : newId();
}

interface Planned {
  model: TableModel;
  row: Row;
}

/** What one delete does: the rows it removes and the lookups it clears. */
interface DeletePlan {
  /** By id: the row itself and every row its Cascade relationships reach. */
  deletes: Map<string, Planned>;
  /** Rows whose lookup (RemoveLink) points at a deleted row. */
  unlinks: Array<Planned & { attribute: string }>;
  /** Rows whose lookup (Restrict) points at a deleted row. */
  restricting: Array<Planned & { attribute: string; referenced: Planned }>;
}

function planDelete(ctx: Context, model: TableModel, row: Row): DeletePlan {
  const plan: DeletePlan = { deletes: new Map([[row.id, { model, row }]]), unlinks: [], restricting: [] };
  for (const parent of plan.deletes.values()) {
    // Iterating a Map visits entries added during the loop: the cascade is followed to its end.
    for (const nav of parent.model.navigations.values()) {
      if (nav.kind !== "collection") continue;
      const child = ctx.schema.table(nav.table) as TableModel;
      for (const related of children(ctx, parent.row, nav)) {
        const planned = { model: child, row: related };
        if (nav.cascadeDelete === "Cascade") {
          if (!plan.deletes.has(related.id)) plan.deletes.set(related.id, planned);
        } else if (nav.cascadeDelete === "RemoveLink")
          plan.unlinks.push({ ...planned, attribute: nav.attribute });
        else plan.restricting.push({ ...planned, attribute: nav.attribute, referenced: parent });
      }
    }
  }
  return plan;
}

function label(planned: Planned): string {
  return `${planned.model.def.displayName} '${rowName(planned.model.primaryName, planned.row)}'`;
}

/**
 * Deletes a row as Dataverse does, following each relationship's cascade configuration: Cascade
 * deletes the referencing rows too, RemoveLink clears their lookup, Restrict refuses the delete
 * while such rows remain. Everything is checked (restrictions, then each deleted row's table
 * rules) before anything changes; the caller's transaction makes the whole delete one change.
 */
export function deleteRow(ctx: Context, model: TableModel, row: Row): void {
  const plan = planDelete(ctx, model, row);
  const blocking = plan.restricting.filter((r) => !plan.deletes.has(r.row.id));
  if (blocking.length > 0)
    throw new ApiError(
      400,
      ErrorCode.deleteRestricted,
      `The record cannot be deleted because it is associated with another record. ${blocking
        .map((b) => `${label(b.referenced)} is referenced by ${label(b)} through ${b.attribute}`)
        .join("; ")}: delete those rows or change their lookup first.`,
    );
  const deleting: ReadonlySet<string> = new Set(plan.deletes.keys());
  for (const planned of plan.deletes.values())
    ctx.rules.get(planned.model.logicalName)?.beforeDelete?.(ctx, planned.model, planned.row, deleting);
  for (const planned of plan.deletes.values()) ctx.store.delete(planned.model.logicalName, planned.row.id);
  for (const unlink of plan.unlinks) {
    // Read again: one row can lose several lookups in the same delete.
    const current = ctx.store.get(unlink.model.logicalName, unlink.row.id);
    if (!current) continue;
    const values = { ...current.values, [unlink.attribute]: null, modifiedon: isoNow() };
    ctx.store.put(unlink.model.logicalName, { id: current.id, version: ctx.store.nextVersion(), values });
  }
}
