// Dual-write maps: the map must be one the environment's gateway lists (online); the Dataverse
// filter must parse as OData $filter and name only attributes the table has; field mappings must
// carry what their transform needs.
import { sameMapName, uiMapName } from "../../dataverse/dual-write.js";
import { didYouMean } from "../did-you-mean.js";
import { FilterSyntaxError, filterProperties } from "../../odata/filter.js";
import type { Finding } from "../findings.js";
import type { TableMetadataSource } from "../metadata.js";
import { resolveColumn, resolveFilterAttribute } from "../metadata.js";
import type { Configuration } from "../model.js";
import { findingAt, findingInString } from "../model.js";
import {
  FilterTooComplexError,
  MAX_FILTER_DEPTH,
  MAX_FILTER_OPERATORS,
  parseBoundedFilter,
} from "../../odata/limits.js";

/**
 * The sales order lines map goes by two names: "CDS sales order lines (salesorderdetails)" in the
 * seed article, "CDS sales order lines V2" in today's IOM docs; tenants can have either, or both
 * [C: IOM:set-up-finops-provider.md and its history].
 */
export const SALES_ORDER_LINES_MAPS = [
  "CDS sales order lines (salesorderdetails)",
  "CDS sales order lines V2 (salesorderdetails)",
] as const;

const quoted = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(" and ");

/** The finding for a map the gateway does not list: which lines map it has, and the closest name. */
function unknownMap(name: string, available: readonly string[]): { message: string; hint: string } {
  const shown = available.map(uiMapName);
  const suggestion = didYouMean(uiMapName(name), shown);
  const linesMap = /^\s*cds sales order lines\b/i.test(uiMapName(name));
  const lines = SALES_ORDER_LINES_MAPS.filter((l) => available.some((a) => sameMapName(a, l)));
  const which = linesMap
    ? `; of the two sales order lines maps (the seed article's ${quoted([SALES_ORDER_LINES_MAPS[0]])}, today's docs' ${quoted([SALES_ORDER_LINES_MAPS[1]])}) it has ${lines.length > 0 ? quoted(lines) : "neither"}`
    : "";
  return {
    message: `the environment's dual-write gateway lists no map named '${name}'${which}`,
    hint: suggestion
      ? `did you mean '${suggestion}'? (a map is named 'Label (entity set)' as in F&O, or 'entity set - Label' as the gateway lists it)`
      : `set map to one the gateway lists: ${shown
          .slice(0, 10)
          .map((n) => `'${n}'`)
          .join(", ")}${shown.length > 10 ? ", …" : ""}`,
  };
}

export async function checkDualWriteMaps(
  config: Configuration,
  metadata: TableMetadataSource,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  // Every map's table at once, and the gateway's map list beside them: online, each is a round trip.
  const names = [...new Set(config.dualWriteMaps.map((m) => m.value.table))];
  const [tables, available] = await Promise.all([
    Promise.all(names.map(async (n) => [n, await metadata.getTable(n)] as const)).then((t) => new Map(t)),
    config.dualWriteMaps.length > 0 ? metadata.dualWriteMaps?.() : undefined,
  ]);
  for (const map of config.dualWriteMaps) {
    const { source, value } = map;
    if (
      available &&
      !available.some(
        (a) => sameMapName(a, value.map) || a.trim().toLowerCase() === value.map.trim().toLowerCase(),
      )
    )
      findings.push(
        findingAt(source, [...map.path, "map"], {
          code: "unknown-dual-write-map",
          ...unknownMap(value.map, available),
        }),
      );
    const filterPath = [...map.path, "dataverseFilter"];
    const table = tables.get(value.table);
    if (!table) {
      findings.push(
        findingAt(source, [...map.path, "table"], {
          code: "unknown-table",
          severity: "warning",
          message: `no metadata for table '${value.table}' in ${metadata.description}; its filter's attributes are not checked`,
          hint: "check the table's logical name, or validate online against the environment",
        }),
      );
    }
    try {
      const tree = parseBoundedFilter(value.dataverseFilter);
      for (const property of filterProperties(tree)) {
        if (property.path.length > 1) {
          // Dual-write filters only compare this table's own columns: "nested lookups are not
          // supported" (Microsoft's customizing-mappings article). Known without metadata.
          const path = property.path.join("/");
          const lookup = property.path[0] as string;
          findings.push(
            findingInString(source, filterPath, property.start, property.end - property.start, {
              code: "filter-lookup-path",
              message: `dataverseFilter of '${value.name}' follows '${lookup}' to another table ('${path}'); dual-write filters compare only the table's own columns`,
              hint: `filter on the lookup's own value ('_${lookup.toLowerCase()}_value eq <id>', or 'ne null'), or on a column of '${value.table}'`,
            }),
          );
          continue;
        }
        if (!table) continue;
        const resolved = resolveFilterAttribute(table, property.path);
        if (resolved.ok) continue;
        const name = property.path[0] as string;
        findings.push(
          findingInString(source, filterPath, property.start, name.length, {
            code: "filter-unknown-attribute",
            message: `dataverseFilter of '${value.name}': ${resolved.reason}`,
            hint: resolved.suggestion
              ? `did you mean '${resolved.suggestion}'?`
              : `see the attributes of '${table.logicalName}' in ${metadata.description}`,
          }),
        );
      }
    } catch (err) {
      if (err instanceof FilterTooComplexError) {
        findings.push(
          findingInString(source, filterPath, err.position, 1, {
            code: "filter-too-complex",
            message: `dataverseFilter of '${value.name}' ${err.message}; it is not checked further`,
            hint: `keep a filter within ${MAX_FILTER_DEPTH} levels of parentheses and ${MAX_FILTER_OPERATORS} operators; a condition repeated by a generator is the usual cause`,
          }),
        );
        continue;
      }
      if (!(err instanceof FilterSyntaxError)) throw err;
      findings.push(
        findingInString(source, filterPath, err.position, 1, {
          code: "filter-syntax",
          message: `dataverseFilter of '${value.name}' is not a valid OData filter: ${err.message}`,
          hint: "write conditions as '<attribute> <eq|ne|gt|ge|lt|le> <value>' joined by 'and' / 'or'",
        }),
      );
    }
    for (const [i, mapping] of (value.fieldMappings ?? []).entries()) {
      const path = [...map.path, "fieldMappings", i];
      if (mapping.transform === "default" && mapping.defaultValue === undefined) {
        findings.push(
          findingAt(source, [...path, "transform"], {
            code: "missing-value",
            message: `field mapping '${mapping.dataverseField}' has transform 'default' but no defaultValue`,
            hint: "add 'defaultValue'",
          }),
        );
      }
      if (mapping.transform === "valueMap" && mapping.valueMap === undefined) {
        findings.push(
          findingAt(source, [...path, "transform"], {
            code: "missing-value",
            message: `field mapping '${mapping.dataverseField}' has transform 'valueMap' but no valueMap`,
            hint: "add 'valueMap' with source value: destination value pairs",
          }),
        );
      }
      if (table && !mapping.dataverseField.includes(".")) {
        const column = resolveColumn(table, mapping.dataverseField);
        if (!column.ok) {
          findings.push(
            findingAt(source, [...path, "dataverseField"], {
              code: "unknown-column",
              message: column.reason,
              hint: column.suggestion
                ? `did you mean '${column.suggestion}'?`
                : "use the column's logical name",
            }),
          );
        }
      }
    }
  }
  return findings;
}
