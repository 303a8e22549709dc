// The emulator's metadata file: the tables it serves, each fact with its evidence, and the roles
// its IOM rules give their columns (schemas/emulator-metadata.schema.json, docs/emulator.md). The
// built-in one is src/emulator/data/metadata.json, written from public sources; `iom emulator
// --metadata FILE` serves another, such as one `iom doctor --capture` wrote from a real
// environment. A file is checked against its schema and for consistency when loaded, and a bad
// one is refused whole, every problem reported at once with its file:line:column.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { schemaRegistry } from "../config/schema-registry.js";
import { schemaFindings } from "../config/schema-findings.js";
import { loadYamlText, type PathSegment } from "../config/yaml-source.js";
import type { EmulatorMetadata as MetadataDocument, Role } from "../generated/emulator-metadata.js";
import type { Evidence, TableDefinition } from "./tables.js";

export type { MetadataDocument, Role };

/** What the emulator serves: its tables, and the roles its IOM rules read columns by. */
export interface EmulatorMetadata {
  /** The file it came from, for messages. */
  readonly file: string;
  readonly tables: readonly TableDefinition[];
  /** The file's roles; undefined when it has none (the built-in roles then apply). */
  readonly roles: Readonly<Record<string, Role>> | undefined;
}

/** A metadata file that cannot be served: each problem as `file:line:column: message`. */
export class MetadataFileError extends Error {
  override name = "MetadataFileError";
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not a valid emulator metadata file:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

const LOOKUP_TYPES = new Set(["Lookup", "Customer", "Owner"]);
const CHOICE_TYPES = new Set(["Picklist", "MultiSelectPicklist", "State", "Status", "Boolean"]);

/** Where the built-in file is: beside this module in src/, or in src/ when running from dist/. */
export function builtInMetadataPath(): string {
  const beside = path.join(__dirname, "data", "metadata.json");
  return existsSync(beside) ? beside : path.resolve(__dirname, "../../src/emulator/data/metadata.json");
}

let builtIn: EmulatorMetadata | undefined;

/** The built-in metadata, read and checked once per process. */
export function builtInMetadata(): EmulatorMetadata {
  builtIn ??= loadMetadataFile(builtInMetadataPath());
  return builtIn;
}

/** Reads and checks a metadata file; MetadataFileError when it cannot be served. */
export function loadMetadataFile(file: string): EmulatorMetadata {
  const shown = path.relative(process.cwd(), file) || file;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new MetadataFileError(shown, [`${shown}: cannot be read: ${(err as Error).message}`]);
  }
  return parseMetadata(shown, bytes);
}

