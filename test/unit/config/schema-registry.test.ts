import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import {
  RESOURCE_KINDS,
  readSchemas,
  schemaId,
  schemaRegistry,
} from "../../../src/config/schema-registry.js";

// Walks every subschema that describes an object's properties.
function propertiesOf(schema: unknown, path: string, out: Array<[string, Record<string, unknown>]>): void {
  if (Array.isArray(schema)) {
    schema.forEach((s, i) => propertiesOf(s, `${path}/${i}`, out));
    return;
  }
  if (schema === null || typeof schema !== "object") return;
  const record = schema as Record<string, unknown>;
  if (record.properties && typeof record.properties === "object") {
    for (const [name, sub] of Object.entries(record.properties as Record<string, unknown>)) {
      out.push([`${path}/properties/${name}`, sub as Record<string, unknown>]);
    }
  }
  for (const [key, value] of Object.entries(record))
    if (!["enum", "const", "if"].includes(key)) propertiesOf(value, `${path}/${key}`, out);
}

describe("schema registry", () => {
  it("compiles every schema in strict mode, one per resource kind plus stack, policy file, emulator metadata and order tests", () => {
    const registry = schemaRegistry();
    const files = readSchemas().map((s) => s.file);
    expect(files).toEqual(
      [...RESOURCE_KINDS, "stack", "policy-file", "emulator-metadata", "order-tests"]
        .map((k) => `${k}.schema.json`)
        .sort(),
    );
    for (const { file, schema } of readSchemas()) {
      expect(schema.$id, file).toBe(schemaId(file.replace(".schema.json", "") as never));
      expect(registry.validator(file.replace(".schema.json", "") as never)).toBeTypeOf("function");
    }
  });

  it("holds only schemas valid against their meta-schema (the registry does not check at run time)", () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    for (const { file, schema } of readSchemas()) {
      expect(ajv.validateSchema(schema), `${file}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
    // The check can fail: a keyword with a value of the wrong type is refused.
    expect(ajv.validateSchema({ $schema: "http://json-schema.org/draft-07/schema#", type: 3 })).toBe(false);
  });

  it("gives every property a title and a description (editor hover text and TSDoc)", () => {
    const missing: string[] = [];
    for (const { file, schema } of readSchemas()) {
      const props: Array<[string, Record<string, unknown>]> = [];
      propertiesOf(schema, file, props);
      for (const [where, sub] of props) {
        if (typeof sub.title !== "string" || typeof sub.description !== "string") missing.push(where);
      }
    }
    expect(missing).toEqual([]);
  });

  it("returns the same registry every time (compiled once)", () => {
    expect(schemaRegistry()).toBe(schemaRegistry());
  });
});
