// The tables whose metadata a run reads, in the program (its assumption check and validation) and
// in the provider plugin (every kind): the tables the assumptions are about, and the tables the
// policies apply to, whose columns their rules name. Each process asks for all of them in one
// request as it starts (src/dataverse/metadata.ts), rather than one table at a time as each is
// first needed; a table the stack does not use costs bytes in that answer, not a request.
import { ENTITY_TABLES } from "../config/checks/policies.js";
import { assumedTables } from "./assumptions.js";

export function runTables(): string[] {
  const policyTables = Object.values(ENTITY_TABLES).filter((t): t is string => t !== undefined);
  return [...new Set([...assumedTables(), ...policyTables])];
}
