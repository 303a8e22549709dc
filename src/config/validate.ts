// `iom validate` without the command line: loads stack and policy files, checks them against
// the schemas and then the semantic rules, and returns every finding at once. Never touches an
// environment; table metadata comes from the source it is given (offline by default).
import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { DualWriteMap } from "../generated/dual-write-map.js";
import type { IomProvider } from "../generated/iom-provider.js";
import type { OrchestrationFlow } from "../generated/orchestration-flow.js";
import type { Policy } from "../generated/policy.js";
import type { ProviderConnection } from "../generated/provider-connection.js";
import type { StackDesiredState } from "../generated/stack.js";
import type { PolicyFile } from "../generated/policy-file.js";
import { checkDualWriteMaps } from "./checks/dual-write-maps.js";
import { checkFinOps } from "./checks/finops.js";
import { checkNames } from "./checks/names.js";
import { checkPolicies } from "./checks/policies.js";
import { checkReferences } from "./checks/references.js";
import { checkSecretParameters, type SecretConfigLookup } from "./checks/secret-parameters.js";
import type { Finding } from "./findings.js";
import { sortFindings } from "./findings.js";
import type { TableMetadataSource } from "./metadata.js";
import { OfflineMetadataSource } from "./metadata.js";
import type { Configuration, Located } from "./model.js";
import { findingAt } from "./model.js";
import type { ResourceKind } from "./schema-registry.js";
import { schemaRegistry } from "./schema-registry.js";
import { schemaFindings } from "./schema-findings.js";
import type { LoadResult, PathSegment, YamlSource } from "./yaml-source.js";
import { MAX_FILE_BYTES, loadYamlText } from "./yaml-source.js";

export type FileKind = "stack" | "policy-file";

function emptyConfiguration(): Configuration {
  return { providers: [], connections: [], dualWriteMaps: [], policies: [], orchestrationFlows: [] };
}

/** A path given to validate that does not exist or cannot be listed: a usage error. */
export class ValidatePathError extends Error {
  override name = "ValidatePathError";
}

export interface ValidateOptions {
  /** Where table metadata comes from; the offline snapshot by default. */
  metadata?: TableMetadataSource;
  /** Paths in findings are relative to this directory; process.cwd() by default. */
  cwd?: string;
  /**
   * The stack's config, to find secret parameters whose key is not set (the program's check).
   * Without it, as in `iom validate`, only the form of each key is checked.
   */
  secretConfig?: SecretConfigLookup;
}

export interface ValidationResult {
  /** Every file looked at, including included policy files, as shown in findings. */
  files: string[];
  /** Sorted by file, line and column. */
  findings: Finding[];
  /** No finding of severity error. */
  valid: boolean;
}

export function fileKind(file: string): FileKind | undefined {
  if (/\.iom\.ya?ml$/.test(file)) return "stack";
  if (/\.policy\.ya?ml$/.test(file)) return "policy-file";
  return undefined;
}

function listConfigFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listConfigFiles(full));
    else if (fileKind(entry.name)) out.push(full);
  }
  return out;
}

/** Expands directories into the stack and policy files under them. */
export function expandPaths(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new ValidatePathError(`no such file or directory: ${p}`);
    }
    if (stat.isDirectory()) out.push(...listConfigFiles(abs));
    else out.push(abs);
  }
  return [...new Set(out)];
}

interface Unit {
  findings: Finding[];
  config: Configuration;
}

type BoundedRead =
  { kind: "bytes"; bytes: Uint8Array } | { kind: "too-large"; size: number } | { kind: "not-a-file" };

/**
 * A file's bytes, with its size checked before it is read whole: a multi-gigabyte file, a device
 * or a FIFO named *.iom.yaml must cost a stat, not the machine's memory or a hung read. At most
 * MAX_FILE_BYTES + 1 bytes are ever read, so a file that grows after the stat is caught too.
 */
function readBounded(abs: string): BoundedRead {
  // stat before open: opening a FIFO for reading would wait for a writer.
  if (!statSync(abs).isFile()) return { kind: "not-a-file" };
  const fd = openSync(abs, "r");
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_FILE_BYTES) return { kind: "too-large", size };
    // One byte more than the stat promised, to notice a file that grew since.
    let buffer = Buffer.alloc(size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > MAX_FILE_BYTES) return { kind: "too-large", size: length };
        const bigger = Buffer.alloc(Math.min(buffer.length * 2, MAX_FILE_BYTES + 1));
        buffer.copy(bigger);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return { kind: "bytes", bytes: buffer.subarray(0, length) };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(file: string, size: number): Finding {
  return {
    file,
    line: 1,
    column: 1,
    code: "file-too-large",
    severity: "error",
    message: `the file is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes`,
    hint: "split the configuration into smaller files (policies can live in policies/*.policy.yaml)",
  };
}

