// The provider catalog a new (or reset) emulator starts with: IOM's provider definitions with their
// connection references, logic definitions (provider actions, handlers, pullers) and parameters, and
// the action types the designer's tiles stand for. The emulator's own data, not the client's offline
// catalog (src/iom/catalog.ts), but the display names and logical names are the same on purpose:
// stacks name definitions, connections and actions by them.
//
// Evidence: the F&O tile "Microsoft Finance and Operations apps", its one connection and the
// "Disable Status Update Handlers" parameter are confirmed (IOM:set-up-finops-provider.md,
// IOM:whats-new/whats-new-home-page.md); every other name here is inferred or illustrative. The
// action type labels are the designer's tiles (IOM:orchestration-flows.md); their ids are the
// emulator's, but for one real id (SHOPIFY logic definition msdyn_shopify_cancelorder) whose label
// is not published. Workflow ids are the emulator's: real ones are the Power Automate flows' GUIDs.
// Column names follow the built-in metadata file (data/metadata.json), where each has its evidence.
import { stableId } from "./ids.js";
import type { FieldValue, LookupValue } from "./store.js";

type Add = (table: string, id: string, values: Record<string, FieldValue>) => void;

const DATAVERSE_CONNECTOR = "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps";

// Logic Type values [C: IOM:create-new-provider.md].
const LOGIC_TYPE = { messageHandler: 192350000, providerAction: 192350001, messagePuller: 192350003 };
// Service Type values [I, except 192350001, carried by the Shopify provider: SHOPIFY].
const SERVICE_TYPE = { fulfillment: 192350000, orderIntake: 192350001, inventory: 192350002 };

/** The designer's action tiles [C: IOM:orchestration-flows.md], by the key the catalog uses. */
const ACTION_TYPES = {
  sendToDom: "Send to DOM",
  assignFulfillmentSource: "Assign Fulfillment Source",
  sendToFulfillment: "Send to Fulfillment",
  sendToFinOps: "Send to Fulfillment – Dynamics 365 finance and operations apps",
  sendToInvoice: "Send to Invoice",
  custom: "Custom",
} as const;
type ActionType = keyof typeof ACTION_TYPES;

/** A real action type id whose label Microsoft does not publish. [C: SHOPIFY logic definition] */
export const SHOPIFY_CANCEL_ACTION_TYPE = "9a210207-d5d9-eb11-bacc-002248029d66";

interface Entry {
  name: string;
  logicalName: string;
  description: string;
  serviceType: keyof typeof SERVICE_TYPE;
  connections: Array<{ name: string; logicalName: string; connector: string }>;
  actions: Array<{
    name: string;
    logicalName: string;
    type: keyof typeof LOGIC_TYPE;
    actionType?: ActionType;
    /** An action type row of another id than the catalog's own (a real one: SHOPIFY). */
    actionTypeId?: string;
    /** The flow's real workflow id, where an export shows it; else one derived from the name. */
    workflowId?: string;
  }>;
  parameters?: Array<{ name: string; logicalName: string; defaultValue: string }>;
}

const catalog: readonly Entry[] = [
  {
    name: "Microsoft Finance and Operations apps",
    logicalName: "msdyn_FinanceAndOperationsProvider",
    description:
      "Writes orders to Finance + Operations and consumes orders confirmed there, through dual-write.",
    serviceType: "fulfillment",
    connections: [
      {
        name: "Microsoft Finance and Operations Dataverse (current environment) Connection",
        logicalName: "msdyn_IOMFinOpsDataverseConnection",
        connector: DATAVERSE_CONNECTOR,
      },
    ],
    actions: [
      {
        name: "Send order to fulfillment",
        logicalName: "msdyn_FinOpsSendOrderToFulfillment",
        type: "providerAction",
        actionType: "sendToFinOps",
      },
      {
        name: "Send order to invoice",
        logicalName: "msdyn_FinOpsSendOrderToInvoice",
        type: "providerAction",
        actionType: "sendToInvoice",
      },
      {
        name: "Order status update handler",
        logicalName: "msdyn_FinOpsOrderStatusUpdateHandler",
        type: "messageHandler",
      },
    ],
    parameters: [
      {
        name: "Disable Status Update Handlers",
        logicalName: "msdyn_DisableStatusUpdateHandlers",
        defaultValue: "false",
      },
    ],
  },
  {
    // Microsoft's Shopify provider as its exported solution has it [C: SHOPIFY: the definition,
    // its two connection refs and four logic definitions, with their workflow ids]; the
    // description is ours.
    name: "Shopify",
    logicalName: "msdyn_shopify",
    description: "Provides a channel to retrieve orders and related information from Shopify.",
    serviceType: "orderIntake",
    connections: [
      {
        name: "Shopify Dataverse (current environment) Connection",
        logicalName: "msdyn_sharedcommondataserviceforapps_iomshopify",
        connector: "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps",
      },
      {
        name: "Shopify Connection",
        logicalName: "msdyn_shopify_iom",
        connector: "/providers/Microsoft.PowerApps/apis/shared_cr1a6-5fshopify-5fb4ae2b78f4d4086f",
      },
    ],
    actions: [
      {
        name: "Shopify cancel order",
        logicalName: "msdyn_shopify_cancelorder",
        type: "providerAction",
        actionTypeId: SHOPIFY_CANCEL_ACTION_TYPE,
        workflowId: "2800d8e1-74e5-eb11-bacb-000d3a57d758",
      },
      {
        name: "Pull Shopify Sales Orders",
        logicalName: "msdyn_shopify_pullsalesorder",
        type: "messagePuller",
        workflowId: "d27f76d0-45e0-4628-9d43-b74eb69c5204",
      },
      {
        name: "Create Shopify Customer",
        logicalName: "msdyn_shopify_createcustomer",
        type: "messageHandler",
        workflowId: "c5164da1-7d57-ec11-8f8f-000d3a9cf681",
      },
      {
        name: "Process Shopify Sales Order",
        logicalName: "msdyn_shopify_processsalesorder",
        type: "messageHandler",
        workflowId: "7a5c58e4-d92c-ec11-b6e5-0022481f647c",
      },
    ],
  },
  {
    name: "Flexe",
    logicalName: "msdyn_FlexeProvider",
    description: "Sends fulfillment orders to the Flexe logistics network.",
    serviceType: "fulfillment",
    connections: [
      {
        name: "Flexe Connection",
        logicalName: "msdyn_IOMFlexeConnection",
        connector: "/providers/Microsoft.PowerApps/apis/shared_webcontents",
      },
    ],
    actions: [
      {
        name: "Send order to Flexe for fulfillment",
        logicalName: "msdyn_FlexeSendOrder",
        type: "providerAction",
        actionType: "sendToFulfillment",
      },
    ],
  },
  {
    name: "Dynamics 365 Inventory Visibility",
    logicalName: "msdyn_InventoryVisibilityProvider",
    description: "Checks on-hand inventory for order lines.",
    serviceType: "inventory",
    connections: [
      {
        name: "Inventory Visibility Dataverse Connection",
        logicalName: "msdyn_IOMInventoryVisibilityConnection",
        connector: DATAVERSE_CONNECTOR,
      },
    ],
    actions: [
      {
        name: "Check inventory availability",
        logicalName: "msdyn_InventoryVisibilityCheck",
        type: "providerAction",
        actionType: "custom",
      },
    ],
  },
];

