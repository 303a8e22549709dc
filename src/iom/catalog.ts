// IOM's provider catalog (Providers > Catalog) as iom-gitops knows it: each definition with its
// connection references, logic definitions (provider actions, handlers, pullers) and parameters.
// The emulator seeds these rows, and `iom validate` checks references against them offline.
//
// What is confirmed [C: IOM/set-up-finops-provider.md]: the F&O tile "Microsoft Finance and
// Operations apps" and its one connection "Microsoft Finance and Operations Dataverse (current
// environment) Connection"; the "Disable Status Update Handlers" parameter [C: whats-new 1.1.3417.4].
// Everything else here is inferred [I]: action, handler and logical names are not published, and
// the other providers' details are illustrative. Correct them here; nothing else repeats them.
import type { logicType } from "./facts.js";

export const FINOPS_DEFINITION = "Microsoft Finance and Operations apps";
export const FINOPS_CONNECTION =
  "Microsoft Finance and Operations Dataverse (current environment) Connection";
/** The F&O provider action that sends an order to F&O for fulfillment [I]. */
export const FINOPS_SEND_TO_FULFILLMENT = "Send order to fulfillment";

const DATAVERSE_CONNECTOR = "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps";

export interface CatalogEntry {
  name: string;
  logicalName: string;
  description: string;
  serviceType: string;
  connections: Array<{ name: string; logicalName: string; connector: string }>;
  actions: Array<{ name: string; logicalName: string; type: keyof typeof logicType; workflow: string }>;
  parameters?: Array<{ name: string; logicalName: string; defaultValue: string }>;
}

export const providerCatalog: readonly CatalogEntry[] = [
  {
    name: FINOPS_DEFINITION,
    logicalName: "msdyn_FinanceAndOperationsProvider",
    description:
      "Writes orders to Finance + Operations and consumes orders confirmed there, through dual-write.",
    serviceType: "Fulfillment",
    connections: [
      {
        name: FINOPS_CONNECTION,
        logicalName: "msdyn_IOMFinOpsDataverseConnection",
        connector: DATAVERSE_CONNECTOR,
      },
    ],
    actions: [
      {
        name: FINOPS_SEND_TO_FULFILLMENT,
        logicalName: "msdyn_FinOpsSendOrderToFulfillment",
        type: "providerAction",
        workflow: "IOM FinOps Send Order To Fulfillment",
      },
      {
        name: "Send order to invoice",
        logicalName: "msdyn_FinOpsSendOrderToInvoice",
        type: "providerAction",
        workflow: "IOM FinOps Send Order To Invoice",
      },
      {
        name: "Order status update handler",
        logicalName: "msdyn_FinOpsOrderStatusUpdateHandler",
        type: "messageHandler",
        workflow: "IOM FinOps Order Status Update Handler",
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
    name: "Shopify",
    logicalName: "msdyn_ShopifyProvider",
    description: "Pulls orders from a Shopify store and sends fulfillment updates back.",
    serviceType: "Order intake",
    connections: [
      {
        name: "Shopify Connection",
        logicalName: "msdyn_IOMShopifyConnection",
        connector: "/providers/Microsoft.PowerApps/apis/shared_shopify",
      },
    ],
    actions: [
      {
        name: "Get orders from Shopify",
        logicalName: "msdyn_ShopifyGetOrders",
        type: "messagePuller",
        workflow: "IOM Shopify Get Orders",
      },
      {
        name: "Send fulfillment update to Shopify",
        logicalName: "msdyn_ShopifySendFulfillmentUpdate",
        type: "providerAction",
        workflow: "IOM Shopify Fulfillment Update",
      },
    ],
  },
  {
    name: "Flexe",
    logicalName: "msdyn_FlexeProvider",
    description: "Sends fulfillment orders to the Flexe logistics network.",
    serviceType: "Fulfillment",
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
        workflow: "IOM Flexe Send Order",
      },
    ],
  },
  {
    name: "Dynamics 365 Inventory Visibility",
    logicalName: "msdyn_InventoryVisibilityProvider",
    description: "Checks on-hand inventory for order lines.",
    serviceType: "Inventory",
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
        workflow: "IOM Inventory Visibility Check",
      },
    ],
  },
];

/** Dataverse compares names without regard to case; so does the catalog. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function findCatalogEntry(name: string): CatalogEntry | undefined {
  return providerCatalog.find((entry) => sameName(entry.name, name));
}
