// `iom import`, its writing half: an imported configuration as the files of a stack. The stack file
// and every policy file open with the modeline the YAML language server reads (as
// stacks/local.iom.yaml does), keys come in the schemas' order, long filters and descriptions are
// folded over lines, and every string is written so that the project's own loader (js-yaml's core
// schema, src/config/yaml-source.ts) reads back exactly that string: "0b101", "True" or "1" stay
// text. Each file is read back before it is handed out; a file that would not read back as the
// configuration is a bug, and is refused rather than written.
import { existsSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import jsYaml from "js-yaml";
import { Document, isMap, isPair, isScalar, isSeq, Scalar, visit } from "yaml";
import { loadYamlText } from "../config/yaml-source.js";
import { projectRoot } from "../engine/engine.js";
import { isSecretParameter, secretConfigCommand } from "../config/checks/secret-parameters.js";
import type { ImportedConfiguration } from "./import.js";
import { NameRegister, policyFileStem } from "./import-names.js";

/** Lines are folded to this width, like the repository's own stack files. */
const LINE_WIDTH = 100;

export interface ImportLayout {
  /** The stack file to write (absolute); undefined for one document on stdout, policies inline. */
  stackFile?: string;
  /** The folder the stack file's modeline is relative to (the stack file's own folder). */
  stackDir: string;
  /** The folder holding stack.schema.json and policy-file.schema.json. */
  schemasDir: string;
}

export interface ImportFile {
  /** Where the file goes (absolute); undefined for the document written to stdout. */
  path?: string;
  text: string;
}

/** A rendered file that the project's loader would not read back as the configuration. */
export class ImportRenderError extends Error {
  override readonly name = "ImportRenderError";
  readonly code = "render-mismatch";
}

/**
 * The schemas folder for files written in `dir`: the nearest `schemas/` above it that holds the
 * stack schema (the project the files are written into), else the one shipped with iom-gitops.
 */
export function findSchemasDir(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, "schemas", "stack.schema.json"))) return path.join(at, "schemas");
    if (path.dirname(at) === at) return path.join(projectRoot, "schemas");
  }
}

/** The modeline that points the YAML language server at a schema, relative to the file's folder. */
export function modeline(fileDir: string, schemasDir: string, schema: string): string {
  const relative = path.relative(fileDir, path.join(schemasDir, schema)).split(path.sep).join("/");
  return `# yaml-language-server: $schema=${relative}`;
}

/** Whether the project's loader reads `value`, written in the given style, back as `value`. */
function readsBack(value: string, type: Scalar.Type | undefined): boolean {
  const doc = new Document({ k: value });
  visit(doc, {
    Scalar(key, node) {
      if (key === "value") node.type = type;
    },
  });
  try {
    const parsed = jsYaml.load(doc.toString({ lineWidth: LINE_WIDTH }), { schema: jsYaml.CORE_SCHEMA });
    return (parsed as { k?: unknown } | null)?.k === value;
  } catch {
    return false;
  }
}

/**
 * The style a string is written in: folded when its line would be longer than the width, else the
 * plainest that reads back exactly. `line` is how long the line holding it would be.
 */
function styleOf(value: string, line: number, isKey: boolean): Scalar.Type | undefined {
  const candidates: Array<Scalar.Type | undefined> =
    !isKey && line > LINE_WIDTH && !value.includes("\n") ? [Scalar.BLOCK_FOLDED, undefined] : [undefined];
  // `undefined` is a style of its own (the library's plainest choice), so not `find`'s "none".
  for (const type of candidates) if (readsBack(value, type)) return type;
  return Scalar.QUOTE_DOUBLE;
}

