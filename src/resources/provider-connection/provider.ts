// The provider connection kind inside the provider plugin: an installed provider's connection
// reference (msdyn_iomproviderconnectionreference), bound to a Power Platform connection through
// its Connection URL, saved, then activated.
//
// Natural key (adoption): the provider and the definition's connection it instantiates.
import { columns, connectionStatus, primaryColumns } from "../../iom/facts.js";
import {
  connectionIdFromUrl,
  connectionUrl,
  type ConnectionPlace,
} from "../../iom/formats/connection-url.js";
import { NotFoundError, type DataverseClient } from "../../dataverse/index.js";
import { bind, choiceValue, entitySet, findRows, isChoice, lookupId, rowId } from "../common/records.js";
import type { KindImplementation } from "../runtime/kind.js";
import type { Session } from "../runtime/session.js";
import type { ProviderConnectionInputs } from "./index.js";

const CONNECTION = "msdyn_iomproviderconnectionreference";
const DEFINITION_CONNECTION = "msdyn_iomproviderdefinitionconnectionref";
const PROVIDER = "msdyn_iomprovider";
const c = columns.providerConnectionRef;
const connectionRow = primaryColumns[CONNECTION];
const definitionConnectionRow = primaryColumns[DEFINITION_CONNECTION];

type Inputs = ProviderConnectionInputs & { providerId: string };

/** The definition's connection with this name, for the provider's definition: its id and connector. */
async function definitionConnection(
  s: Session,
  providerId: string,
  name: string,
): Promise<{ id: string; connector: string | undefined }> {
  const provider = await s.client.retrieveIfExists(await entitySet(s, PROVIDER), providerId, {
    select: [`_${columns.provider.definition}_value`],
  });
  const definitionId = provider ? lookupId(provider, columns.provider.definition) : undefined;
  if (!definitionId)
    throw new NotFoundError(`the installed provider ${providerId} does not exist`, {
      hint: "Run `pulumi refresh` if it was deleted outside iom-gitops.",
    });
  const rows = await findRows(
    s,
    DEFINITION_CONNECTION,
    { [`_${columns.definitionConnectionRef.definition}_value`]: definitionId },
    [definitionConnectionRow.id, definitionConnectionRow.name, columns.definitionConnectionRef.connectorId],
  );
  const match = rows.find(
    (r) => String(r[definitionConnectionRow.name]).toLowerCase() === name.trim().toLowerCase(),
  );
  if (!match)
    throw new NotFoundError(`the provider's definition has no connection "${name}"`, {
      hint: `Its connections are: ${rows.map((r) => `"${String(r[definitionConnectionRow.name])}"`).join(", ") || "none"}.`,
    });
  const connector = match[columns.definitionConnectionRef.connectorId];
  return {
    id: rowId(match, definitionConnectionRow.id),
    connector: typeof connector === "string" && connector.trim() !== "" ? connector : undefined,
  };
}

/** The Power Platform environment id of each client's organization, asked once per plugin process. */
const environmentIds = new WeakMap<DataverseClient, Promise<string | undefined>>();

/**
 * The Connection URL to write: the connection page's full address when the environment id and the
 * connector are known, the short form otherwise (src/iom/formats/connection-url.ts).
 */
async function urlFor(s: Session, connectionId: string, connector: string | undefined): Promise<string> {
  if (!environmentIds.has(s.client)) environmentIds.set(s.client, s.client.environmentId());
  const environmentId = await environmentIds.get(s.client);
  const place: ConnectionPlace | undefined =
    environmentId && connector ? { environmentId, connector } : undefined;
  return connectionUrl(connectionId, place);
}

async function statusValue(s: Session, active: boolean): Promise<number> {
  return choiceValue(s, CONNECTION, c.status, active ? connectionStatus.active : connectionStatus.inactive);
}

