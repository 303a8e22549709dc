// GUIDs: random ones for new rows, and stable ones derived from a name for seed rows and metadata,
// so that the same seeded row has the same id in every emulator and after every reset.
import { createHash, randomUUID } from "node:crypto";

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function newId(): string {
  return randomUUID();
}

/** A name-based GUID (the layout of a version 5 UUID) that is the same for the same name. */
export function stableId(name: string): string {
  const hash = createHash("sha1").update(`iom-emulator:${name}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