/** YAML text of plain data, every string written so that js-yaml's core schema reads it back. */
export function yamlText(data: unknown): string {
  const doc = new Document(data);
  visit(doc, {
    Scalar(key, node, path) {
      if (typeof node.value !== "string") return;
      // Every collection below the top one indents its entries by two; a value follows "key: ".
      const indent = 2 * Math.max(0, path.filter((n) => isMap(n) || isSeq(n)).length - 1);
      const parent = path[path.length - 1];
      const label = key === "value" && isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : "";
      node.type = styleOf(node.value, indent + label.length + 2 + node.value.length, key === "key");
    },
  });
  return doc.toString({ lineWidth: LINE_WIDTH });
}

/** A file's text: its comment lines, then the data; refused unless it reads back as the data. */
function file(name: string, comments: readonly string[], data: Record<string, unknown>): string {
  const text = `${comments.join("\n")}\n${yamlText(data)}`;
  const loaded = loadYamlText(name, text);
  if (!loaded.ok || !isDeepStrictEqual(loaded.source.data, data))
    throw new ImportRenderError(
      `${name} would not read back as the imported configuration; this is a bug in iom import, please report it`,
    );
  return text;
}

/**
 * The commands that set the secret parameters' config, one per line, when import wrote any: the
 * values are not copied, so the stack cannot run until someone sets them.
 */
function secretComments(config: ImportedConfiguration): string[] {
  const lines = config.providers.flatMap((provider) =>
    Object.entries(provider.parameters ?? {}).flatMap(([parameter, value]) =>
      isSecretParameter(value)
        ? [
            `#   ${secretConfigCommand(value.secret)}   # ${JSON.stringify(parameter)} of provider ${provider.name}`,
          ]
        : [],
    ),
  );
  if (lines.length === 0) return [];
  return [
    "#",
    "# Credentials are not copied. Before `pulumi up`, set each in the stack's secret config",
    "# (the command prompts for the value; copy it from IOM or from where your team keeps it):",
    ...lines,
  ];
}

/** Lists with something in them, under their keys, in the order given. */
function nonEmpty(entries: Array<[string, readonly unknown[]]>): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, list]) => list.length > 0));
}

/**
 * The files that describe an imported configuration. With a stack file, each policy gets a policy
 * file of its own beside it (named after the policy), which the stack includes; without one (stdout),
 * the policies are in the stack document itself.
 */
export function renderImport(config: ImportedConfiguration, layout: ImportLayout): ImportFile[] {
  const source = `${config.environmentUrl} (organization ${config.organizationId})`;
  const files: ImportFile[] = [];
  const include: string[] = [];
  if (layout.stackFile) {
    const dir = path.dirname(layout.stackFile);
    const stems = new NameRegister();
    for (const policy of config.policies) {
      const name = `${stems.take(policyFileStem(policy.name))}.policy.yaml`;
      include.push(name);
      const comments = [
        modeline(dir, layout.schemasDir, "policy-file.schema.json"),
        "#",
        `# A policy of ${source},`,
        "# as `iom import` read it.",
      ];
      files.push({
        path: path.join(dir, name),
        text: file(name, comments, { version: 1, policies: [policy] }),
      });
    }
  }
  const stack = {
    version: 1,
    ...nonEmpty([
      ["include", include],
      ["providers", config.providers],
      ["connections", config.connections],
      ["dualWriteMaps", config.dualWriteMaps],
      ["policies", layout.stackFile ? [] : config.policies],
      ["orchestrationFlows", config.orchestrationFlows],
    ]),
  };
  const comments = [
    modeline(layout.stackDir, layout.schemasDir, "stack.schema.json"),
    "#",
    `# The IOM configuration of ${config.environmentUrl}`,
    `# (organization ${config.organizationId}), as \`iom import\` read it.`,
    "# A stack made of it adopts those records on `pulumi up` and changes nothing (docs/import.md).",
    ...secretComments(config),
  ];
  const stackName = layout.stackFile ? path.basename(layout.stackFile) : "stdout";
  return [
    { ...(layout.stackFile ? { path: layout.stackFile } : {}), text: file(stackName, comments, stack) },
    ...files,
  ];
}