export const providerConnection: KindImplementation<Inputs> = {
  label: "provider connection",
  schema: "provider-connection",
  programInputs: ["recordId", "providerId"],
  replaceOn: ["provider", "connection"],

  canonical(inputs) {
    return {
      provider: String(inputs.providerId).toLowerCase(),
      connection: inputs.connection.trim().toLowerCase(),
      connectionId: inputs.connectionId.trim(),
      activated: inputs.activated,
    };
  },

  async create(inputs, s) {
    const { id: definitionConnectionId, connector } = await definitionConnection(
      s,
      inputs.providerId,
      inputs.connection,
    );
    const set = await entitySet(s, CONNECTION);
    // The URL (the environment's id) and the row by its natural key are independent reads: asked
    // for together, they cost one round trip, not two, before the create.
    const [found, url] = await Promise.all([
      findRows(
        s,
        CONNECTION,
        {
          [`_${c.provider}_value`]: inputs.providerId,
          [`_${c.definitionConnectionRef}_value`]: definitionConnectionId,
        },
        [connectionRow.id, c.connectionUrl, c.status],
      ),
      urlFor(s, inputs.connectionId, connector),
    ]);
    let id: string;
    let adopted = false;
    const fields = { [c.connectionUrl]: url };
    if (found[0]) {
      id = rowId(found[0], connectionRow.id);
      adopted = id !== inputs.recordId.toLowerCase();
      // Rebound only while inactive, as an update does: an active connection is deactivated first
      // (IOM activates a connection for the connection it was saved with). One already bound to
      // this connection is left as it is.
      if (connectionIdFromUrl(String(found[0][c.connectionUrl] ?? "")) !== inputs.connectionId.trim()) {
        if (await isChoice(s, CONNECTION, c.status, found[0][c.status], connectionStatus.active))
          await s.client.update(set, id, { [c.status]: await statusValue(s, false) });
        await s.client.update(set, id, fields);
      }
    } else {
      // Saved first, inactive: IOM activates a connection only once it is saved with its URL.
      const created = await s.client.create(
        set,
        {
          [connectionRow.name]: inputs.connection,
          ...fields,
          [c.status]: await statusValue(s, false),
          ...(await bind(s, CONNECTION, c.provider, PROVIDER, inputs.providerId)),
          ...(await bind(
            s,
            CONNECTION,
            c.definitionConnectionRef,
            DEFINITION_CONNECTION,
            definitionConnectionId,
          )),
        },
        { primaryIdAttribute: connectionRow.id, id: inputs.recordId },
      );
      id = created.id;
    }
    await s.client.update(set, id, { [c.status]: await statusValue(s, inputs.activated) });
    return { id, outs: { ...inputs, organizationId: s.organizationId, adopted } };
  },

  async read(id, outs, s) {
    const row = await s.client.retrieveIfExists(await entitySet(s, CONNECTION), id, {
      select: [connectionRow.name, c.connectionUrl, c.status, `_${c.definitionConnectionRef}_value`],
    });
    if (!row) return undefined;
    // `connection` names the definition's connection (the natural key), whatever the row is called.
    const definitionConnectionId = lookupId(row, c.definitionConnectionRef);
    const definitionConnection = definitionConnectionId
      ? await s.client.retrieveIfExists(await entitySet(s, DEFINITION_CONNECTION), definitionConnectionId, {
          select: [definitionConnectionRow.name],
        })
      : undefined;
    return {
      ...outs,
      connection: String(
        definitionConnection?.[definitionConnectionRow.name] ?? row[connectionRow.name] ?? outs.connection,
      ),
      connectionId: connectionIdFromUrl(String(row[c.connectionUrl] ?? "")),
      activated: await isChoice(s, CONNECTION, c.status, row[c.status], connectionStatus.active),
    };
  },

  async update(id, olds, news, s) {
    const set = await entitySet(s, CONNECTION);
    // A connection is rebound while inactive, then activated again.
    if (olds.connectionId !== news.connectionId) {
      if (olds.activated) await s.client.update(set, id, { [c.status]: await statusValue(s, false) });
      const { connector } = await definitionConnection(s, news.providerId, news.connection);
      await s.client.update(set, id, { [c.connectionUrl]: await urlFor(s, news.connectionId, connector) });
    }
    await s.client.update(set, id, { [c.status]: await statusValue(s, news.activated) });
    return { ...news, organizationId: olds.organizationId, adopted: olds.adopted };
  },

  async delete(id, outs, s) {
    if (outs.adopted && !s.deleteAdopted) return;
    await s.client.delete(await entitySet(s, CONNECTION), id, { ignoreMissing: true });
  },
};
