// A fetch for contract tests that makes the emulator look like an environment whose metadata
// differs from what iom-gitops assumes: every request goes to the emulator, and the JSON of the
// answers whose URL contains one of the given fragments is edited on its way back to the client.

export type Json = Record<string, unknown>;

export interface AnswerEdit {
  /** A fragment of the decoded request URL, e.g. "EntityDefinitions(LogicalName='msdyn_iomrule')?". */
  url: string;
  edit: (body: Json) => void;
}

export function alteringFetch(edits: readonly AnswerEdit[]): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = decodeURIComponent(String(input));
    const rule = edits.find((e) => url.includes(e.url));
    if (!rule || response.status !== 200) return response;
    const body = (await response.json()) as Json;
    rule.edit(body);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
}

/** The items of a collection answer. */
export const items = (body: Json): Json[] => body.value as Json[];

/** A column renamed by a solution: the edit for its table's Attributes answer. */
export function renameColumn(table: string, from: string, to: string): AnswerEdit {
  return {
    url: `EntityDefinitions(LogicalName='${table}')/Attributes?`,
    edit: (body) => {
      for (const attribute of items(body)) if (attribute.LogicalName === from) attribute.LogicalName = to;
    },
  };
}
