// Every fact about IOM's Dataverse tables that iom-gitops relies on, each with its evidence
// (./evidence.ts): confirmed by a Microsoft source, seen only in third-party code, or inferred (and
// why). Much of IOM is undocumented; the exported solution of Microsoft's Shopify provider
// (SHOPIFY) shows the real columns of the provider definition tables, and the IOM docs (IOM) the
// labels. When a real environment disagrees (`iom doctor` says where), correct the fact here: the
// table definitions, the resources, `iom import` and the assumption check all take it from this
// module, and resources resolve option values by label at run time. The emulator does NOT read
// this module: it serves its own data (src/emulator/data), so that a wrong guess here shows up
// as a difference. docs/evidence.md is generated from these trees.
import { confirmed, inferred, valuesOf } from "./evidence.js";

/** One choice of an option set: the value we picked and the label IOM's UI shows. */
export interface Choice {
  readonly value: number;
  readonly label: string;
}

// Custom option sets in Microsoft solutions number their choices from the publisher's prefix value
// 192350000: the documented Logic Type values do, and so do the Shopify export's service type and
// logic types. Guessed values follow that scheme; they matter only to the emulator and to offline
// checks, since resources look values up by label in the environment.
const PREFIX_VALUE =
  "Microsoft's custom choices are numbered from 192350000 (IOM:create-new-provider.md Logic Type values; SHOPIFY records)";
const base = 192_350_000;

/** A choice whose label is documented and whose value is guessed from the numbering scheme. */
function documentedLabel(offset: number, label: string, cite: `${"IOM" | "SHOPIFY"}:${string}`) {
  return { value: inferred(base + offset, PREFIX_VALUE), label: confirmed(label, cite) };
}

/** A choice whose label and value are both documented. */
function documentedChoice(offset: number, label: string, cite: `IOM:${string}`) {
  return { value: confirmed(base + offset, cite), label: confirmed(label, cite) };
}

const CONVENTION_SET =
  "Dataverse names a custom table's entity set with the plural of its logical name unless told otherwise";
const CONVENTION_ID = "Dataverse names a table's primary id column <logicalname>id";
const CONVENTION_NAME = "Dataverse names a custom table's primary name column <prefix>_name by default";
const DISPLAY_NAME_PRIMARY =
  "the exported definition records carry msdyn_displayname and msdyn_logicalname and no msdyn_name, so the display name is taken to be the primary name";
const IOM_LOOKUP_PATTERN =
  "the exported definition tables name their lookup to the definition msdyn_iomproviderdefinition (after the target table); the instance tables are taken to follow the same pattern";
const LABEL_PATTERN = "the field's label in IOM's UI, lower-cased with the msdyn_ prefix";

const DEFINITION_XML = "SHOPIFY:msdyn_iomproviderdefinitions/msdyn_shopify/msdyn_iomproviderdefinition.xml";
const CONNECTION_REF_XML =
  "SHOPIFY:msdyn_iomproviderdefinitionconnectionrefs/msdyn_shopify_iom/msdyn_iomproviderdefinitionconnectionref.xml";
const LOGIC_XML =
  "SHOPIFY:msdyn_iomproviderdefinitionlogicdefinitions/msdyn_shopify_cancelorder/msdyn_iomproviderdefinitionlogicdefinition.xml";

