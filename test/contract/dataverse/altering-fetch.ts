// A fetch for contract tests that makes the emulator look like an environment whose metadata
// differs from what iom-gitops assumes: every request goes to the emulator, and the JSON of the
// answers whose URL contains one of the given fragments is edited on its way back to the client.
// The client reads table metadata through RetrieveMetadataChanges, one answer for many tables:
// `editTable` edits one table's definition in such an answer.

export type Json = Record<string, unknown>;

export interface AnswerEdit {
  /** A fragment of the decoded request URL, e.g. "RetrieveMetadataChanges(". */
  url: string;
  edit: (body: Json) => void;
}

export function alteringFetch(edits: readonly AnswerEdit[]): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = decodeURIComponent(String(input));
    const rules = edits.filter((e) => url.includes(e.url));
    if (rules.length === 0 || response.status !== 200) return response;
    const body = (await response.json()) as Json;
    for (const rule of rules) rule.edit(body);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
}

/** An edit of one table's definition (EntityMetadata) wherever a metadata answer carries it. */
export function editTable(table: string, edit: (entity: Json) => void): AnswerEdit {
  return {
    url: "RetrieveMetadataChanges(",
    edit: (body) => {
      for (const entity of body.EntityMetadata as Json[]) if (entity.LogicalName === table) edit(entity);
    },
  };
}

/** A column of a table definition, by logical name. */
export function attributeOf(entity: Json, column: string): Json | undefined {
  return (entity.Attributes as Json[]).find((a) => a.LogicalName === column);
}

/** A column renamed by a solution: the edit for its table's definition. */
export function renameColumn(table: string, from: string, to: string): AnswerEdit {
  return editTable(table, (entity) => {
    const attribute = attributeOf(entity, from);
    if (attribute) attribute.LogicalName = to;
  });
}
