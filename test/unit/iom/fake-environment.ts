// A Dataverse environment in miniature for unit tests: the real client over a fake fetch that
// serves RetrieveMetadataChanges (the tables named by an Or of LogicalName conditions, with their
// attributes, option sets and many-to-one relationships) for the table definitions it is given,
// and plain rows for collection queries. Tests change a copy of the
// registry's tables to make an environment that differs from what iom-gitops assumes; every
// request is recorded, and a request it cannot answer is a 404, as in Dataverse.
import { DataverseClient } from "../../../src/dataverse/client.js";
import type { DataverseRecord } from "../../../src/dataverse/client.js";
import { tables } from "../../../src/iom/tables/index.js";
import type { AttributeDefinition, TableDefinition } from "../../../src/iom/tables/types.js";

export const ENVIRONMENT_URL = "https://contoso.crm.dynamics.com";
const API_ROOT = `${ENVIRONMENT_URL}/api/data/v9.2/`;

export interface FakeEnvironment {
  client: DataverseClient;
  /** Every request, as a path relative to the Web API root, decoded. */
  requests: string[];
  /** The most requests that were in flight at once. */
  maxInFlight(): number;
  /** The most tables whose metadata requests were in flight at the same time. */
  maxTablesInFlight(): number;
  /**
   * The longest chain of requests each sent after the one before it was answered: the round trips
   * a real environment's latency would add up.
   */
  rounds(): number;
}

/** A deep copy of the registry's tables, to change freely. */
export function registryTables(): TableDefinition[] {
  return structuredClone([...tables]);
}

/** A navigation property in the environment's schema-name case, which differs from the column's. */
export const navigationName = (attribute: string): string =>
  attribute.replace(
    /^([a-z]+_)?(.)/,
    (_, prefix: string | undefined, first: string) => `${prefix ?? ""}${first.toUpperCase()}`,
  );

const label = (text: string) => ({
  UserLocalizedLabel: { Label: text, LanguageCode: 1033 },
  LocalizedLabels: [{ Label: text, LanguageCode: 1033 }],
});

const isLookup = (a: AttributeDefinition): boolean =>
  a.type === "Lookup" || a.type === "Customer" || a.type === "Owner";

export function fakeEnvironment(
  definitions: readonly TableDefinition[],
  rows: Readonly<Record<string, DataverseRecord[]>> = {},
  options: { failWith?: (path: string) => { status: number; body: unknown } | undefined } = {},
): FakeEnvironment {
  const requests: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const tablesInFlight = new Map<string, number>();
  let maxTablesInFlight = 0;
  // Each request's round: one more than the latest round answered before it was sent.
  let answeredRound = 0;
  let maxRound = 0;
  const table = (name: string) => definitions.find((t) => t.logicalName === name);

  const answer = (path: string): { status: number; body: unknown } => {
    const failure = options.failWith?.(path);
    if (failure) return failure;
    const [resource = ""] = path.split("?");
    const asked = metadataTables(path);
    if (asked) {
      const found = asked.map(table).filter((t): t is TableDefinition => t !== undefined);
      return { status: 200, body: { EntityMetadata: found.map(entityMetadata) } };
    }
    const byId = definitions.find((t) => t.entitySetName === resource);
    if (byId) return { status: 200, body: { value: rows[byId.logicalName] ?? [] } };
    return notFound(`Resource not found for the segment '${resource}'.`);
  };

  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = String(input);
    const path = decodeURIComponent(url.slice(API_ROOT.length));
    requests.push(path);
    const round = answeredRound + 1;
    maxRound = Math.max(maxRound, round);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const tableNames = metadataTables(path) ?? [];
    for (const name of tableNames) tablesInFlight.set(name, (tablesInFlight.get(name) ?? 0) + 1);
    maxTablesInFlight = Math.max(maxTablesInFlight, tablesInFlight.size);
    // Yield to the event loop, so that concurrent requests really overlap.
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight--;
    for (const name of tableNames) {
      const left = (tablesInFlight.get(name) ?? 1) - 1;
      if (left === 0) tablesInFlight.delete(name);
      else tablesInFlight.set(name, left);
    }
    answeredRound = Math.max(answeredRound, round);
    const { status, body } = answer(path);
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };

  const client = new DataverseClient(
    { environmentUrl: ENVIRONMENT_URL, auth: { kind: "static-token", token: "unit-token" } },
    { fetch: fetch as typeof globalThis.fetch },
  );
  return {
    client,
    requests,
    maxInFlight: () => maxInFlight,
    maxTablesInFlight: () => maxTablesInFlight,
    rounds: () => maxRound,
  };
}

/** The tables a RetrieveMetadataChanges request names, or undefined for any other request. */
function metadataTables(path: string): string[] | undefined {
  const m = /^RetrieveMetadataChanges\(Query=@q\)\?@q=(.*)$/s.exec(path);
  if (!m) return undefined;
  const query = JSON.parse(m[1] as string) as {
    Criteria: {
      FilterOperator: string;
      Conditions: Array<{ PropertyName: string; Value: { Value: string } }>;
    };
  };
  if (query.Criteria.FilterOperator !== "Or") throw new Error("the fake environment answers an Or of tables");
  return query.Criteria.Conditions.map((c) => c.Value.Value);
}

function entityMetadata(def: TableDefinition): Record<string, unknown> {
  return {
    LogicalName: def.logicalName,
    EntitySetName: def.entitySetName,
    PrimaryIdAttribute: def.primaryIdAttribute,
    PrimaryNameAttribute: def.primaryNameAttribute,
    Attributes: def.attributes.map((a) => ({
      LogicalName: a.logicalName,
      AttributeType: a.type,
      DisplayName: label(a.displayName),
      ...(a.options
        ? { OptionSet: { Options: a.options.map((o) => ({ Value: o.value, Label: label(o.label) })) } }
        : {}),
    })),
    ManyToOneRelationships: def.attributes.filter(isLookup).flatMap((a) =>
      (a.targets ?? []).map((target) => ({
        ReferencingAttribute: a.logicalName,
        ReferencedEntity: target,
        ReferencingEntityNavigationPropertyName:
          (a.targets ?? []).length > 1
            ? `${navigationName(a.logicalName)}_${target}`
            : navigationName(a.logicalName),
      })),
    ),
  };
}

function notFound(message: string): { status: number; body: unknown } {
  return { status: 404, body: { error: { code: "0x80040217", message } } };
}