const ref = (table: string, id: string): LookupValue => ({ id, table });
const active = { statecode: 0, statuscode: 1 };

/** Ids derived from names, so that they are the same in every emulator and after every reset. */
export const catalogIds = {
  definition: (logicalName: string) => stableId(`msdyn_iomproviderdefinition:${logicalName}`),
  definitionConnection: (logicalName: string) =>
    stableId(`msdyn_iomproviderdefinitionconnectionref:${logicalName}`),
  logicDefinition: (logicalName: string) =>
    stableId(`msdyn_iomproviderdefinitionlogicdefinition:${logicalName}`),
  definitionParameter: (logicalName: string) =>
    stableId(`msdyn_iomproviderdefinitionparameter:${logicalName}`),
  actionType: (key: string) => stableId(`msdyn_iomactiontype:${key}`),
  workflow: (logicalName: string) => stableId(`workflow:${logicalName}`),
  connectionReference: (logicalName: string) => stableId(`connectionreference:${logicalName}`),
};

/** Adds the catalog's rows through `add`. */
export function seedCatalog(add: Add): void {
  for (const [key, name] of Object.entries(ACTION_TYPES))
    add("msdyn_iomactiontype", catalogIds.actionType(key), { msdyn_name: name, ...active });
  add("msdyn_iomactiontype", SHOPIFY_CANCEL_ACTION_TYPE, {
    msdyn_name: "Shopify cancel order (label not published)",
    ...active,
  });

  for (const entry of catalog) {
    const definitionId = catalogIds.definition(entry.logicalName);
    add("msdyn_iomproviderdefinition", definitionId, {
      msdyn_displayname: entry.name,
      msdyn_logicalname: entry.logicalName,
      msdyn_description: entry.description,
      msdyn_isactive: true,
      // A multi-select choice: the Web API's comma-separated values.
      msdyn_iomservicetype: String(SERVICE_TYPE[entry.serviceType]),
      ...active,
    });
    const definition = ref("msdyn_iomproviderdefinition", definitionId);
    for (const connection of entry.connections) {
      // The Dataverse connection reference the provider's flows use. [C: IOM:create-new-provider.md]
      add("connectionreference", catalogIds.connectionReference(connection.logicalName), {
        connectionreferencedisplayname: connection.name,
        connectionreferencelogicalname: connection.logicalName,
        connectorid: connection.connector,
        promptingbehavior: 0,
        ...active,
      });
      add(
        "msdyn_iomproviderdefinitionconnectionref",
        catalogIds.definitionConnection(connection.logicalName),
        {
          msdyn_displayname: connection.name,
          msdyn_logicalname: connection.logicalName,
          msdyn_connectorid: connection.connector,
          msdyn_iomproviderdefinition: definition,
          ...active,
        },
      );
    }
    for (const action of entry.actions)
      add("msdyn_iomproviderdefinitionlogicdefinition", catalogIds.logicDefinition(action.logicalName), {
        msdyn_displayname: action.name,
        msdyn_logicalname: action.logicalName,
        msdyn_iomproviderdefinition: definition,
        msdyn_logictype: LOGIC_TYPE[action.type],
        msdyn_workflowid: action.workflowId ?? catalogIds.workflow(action.logicalName),
        ...(action.actionTypeId
          ? { msdyn_iomactiontype: ref("msdyn_iomactiontype", action.actionTypeId) }
          : action.actionType
            ? { msdyn_iomactiontype: ref("msdyn_iomactiontype", catalogIds.actionType(action.actionType)) }
            : {}),
        // SHOPIFY's exported logic definitions: 5 minutes, 3 attempts.
        msdyn_timeoutminutes: 5,
        msdyn_maxretryattempts: 3,
        ...active,
      });
    for (const parameter of entry.parameters ?? [])
      add("msdyn_iomproviderdefinitionparameter", catalogIds.definitionParameter(parameter.logicalName), {
        msdyn_displayname: parameter.name,
        msdyn_iomproviderdefinition: definition,
        msdyn_logicalname: parameter.logicalName,
        msdyn_defaultvalue: parameter.defaultValue,
        ...active,
      });
  }
}