/** Checks the text of a metadata file (JSON, or YAML: the same data model); `file` names it in messages. */
export function parseMetadata(file: string, text: Uint8Array | string): EmulatorMetadata {
  const loaded = loadYamlText(file, text);
  if (!loaded.ok)
    throw new MetadataFileError(
      file,
      loaded.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message}`),
    );
  const source = loaded.source;
  const errors = schemaRegistry().validate("emulator-metadata", source.data);
  if (errors.length > 0)
    throw new MetadataFileError(
      file,
      schemaFindings(source, errors).map(
        (f) => `${f.file}:${f.line}:${f.column}: ${f.message}${f.hint ? ` (${f.hint})` : ""}`,
      ),
    );
  const doc = source.data as MetadataDocument;
  const problems = consistencyProblems(doc).map(({ at, message }) => {
    const where = source.locate(at);
    return `${where.file}:${where.line}:${where.column}: ${message}`;
  });
  if (problems.length > 0) throw new MetadataFileError(file, problems);
  return { file, tables: doc.tables as TableDefinition[], roles: doc.roles };
}

interface Problem {
  at: PathSegment[];
  message: string;
}

function evidenceProblems(evidence: Evidence | undefined, at: PathSegment[]): Problem[] {
  if (!evidence) return [];
  if ((evidence.kind === "confirmed" || evidence.kind === "third-party") && !evidence.cite)
    return [{ at, message: `${evidence.kind} evidence needs a cite (SOURCE:path)` }];
  if (evidence.kind === "inferred" && !evidence.reason)
    return [{ at, message: "inferred evidence needs a reason" }];
  return [];
}

/** What the schema cannot say: names that must be unique or must exist, and evidence that needs a source. */
export function consistencyProblems(doc: MetadataDocument): Problem[] {
  const problems: Problem[] = [];
  const seenTables = new Map<string, number>();
  const seenSets = new Map<string, number>();
  doc.tables.forEach((table, t) => {
    const at: PathSegment[] = ["tables", t];
    if (seenTables.has(table.logicalName))
      problems.push({
        at: [...at, "logicalName"],
        message: `table ${table.logicalName} is defined twice (also tables[${seenTables.get(table.logicalName)}])`,
      });
    seenTables.set(table.logicalName, t);
    if (seenSets.has(table.entitySetName))
      problems.push({
        at: [...at, "entitySetName"],
        message: `entity set ${table.entitySetName} is used twice (also tables[${seenSets.get(table.entitySetName)}])`,
      });
    seenSets.set(table.entitySetName, t);
    for (const [part, evidence] of Object.entries(table.evidence))
      problems.push(...evidenceProblems(evidence as Evidence, [...at, "evidence", part]));
    const names = new Set<string>();
    table.attributes.forEach((attribute, a) => {
      const atAttribute = [...at, "attributes", a];
      if (names.has(attribute.logicalName))
        problems.push({
          at: [...atAttribute, "logicalName"],
          message: `${table.logicalName} has two columns named ${attribute.logicalName}`,
        });
      names.add(attribute.logicalName);
      problems.push(...evidenceProblems(attribute.evidence as Evidence, [...atAttribute, "evidence"]));
      if (LOOKUP_TYPES.has(attribute.type) && !attribute.targets)
        problems.push({
          at: atAttribute,
          message: `${table.logicalName}.${attribute.logicalName} is a ${attribute.type} column without targets`,
        });
      if (!LOOKUP_TYPES.has(attribute.type) && (attribute.targets || attribute.cascadeDelete))
        problems.push({
          at: atAttribute,
          message: `${table.logicalName}.${attribute.logicalName} is a ${attribute.type} column: only lookups have targets and a cascade`,
        });
      if (attribute.options && !CHOICE_TYPES.has(attribute.type))
        problems.push({
          at: [...atAttribute, "options"],
          message: `${table.logicalName}.${attribute.logicalName} is a ${attribute.type} column: only choices have options`,
        });
      const values = new Set<number>();
      (attribute.options ?? []).forEach((option, o) => {
        if (values.has(option.value))
          problems.push({
            at: [...atAttribute, "options", o, "value"],
            message: `${table.logicalName}.${attribute.logicalName} has two options with value ${option.value}`,
          });
        values.add(option.value);
        problems.push(
          ...evidenceProblems(option.evidence as Evidence, [...atAttribute, "options", o, "evidence"]),
        );
        problems.push(
          ...evidenceProblems(option.labelEvidence as Evidence, [
            ...atAttribute,
            "options",
            o,
            "labelEvidence",
          ]),
        );
      });
    });
    if (!names.has(table.primaryNameAttribute))
      problems.push({
        at: [...at, "primaryNameAttribute"],
        message: `${table.logicalName}'s primary name column ${table.primaryNameAttribute} is not among its attributes`,
      });
    (table.alternateKeys ?? []).forEach((key, k) => {
      key.attributes.forEach((name, i) => {
        if (!names.has(name))
          problems.push({
            at: [...at, "alternateKeys", k, "attributes", i],
            message: `${table.logicalName}'s key ${key.name} names ${name}, which is not among its attributes`,
          });
      });
      problems.push(...evidenceProblems(key.evidence as Evidence, [...at, "alternateKeys", k, "evidence"]));
    });
  });
  for (const [name, role] of Object.entries(doc.roles ?? {}))
    problems.push(...evidenceProblems(role.evidence as Evidence, ["roles", name, "evidence"]));
  return problems;
}
