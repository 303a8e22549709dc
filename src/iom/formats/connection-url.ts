// The "Connection URL" of an IOM provider connection reference holds the Power Automate page of
// the bound connection; IOM reads the connection's id from it on activation [C: lab-onboard-provider
// for the field, I for the parsing, domain.md section 4]. The URL's exact form is not documented:
// this module is the one place that writes it and reads the id back. [I]

const PREFIX = "https://make.powerautomate.com/connections/";

/** The Connection URL for a Power Platform connection id. */
export function connectionUrl(connectionId: string): string {
  return `${PREFIX}${encodeURIComponent(connectionId)}/details`;
}

/** The connection id a Connection URL points at (the segment before /details), or the text itself. */
export function connectionIdFromUrl(url: string): string {
  const match = /\/connections\/(?:[^/]+\/)*?([^/]+)\/details\/?$/.exec(url.trim());
  return match ? decodeURIComponent(match[1] as string) : url.trim();
}
