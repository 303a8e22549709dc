// Rules between the YAML's words and the stored definition, against table metadata in memory.
import { describe, expect, it } from "vitest";
import { UnknownOptionError } from "../../../src/dataverse/errors.js";
import { ODataBuildError } from "../../../src/dataverse/odata.js";
import type { PolicyRule } from "../../../src/generated/policy.js";
import { findTable } from "../../../src/iom/tables/index.js";
import { PolicyError } from "../../../src/resources/policy/errors.js";
import type { RuleMetadata } from "../../../src/resources/policy/metadata.js";
import { storeRule, yamlRule } from "../../../src/resources/policy/rules.js";

/** The project's table definitions as an environment's metadata, counting what is asked. */
function memoryMetadata(): RuleMetadata & { asked: string[] } {
  const asked: string[] = [];
  const options = (table: string, column: string) => {
    const options = findTable(table)?.attributes.find((a) => a.logicalName === column)?.options ?? [];
    return options;
  };
  return {
    asked,
    table: (name) => {
      asked.push(name);
      // As the client does: a name that cannot be a logical name never reaches a URL.
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return Promise.reject(new ODataBuildError(name));
      return Promise.resolve(findTable(name));
    },
    optionValue: (table, column, label) => {
      const match = options(table, column).find((o) => o.label.toLowerCase() === label.toLowerCase());
      return match
        ? Promise.resolve(match.value)
        : Promise.reject(new UnknownOptionError(`${table}.${column} has no option "${label}"`));
    },
    optionLabel: (table, column, value) => {
      const match = options(table, column).find((o) => o.value === value);
      return match
        ? Promise.resolve(match.label)
        : Promise.reject(new UnknownOptionError(`${table}.${column} has no option with value ${value}`));
    },
  };
}

const orderProduct = findTable("salesorderdetail");
const order = findTable("salesorder");

// As in policies/finops-order-product.policy.yaml.
const finopsRule: PolicyRule = {
  name: "Assign company, site and warehouse",
  when: {
    and: [
      { field: "Shipping Warehouse", operator: "does not contain data" },
      { relatedEntity: "Order", where: { field: "Order Type", operator: "equals", value: "Item based" } },
    ],
  },
  actions: [
    { set: "Company", to: "usmf" },
    { set: "Shipping Site", to: "1" },
    { set: "Shipping Warehouse", to: "11" },
  ],
};

