// Which column plays which part in the emulator's IOM lifecycle rules (iom-rules.ts): a provider's
// status and its definition, a connection's URL, a policy's publish status and version, a flow's
// definition. The metadata file names them in its "roles" section, with the evidence for each
// (src/emulator/data/metadata.json); here they are resolved against the tables actually served,
// choices by label, so that the rules hold whatever values the file gives the options. A role whose
// table, column or choice the served tables lack is left out, with a message saying why, and the
// rules that need it are not enforced: a captured environment's metadata may differ from ours.
import type { Role } from "./metadata-file.js";
import type { TableDefinition } from "./tables.js";

/** A choice the rules test, with the label messages name it by. */
export interface Choice {
  readonly value: number;
  readonly label: string;
}

interface RoleBase {
  readonly table: string;
  /** The table's primary name column: how messages name a row. */
  readonly primaryName: string;
}

export interface ProviderRole extends RoleBase {
  readonly definition: string;
  readonly status: string;
  readonly installed: Choice;
  readonly activated: Choice;
}
export interface ProviderConnectionRole extends RoleBase {
  readonly provider: string;
  readonly definitionConnection: string;
  readonly connectionUrl: string;
  readonly status: string;
  readonly inactive: Choice;
  readonly active: Choice;
}
export interface DefinitionChildRole extends RoleBase {
  readonly definition: string;
}
export interface PolicyRole extends RoleBase {
  readonly publishStatus: string;
  readonly versionId: string;
  readonly versionState: string;
  readonly versionNumber: string;
  readonly unpublished: Choice;
  readonly published: Choice;
  readonly current: Choice;
  readonly archived: Choice;
}
export interface RuleRole extends RoleBase {
  readonly policy: string;
}
export interface FlowRole extends RoleBase {
  readonly publishStatus: string;
  readonly definition: string;
  readonly unpublished: Choice;
  readonly published: Choice;
}

export interface IomRoles {
  provider?: ProviderRole;
  providerConnection?: ProviderConnectionRole;
  definitionConnection?: DefinitionChildRole;
  logicDefinition?: DefinitionChildRole;
  policy?: PolicyRole;
  rule?: RuleRole;
  flow?: FlowRole;
}

/** What each role must name: its columns, and per choice column the meanings the rules test. */
const NEEDED: Record<keyof IomRoles, { columns: string[]; choices?: Record<string, string[]> }> = {
  provider: { columns: ["definition", "status"], choices: { status: ["installed", "activated"] } },
  providerConnection: {
    columns: ["provider", "definitionConnection", "connectionUrl", "status"],
    choices: { status: ["inactive", "active"] },
  },
  definitionConnection: { columns: ["definition"] },
  logicDefinition: { columns: ["definition"] },
  policy: {
    columns: ["publishStatus", "versionId", "versionState", "versionNumber"],
    choices: { publishStatus: ["unpublished", "published"], versionState: ["current", "archived"] },
  },
  rule: { columns: ["policy"] },
  flow: {
    columns: ["publishStatus", "definition"],
    choices: { publishStatus: ["unpublished", "published"] },
  },
};

export const ROLE_NAMES = Object.keys(NEEDED) as Array<keyof IomRoles>;

/**
 * The roles the rules can use with these tables, and why any is missing. Labels match as
 * Dataverse compares them (ignoring case).
 */
export function resolveRoles(
  roles: Readonly<Record<string, Role>>,
  tables: readonly TableDefinition[],
): { roles: IomRoles; problems: string[] } {
  const resolved: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of ROLE_NAMES) {
    const role = roles[name];
    const needed = NEEDED[name];
    if (!role) {
      problems.push(`role ${name} is not defined`);
      continue;
    }
    const table = tables.find((t) => t.logicalName === role.table);
    if (!table) {
      problems.push(`role ${name}: the table ${role.table} is not served`);
      continue;
    }
    const out: Record<string, unknown> = {
      table: table.logicalName,
      primaryName: table.primaryNameAttribute,
    };
    const missing: string[] = [];
    for (const part of needed.columns) {
      const column = role.columns[part];
      const attribute = table.attributes.find((a) => a.logicalName === column);
      if (column === undefined || !attribute) {
        missing.push(`${part} column ${column ?? "(not named)"}`);
        continue;
      }
      out[part] = column;
      for (const meaning of needed.choices?.[part] ?? []) {
        const label = role.choices?.[part]?.[meaning];
        const option = attribute.options?.find((o) => o.label.toLowerCase() === label?.toLowerCase());
        if (label === undefined || !option) missing.push(`${part} choice "${label ?? meaning}" of ${column}`);
        else out[meaning] = { value: option.value, label: option.label };
      }
    }
    if (missing.length > 0) problems.push(`role ${name}: ${table.logicalName} lacks ${missing.join(", ")}`);
    else resolved[name] = out;
  }
  return { roles: resolved as IomRoles, problems };
}