function notAFile(file: string): Finding {
  return {
    file,
    line: 1,
    column: 1,
    code: "file-not-readable",
    severity: "error",
    message: "the path is not a regular file (a directory, device or pipe)",
    hint: "name a stack or policy file, or a directory to search for them",
  };
}

class Validator {
  private readonly loaded = new Map<string, LoadResult>();
  private readonly policyFiles = new Map<string, Unit>();
  readonly files = new Set<string>();

  constructor(private readonly cwd: string) {}

  display(abs: string): string {
    return path.relative(this.cwd, abs).split(path.sep).join("/") || path.basename(abs);
  }

  load(abs: string): LoadResult {
    let result = this.loaded.get(abs);
    if (!result) {
      const file = this.display(abs);
      this.files.add(file);
      try {
        const read = readBounded(abs);
        result =
          read.kind === "bytes"
            ? loadYamlText(file, read.bytes)
            : {
                ok: false,
                findings: [read.kind === "too-large" ? tooLarge(file, read.size) : notAFile(file)],
              };
      } catch (err) {
        const reason =
          err instanceof Error && "code" in err ? String((err as NodeJS.ErrnoException).code) : "error";
        result = {
          ok: false,
          findings: [
            {
              file,
              line: 1,
              column: 1,
              code: "file-not-readable",
              severity: "error",
              message: `the file cannot be read (${reason})`,
              hint: "check that the path is a readable file",
            },
          ],
        };
      }
      this.loaded.set(abs, result);
    }
    return result;
  }

  /**
   * Items of one list in a document that are individually valid for their kind: semantic
   * checks only look at well-formed resources, so that a typo in one does not hide the others.
   */
  private items<T>(
    source: YamlSource,
    data: unknown,
    key: string,
    kind: ResourceKind,
    documentValid: boolean,
  ): Located<T>[] {
    const list =
      data !== null && typeof data === "object" ? (data as Record<string, unknown>)[key] : undefined;
    if (!Array.isArray(list)) return [];
    const out: Located<T>[] = [];
    const validator = documentValid ? undefined : schemaRegistry().validator(kind);
    list.forEach((value, i) => {
      if (!validator || validator(value)) out.push({ value: value as T, source, path: [key, i] });
    });
    return out;
  }

  policyFile(abs: string): Unit {
    const cached = this.policyFiles.get(abs);
    if (cached) return cached;
    const empty = emptyConfiguration();
    const loaded = this.load(abs);
    let unit: Unit;
    if (!loaded.ok) unit = { findings: loaded.findings, config: empty };
    else {
      const errors = schemaRegistry().validate("policy-file", loaded.source.data);
      unit = {
        findings: schemaFindings(loaded.source, errors),
        config: {
          ...empty,
          policies: this.items(
            loaded.source,
            loaded.source.data as PolicyFile,
            "policies",
            "policy",
            errors.length === 0,
          ),
        },
      };
    }
    this.policyFiles.set(abs, unit);
    return unit;
  }

  stack(abs: string): Unit {
    const empty = emptyConfiguration();
    const loaded = this.load(abs);
    if (!loaded.ok) return { findings: loaded.findings, config: empty };
    const { source } = loaded;
    const data = source.data as StackDesiredState;
    const errors = schemaRegistry().validate("stack", data);
    const findings = schemaFindings(source, errors);
    const valid = errors.length === 0;
    const config: Configuration = {
      stack: source,
      providers: this.items(source, data, "providers", "iom-provider", valid),
      connections: this.items(source, data, "connections", "provider-connection", valid),
      dualWriteMaps: this.items(source, data, "dualWriteMaps", "dual-write-map", valid),
      policies: this.items(source, data, "policies", "policy", valid),
      orchestrationFlows: this.items(source, data, "orchestrationFlows", "orchestration-flow", valid),
    };
    const includes =
      data !== null && typeof data === "object" && Array.isArray(data.include) ? data.include : [];
    includes.forEach((include, i) => {
      if (typeof include !== "string" || !fileKind(include)) return; // the schema reports it
      const includePath: PathSegment[] = ["include", i];
      const target = path.resolve(path.dirname(abs), include);
      let isFile = false;
      try {
        isFile = statSync(target).isFile();
      } catch {
        isFile = false;
      }
      if (!isFile) {
        findings.push(
          findingAt(source, includePath, {
            code: "include-not-found",
            message: `included file '${include}' does not exist (resolved to ${this.display(target)})`,
            hint: "paths are relative to this file, e.g. ../policies/<name>.policy.yaml",
          }),
        );
        return;
      }
      if (fileKind(target) !== "policy-file") {
        findings.push(
          findingAt(source, includePath, {
            code: "include-invalid",
            message: `included file '${include}' is not a policy file`,
            hint: "only policies/<name>.policy.yaml files can be included",
          }),
        );
        return;
      }
      const unit = this.policyFile(target);
      findings.push(...unit.findings);
      config.policies.push(...unit.config.policies);
    });
    return { findings, config };
  }
}