const finopsStored = {
  condition: {
    and: [
      { column: "msdyn_shippingwarehouse", operator: "null" },
      {
        related: { table: "salesorder", lookup: "salesorderid" },
        where: { column: "msdyn_ordertype", operator: "eq", value: 192350000 },
      },
    ],
  },
  actions: [
    { column: "msdyn_company", value: "usmf" },
    { column: "msdyn_shippingsite", value: "1" },
    { column: "msdyn_shippingwarehouse", value: "11" },
  ],
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("storeRule", () => {
  it("stores logical names, follows lookups to their table and stores choice labels as option values", async () => {
    const md = memoryMetadata();
    expect(await storeRule(md, orderProduct, finopsRule, "rules[0]")).toEqual(finopsStored);
    // The related table is asked for by the lookup's target, never guessed from the YAML's word.
    expect(md.asked).toEqual(["salesorder"]);
  });

  it("resolves names and labels without regard to case, and logical names as they are", async () => {
    const md = memoryMetadata();
    const spelled: PolicyRule = {
      name: finopsRule.name,
      when: {
        and: [
          { field: "msdyn_shippingwarehouse", operator: "does not contain data", value: "ignored" },
          {
            relatedEntity: "salesorderid",
            where: { field: "order type", operator: "equals", value: " item based " },
          },
        ],
      },
      actions: [
        { set: "company", to: "usmf" },
        { set: "msdyn_shippingsite", to: "1" },
        { set: "SHIPPING WAREHOUSE", to: "11" },
      ],
    };
    expect(await storeRule(md, orderProduct, spelled, "rules[0]")).toEqual(finopsStored);
  });

  it("keeps the description and leaves out what is empty", async () => {
    const md = memoryMetadata();
    expect(await storeRule(md, order, { name: "r", description: "why" }, "rules[0]")).toEqual({
      description: "why",
      actions: [],
    });
    expect(await storeRule(md, order, { name: "r", description: "", actions: [] }, "rules[0]")).toEqual({
      actions: [],
    });
  });

  it("stores yes/no columns as true or false, from a boolean or a label", async () => {
    const md = memoryMetadata();
    const rule = (value: string | boolean): PolicyRule => ({
      name: "r",
      when: { field: "Is Ready To Sync", operator: "equals", value },
    });
    for (const value of [true, "Yes", "yes"])
      expect((await storeRule(md, order, rule(value), "rules[0]")).condition).toEqual({
        column: "msdyn_isreadytosync",
        operator: "eq",
        value: true,
      });
    expect((await storeRule(md, order, rule("No"), "rules[0]")).condition).toMatchObject({ value: false });
  });

  it("takes a choice's option value as it is, if the column has it", async () => {
    const md = memoryMetadata();
    const rule = (value: number): PolicyRule => ({
      name: "r",
      actions: [{ set: "Order Type", to: value }],
    });
    expect((await storeRule(md, order, rule(192350001), "rules[0]")).actions).toEqual([
      { column: "msdyn_ordertype", value: 192350001 },
    ]);
    expect(await failure(storeRule(md, order, rule(7), "rules[0]"))).toMatchObject({
      code: "invalid-value",
      path: "rules[0].actions[0].to",
      message: expect.stringMatching(/has no option with value 7/) as unknown,
    });
  });

  it("resolves a display name two columns share as the first, like the validator", async () => {
    const md = memoryMetadata();
    const stored = await storeRule(
      md,
      order,
      { name: "r", actions: [{ set: "Invoice Customer", to: "US-001" }] },
      "rules[0]",
    );
    expect(stored.actions).toEqual([{ column: "msdyn_invoicecustomer", value: "US-001" }]);
  });

  it("relates to a table named by its logical name (one-to-many)", async () => {
    const md = memoryMetadata();
    const stored = await storeRule(
      md,
      order,
      {
        name: "r",
        when: {
          relatedEntity: "salesorderdetail",
          where: { field: "Quantity", operator: "greater than", value: 5 },
        },
      },
      "rules[0]",
    );
    expect(stored.condition).toEqual({
      related: { table: "salesorderdetail" },
      where: { column: "quantity", operator: "gt", value: 5 },
    });
  });

  it("keeps names and values as written when the entity's table is not published (fulfillment orders)", async () => {
    const md = memoryMetadata();
    const rule: PolicyRule = {
      name: "r",
      when: {
        relatedEntity: "Fulfillment",
        where: { field: "Warehouse", operator: "equals", value: "Main" },
      },
      actions: [{ set: "Priority", to: 2 }],
    };
    const stored = await storeRule(md, undefined, rule, "rules[0]");
    expect(stored).toEqual({
      condition: {
        related: { table: "Fulfillment" },
        where: { column: "Warehouse", operator: "eq", value: "Main" },
      },
      actions: [{ column: "Priority", value: 2 }],
    });
    expect(await yamlRule(md, undefined, "r", stored, "rules[0]")).toEqual(rule);
    expect(md.asked).toEqual([]);
  });

  it.each([
    [
      "an unknown column, with a suggestion",
      { name: "r", actions: [{ set: "Shiping Warehouse", to: "11" }] },
      "unknown-column",
      "rules[0].actions[0].set",
      /has no column 'Shiping Warehouse'; did you mean 'Shipping Warehouse'\?/,
    ],
    [
      "an unknown column in a related entity's condition",
      { name: "r", when: { relatedEntity: "Order", where: { field: "Nope", operator: "contains data" } } },
      "unknown-column",
      "rules[0].when.where.field",
      /'Order' \(salesorder\) has no column 'Nope'/,
    ],
    [
      "a comparison without a value",
      { name: "r", when: { field: "Quantity", operator: "equals" } },
      "invalid-value",
      "rules[0].when.value",
      /needs a value/,
    ],
    [
      "a choice column given a boolean",
      {
        name: "r",
        when: { relatedEntity: "Order", where: { field: "Order Type", operator: "equals", value: true } },
      },
      "invalid-value",
      "rules[0].when.where.value",
      /choice column/,
    ],
    [
      "a related entity that is neither a lookup nor a table",
      { name: "r", when: { relatedEntity: "Quantity", where: { field: "x", operator: "contains data" } } },
      "unknown-related-entity",
      "rules[0].when.relatedEntity",
      /neither a lookup of 'salesorderdetail' nor a table/,
    ],
    [
      "a related entity named by words that are no column and cannot be a table's name",
      { name: "r", when: { relatedEntity: "Order Lines", where: { field: "x", operator: "contains data" } } },
      "unknown-related-entity",
      "rules[0].when.relatedEntity",
      /'Order Lines' is neither a lookup/,
    ],
  ] as const)("refuses %s with a located PolicyError", async (_what, rule, code, path, message) => {
    const error = await failure(storeRule(memoryMetadata(), orderProduct, rule as PolicyRule, "rules[0]"));
    expect(error).toBeInstanceOf(PolicyError);
    expect(error).toMatchObject({ code, path });
    expect((error as Error).message).toMatch(message);
  });

  it("refuses a relation through a lookup that points to several tables", async () => {
    const error = await failure(
      storeRule(
        memoryMetadata(),
        order,
        {
          name: "r",
          when: { relatedEntity: "Customer", where: { field: "Name", operator: "contains data" } },
        },
        "rules[0]",
      ),
    );
    expect(error).toMatchObject({ code: "ambiguous-relation", path: "rules[0].when.relatedEntity" });
    expect((error as Error).message).toMatch(/can point to account, contact/);
  });

  it("refuses a label the choice column does not have, saying where", async () => {
    const rule: PolicyRule = { name: "r", actions: [{ set: "Order Type", to: "Item-based" }] };
    const error = await failure(storeRule(memoryMetadata(), order, rule, "rules[0]"));
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as Error).message).toMatch(
      /^rules\[0\]\.actions\[0\]\.to: salesorder\.msdyn_ordertype has no option "Item-based"/,
    );
  });
});

