// Dual-write maps: the Dataverse filter must parse as OData $filter and name only attributes the
// table has; field mappings must carry what their transform needs.
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

export async function checkDualWriteMaps(
  config: Configuration,
  metadata: TableMetadataSource,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  // Every map's table at once: online, each is a round trip of its own.
  const names = [...new Set(config.dualWriteMaps.map((m) => m.value.table))];
  const tables = new Map(await Promise.all(names.map(async (n) => [n, await metadata.getTable(n)] as const)));
  for (const map of config.dualWriteMaps) {
    const { source, value } = map;
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
