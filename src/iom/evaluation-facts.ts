// How IOM runs policies on an order and how dual-write's Dataverse filter decides whether a row
// syncs, as `iom test` and `iom explain` (src/order-tests) evaluate them. Most of it is not
// documented, so each behaviour is a Fact with its evidence (./evidence.ts), listed in
// docs/evidence.md; the evaluation reads the plain values (`evaluation`), so correcting one when a
// real environment disagrees is a change here.
import { confirmed, inferred, valuesOf } from "./evidence.js";

export const evaluationFacts = {
  dualWriteFilter: {
    /** Text compares without regard to case. */
    stringComparison: confirmed("case-insensitive" as const, "PA:webapi/query/filter-rows.md"),
    /** A lookup is filtered by its Web API value `_<lookup>_value`, the referenced row's id. */
    lookupValue: confirmed("_<lookup>_value" as const, "PA:webapi/query/filter-rows.md"),
    /** Dual-write filters are on the table's own columns: no path through a lookup. */
    lookupPath: confirmed("refused" as const, "DW:customizing-mappings.md"),
    /**
     * An empty column compared with a value (`statuscode ne 100003` on a row without a status):
     * "unknown" (not returned, even by `ne`) or "ne-holds" (OData's reading: null ne 5 is true).
     */
    emptyColumnComparison: inferred(
      "unknown" as "unknown" | "ne-holds",
      "Dataverse runs $filter as a SQL query, where NULL <> 100003 is unknown, not true; FetchXML's ne ('does not equal' in Advanced Find) is widely reported not to return rows without a value; no Microsoft page found states it, and filter-rows.md does not say otherwise. The emulator's query engine (src/emulator/filter-eval.ts) answers the same, and a test of each fails if they diverge",
      "PA:webapi/query/filter-rows.md",
    ),
    /** A filter Dataverse would refuse (unknown column, lookup without _value): what syncs. */
    refusedFilter: inferred(
      "nothing syncs" as const,
      "a map cannot evaluate a filter Dataverse refuses, so no row passes it",
    ),
  },
  policies: {
    /**
     * Which rules of a policy run: "every-match" (each rule whose condition holds, in order, each
     * seeing what earlier ones set) or "first-match".
     */
    ruleSelection: inferred(
      "every-match" as "every-match" | "first-match",
      "the policy designer shows rules as conditions with actions, and the docs do not say that the first match ends a policy",
      "IOM:lab-create-policies.md",
    ),
    /** The order in which a step's execution policies run: the order the step lists them. */
    stepPolicyOrder: inferred(
      "as listed" as const,
      "the article has the policies set Company and the rest before the order syncs, without saying in which order a step runs them; the step's list is the order the designer shows",
      "IOM:set-up-finops-provider.md",
    ),
    /** A condition row on an empty column: "equals" never holds, "does not equal" always does. */
    emptyColumnCondition: inferred(
      "differs from every value" as const,
      "the condition builder's 'does not equal' on a blank column is not documented; a blank is taken to equal nothing",
    ),
    /** A step with filter policies runs when one rule of each of them holds for the order. */
    filterPolicyStep: inferred(
      "one rule holds" as const,
      "filter policies decide whether an orchestration step runs; how their rules combine is not documented",
      "IOM:lab-create-policies.md",
    ),
  },
};

export const evaluation = valuesOf(evaluationFacts);
