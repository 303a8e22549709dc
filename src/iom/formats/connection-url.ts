// The "Connection URL" of an IOM provider connection reference: IOM asks for the address of the
// bound connection's page in Power Automate (IOM:lab-onboard-provider.md), and reads the
// connection's id from it on activation [I]. That page's address names the Power Platform
// environment and the connector's API before the connection id
// (…/environments/{environment}/connections/{api}/{id}/details): seen in third-party examples, not
// stated by Microsoft [I]. This module is the one place that writes such a URL and reads the id back.

const SITE = "https://make.powerautomate.com";

/** Where the connection lives: both parts of the page's address besides the connection id. */
export interface ConnectionPlace {
  /** The Power Platform environment id (OrganizationDetail.EnvironmentId). */
  readonly environmentId: string;
  /**
   * The connector, as a definition connection reference names it in msdyn_connectorid
   * ("/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps") or by its API name.
   */
  readonly connector: string;
}

/** The API name of a connector id: its last path segment ("shared_commondataserviceforapps"). */
export function connectorApi(connector: string): string {
  const segments = connector.trim().split("/").filter(Boolean);
  return segments[segments.length - 1] ?? connector.trim();
}

/**
 * The Connection URL for a Power Platform connection id: the page's full address when the
 * environment and the connector are known, else the shortest address that still ends in the id
 * (the form earlier versions of iom-gitops wrote; IOM takes the id from the end either way [I]).
 */
export function connectionUrl(connectionId: string, place?: ConnectionPlace): string {
  const id = encodeURIComponent(connectionId);
  if (!place) return `${SITE}/connections/${id}/details`;
  return `${SITE}/environments/${encodeURIComponent(place.environmentId)}/connections/${encodeURIComponent(connectorApi(place.connector))}/${id}/details`;
}

/** The connection id a Connection URL points at (the segment before /details), or the text itself. */
export function connectionIdFromUrl(url: string): string {
  const match = /\/connections\/(?:[^/]+\/)*?([^/]+)\/details\/?$/.exec(url.trim());
  return match ? decodeURIComponent(match[1] as string) : url.trim();
}