async function semanticFindings(
  unit: Unit,
  metadata: TableMetadataSource,
  isStack: boolean,
  secretConfig?: SecretConfigLookup,
): Promise<Finding[]> {
  const { config } = unit;
  // The two metadata-reading checks side by side: online, their tables are read in the same rounds.
  const [policyFindings, mapFindings] = await Promise.all([
    checkPolicies(config, metadata),
    checkDualWriteMaps(config, metadata),
  ]);
  const findings = [
    ...checkNames(config),
    ...checkReferences(config),
    ...checkSecretParameters(config, secretConfig),
    ...policyFindings,
    ...mapFindings,
  ];
  if (isStack) findings.push(...checkFinOps(config));
  return findings;
}

/** A stack's desired state as plain, checked data: its own resources and its included policies. */
export interface DesiredState {
  providers: IomProvider[];
  connections: ProviderConnection[];
  dualWriteMaps: DualWriteMap[];
  policies: Policy[];
  orchestrationFlows: OrchestrationFlow[];
}

export interface DesiredStateResult {
  validation: ValidationResult;
  /** Present only when the validation found no error. */
  state?: DesiredState;
}

/**
 * Loads one stack file with its includes, validates it exactly as `iom validate` does, and returns
 * the resources as plain data (copies, holding nothing of the parser). The Pulumi program declares
 * resources from this data and from nothing else.
 */
export async function loadDesiredState(
  file: string,
  options: ValidateOptions = {},
): Promise<DesiredStateResult> {
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  if (fileKind(abs) !== "stack") throw new ValidatePathError(`not a stack file (*.iom.yaml): ${file}`);
  const validator = new Validator(cwd);
  const unit = validator.stack(abs);
  const metadata = options.metadata ?? new OfflineMetadataSource();
  const findings = sortFindings([
    ...unit.findings,
    ...(await semanticFindings(unit, metadata, true, options.secretConfig)),
  ]);
  const validation: ValidationResult = {
    files: [...validator.files].sort(),
    findings,
    valid: !findings.some((f) => f.severity === "error"),
  };
  if (!validation.valid) return { validation };
  const values = <T>(list: Located<T>[]): T[] => list.map((item) => structuredClone(item.value));
  const { config } = unit;
  return {
    validation,
    state: {
      providers: values(config.providers),
      connections: values(config.connections),
      dualWriteMaps: values(config.dualWriteMaps),
      policies: values(config.policies),
      orchestrationFlows: values(config.orchestrationFlows),
    },
  };
}

/** Validates stack and policy files (directories are searched for them). */
export async function validatePaths(
  paths: readonly string[],
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const cwd = options.cwd ?? process.cwd();
  const metadata = options.metadata ?? new OfflineMetadataSource();
  const validator = new Validator(cwd);
  const findings: Finding[] = [];
  for (const abs of expandPaths(paths, cwd)) {
    const kind = fileKind(abs);
    if (!kind) {
      const file = validator.display(abs);
      validator.files.add(file);
      findings.push({
        file,
        line: 1,
        column: 1,
        code: "file-kind-unknown",
        severity: "error",
        message: `cannot tell what '${path.basename(abs)}' describes`,
        hint: "name desired-state files stacks/<stack>.iom.yaml and policy files policies/<name>.policy.yaml",
      });
      continue;
    }
    const unit = kind === "stack" ? validator.stack(abs) : validator.policyFile(abs);
    findings.push(...unit.findings, ...(await semanticFindings(unit, metadata, kind === "stack")));
  }
  const sorted = sortFindings(findings);
  return {
    files: [...validator.files].sort(),
    findings: sorted,
    valid: !sorted.some((f) => f.severity === "error"),
  };
}
