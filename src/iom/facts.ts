// Every IOM fact iom-gitops relies on that Microsoft does not publish. Each one is a guess, marked
// as in the project's domain notes: [I] inferred by us, [3P] seen only in third-party code, [E] a
// choice of the emulator where nothing is known. When a real environment disagrees, correct it
// here: the table definitions, the emulator's metadata and seed data, and the resources all import
// from this module, and the resources resolve values by label at run time wherever the metadata
// allows it. The one other home of guessed names is the provider catalog's data (./catalog.ts):
// action and handler names of catalog entries, kept there because they are seed data, not rules.

/** One choice of an option set: the value we picked and the label IOM's UI shows. */
export interface Choice {
  readonly value: number;
  readonly label: string;
}

// Custom option sets in Microsoft solutions start at the publisher's prefix value 192350000 (the
// documented Logic Type and Order Type values do), so every guessed choice follows that scheme. [I]
const choice = (offset: number, label: string): Choice => ({ value: 192_350_000 + offset, label });

/**
 * Entity set names of the IOM tables: the plural of the logical name, by Dataverse convention. [I]
 * The tool reads the real ones from `EntityDefinitions` at run time; these are what the emulator serves.
 */
export const entitySetNames = {
  msdyn_iomproviderdefinition: "msdyn_iomproviderdefinitions",
  msdyn_iomprovider: "msdyn_iomproviders",
  msdyn_iomproviderconnectionreference: "msdyn_iomproviderconnectionreferences",
  msdyn_iomproviderdefinitionconnectionref: "msdyn_iomproviderdefinitionconnectionrefs",
  msdyn_iomproviderdefinitionparameter: "msdyn_iomproviderdefinitionparameters",
  msdyn_iomproviderparameter: "msdyn_iomproviderparameters",
  msdyn_iomproviderdefinitionlogicdefinition: "msdyn_iomproviderdefinitionlogicdefinitions",
  msdyn_iompolicy: "msdyn_iompolicies",
  msdyn_iomrule: "msdyn_iomrules",
  msdyn_iomdesigner: "msdyn_iomdesigners",
} as const;

/**
 * The primary id and primary name column of each IOM table: `<logicalname>id` and `msdyn_name`, by
 * Dataverse's conventions for custom tables. [I] Every read, match and create of an IOM row names
 * them from here; the assumption check compares them with each table's PrimaryIdAttribute and
 * PrimaryNameAttribute before any write.
 */
export const primaryColumns = {
  msdyn_iomproviderdefinition: { id: "msdyn_iomproviderdefinitionid", name: "msdyn_name" },
  msdyn_iomprovider: { id: "msdyn_iomproviderid", name: "msdyn_name" },
  msdyn_iomproviderconnectionreference: { id: "msdyn_iomproviderconnectionreferenceid", name: "msdyn_name" },
  msdyn_iomproviderdefinitionconnectionref: {
    id: "msdyn_iomproviderdefinitionconnectionrefid",
    name: "msdyn_name",
  },
  msdyn_iomproviderdefinitionparameter: { id: "msdyn_iomproviderdefinitionparameterid", name: "msdyn_name" },
  msdyn_iomproviderparameter: { id: "msdyn_iomproviderparameterid", name: "msdyn_name" },
  msdyn_iomproviderdefinitionlogicdefinition: {
    id: "msdyn_iomproviderdefinitionlogicdefinitionid",
    name: "msdyn_name",
  },
  msdyn_iompolicy: { id: "msdyn_iompolicyid", name: "msdyn_name" },
  msdyn_iomrule: { id: "msdyn_iomruleid", name: "msdyn_name" },
  msdyn_iomdesigner: { id: "msdyn_iomdesignerid", name: "msdyn_name" },
} as const satisfies Record<keyof typeof entitySetNames, { id: string; name: string }>;

/**
 * Column logical names of the IOM tables. The primary id of each table is `<logicalname>id` and the
 * primary name `msdyn_name` (Dataverse conventions for custom tables). [I] The other names follow
 * the field labels documented in IOM's UI and labs (domain.md 1.2-1.4), lower-cased with the
 * `msdyn_` prefix. [I]
 */
