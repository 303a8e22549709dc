// What rule conversion needs to know about the environment's tables: columns by logical and
// display name, where each lookup leads, and the option values behind choice labels. Read from
// the environment through the session's client, each answer once per provider call (the client's
// Metadata also caches per process), so that many rules do not mean many requests.
import { OnlineMetadataSource } from "../../config/online-metadata.js";
import type { TableDefinition } from "../../iom/tables/types.js";
import type { Session } from "../runtime/session.js";

export interface RuleMetadata {
  /**
   * The table's columns, lookups with their target tables; undefined when the environment has no
   * such table.
   */
  table(logicalName: string): Promise<TableDefinition | undefined>;
  /** The option value behind a choice column's label (UnknownOptionError when there is none). */
  optionValue(table: string, column: string, label: string): Promise<number>;
  /** The label of a choice column's option value (UnknownOptionError when there is none). */
  optionLabel(table: string, column: string, value: number): Promise<string>;
}

/** Per-call memo: the same question is asked of the environment once. */
function memo<A extends unknown[], T>(load: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const answers = new Map<string, Promise<T>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let answer = answers.get(key);
    if (!answer) {
      answer = load(...args);
      answers.set(key, answer);
    }
    return answer;
  };
}

/** The environment's metadata, through the session's client, memoised for one provider call. */
export function sessionMetadata(s: Session): RuleMetadata {
  const online = new OnlineMetadataSource(s.client);
  return {
    table: memo(async (logicalName: string) => {
      const table = await online.getTable(logicalName);
      if (!table) return undefined;
      // OnlineMetadataSource names columns; where each lookup leads is in its relationships.
      const lookups = await s.client.metadata.lookups(table.logicalName);
      return {
        ...table,
        attributes: table.attributes.map((a) => {
          const targets = lookups.filter((l) => l.attribute === a.logicalName).map((l) => l.target);
          return targets.length > 0 ? { ...a, targets } : a;
        }),
      };
    }),
    optionValue: memo((table: string, column: string, label: string) =>
      s.client.metadata.optionValue(table, column, label),
    ),
    optionLabel: memo((table: string, column: string, value: number) =>
      s.client.metadata.optionLabel(table, column, value),
    ),
  };
}
