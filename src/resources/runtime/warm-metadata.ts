// Inside the provider plugin: the table metadata every kind reads (entity sets, columns, option
// values, navigation properties), fetched all at once when the plugin first writes.
//
// Each kind asks for the metadata it needs when it needs it, so a create that finds a row, binds
// a lookup and sets a status would wait for a definition, then relationships, then an option set,
// one after another, before its own requests. The tables, option sets and lookups the kinds use
// are the assumptions the program has just checked (src/iom/assumptions.ts); fetching them
// together at the first write takes two rounds, and every later call finds them in the
// per-process cache (src/dataverse/metadata.ts). Only writes do it: a refresh reads a few tables
// and needs none of the rest.
import type { Assumption } from "../../iom/assumptions.js";
import type { Session } from "./session.js";

const warmed = new WeakSet<Session>();

/**
 * Starts fetching the metadata the kinds use, once per session, without waiting for it. A fetch
 * that fails is not cached, so the call that needs it asks again and reports the failure itself.
 */
export function warmMetadata(s: Session): void {
  if (warmed.has(s)) return;
  warmed.add(s);
  // Loaded here, not with the plugin: a run that only reads never needs the list.
  import("../../iom/assumptions.js").then(({ listAssumptions }) => fetchAll(s, listAssumptions()), ignore);
}

const ignore = (): void => undefined;

function fetchAll(s: Session, assumptions: readonly Assumption[]): void {
  const md = s.client.metadata;
  const byTable = new Map<string, Assumption[]>();
  for (const a of assumptions) byTable.set(a.table, [...(byTable.get(a.table) ?? []), a]);
  for (const [table, list] of byTable) {
    md.entity(table).catch(ignore);
    if (list.some((a) => a.kind === "navigation-property")) md.lookups(table).catch(ignore);
    const options = new Set(list.flatMap((a) => (a.kind === "option-label" ? [a.column] : [])));
    if (list.some((a) => a.kind === "column") || options.size > 0)
      md.attributes(table)
        .then(() => Promise.all([...options].map((column) => md.options(table, column))))
        .catch(ignore);
  }
}
