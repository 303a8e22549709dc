// `iom emulator` as a library: a local, persistent emulator of the parts of the Dataverse Web API,
// the IOM tables and dual-write management that iom-gitops uses (docs/emulator.md).
import { GUID_PATTERN } from "./ids.js";
import type { EmulatorMetadata } from "./metadata-file.js";
import { seedIds } from "./seed.js";
import { EmulatorServer } from "./server.js";
import { checkLimit } from "./service-protection.js";
import { EMULATOR_FINOPS_HOST } from "./gateway-contract.js";
import type { ServiceProtectionLimit } from "./service-protection.js";
import type { TableDefinition } from "./tables.js";

export { DATAVERSE_LIMIT, type ServiceProtectionLimit } from "./service-protection.js";

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The dual-write gateway's port (a listener of its own); 0 (the default) picks a free one. */
  gatewayPort?: number;
  /** Where rows persist across restarts; without it they live in memory only. */
  dataDir?: string;
  /** The bearer token every request must carry. @default "dev-token" */
  token?: string;
  /** Seed of the fault-injection random sequence when PUT /_emulator/faults gives none. @default 1 */
  seed?: number;
  /**
   * The organization (environment) id WhoAmI answers with, so that emulators can stand for
   * different environments. Not stored in the data directory. @default seedIds.organization
   */
  organizationId?: string;
  /**
   * The metadata served: its tables, and the roles the IOM rules read columns by (a file without
   * roles gets the built-in ones). `loadMetadataFile` reads one; `iom emulator --metadata`.
   * @default the built-in file, src/emulator/data/metadata.json
   */
  metadata?: EmulatorMetadata;
  /**
   * The table definitions served instead of the metadata's: an environment whose metadata differs,
   * for tests and trials of `iom doctor`. @default the metadata's tables
   */
  tables?: readonly TableDefinition[];
  /**
   * Enforce Dataverse's service protection limit on the number of requests (per user, in a
   * sliding window; `DATAVERSE_LIMIT` is Dataverse's 6,000 per 300 s): past it, requests are
   * answered 429 with Retry-After and error 0x80072322 (docs/emulator.md). @default off
   */
  serviceProtection?: ServiceProtectionLimit;
  /**
   * The clock service protection counts on, in milliseconds that never go back: tests pass a fake
   * one to cross a window without waiting. @default the process's monotonic clock
   */
  now?: () => number;
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** url + "/api/data/v9.2/" */
  apiUrl: string;
  /**
   * url + "/": the read-only console, opened with the token (`/?token=…` or its sign-in form;
   * docs/emulator.md, "Console").
   */
  consoleUrl: string;
  /**
   * The dual-write management gateway's root, "http://127.0.0.1:PORT2": its requests go under
   * /api/DualWriteManagement/1.0/ there, as on a real tenant's gateway host (IOM_DUALWRITE_URL).
   */
  dualWriteUrl: string;
  /** The F&O environment the emulator's dual-write maps belong to (IOM_FINOPS_URL). */
  financeAndOperationsUrl: string;
  token: string;
  /** What the served metadata leaves out (IOM rules whose columns it lacks); empty with the built-in file. */
  warnings: readonly string[];
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = "dev-token";

function limitOption(limit: ServiceProtectionLimit): ServiceProtectionLimit {
  try {
    return checkLimit(limit);
  } catch (err) {
    throw new TypeError(`serviceProtection: ${(err as Error).message}`);
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const token = options.token ?? DEFAULT_TOKEN;
  const organizationId = options.organizationId ?? seedIds.organization;
  if (!GUID_PATTERN.test(organizationId))
    throw new TypeError(`organizationId must be a GUID, not '${organizationId}'`);
  const server = new EmulatorServer({
    port: options.port ?? 0,
    dataDir: options.dataDir,
    token,
    seed: options.seed ?? 1,
    organizationId: organizationId.toLowerCase(),
    ...(options.gatewayPort !== undefined ? { gatewayPort: options.gatewayPort } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    ...(options.tables ? { tables: options.tables } : {}),
    ...(options.serviceProtection ? { serviceProtection: limitOption(options.serviceProtection) } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    await server.listen();
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    url: server.url,
    apiUrl: `${server.url}/api/data/v9.2/`,
    consoleUrl: `${server.url}/`,
    dualWriteUrl: server.gatewayUrl,
    financeAndOperationsUrl: `https://${EMULATOR_FINOPS_HOST}`,
    token,
    warnings: server.warnings,
    close: () => server.close(),
  };
}
