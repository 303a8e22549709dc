// Inside the provider plugin: the metadata of every table the kinds read (entity sets, columns,
// option values, navigation properties), asked for once, as the session starts, beside WhoAmI.
//
// Each kind asks for the metadata it needs when it needs it: a refresh would read a policy's
// table, then its option sets, then the order tables its rules name, each as it came up, and a
// create would wait for a definition, then relationships, then an option set. Asked for at once,
// they are one request (src/dataverse/metadata.ts) in the round of WhoAmI, and every later call
// finds them in the per-process cache. The plugin cannot take them from the program: the engine
// refreshes before the program runs, `pulumi refresh` runs no program at all, and the program is
// another process.
import type { DataverseClient } from "../../dataverse/index.js";
import { runTables } from "../../iom/run-tables.js";

/**
 * Starts reading the metadata the kinds use, without waiting for it. A read that fails is not
 * cached, so the call that needs it asks again and reports the failure itself.
 */
export function warmMetadata(client: DataverseClient): void {
  client.metadata.prefetch(runTables()).catch(() => undefined);
}
