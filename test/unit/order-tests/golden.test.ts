// `iom test`'s output in every format, pinned by golden files, on a copy of the article's stack
// broken on purpose (test/fixtures/order-tests: the lines filter as the article prints it, the
// header filter without `statuscode ne 100003`, the order product policy without its Shipping
// Warehouse action). Regenerate with UPDATE_GOLDEN=1 after an intended change.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runTest } from "../../../src/cli/commands/test.js";
import { TEST_FORMATS } from "../../../src/order-tests/format.js";
import { expectGolden } from "../../golden.js";

const FIXTURE = path.resolve(__dirname, "../../fixtures/order-tests");
const GOLDEN = path.join(__dirname, "golden");
const EXTENSION = { text: "txt", json: "json", github: "github.txt", junit: "junit.xml" } as const;

describe("iom test output", () => {
  it.each(TEST_FORMATS)("in %s format", async (format) => {
    let out = "";
    const code = await runTest(["--format", format], { cwd: FIXTURE, write: (t) => (out += t) });
    expect(code).toBe(1);
    expectGolden(GOLDEN, `broken.${EXTENSION[format]}`, out);
  });
});
