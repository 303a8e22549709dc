import { describe, expect, it } from "vitest";
import { derivedId } from "../../../src/resources/common/ids.js";
import { recordIdFor } from "../../../src/program/declare.js";

describe("derived record ids", () => {
  it("are UUIDs of the name-based layout, the same for the same parts", () => {
    const id = derivedId("iom-gitops", "prod", "policy", "finops sales order parameters");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedId("iom-gitops", "prod", "policy", "finops sales order parameters")).toBe(id);
  });

  it("differ by stack, kind and name, and do not run parts together", () => {
    const ids = [
      derivedId("p", "dev", "policy", "a"),
      derivedId("p", "prod", "policy", "a"),
      derivedId("p", "dev", "orchestration-flow", "a"),
      derivedId("p", "dev", "policy", "b"),
      derivedId("p", "dev", "policya", ""),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("ignore the case and surrounding spaces of a resource name, as IOM compares names", () => {
    expect(recordIdFor("p", "dev", "policy", " FinOps Parameters ")).toBe(
      recordIdFor("p", "dev", "policy", "finops parameters"),
    );
  });
});