export const columns = {
  providerDefinition: {
    logicalName: "msdyn_logicalname", // "Logical name (export key)" [I]
    description: "msdyn_description", // [I]
    isActive: "msdyn_isactive", // "Is Active": shown in Providers > Catalog [I]
    serviceType: "msdyn_servicetype", // "Service Type", e.g. Fulfillment [I]
  },
  provider: {
    definition: "msdyn_providerdefinition", // lookup to the catalog entry [I]
    status: "msdyn_providerstatus", // Installed | Activated, see providerStatus [I]
  },
  definitionConnectionRef: {
    definition: "msdyn_providerdefinition", // [I]
    connectionReference: "msdyn_connectionreference", // lookup to connectionreference [I]
  },
  providerConnectionRef: {
    provider: "msdyn_provider", // [I]
    definitionConnectionRef: "msdyn_providerdefinitionconnectionref", // [I]
    connectionUrl: "msdyn_connectionurl", // "Connection URL" [I]
    status: "msdyn_connectionstatus", // Inactive | Active, see connectionStatus [I]
  },
  definitionParameter: {
    definition: "msdyn_providerdefinition", // [I]
    logicalName: "msdyn_logicalname", // [I]
    defaultValue: "msdyn_defaultvalue", // [I]
    description: "msdyn_description", // [I]
  },
  providerParameter: {
    provider: "msdyn_provider", // [I]
    definitionParameter: "msdyn_providerdefinitionparameter", // [I]
    value: "msdyn_value", // [I]
  },
  logicDefinition: {
    logicalName: "msdyn_logicalname", // [I]
    definition: "msdyn_providerdefinition", // [I]
    logicType: "msdyn_logictype", // values are documented, the column name is not [I]
    workflowName: "msdyn_workflowname", // [I]
    timeoutMinutes: "msdyn_timeoutminutes", // [I]
    maxRetryAttempts: "msdyn_maxretryattempts", // [I]
    description: "msdyn_description", // [I]
    actionType: "msdyn_actiontype", // action types are a table whose name is unknown: kept as text [I]
    clientData: "msdyn_clientdata", // flow JSON [I]
  },
  policy: {
    policyType: "msdyn_policytype", // [I]
    criticality: "msdyn_criticality", // [I]
    associatedEntity: "msdyn_associatedentity", // [I]
    publishStatus: "msdyn_publishstatus", // [I]
    versionId: "msdyn_policyversionid", // PolicyVersionId, documented in alm.md [I]
    versionState: "msdyn_policyversionstate", // PolicyVersionState [I]
    versionNumber: "msdyn_policyversionnumber", // PolicyVersionNumber [I]
    description: "msdyn_description", // [I]
  },
  rule: {
    policy: "msdyn_policy", // [I]
    ruleDefinition: "msdyn_ruledefinition", // RuleDefinition (string); its format is unknown [I]
    associatedEntity: "msdyn_associatedentity", // [I]
  },
  designer: {
    orchestrationType: "msdyn_orchestrationtype", // [I]
    description: "msdyn_description", // [I]
    publishStatus: "msdyn_publishstatus", // [I]
    definition: "msdyn_definition", // steps and edges as JSON; IOM's storage format is unknown [I]
  },
} as const;

/** Policy Type: Filter | Execution (labels [C: policies-rules.md], values [I]). */
export const policyType = { filter: choice(0, "Filter"), execution: choice(1, "Execution") } as const;

/** Criticality: Information | Critical (labels [C: policies-rules.md], values [I]). */
export const criticality = {
  information: choice(0, "Information"),
  critical: choice(1, "Critical"),
} as const;

/** Associated Entity of policies and rules (labels [C: policies-rules.md], values [I]). */
export const associatedEntity = {
  order: choice(0, "Order"),
  orderProduct: choice(1, "Order product"),
  fulfillmentOrder: choice(2, "Fulfillment order"),
  fulfillmentOrderProduct: choice(3, "Fulfillment order product"),
} as const;

/** Status of policies and orchestration flows (labels [C], values [I]); new records are Unpublished. */
export const publishStatus = {
  unpublished: choice(0, "Unpublished"),
  published: choice(1, "Published"),
} as const;

/** PolicyVersionState (labels [C: alm.md], values [I]). */
export const policyVersionState = { current: choice(0, "Current"), archived: choice(1, "Archived") } as const;

/** Status of an installed provider as Providers > Installed shows it (labels [C], values [I]). */
export const providerStatus = {
  installed: choice(0, "Installed"),
  activated: choice(1, "Activated"),
} as const;

/** Status of a provider connection reference, which is saved then activated (labels [C], values [I]). */
export const connectionStatus = { inactive: choice(0, "Inactive"), active: choice(1, "Active") } as const;

/** Orchestration type: only "Order orchestration" exists (label [C: orchestration-flows.md], value [I]). */
export const orchestrationType = { order: choice(0, "Order orchestration") } as const;

/** Logic Type of provider logic definitions: values and labels are documented [C: create-new-provider.md]. */
export const logicType = {
  messageHandler: choice(0, "Message handler"),
  providerAction: choice(1, "Provider action"),
  childFlow: choice(2, "Child flow"),
  messagePuller: choice(3, "Message puller"),
} as const;

/** The choices of an option set as a list, in value order, for table definitions. */
export function options(set: Readonly<Record<string, Choice>>): Choice[] {
  return Object.values(set).sort((a, b) => a.value - b.value);
}