describe("yamlRule", () => {
  it("reads a stored rule back in display names and labels", async () => {
    const md = memoryMetadata();
    expect(await yamlRule(md, orderProduct, finopsRule.name, finopsStored as never, "rules[0]")).toEqual(
      finopsRule,
    );
  });

  it("gives back the YAML as last applied, spelling included, when it says what is stored", async () => {
    const md = memoryMetadata();
    const hint: PolicyRule = {
      name: finopsRule.name,
      description: "",
      when: {
        and: [
          { field: "msdyn_shippingwarehouse", operator: "does not contain data", value: "ignored" },
          { relatedEntity: "order", where: { field: "order type", operator: "equals", value: 192350000 } },
        ],
      },
      actions: [
        { set: "company", to: "usmf" },
        { set: "Shipping Site", to: "1" },
        { set: "Shipping Warehouse", to: "11" },
      ],
    };
    expect(await yamlRule(md, orderProduct, finopsRule.name, finopsStored as never, "rules[0]", hint)).toBe(
      hint,
    );
  });

  it("shows a change made outside iom-gitops, keeping the YAML's words for what did not change", async () => {
    const md = memoryMetadata();
    const hint: PolicyRule = {
      name: finopsRule.name,
      when: {
        and: [
          { field: "msdyn_shippingwarehouse", operator: "does not contain data" },
          { relatedEntity: "order", where: { field: "order type", operator: "equals", value: "item based" } },
        ],
      },
      actions: [
        { set: "company", to: "usmf" },
        { set: "Shipping Site", to: "1" },
        { set: "Shipping Warehouse", to: "11" },
      ],
    };
    const edited = structuredClone(finopsStored);
    edited.condition.and[1] = {
      related: { table: "salesorder", lookup: "salesorderid" },
      where: { column: "msdyn_ordertype", operator: "eq", value: 192350001 },
    };
    edited.actions[0] = { column: "msdyn_company", value: "demf" };
    expect(await yamlRule(md, orderProduct, finopsRule.name, edited as never, "rules[0]", hint)).toEqual({
      name: finopsRule.name,
      when: {
        and: [
          { field: "msdyn_shippingwarehouse", operator: "does not contain data" },
          { relatedEntity: "order", where: { field: "order type", operator: "equals", value: "Work based" } },
        ],
      },
      actions: [
        { set: "company", to: "demf" },
        { set: "Shipping Site", to: "1" },
        { set: "Shipping Warehouse", to: "11" },
      ],
    });
  });

  it("names a column by its logical name when its display name would resolve to another column", async () => {
    const md = memoryMetadata();
    const stored = { actions: [{ column: "msdyn_invoicecustomerid", value: "US-001" }] };
    const read = await yamlRule(md, order, "r", stored, "rules[0]");
    expect(read).toEqual({ name: "r", actions: [{ set: "msdyn_invoicecustomerid", to: "US-001" }] });
    expect(await storeRule(md, order, read, "rules[0]")).toEqual(stored);
  });

  it("round-trips every operator", async () => {
    const md = memoryMetadata();
    const operators = [
      "equals",
      "does not equal",
      "greater than",
      "greater than or equal",
      "less than",
      "less than or equal",
      "contains data",
      "does not contain data",
    ] as const;
    const rule: PolicyRule = {
      name: "r",
      when: {
        or: operators.map((operator) =>
          operator.includes("data")
            ? { field: "Quantity", operator }
            : { field: "Quantity", operator, value: 3 },
        ) as never,
      },
    };
    const stored = await storeRule(md, orderProduct, rule, "rules[0]");
    expect(await yamlRule(md, orderProduct, "r", stored, "rules[0]")).toEqual(rule);
  });

  it("says which stored option value the environment no longer has", async () => {
    const stored = { actions: [{ column: "msdyn_ordertype", value: 5 }] };
    const error = await failure(yamlRule(memoryMetadata(), order, "r", stored, "rules['r']"));
    expect(error).toMatchObject({ code: "invalid-value", path: "rules['r'].actions[0].to" });
  });

  it("says which stored column the environment no longer has", async () => {
    const stored = { actions: [{ column: "msdyn_gone", value: 1 }] };
    const error = await failure(yamlRule(memoryMetadata(), order, "r", stored, "rules['r']"));
    expect(error).toMatchObject({ code: "unknown-column", path: "rules['r'].actions[0].set" });
  });

  it("lets a failure to reach the environment through, even while comparing with the last YAML", async () => {
    const md = memoryMetadata();
    const broken: RuleMetadata = { ...md, optionLabel: () => Promise.reject(new Error("connection reset")) };
    const hint: PolicyRule = { name: "r", actions: [{ set: "Order Type", to: 192350000 }] };
    await expect(
      yamlRule(
        broken,
        order,
        "r",
        { actions: [{ column: "msdyn_ordertype", value: 192350000 }] },
        "rules[0]",
        hint,
      ),
    ).rejects.toThrow("connection reset");
  });
});
