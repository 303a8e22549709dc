// The policy's rows and the YAML shape, the rule plan, and the comparable form, without HTTP.
import { describe, expect, it } from "vitest";
import type { Policy } from "../../../src/generated/policy.js";
import { PolicyError } from "../../../src/resources/policy/errors.js";
import { policy } from "../../../src/resources/policy/provider.js";
import {
  changedColumns,
  inYamlOrder,
  planRules,
  policyColumns,
  policyHeader,
  type PolicyOptionValues,
} from "../../../src/resources/policy/rows.js";
import { changedKeys } from "../../../src/resources/runtime/kind.js";

// Deliberately not the values src/iom/inferred.ts guesses: the rows must use what they are given.
const values: PolicyOptionValues = {
  type: { filter: 10, execution: 11 },
  criticality: { information: 20, critical: 21 },
  entity: { order: 30, "order product": 31, "fulfillment order": 32, "fulfillment order product": 33 },
  ruleEntity: { order: 40, "order product": 41, "fulfillment order": 42, "fulfillment order product": 43 },
  published: 51,
  unpublished: 50,
  current: 60,
  archived: 61,
};

const yaml: Policy = {
  name: "FinOps sales order parameters",
  description: "Assigns the legal entity.",
  type: "execution",
  criticality: "critical",
  entity: "order",
  published: true,
  rules: [
    {
      name: "Assign company and invoice customer",
      when: {
        or: [
          { field: "Company", operator: "does not contain data" },
          { field: "Invoice Customer", operator: "does not contain data" },
        ],
      },
      actions: [
        { set: "Company", to: "usmf" },
        { set: "Invoice Customer", to: "US-001" },
      ],
    },
  ],
};

describe("policy rows", () => {
  it("writes the policy's fields as the environment's option values", () => {
    expect(policyColumns(yaml, values, "msdyn_name")).toEqual({
      msdyn_name: "FinOps sales order parameters",
      msdyn_description: "Assigns the legal entity.",
      msdyn_policytype: 11,
      msdyn_criticality: 21,
      msdyn_associatedentity: 30,
    });
    expect(policyColumns({ ...yaml, description: "" }, values, "msdyn_name").msdyn_description).toBeNull();
  });

  it("reads a row back in the YAML's words and order", () => {
    const row = {
      msdyn_name: yaml.name,
      msdyn_description: yaml.description,
      msdyn_policytype: 11,
      msdyn_criticality: 21,
      msdyn_associatedentity: 31,
      msdyn_publishstatus: 50,
    };
    const header = policyHeader(row, values, "msdyn_name");
    expect(header).toEqual({
      name: yaml.name,
      description: yaml.description,
      type: "execution",
      criticality: "critical",
      entity: "order product",
      published: false,
    });
    expect(Object.keys(header)).toEqual([
      "name",
      "description",
      "type",
      "criticality",
      "entity",
      "published",
    ]);
    expect(policyHeader({ ...row, msdyn_publishstatus: 51 }, values, "msdyn_name").published).toBe(true);
  });

  it("reads a missing description as none, or as the YAML's empty one", () => {
    const row = { msdyn_name: "p", msdyn_policytype: 10, msdyn_criticality: 20, msdyn_associatedentity: 30 };
    expect(policyHeader(row, values, "msdyn_name")).not.toHaveProperty("description");
    expect(policyHeader(row, values, "msdyn_name", { description: "" }).description).toBe("");
    expect(policyHeader(row, values, "msdyn_name", { description: "old" })).not.toHaveProperty("description");
  });

  it("names the option value it does not know", () => {
    const row = { msdyn_name: "p", msdyn_policytype: 99, msdyn_criticality: 20, msdyn_associatedentity: 30 };
    expect(() => policyHeader(row, values, "msdyn_name")).toThrow(PolicyError);
    expect(() => policyHeader(row, values, "msdyn_name")).toThrow(
      /policy 'p' has policy type 99, which is none of filter, execution/,
    );
  });

  it("compares columns with an empty text equal to none", () => {
    const row = { msdyn_name: "a", msdyn_description: null, msdyn_policytype: 10 };
    expect(changedColumns(row, { msdyn_name: "a", msdyn_description: "", msdyn_policytype: 10 })).toEqual({});
    expect(changedColumns(row, { msdyn_name: "b", msdyn_description: "x", msdyn_policytype: 10 })).toEqual({
      msdyn_name: "b",
      msdyn_description: "x",
    });
  });
});

