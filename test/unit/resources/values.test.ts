// Values stored as text are compared exactly: a change of case in a URL or key is a change, a
// stored "True" or "05" is not taken for true or 5, and an unchanged value is not rewritten.
import { describe, expect, it } from "vitest";

import {
  sameStoredValue,
  typedValue,
  valueFromText,
  valueText,
} from "../../../src/resources/common/values.js";
import { iomProvider } from "../../../src/resources/iom-provider/provider.js";

describe("stored text and YAML values", () => {
  it("store the YAML's value as its plain text", () => {
    expect([valueText(true), valueText(5), valueText("Https://X")]).toEqual(["true", "5", "Https://X"]);
  });

  it("read back in the YAML's type only when the text is exactly how that value is written", () => {
    expect(typedValue("true", false)).toBe(true);
    expect(typedValue("True", false)).toBe("True");
    expect(typedValue("5", 1)).toBe(5);
    expect(typedValue("05", 1)).toBe("05");
    expect(typedValue("5", "x")).toBe("5");
    expect([
      valueFromText("false"),
      valueFromText("12"),
      valueFromText("TRUE"),
      valueFromText("1e3"),
    ]).toEqual([false, 12, "TRUE", "1e3"]);
  });

  it("tell an unchanged stored value, so that it is not written again", () => {
    expect(sameStoredValue("true", true)).toBe(true);
    expect(sameStoredValue("True", true)).toBe(false);
    expect(sameStoredValue(null, "")).toBe(false);
  });
});

describe("the IOM provider's canonical form", () => {
  const canonical = (parameters: Record<string, string | number | boolean>) =>
    JSON.stringify(
      iomProvider.canonical?.({
        name: "finops",
        definition: "Microsoft Finance and Operations apps",
        activated: true,
        parameters,
        recordId: "x",
      } as never),
    );

  it("sees a change of case in a parameter value", () => {
    expect(canonical({ Url: "https://contoso.example/A" })).not.toBe(
      canonical({ Url: "https://contoso.example/a" }),
    );
    expect(canonical({ Flag: "True" })).not.toBe(canonical({ Flag: true }));
  });

  it("compares parameter names without case, as IOM does", () => {
    expect(canonical({ "Disable Status Update Handlers": true })).toBe(
      canonical({ "disable status update handlers": true }),
    );
  });
});
