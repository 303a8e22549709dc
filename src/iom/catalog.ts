// IOM's provider catalog (Providers > Catalog) as iom-gitops knows it offline: each definition
// with its connection references, logic definitions (provider actions, handlers, pullers) and
// parameters. `iom validate` checks references against it without an environment; online, the
// environment's own catalog rows decide. The emulator seeds a catalog of its own (src/emulator).
//
// Each entry carries its evidence (docs/evidence.md lists them). Confirmed: the F&O tile
// "Microsoft Finance and Operations apps" and its one connection (IOM:set-up-finops-provider.md),
// the "Disable Status Update Handlers" parameter (IOM:whats-new/whats-new-home-page.md). Inferred:
// the F&O logical names and action names (not published). The Shopify entry is Microsoft's own
// (SHOPIFY, an exported solution); Flexe and Inventory Visibility are illustrative. Correct them here; nothing else repeats them.
import { confirmed, inferred, type Evidence } from "./evidence.js";
import type { logicType, serviceType } from "./facts.js";

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
  serviceType: keyof typeof serviceType;
  connections: Array<{ name: string; logicalName: string; connector: string }>;
  actions: Array<{ name: string; logicalName: string; type: keyof typeof logicType }>;
  parameters?: Array<{ name: string; logicalName: string; defaultValue: string }>;
  /** Where the entry comes from; its parts that are not in the cited source are guesses. */
  evidence: Evidence;
}

const ILLUSTRATIVE = inferred(
  null,
  "an illustrative entry: names, connections and actions are ours, not a real provider's",
).evidence;

export const providerCatalog: readonly CatalogEntry[] = [
  {
    name: FINOPS_DEFINITION,
    // The tile, its connection and its parameter are documented; logical and action names are not.
    evidence: confirmed(null, "IOM:set-up-finops-provider.md").evidence,
    logicalName: "msdyn_FinanceAndOperationsProvider",
    description:
      "Writes orders to Finance + Operations and consumes orders confirmed there, through dual-write.",
    serviceType: "fulfillment",
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
      },
      {
        name: "Send order to invoice",
        logicalName: "msdyn_FinOpsSendOrderToInvoice",
        type: "providerAction",
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
    name: "Shopify",
    // Microsoft's Shopify provider as its exported solution names it: the definition, its two
    // connections and four flows (one provider action, a puller, two handlers).
    evidence: confirmed(
      null,
      "SHOPIFY:msdyn_iomproviderdefinitions/msdyn_shopify/msdyn_iomproviderdefinition.xml",
    ).evidence,
    logicalName: "msdyn_shopify",
    description: "Provides a channel to retrieve orders and related information from Shopify.",
    serviceType: "orderIntake",
    connections: [
      {
        name: "Shopify Dataverse (current environment) Connection",
        logicalName: "msdyn_sharedcommondataserviceforapps_iomshopify",
        connector: DATAVERSE_CONNECTOR,
      },
      {
        name: "Shopify Connection",
        logicalName: "msdyn_shopify_iom",
        connector: "/providers/Microsoft.PowerApps/apis/shared_cr1a6-5fshopify-5fb4ae2b78f4d4086f",
      },
    ],
    actions: [
      { name: "Shopify cancel order", logicalName: "msdyn_shopify_cancelorder", type: "providerAction" },
      {
        name: "Pull Shopify Sales Orders",
        logicalName: "msdyn_shopify_pullsalesorder",
        type: "messagePuller",
      },
      {
        name: "Create Shopify Customer",
        logicalName: "msdyn_shopify_createcustomer",
        type: "messageHandler",
      },
      {
        name: "Process Shopify Sales Order",
        logicalName: "msdyn_shopify_processsalesorder",
        type: "messageHandler",
      },
    ],
  },
  {
    name: "Flexe",
    evidence: ILLUSTRATIVE,
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
      },
    ],
  },
  {
    name: "Dynamics 365 Inventory Visibility",
    evidence: ILLUSTRATIVE,
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