describe("planRules", () => {
  const rule = (name: string, definition: string) => ({
    name,
    columns: { msdyn_name: name, msdyn_ruledefinition: definition, msdyn_associatedentity: 40 },
  });
  const existing = (id: string, name: string, definition: string) => ({
    id,
    columns: rule(name, definition).columns,
  });

  it("creates, updates and deletes so that the rules equal the YAML's, matched by name", () => {
    const plan = planRules(
      [existing("1", "Keep", "a"), existing("2", "Change", "old"), existing("3", "Drop", "x")],
      [rule("Keep", "a"), rule("Change", "new"), rule("Add", "b")],
      "msdyn_name",
    );
    expect(plan).toEqual({
      create: [rule("Add", "b")],
      update: [{ id: "2", changes: { msdyn_ruledefinition: "new" } }],
      delete: ["3"],
    });
  });

  it("matches names without regard to case, and renames to the YAML's case", () => {
    const plan = planRules(
      [existing("1", "assign company", "a")],
      [rule("Assign Company", "a")],
      "msdyn_name",
    );
    expect(plan).toEqual({
      create: [],
      update: [{ id: "1", changes: { msdyn_name: "Assign Company" } }],
      delete: [],
    });
  });

  it("deletes a second rule of the same name", () => {
    const plan = planRules(
      [existing("1", "R", "a"), existing("2", "r", "a")],
      [rule("R", "a")],
      "msdyn_name",
    );
    expect(plan).toEqual({ create: [], update: [], delete: ["2"] });
  });

  it("changes nothing when the rules are as the YAML says", () => {
    expect(planRules([existing("1", "R", "a")], [rule("R", "a")], "msdyn_name")).toEqual({
      create: [],
      update: [],
      delete: [],
    });
  });

  it("refuses two YAML rules with one name", () => {
    expect(() => planRules([], [rule("R", "a"), rule(" r ", "b")], "msdyn_name")).toThrow(
      /two rules are named ' r '/,
    );
  });
});

describe("inYamlOrder", () => {
  it("keeps the YAML's order and puts rules it does not have last, by name", () => {
    const read = [{ name: "c" }, { name: "Extra 2" }, { name: "a" }, { name: "Extra 1" }, { name: "B" }];
    expect(inYamlOrder(read, [{ name: "b" }, { name: "c" }, { name: "a" }]).map((r) => r.name)).toEqual([
      "B",
      "c",
      "a",
      "Extra 1",
      "Extra 2",
    ]);
  });
});

describe("policy.canonical (what the diff compares)", () => {
  const inputs = { ...yaml, recordId: "6f1c1d39-2f3e-5a4b-8c7d-9e0f1a2b3c4d" };
  const diff = (change: (p: Policy) => void): string[] => {
    const changed = structuredClone(inputs);
    change(changed);
    return changedKeys(policy.canonical(inputs), policy.canonical(changed));
  };

  const rule = inputs.rules[0];
  const withRules = (rules: Policy["rules"]): Policy => ({ ...yaml, rules });
  it.each<[string, Policy, Policy]>([
    [
      "the rules' order",
      withRules([rule, { name: "Second", actions: [] }]),
      withRules([{ name: "Second", actions: [] }, rule]),
    ],
    ["an empty description for none", { ...yaml, description: "" }, { ...yaml, description: undefined }],
    ["a description's trailing newline", yaml, { ...yaml, description: `${yaml.description}\n` }],
    [
      "an empty rule description and action list for none",
      withRules([{ name: "R" }]),
      withRules([{ name: "R", description: "", actions: [] }]),
    ],
    [
      "the case and spacing of a field's name",
      withRules([{ name: "R", actions: [{ set: "Company", to: "usmf" }] }]),
      withRules([{ name: "R", actions: [{ set: "  company ", to: "usmf" }] }]),
    ],
    [
      "a value given to 'contains data'",
      withRules([{ name: "R", when: { field: "Company", operator: "contains data" } }]),
      withRules([{ name: "R", when: { field: "Company", operator: "contains data", value: "x" } }]),
    ],
    [
      "the case of a compared value (Dataverse compares text without case)",
      withRules([{ name: "R", when: { field: "Order Type", operator: "equals", value: "Item based" } }]),
      withRules([{ name: "R", when: { field: "order type", operator: "equals", value: "item based " } }]),
    ],
  ])("ignores %s", (_what, before, after) => {
    expect(
      changedKeys(
        policy.canonical({ ...before, recordId: inputs.recordId }),
        policy.canonical({ ...after, recordId: inputs.recordId }),
      ),
    ).toEqual([]);
  });

  it("ignores the program's record id", () => {
    expect(diff((p) => Object.assign(p, { recordId: "11111111-1111-4111-8111-111111111111" }))).toEqual([]);
  });

  it.each<[string, (p: Policy) => void, string]>([
    ["a set value's case", (p) => (p.rules[0].actions![0]!.to = "USMF"), "rules"],
    [
      "an operator",
      (p) => ((p.rules[0].when as { or: Array<{ operator: string }> }).or[0]!.operator = "contains data"),
      "rules",
    ],
    ["a rule's name", (p) => (p.rules[0].name = "Other"), "rules"],
    ["an added rule", (p) => p.rules.push({ name: "More" }), "rules"],
    ["publishing", (p) => (p.published = false), "published"],
    ["the criticality", (p) => (p.criticality = "information"), "criticality"],
    ["the description", (p) => (p.description = "Something else"), "description"],
  ])("shows %s", (_what, change, key) => {
    expect(diff(change)).toEqual([key]);
  });
});
