import { describe, expect, it } from "vitest";
import { connectionIdFromUrl, connectionUrl } from "../../../src/iom/formats/connection-url.js";

describe("the Connection URL of a provider connection [I]", () => {
  it("round-trips a connection id, escaped", () => {
    for (const id of ["shared-commondataser-3f1e2d4c", "local-emulator-dataverse", "a/b c"])
      expect(connectionIdFromUrl(connectionUrl(id))).toBe(id);
  });

  it("reads the id from the URL Power Automate shows for a connection", () => {
    expect(
      connectionIdFromUrl(
        "https://make.powerautomate.com/environments/Default-1234/connections/shared_commondataserviceforapps/shared-commondataser-9a8b/details",
      ),
    ).toBe("shared-commondataser-9a8b");
  });

  it("takes text that is not such a URL as the id itself", () => {
    expect(connectionIdFromUrl(" some-id ")).toBe("some-id");
  });
});
