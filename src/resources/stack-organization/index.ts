// The stack-organization kind, program side: one resource per stack recording the organization
// (Dataverse WhoAmI) the stack manages. Every other resource of the stack depends on it, so a
// stack pointed at another environment is refused before its first write, creates included
// (./provider.ts).
import { iomResourceClass } from "../common/dynamic.js";

export interface StackOrganizationInputs {
  /** The organization the configured environment is (WhoAmI), asked by the program; absent offline. */
  organizationId?: string;
}

/** The Pulumi name of a stack's one StackOrganization resource. */
export const STACK_ORGANIZATION_NAME = "organization";

/** Declared under STACK_ORGANIZATION_NAME. */
export const StackOrganization = iomResourceClass<StackOrganizationInputs>("stack-organization");
export type StackOrganization = InstanceType<typeof StackOrganization>;