export const entitySetNameFacts = {
  msdyn_iomproviderdefinition: inferred("msdyn_iomproviderdefinitions", CONVENTION_SET),
  msdyn_iomprovider: inferred("msdyn_iomproviders", CONVENTION_SET),
  msdyn_iomproviderconnectionreference: inferred("msdyn_iomproviderconnectionreferences", CONVENTION_SET),
  msdyn_iomproviderdefinitionconnectionref: inferred(
    "msdyn_iomproviderdefinitionconnectionrefs",
    CONVENTION_SET,
  ),
  msdyn_iomproviderdefinitionparameter: inferred("msdyn_iomproviderdefinitionparameters", CONVENTION_SET),
  msdyn_iomproviderparameter: inferred("msdyn_iomproviderparameters", CONVENTION_SET),
  msdyn_iomproviderdefinitionlogicdefinition: inferred(
    "msdyn_iomproviderdefinitionlogicdefinitions",
    CONVENTION_SET,
  ),
  msdyn_iomactiontype: inferred("msdyn_iomactiontypes", CONVENTION_SET),
  msdyn_iompolicy: inferred("msdyn_iompolicies", CONVENTION_SET),
  msdyn_iomrule: inferred("msdyn_iomrules", CONVENTION_SET),
  msdyn_iomdesigner: inferred("msdyn_iomdesigners", CONVENTION_SET),
} as const;

/**
 * The tables' logical names. Confirmed for the setup tables (IOM:alm.md); the action type table by
 * the Shopify solution, which requires its rows from IOM's own solution.
 */
export const tableFacts = {
  msdyn_iomproviderdefinition: confirmed("msdyn_iomproviderdefinition", "IOM:alm.md"),
  msdyn_iomprovider: confirmed("msdyn_iomprovider", "IOM:alm.md"),
  msdyn_iomproviderconnectionreference: confirmed("msdyn_iomproviderconnectionreference", "IOM:alm.md"),
  msdyn_iomproviderdefinitionconnectionref: confirmed(
    "msdyn_iomproviderdefinitionconnectionref",
    "IOM:alm.md",
  ),
  msdyn_iomproviderdefinitionparameter: confirmed("msdyn_iomproviderdefinitionparameter", "IOM:alm.md"),
  msdyn_iomproviderparameter: confirmed("msdyn_iomproviderparameter", "IOM:alm.md"),
  msdyn_iomproviderdefinitionlogicdefinition: confirmed(
    "msdyn_iomproviderdefinitionlogicdefinition",
    "IOM:alm.md",
  ),
  msdyn_iomactiontype: confirmed("msdyn_iomactiontype", "SHOPIFY:solution.xml"),
  msdyn_iompolicy: confirmed("msdyn_iompolicy", "IOM:alm.md"),
  msdyn_iomrule: confirmed("msdyn_iomrule", "IOM:alm.md"),
  msdyn_iomdesigner: confirmed("msdyn_iomdesigner", "IOM:alm.md"),
} as const;

/**
 * The primary id and primary name column of each IOM table. Every read, match and create of an IOM
 * row names them from here; the assumption check compares them with each table's
 * PrimaryIdAttribute and PrimaryNameAttribute before any write.
 */
