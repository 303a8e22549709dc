import path from "node:path";
import { describe, expect, it } from "vitest";
import { validatePaths } from "../../../src/config/validate.js";

const ROOT = path.resolve(__dirname, "../../..");

describe("example configuration", () => {
  it("validates the stacks in stacks/ and the policy files they include without findings", async () => {
    const result = await validatePaths(["stacks"], { cwd: ROOT });
    expect(result.findings).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.files).toEqual([
      "policies/finops-order-product.policy.yaml",
      "policies/finops-sales-order.policy.yaml",
      "stacks/local.iom.yaml",
      "stacks/production.iom.yaml",
    ]);
  });

  it("validates the policy files on their own", async () => {
    const result = await validatePaths(["policies"], { cwd: ROOT });
    expect(result.findings).toEqual([]);
  });
});
