// The dual-write gateway, probed before anything is written (`iom doctor`): is it configured, does
// it answer, does it take the token, does it know the F&O environment (the connection, `cid`), and
// does it list the maps the stack names. Each step says what it found and, when it fails, what to
// set or check; no step writes anything, and no token or secret reaches the report.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

import { didYouMean } from "../config/did-you-mean.js";
import type { DataverseClient } from "./client.js";
import {
  DualWriteManagementClient,
  mapsNamed,
  stateLabel,
  uiMapName,
  type GatewayMap,
} from "./dual-write.js";
import { DataverseError } from "./errors.js";

export type GatewayCheck = "configured" | "reachable" | "token" | "connection" | "maps";

export interface GatewayProbeStep {
  check: GatewayCheck;
  ok: boolean;
  /** What was found, or what is wrong and what to do. */
  detail: string;
}

export interface GatewayMapCheck {
  /** The name as the stack gives it. */
  name: string;
  /** The gateway's tName of the map found, its state's label and its project id. */
  found?: { tName: string; state: string; pid?: string };
  /** When not found: the closest name the gateway lists. */
  suggestion?: string;
}

export interface GatewayProbeReport {
  /** True when every step held, or when the probe was skipped (no maps to manage, no settings). */
  ok: boolean;
  /** Why nothing was probed, when nothing was. */
  skipped?: string;
  steps: GatewayProbeStep[];
  maps: GatewayMapCheck[];
}

/**
 * The map names of the stacks in `dir`/stacks/*.iom.yaml: what the probe looks for. A file that
 * cannot be read or parsed is left out (`iom validate` reports it).
 */
export function stackMapNames(dir: string = process.cwd()): string[] {
  const stacks = path.join(dir, "stacks");
  let files: string[];
  try {
    files = readdirSync(stacks).filter((f) => f.endsWith(".iom.yaml"));
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const file of files.sort()) {
    try {
      const doc = parse(readFileSync(path.join(stacks, file), "utf8")) as { dualWriteMaps?: unknown };
      if (!Array.isArray(doc?.dualWriteMaps)) continue;
      for (const m of doc.dualWriteMaps)
        if (typeof (m as { map?: unknown })?.map === "string") names.add((m as { map: string }).map);
    } catch {
      /* reported by iom validate */
    }
  }
  return [...names];
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Probes the gateway the client is configured for, looking for `mapNames`. */
export async function probeGateway(
  client: DataverseClient,
  mapNames: readonly string[],
): Promise<GatewayProbeReport> {
  const steps: GatewayProbeStep[] = [];
  const report = (ok: boolean, maps: GatewayMapCheck[] = []): GatewayProbeReport => ({ ok, steps, maps });
  const missing = [
    ...(client.dualWriteRoot === undefined ? ["iom:dualWriteUrl (IOM_DUALWRITE_URL)"] : []),
    ...(client.financeAndOperationsHost === undefined
      ? ["iom:financeAndOperationsUrl (IOM_FINOPS_URL)"]
      : []),
  ];
  if (missing.length > 0) {
    // Nothing to manage and nothing configured: the gateway is not needed.
    if (mapNames.length === 0 && missing.length === 2)
      return { ok: true, skipped: "no dual-write map to manage and no gateway configured", steps, maps: [] };
    steps.push({
      check: "configured",
      ok: false,
      detail: `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set; dual-write maps are managed on the gateway of the environment's region (docs/dual-write-gateway.md)`,
    });
    return report(false);
  }
  steps.push({
    check: "configured",
    ok: true,
    detail: `gateway ${client.dualWriteRoot}, F&O environment ${client.financeAndOperationsHost}`,
  });

  const dw = new DualWriteManagementClient(client);
  try {
    const environment = await dw.environment();
    steps.push({ check: "reachable", ok: true, detail: "the gateway answered" });
    steps.push({ check: "token", ok: true, detail: "the gateway took the token" });
    steps.push({
      check: "connection",
      ok: true,
      detail: `connection ${environment.cid}${environment.displayName ? ` (${environment.displayName})` : ""}`,
    });
  } catch (error) {
    if (error instanceof DataverseError && error.status === undefined && error.code === "unavailable") {
      steps.push({ check: "reachable", ok: false, detail: failure(error) });
      return report(false);
    }
    steps.push({ check: "reachable", ok: true, detail: "the gateway answered" });
    if (error instanceof DataverseError && error.code === "access-denied") {
      steps.push({
        check: "token",
        ok: false,
        detail: `${failure(error)} The gateway's token scope is https://IntegratorApp.com/.default (iom:dualWriteScope); Microsoft's tool signs in as a user, and whether an application's token is accepted is not known.`,
      });
      return report(false);
    }
    steps.push({ check: "token", ok: true, detail: "the gateway took the token" });
    steps.push({ check: "connection", ok: false, detail: failure(error) });
    return report(false);
  }

  let maps: GatewayMap[];
  try {
    maps = await dw.maps();
  } catch (error) {
    steps.push({ check: "maps", ok: false, detail: failure(error) });
    return report(false);
  }
  const checks = mapNames.map((name): GatewayMapCheck => {
    const hits = mapsNamed(maps, name);
    const [hit] = hits;
    if (hit && hits.length === 1)
      return {
        name,
        found: { tName: hit.name, state: stateLabel(hit.state), ...(hit.pid ? { pid: hit.pid } : {}) },
      };
    const suggestion = hit
      ? undefined
      : didYouMean(
          uiMapName(name),
          maps.map((m) => uiMapName(m.name)),
        );
    return { name, ...(suggestion ? { suggestion } : {}) };
  });
  const lost = checks.filter((c) => !c.found);
  steps.push({
    check: "maps",
    ok: lost.length === 0,
    detail:
      lost.length === 0
        ? `${maps.length} maps listed; ${checks.length === 0 ? "no stack names one" : `all ${checks.length} the stacks name are there`}`
        : `${maps.length} maps listed; not found (or named twice): ${lost.map((c) => `'${c.name}'${c.suggestion ? ` (did you mean '${c.suggestion}'?)` : ""}`).join(", ")}`,
  });
  return report(lost.length === 0, checks);
}

/** The report as text, one line per step and per map. */
export function formatGatewayProbe(report: GatewayProbeReport): string {
  const lines = ["", "Dual-write gateway:"];
  if (report.skipped) return `${[...lines, `  skipped: ${report.skipped}`].join("\n")}\n`;
  for (const step of report.steps) lines.push(`  ${step.ok ? "ok  " : "FAIL"} ${step.check}: ${step.detail}`);
  for (const map of report.maps)
    lines.push(
      map.found
        ? `  ok   map '${map.name}': ${map.found.tName}, ${map.found.state}${map.found.pid ? `, project ${map.found.pid}` : ", never run (no project)"}`
        : `  FAIL map '${map.name}': not listed${map.suggestion ? `; did you mean '${map.suggestion}'?` : ""}`,
    );
  return `${lines.join("\n")}\n`;
}