export const primaryColumnFacts = {
  msdyn_iomproviderdefinition: {
    id: inferred("msdyn_iomproviderdefinitionid", CONVENTION_ID),
    name: inferred("msdyn_displayname", DISPLAY_NAME_PRIMARY, DEFINITION_XML),
  },
  msdyn_iomprovider: {
    id: inferred("msdyn_iomproviderid", CONVENTION_ID),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
  msdyn_iomproviderconnectionreference: {
    id: inferred("msdyn_iomproviderconnectionreferenceid", CONVENTION_ID),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
  msdyn_iomproviderdefinitionconnectionref: {
    id: inferred("msdyn_iomproviderdefinitionconnectionrefid", CONVENTION_ID),
    name: inferred("msdyn_displayname", DISPLAY_NAME_PRIMARY, CONNECTION_REF_XML),
  },
  msdyn_iomproviderdefinitionparameter: {
    id: inferred("msdyn_iomproviderdefinitionparameterid", CONVENTION_ID),
    name: inferred(
      "msdyn_displayname",
      "a definition table like the three exported ones, which name their rows by msdyn_displayname",
    ),
  },
  msdyn_iomproviderparameter: {
    id: inferred("msdyn_iomproviderparameterid", CONVENTION_ID),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
  msdyn_iomproviderdefinitionlogicdefinition: {
    id: inferred("msdyn_iomproviderdefinitionlogicdefinitionid", CONVENTION_ID),
    name: inferred("msdyn_displayname", DISPLAY_NAME_PRIMARY, LOGIC_XML),
  },
  msdyn_iomactiontype: {
    // The logic definition's lookup is exported as <msdyn_iomactiontype><msdyn_iomactiontypeid>.
    id: confirmed("msdyn_iomactiontypeid", LOGIC_XML),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
  msdyn_iompolicy: {
    id: inferred("msdyn_iompolicyid", CONVENTION_ID),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
  msdyn_iomrule: {
    id: inferred("msdyn_iomruleid", CONVENTION_ID),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
  msdyn_iomdesigner: {
    id: inferred("msdyn_iomdesignerid", CONVENTION_ID),
    name: inferred("msdyn_name", CONVENTION_NAME),
  },
} as const;

/** Column logical names of the IOM tables, by the table they belong to (see assumptions.ts). */
export const columnFacts = {
  providerDefinition: {
    logicalName: confirmed("msdyn_logicalname", DEFINITION_XML), // the solution key
    description: confirmed("msdyn_description", DEFINITION_XML),
    serviceType: confirmed("msdyn_iomservicetype", DEFINITION_XML), // a multi-select choice
    // "Is Active": a definition shows in Providers > Catalog only when Yes.
    isActive: inferred("msdyn_isactive", `${LABEL_PATTERN} (label: IOM:create-new-provider.md)`),
  },
  provider: {
    definition: inferred("msdyn_iomproviderdefinition", IOM_LOOKUP_PATTERN),
    status: inferred(
      "msdyn_providerstatus",
      `${LABEL_PATTERN} ("Installed"/"Activated": IOM:work-providers.md)`,
    ),
  },
  definitionConnectionRef: {
    logicalName: confirmed("msdyn_logicalname", CONNECTION_REF_XML),
    definition: confirmed("msdyn_iomproviderdefinition", CONNECTION_REF_XML),
    connectorId: confirmed("msdyn_connectorid", CONNECTION_REF_XML),
    connectorHideKey: confirmed("msdyn_connectorhidekey", CONNECTION_REF_XML),
    description: confirmed("msdyn_description", CONNECTION_REF_XML),
  },
  providerConnectionRef: {
    provider: inferred("msdyn_iomprovider", IOM_LOOKUP_PATTERN),
    definitionConnectionRef: inferred("msdyn_iomproviderdefinitionconnectionref", IOM_LOOKUP_PATTERN),
    connectionUrl: inferred(
      "msdyn_connectionurl",
      `${LABEL_PATTERN} ("Connection URL": IOM:lab-onboard-provider.md)`,
    ),
    status: inferred(
      "msdyn_connectionstatus",
      `${LABEL_PATTERN} (saved, then activated: IOM:lab-onboard-provider.md)`,
    ),
  },
  definitionParameter: {
    definition: inferred("msdyn_iomproviderdefinition", IOM_LOOKUP_PATTERN),
    logicalName: inferred("msdyn_logicalname", "the key column of the exported definition tables"),
    defaultValue: inferred("msdyn_defaultvalue", LABEL_PATTERN),
    description: inferred("msdyn_description", "the description column of the exported definition tables"),
  },
  providerParameter: {
    provider: inferred("msdyn_iomprovider", IOM_LOOKUP_PATTERN),
    definitionParameter: inferred("msdyn_iomproviderdefinitionparameter", IOM_LOOKUP_PATTERN),
    value: inferred("msdyn_value", LABEL_PATTERN),
  },
  logicDefinition: {
    logicalName: confirmed("msdyn_logicalname", LOGIC_XML),
    definition: confirmed("msdyn_iomproviderdefinition", LOGIC_XML),
    logicType: confirmed("msdyn_logictype", LOGIC_XML),
    workflowId: confirmed("msdyn_workflowid", LOGIC_XML), // the Power Automate flow's workflow id, a GUID
    timeoutMinutes: confirmed("msdyn_timeoutminutes", LOGIC_XML),
    maxRetryAttempts: confirmed("msdyn_maxretryattempts", LOGIC_XML),
    actionType: confirmed("msdyn_iomactiontype", LOGIC_XML), // a lookup to the msdyn_iomactiontype table
    clientData: confirmed(
      "msdyn_clientdata",
      "SHOPIFY:msdyn_iomproviderdefinitionlogicdefinitions/msdyn_shopify_cancelorder/msdyn_clientdata.json",
    ),
    description: inferred(
      "msdyn_description",
      "the description column of the other exported definition tables",
    ),
  },
  policy: {
    policyType: inferred("msdyn_policytype", `${LABEL_PATTERN} ("Policy Type": IOM:policies-rules.md)`),
    criticality: inferred(
      "msdyn_criticality",
      `${LABEL_PATTERN} ("Policy Criticality": IOM:policies-rules.md)`,
    ),
    associatedEntity: inferred(
      "msdyn_associatedentity",
      `${LABEL_PATTERN} ("Associated Entity": IOM:policies-rules.md)`,
    ),
    publishStatus: inferred("msdyn_publishstatus", `${LABEL_PATTERN} ("Status": IOM:policies-rules.md)`),
    versionId: inferred("msdyn_policyversionid", "PolicyVersionId of IOM:alm.md with the msdyn_ prefix"),
    versionState: inferred(
      "msdyn_policyversionstate",
      "PolicyVersionState of IOM:alm.md with the msdyn_ prefix",
    ),
    versionNumber: inferred(
      "msdyn_policyversionnumber",
      "PolicyVersionNumber of IOM:alm.md with the msdyn_ prefix",
    ),
    description: inferred("msdyn_description", LABEL_PATTERN),
  },
  rule: {
    policy: inferred("msdyn_policy", "Rule.Policy of IOM:alm.md with the msdyn_ prefix"),
    // RuleDefinition (a string) is documented; its format is not (src/iom/formats/rule-definition.ts).
    ruleDefinition: inferred("msdyn_ruledefinition", "RuleDefinition of IOM:alm.md with the msdyn_ prefix"),
    associatedEntity: inferred(
      "msdyn_associatedentity",
      "Rule.AssociatedEntity of IOM:alm.md with the msdyn_ prefix",
    ),
  },
  designer: {
    orchestrationType: inferred(
      "msdyn_orchestrationtype",
      `${LABEL_PATTERN} ("Orchestration type": IOM:orchestration-flows.md)`,
    ),
    description: inferred("msdyn_description", LABEL_PATTERN),
    publishStatus: inferred("msdyn_publishstatus", `${LABEL_PATTERN} ("Status": IOM:orchestration-flows.md)`),
    // Steps and edges as JSON; IOM's storage format is not published (src/iom/formats).
    definition: inferred(
      "msdyn_definition",
      "a column for the designer's flow document; name and format unknown",
    ),
  },
} as const;

export const choiceFacts = {
  /** Policy Type: the labels the lab types into the field (were guessed "Filter"/"Execution"). */
  policyType: {
    filter: documentedLabel(0, "Filter Policy", "IOM:lab-create-policies.md"),
    execution: documentedLabel(1, "Execution Policy", "IOM:lab-create-policies.md"),
  },
  /** Policy Criticality (IOM:policies-rules.md shows "Information" and "Critical information"). */
  criticality: {
    information: documentedLabel(0, "Information", "IOM:policies-rules.md"),
    critical: {
      value: inferred(base + 1, PREFIX_VALUE),
      label: inferred(
        "Critical",
        'the docs show the choice as "Critical information" (IOM:policies-rules.md); the stored label is taken to be "Critical" until a real environment shows it',
      ),
    },
  },
  associatedEntity: {
    order: documentedLabel(0, "Order", "IOM:policies-rules.md"),
    orderProduct: documentedLabel(1, "Order product", "IOM:policies-rules.md"),
    fulfillmentOrder: documentedLabel(2, "Fulfillment order", "IOM:policies-rules.md"),
    fulfillmentOrderProduct: documentedLabel(3, "Fulfillment order product", "IOM:policies-rules.md"),
  },
  /** Status of policies and orchestration flows; new records are Unpublished. */
  publishStatus: {
    unpublished: documentedLabel(0, "Unpublished", "IOM:policies-rules.md"),
    published: documentedLabel(1, "Published", "IOM:policies-rules.md"),
  },
  policyVersionState: {
    current: documentedLabel(0, "Current", "IOM:alm.md"),
    archived: documentedLabel(1, "Archived", "IOM:alm.md"),
  },
  /** Status of an installed provider as Providers > Installed shows it. */
  providerStatus: {
    installed: documentedLabel(0, "Installed", "IOM:work-providers.md"),
    activated: documentedLabel(1, "Activated", "IOM:work-providers.md"),
  },
  /** Status of a provider connection reference, which is saved then activated. */
  connectionStatus: {
    inactive: {
      value: inferred(base, PREFIX_VALUE),
      label: inferred("Inactive", "the opposite of Activate in IOM:lab-onboard-provider.md"),
    },
    active: {
      value: inferred(base + 1, PREFIX_VALUE),
      label: inferred("Active", "the result of Activate in IOM:lab-onboard-provider.md"),
    },
  },
  /** Orchestration type: only "Order orchestration" exists. */
  orchestrationType: { order: documentedLabel(0, "Order orchestration", "IOM:orchestration-flows.md") },
  /** Logic Type of provider logic definitions: values and labels documented. */
  logicType: {
    messageHandler: documentedChoice(0, "Provider message handler", "IOM:create-new-provider.md"),
    providerAction: documentedChoice(1, "Provider action", "IOM:create-new-provider.md"),
    childFlow: documentedChoice(2, "Child flow", "IOM:create-new-provider.md"),
    messagePuller: documentedChoice(3, "Provider message puller", "IOM:create-new-provider.md"),
  },
  /**
   * Service Type of a provider definition, a multi-select choice. The Shopify definition (an order
   * intake provider) carries 192350001; the labels are the docs' examples, the other values guessed.
   */
  serviceType: {
    fulfillment: {
      value: inferred(base, PREFIX_VALUE),
      label: confirmed("Fulfillment", "IOM:create-new-provider.md"),
    },
    orderIntake: {
      value: confirmed(base + 1, DEFINITION_XML),
      label: inferred("Order intake", "the Shopify provider, which takes orders in, carries 192350001"),
    },
    inventory: {
      value: inferred(base + 2, PREFIX_VALUE),
      label: inferred("Inventory", "the service of the Inventory Visibility provider"),
    },
  },
} as const;

export const entitySetNames = valuesOf(entitySetNameFacts);
export const primaryColumns = valuesOf(primaryColumnFacts);
export const columns = valuesOf(columnFacts);

export const policyType = valuesOf(choiceFacts.policyType);
export const criticality = valuesOf(choiceFacts.criticality);
export const associatedEntity = valuesOf(choiceFacts.associatedEntity);
export const publishStatus = valuesOf(choiceFacts.publishStatus);
export const policyVersionState = valuesOf(choiceFacts.policyVersionState);
export const providerStatus = valuesOf(choiceFacts.providerStatus);
export const connectionStatus = valuesOf(choiceFacts.connectionStatus);
export const orchestrationType = valuesOf(choiceFacts.orchestrationType);
export const logicType = valuesOf(choiceFacts.logicType);
export const serviceType = valuesOf(choiceFacts.serviceType);

/** The choices of an option set as a list, in value order, for table definitions. */
export function options(set: Readonly<Record<string, Choice>>): Choice[] {
  return Object.values(set).sort((a, b) => a.value - b.value);
}
