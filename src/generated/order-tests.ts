/* eslint-disable */
/**
 * Generated from schemas/order-tests.schema.json by `npm run generate` (scripts/generate-types.mjs).
 * Do not edit by hand: change the schema and regenerate.
 */

/**
 * Order cases (tests/<name>.orders.yaml) that `iom test` runs against a stack: an order and its lines, and what the stack's published execution policies and dual-write filters must do with them.
 */
export interface OrderTests {
  /**
   * The version of this file format; always 1.
   */
  version: 1;
  /**
   * What the cases in this file are about.
   */
  description?: string;
  /**
   * The stack file the cases are written for, relative to this file (../stacks/local.iom.yaml). `iom test --stack` overrides it.
   */
  stack?: string;
  /**
   * The order cases, each run on its own.
   *
   * @minItems 1
   */
  cases: [OrderCase, ...OrderCase[]];
}
/**
 * One order as it arrives in IOM, its lines, and what must happen to each.
 */
export interface OrderCase {
  /**
   * What the case shows, unique within the file; printed when it fails.
   */
  name: string;
  /**
   * The published orchestration flow whose execution policies run, by name. @default the stack's only published order orchestration flow
   */
  flow?: string;
  order: OrderRecord;
  /**
   * The order's lines (table salesorderdetail), in order.
   */
  lines?: OrderLine[];
}
/**
 * A record's column values and what must happen to it.
 */
export interface OrderRecord {
  fields?: FieldValues;
  expect?: RecordExpectation;
}
/**
 * Column values by display name ("Order Type") or logical name ("msdyn_ordertype"): a choice by its label ("Item based") or value, a lookup by the name of the row it points to ("usmf") or its GUID, Yes/No as true or false, null for no value.
 */
export interface FieldValues {
  [k: string]: string | number | boolean | null;
}
/**
 * What must hold once the policies ran. Only what is listed is checked.
 */
export interface RecordExpectation {
  /**
   * Every rule whose condition holds for the record, in the order they run; [] when none does.
   */
  rules?: RuleRef[];
  values?: FieldValues;
  /**
   * Whether the record passes the Dataverse filter of the stack's dual-write maps on its table: true or false for every such map, or per map by the map's name in the stack.
   */
  syncs?:
    | boolean
    | {
        [k: string]: boolean;
      };
  /**
   * The filter clause that keeps the record from syncing, as written in the stack's filter ("statuscode ne 100003"); spaces are not significant.
   */
  heldBackBy?: string;
}
/**
 * A rule of a policy, by the policy's and the rule's names.
 */
export interface RuleRef {
  /**
   * The policy's name.
   */
  policy: string;
  /**
   * The rule's name within the policy.
   */
  rule: string;
}
/**
 * One order line (order product).
 */
export interface OrderLine {
  /**
   * How messages name the line. @default "line N"
   */
  name?: string;
  fields?: FieldValues;
  expect?: RecordExpectation;
}
