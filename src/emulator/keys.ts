// Row addressing in URLs and @odata.bind references: `set(guid)`, `set(key='v',other=1)`.
import type { Context } from "./context.js";
import { ApiError, ErrorCode, badQuery, unknownSegment } from "./errors.js";
import { GUID_PATTERN } from "./ids.js";
import { isLookup, type TableModel } from "./schema.js";
import { keyOf, type FieldValue, type Row } from "./store.js";

export type KeyPart = { name: string; value: string | number | boolean };
export type ParsedKey = { kind: "id"; id: string } | { kind: "alternate"; parts: KeyPart[] };

const PAIR = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^']|'')*'|[^,]+?)\s*(?:,|$)/;

function keyValue(text: string): string | number | boolean {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text === "true" || text === "false") return text === "true";
  if (GUID_PATTERN.test(text)) return text.toLowerCase();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw badQuery(`The key value '${text}' is not a valid literal.`);
}

/** Parses the text between the parentheses of a key segment. */
export function parseKey(text: string): ParsedKey {
  const trimmed = text.trim();
  if (GUID_PATTERN.test(trimmed)) return { kind: "id", id: trimmed.toLowerCase() };
  const parts: KeyPart[] = [];
  let rest = trimmed;
  while (rest.length > 0) {
    const m = PAIR.exec(rest);
    if (!m) throw badQuery(`The key '${text}' is not valid: use (guid) or (name='value',...).`);
    parts.push({ name: m[1] as string, value: keyValue(m[2] as string) });
    rest = rest.slice(m[0].length);
  }
  if (parts.length === 0) throw badQuery("The key is empty.");
  return { kind: "alternate", parts };
}

export interface ResolvedKey {
  row: Row | undefined;
  /** The id a create at this address gets (a new one for an alternate key). */
  id: string | undefined;
  /** For alternate keys: the key's values, written into a row created at this address. */
  values: Record<string, FieldValue>;
  /** The key text as addressed, echoed in OData-EntityId. */
  text: string;
}

/** Finds the row a key addresses. */
export function resolveKey(ctx: Context, model: TableModel, text: string): ResolvedKey {
  const key = parseKey(text);
  if (key.kind === "id")
    return { row: ctx.store.get(model.logicalName, key.id), id: key.id, values: {}, text: key.id };
  if (key.parts.length === 1 && key.parts[0]?.name === model.primaryId) {
    const id = String(key.parts[0].value);
    if (!GUID_PATTERN.test(id)) throw badQuery(`'${id}' is not a valid GUID.`);
    return {
      row: ctx.store.get(model.logicalName, id),
      id: id.toLowerCase(),
      values: {},
      text: id.toLowerCase(),
    };
  }
  const byName = new Map(
    key.parts.map((p) => {
      const attribute = model.byProperty.get(p.name) ?? model.byName.get(p.name);
      if (!attribute)
        throw new ApiError(
          400,
          ErrorCode.odata,
          `Could not find a property named '${p.name}' on type 'Microsoft.Dynamics.CRM.${model.logicalName}'.`,
        );
      return [attribute.logicalName, p.value] as const;
    }),
  );
  const definition = model.keys.find(
    (k) => k.attributes.length === byName.size && k.attributes.every((a) => byName.has(a)),
  );
  if (!definition)
    throw badQuery(
      `No alternate key of ${model.logicalName} has the attributes ${[...byName.keys()].join(", ")}; keys: ${
        model.keys.map((k) => k.attributes.join(",")).join("; ") || "none"
      }.`,
    );
  const values: Record<string, FieldValue> = {};
  for (const name of definition.attributes) {
    const attribute = model.byName.get(name);
    const value = byName.get(name) as string | number | boolean;
    values[name] =
      attribute && isLookup(attribute)
        ? { id: String(value).toLowerCase(), table: attribute.targets?.[0] ?? "" }
        : value;
  }
  const joined = keyOf(definition.attributes, values);
  const row = joined === undefined ? undefined : ctx.store.byKey(model.logicalName, definition.name, joined);
  return { row, id: row?.id, values, text: text.trim() };
}

/** Splits `set(key)` into its parts. */
export function splitKeySegment(segment: string): { name: string; key: string | undefined } {
  const open = segment.indexOf("(");
  if (open < 0) return { name: segment, key: undefined };
  if (!segment.endsWith(")")) throw unknownSegment(segment);
  return { name: segment.slice(0, open), key: segment.slice(open + 1, -1) };
}

/** Resolves an @odata.bind reference: `/set(key)`, `set(key)` or an absolute URL. */
export function resolveReference(
  ctx: Context,
  reference: string,
): { model: TableModel; row: Row | undefined; text: string; keyText: string } {
  let text = reference;
  const root = text.indexOf("/api/data/v9.2/");
  if (root >= 0) text = text.slice(root + "/api/data/v9.2/".length);
  text = text.replace(/^\/+/, "");
  const { name, key } = splitKeySegment(text);
  const model = ctx.schema.tableBySet(name);
  if (!model || key === undefined)
    throw new ApiError(
      400,
      ErrorCode.payload,
      `The reference '${reference}' does not address a row: use '/<entity set>(<id>)'.`,
    );
  const resolved = resolveKey(ctx, model, key);
  return { model, row: resolved.row, text: reference, keyText: resolved.text };
}
