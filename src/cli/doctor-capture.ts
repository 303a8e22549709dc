// `iom doctor --capture FILE`: writes what a real environment has of the tables iom-gitops uses,
// in the emulator's metadata format (docs/emulator.md), so that `iom emulator --metadata FILE`
// serves the tenant's real schema and the file can be sent to us. Added to it: the format probe's
// counts and redacted samples, and, when the dual-write gateway answers, its map list and one map's
// field mappings with their text redacted. No row values are written.
import { writeFileSync } from "node:fs";

import type { DataverseClient, WhoAmI } from "../dataverse/client.js";
import { captureMetadata, redact } from "../dataverse/metadata-capture.js";
import { builtInMetadata, parseMetadata } from "../emulator/metadata-file.js";
import type { EmulatorMetadata } from "../generated/emulator-metadata.js";
import type { FormatProbeResult } from "../iom/format-probe.js";
import { tables as clientTables } from "../iom/tables/index.js";

/** Keys of the gateway's map list kept as they are: names and states, which are Microsoft's, not a tenant's data. */
const MAP_KEYS_KEPT = new Set(["name", "tName", "displayName", "state", "targetType"]);

function redactExcept(value: unknown, keep: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => redactExcept(v, keep));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        keep.has(k) && (typeof v !== "object" || v === null) ? v : redactExcept(v, keep),
      ]),
    );
  return redact(value);
}

/** The tables asked for: those the client uses and those the emulator serves, once each, in that order. */
export function captureTableNames(): string[] {
  return [
    ...new Set([
      ...clientTables.map((t) => t.logicalName),
      ...builtInMetadata().tables.map((t) => t.logicalName),
    ]),
  ];
}

/**
 * The gateway part, last and optional: a gateway that is not configured, not reachable or not as
 * expected is recorded as such, never fatal (the gateway client is still being rebuilt).
 */
async function captureDualWrite(
  client: DataverseClient,
): Promise<NonNullable<EmulatorMetadata["dualWrite"]>> {
  try {
    const mod = (await import("../dataverse/dual-write.js")) as Record<string, unknown>;
    const Client = mod.DualWriteManagementClient as
      | (new (client: DataverseClient) => {
          maps?: () => Promise<Array<{ pid?: string }>>;
          fieldMappings?: (pid: string) => Promise<unknown>;
        })
      | undefined;
    if (typeof Client !== "function") return { error: "this build has no dual-write gateway client" };
    const gateway = new Client(client);
    if (typeof gateway.maps !== "function") return { error: "the gateway client cannot list maps" };
    const maps = await gateway.maps();
    const pid = maps.find((m) => typeof m.pid === "string")?.pid;
    const fieldMappings =
      pid !== undefined && typeof gateway.fieldMappings === "function"
        ? await gateway.fieldMappings(pid)
        : null;
    return {
      maps: maps.map((m) => redactExcept(m, MAP_KEYS_KEPT)),
      fieldMappings: fieldMappings === null ? null : (redact(fieldMappings) as Record<string, unknown>),
    };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Writes the capture to `file`; what it wrote. Dataverse errors propagate (the doctor reports them). */
export async function captureEnvironment(
  client: DataverseClient,
  who: WhoAmI,
  file: string,
  formats: readonly FormatProbeResult[],
): Promise<{ file: string; tables: number }> {
  const document = await captureMetadata(
    {
      environmentUrl: client.environmentUrl,
      getJson: async (path) => (await client.request({ method: "GET", path, accept: [200] })).body,
    },
    captureTableNames(),
    { organizationId: who.OrganizationId, capturedAt: new Date().toISOString() },
  );
  document.formats = Object.fromEntries(
    formats.map((f) => [
      f.format.replace(/\s+/g, "-"),
      {
        table: f.table,
        column: f.column,
        rows: f.rows,
        roundTrips: f.roundTrips,
        failures: f.failures,
        ...(f.samples ? { samples: f.samples } : {}),
      },
    ]),
  );
  document.dualWrite = await captureDualWrite(client);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  // What is written must be servable: checked as `iom emulator --metadata` will check it.
  parseMetadata(file, text);
  writeFileSync(file, text);
  return { file, tables: document.tables.length };
}
