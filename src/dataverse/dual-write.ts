// Dual-write map management: run state and field mappings of table maps, through the management
// endpoint (the DualWriteManagement gateway's shape, domain.md section 2; the emulator serves it).
// It is the same client as the Web API's, on a second service root: the same token, retries,
// typed errors and redaction.
import type { DataverseClient } from "./client.js";
import { UnexpectedResponseError } from "./errors.js";
import { keySegment } from "./odata.js";

export interface MapStatus {
  id: string;
  name: string;
  state: number;
  stateName: string;
}

export interface MapRunResult {
  requestId: string;
  status: string;
  results: MapStatus[];
}

function asStatus(value: unknown, path: string): MapStatus {
  const o = value as Record<string, unknown> | null;
  if (typeof o?.id !== "string" || typeof o.name !== "string" || typeof o.state !== "number")
    throw new UnexpectedResponseError("the dual-write map status has no id, name or state", {
      method: "GET",
      path,
    });
  return { id: o.id, name: o.name, state: o.state, stateName: String(o.stateName ?? o.state) };
}

export class DualWriteManagementClient {
  constructor(private readonly client: DataverseClient) {}

  async maps(): Promise<MapStatus[]> {
    const response = await this.client.request<{ value?: unknown }>({
      service: "dual-write",
      method: "GET",
      path: "Entities",
      accept: [200],
    });
    if (!Array.isArray(response.body?.value))
      throw new UnexpectedResponseError("the dual-write map list has no value array", {
        method: "GET",
        path: "Entities",
      });
    return response.body.value.map((v) => asStatus(v, "Entities"));
  }

  async map(id: string): Promise<MapStatus> {
    const path = `Entities/${keySegment(id).slice(1, -1)}`;
    const response = await this.client.request({ service: "dual-write", method: "GET", path, accept: [200] });
    return asStatus(response.body, path);
  }

  /** The map's mapping document: { entityMappingTasks: [{ legs: [...] }] }. */
  async fieldMappings(id: string): Promise<Record<string, unknown>> {
    const path = `${keySegment(id).slice(1, -1)}/FieldMappings`;
    const response = await this.client.request<Record<string, unknown>>({
      service: "dual-write",
      method: "GET",
      path,
      accept: [200],
    });
    if (typeof response.body !== "object" || response.body === null)
      throw new UnexpectedResponseError("the field mappings are not a JSON object", { method: "GET", path });
    return response.body;
  }

  /** Saves the mapping document; the map must be stopped (409 otherwise). */
  async saveFieldMappings(id: string, mapping: Record<string, unknown>): Promise<void> {
    await this.client.request({
      service: "dual-write",
      method: "PUT",
      path: `${keySegment(id).slice(1, -1)}/FieldMappings`,
      accept: [200, 204],
      body: mapping,
    });
  }

  /** Runs a gateway action (start 1, stop 4, pause 5, resume 6, initial sync 8) on maps. */
  async run(action: number, ids: readonly string[]): Promise<MapRunResult> {
    const response = await this.client.request<Record<string, unknown>>({
      service: "dual-write",
      method: "POST",
      path: "Start",
      accept: [200, 202],
      body: { action, entityIds: ids },
    });
    const body = response.body ?? {};
    const results = Array.isArray(body.results) ? body.results.map((r) => asStatus(r, "Start")) : [];
    return { requestId: String(body.requestId ?? ""), status: String(body.status ?? ""), results };
  }
}
