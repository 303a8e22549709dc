// Inside the provider plugin: which environment the resources act on, and the one Dataverse client
// they share. Settings come from stack config (`iom:environmentUrl`, `iom:auth`,
// `pulumi config set --secret iom:clientSecret …`) through `configure`, else from the environment
// (IOM_DATAVERSE_URL, IOM_TOKEN, AZURE_*), read when a method first needs them. None of them is a
// resource input: the demo's emulator port changes every run and must not show as a diff.
import type * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  createDataverseClient,
  dataverseConfigFromSource,
  envSource,
  SETTINGS,
  type DataverseClient,
  type SettingName,
  type SettingsSource,
} from "../../dataverse/index.js";
import { warmMetadata } from "./warm-metadata.js";

let stackConfig: pulumi.dynamic.Config | undefined;
let current: Promise<Session> | undefined;

export interface Session {
  client: DataverseClient;
  /** The organization the configured URL reaches (WhoAmI), which every resource records. */
  organizationId: string;
  /** Whether `destroy` may delete records the stack adopted instead of creating (iom:deleteAdopted). */
  deleteAdopted: boolean;
}

/**
 * Called by the dynamic provider's `configure`: the stack's configuration, secrets decrypted. The
 * plugin configures each kind's provider in turn, all with the same stack config: the session
 * (and its WhoAmI, which would otherwise stand in the way of each kind's first request) is kept
 * unless a setting it was made from is different.
 */
export function configureSession(config: pulumi.dynamic.Config): void {
  const before = stackConfig ? sessionSettings(stackConfig) : undefined;
  stackConfig = config;
  if (before !== sessionSettings(config)) current = undefined;
}

/** Every stack setting a session is made from, as one comparable string. */
function sessionSettings(config: pulumi.dynamic.Config): string {
  const names = [...Object.keys(SETTINGS), "deleteAdopted"];
  return JSON.stringify(names.map((name) => config.get(`iom:${name}`) ?? null));
}

/** Stack config `iom:<name>` first, then the setting's environment variable. */
export function settingsSource(): SettingsSource {
  const env = envSource();
  return {
    get(name: SettingName) {
      const value = stackConfig?.get(`iom:${name}`);
      return value !== undefined && value.trim() !== "" ? value.trim() : env.get(name);
    },
    describe: (name: SettingName) => `iom:${name} (or ${SETTINGS[name].env})`,
  };
}

/** The session of this plugin process; WhoAmI is asked once. */
export function session(): Promise<Session> {
  current ??= (async () => {
    const source = settingsSource();
    const client = createDataverseClient(dataverseConfigFromSource(source));
    // Sent now, beside WhoAmI: the metadata is not needed before WhoAmI has answered.
    warmMetadata(client);
    const who = await client.whoAmI();
    const deleteAdopted = /^(1|true|yes)$/i.test(
      stackConfig?.get("iom:deleteAdopted") ?? process.env.IOM_DELETE_ADOPTED ?? "",
    );
    return { client, organizationId: who.OrganizationId.toLowerCase(), deleteAdopted };
  })();
  current.catch(() => {
    current = undefined;
  });
  return current;
}

/**
 * Refuses to act on a record made in another organization: a stack pointed at the wrong URL must
 * never touch another environment's records.
 */
export function assertSameOrganization(recorded: unknown, s: Session, what: string): void {
  if (typeof recorded !== "string" || recorded === "") return; // made before organizations were recorded
  if (recorded.toLowerCase() === s.organizationId) return;
  throw new ConfigError(
    `${what} was made in organization ${recorded}, but the configured environment ` +
      `${s.client.environmentUrl} is organization ${s.organizationId}; nothing was changed`,
    {
      hint:
        "Point the stack back at the environment it manages (iom:environmentUrl or IOM_DATAVERSE_URL), " +
        "or use a separate stack for the other environment.",
    },
  );
}
