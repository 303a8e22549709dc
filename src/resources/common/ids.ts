// Record ids chosen by the client, derived from the stack and the resource: a create interrupted
// after Dataverse made the row finds that row on the next run (same id) instead of making a
// second one, and a row found by natural key with another id is known to be someone else's.
import { createHash } from "node:crypto";

/** A name-based UUID (RFC 4122 version 5 layout) from the given parts. */
export function derivedId(...parts: string[]): string {
  const hash = createHash("sha1")
    .update(`iom-gitops\0${parts.join("\0")}`)
    .digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
