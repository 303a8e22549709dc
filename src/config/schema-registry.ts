// One Ajv instance for every schema in schemas/, compiled once per process (strict mode, all
// errors). Everything that checks a document against a schema goes through here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";

/** The resource kinds, named as everywhere else in the project. */
export const RESOURCE_KINDS = [
  "iom-provider",
  "provider-connection",
  "dual-write-map",
  "policy",
  "orchestration-flow",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * The schemas that describe whole files (emulator-metadata: the emulator's tables, docs/emulator.md;
 * order-tests: the order cases of `iom test`, docs/testing-orders.md).
 */
export type DocumentKind = "stack" | "policy-file" | "emulator-metadata" | "order-tests";
export type SchemaName = ResourceKind | DocumentKind;

/** schemas/ at the repository root, from src/config (tests) and from dist/config (built). */
export const SCHEMAS_DIR = path.resolve(__dirname, "../../schemas");

export const SCHEMA_ID_BASE = "https://iom-gitops.dev/schemas/";

export function schemaId(name: SchemaName): string {
  return `${SCHEMA_ID_BASE}${name}.schema.json`;
}

export interface SchemaRegistry {
  ajv: Ajv;
  validate(name: SchemaName, data: unknown): ErrorObject[];
  validator(name: SchemaName): ValidateFunction;
  /** Compiles the schema now rather than at its first validation (the provider plugin, at leisure). */
  prepare(name: SchemaName): void;
}

let registry: SchemaRegistry | undefined;

/** Reads every schema file; exported for the meta-tests and the type generator's tests. */
export function readSchemas(dir = SCHEMAS_DIR): Array<{ file: string; schema: Record<string, unknown> }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".schema.json"))
    .sort()
    .map((file) => ({
      file,
      schema: JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>,
    }));
}

export function schemaRegistry(): SchemaRegistry {
  if (registry) return registry;
  // allowUnionTypes: values such as a default value may be text, a number or a boolean.
  // verbose: errors carry their parent schema, from which unknown-key hints list the known keys.
  // validateSchema: off, because the schemas ship with the code and a unit test checks each one
  // against its meta-schema (test/unit/config/schema-registry.test.ts); checking them again in
  // every process (the program, the provider plugin, each CLI run) cost more than compiling one.
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    validateSchema: false,
  });
  for (const { schema } of readSchemas()) ajv.addSchema(schema);
  const compiled = new Map<SchemaName, ValidateFunction>();
  const validator = (name: SchemaName): ValidateFunction => {
    let fn = compiled.get(name);
    if (!fn) {
      fn = ajv.getSchema(schemaId(name));
      if (!fn) throw new Error(`no schema ${schemaId(name)} in ${SCHEMAS_DIR}`);
      compiled.set(name, fn);
    }
    return fn;
  };
  registry = {
    ajv,
    validator,
    prepare: (name) => void validator(name),
    validate(name, data) {
      const fn = validator(name);
      return fn(data) ? [] : [...(fn.errors ?? [])];
    },
  };
  return registry;
}
