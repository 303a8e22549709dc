import { describe, expect, it } from "vitest";
import { connectionIdFromUrl, connectionUrl, connectorApi } from "../../../src/iom/formats/connection-url.js";

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

  it("writes the connection page's address with the environment and the connector's API when both are known", () => {
    const url = connectionUrl("shared-commondataser-9a8b", {
      environmentId: "Default-1234",
      connector: "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps",
    });
    expect(url).toBe(
      "https://make.powerautomate.com/environments/Default-1234/connections/shared_commondataserviceforapps/shared-commondataser-9a8b/details",
    );
    expect(connectionIdFromUrl(url)).toBe("shared-commondataser-9a8b");
  });

  it("names the connector by its API name, given as a connector id or as the name itself", () => {
    expect(
      connectorApi("/providers/Microsoft.PowerApps/apis/shared_cr1a6-5fshopify-5fb4ae2b78f4d4086f"),
    ).toBe("shared_cr1a6-5fshopify-5fb4ae2b78f4d4086f");
    expect(connectorApi("shared_commondataserviceforapps")).toBe("shared_commondataserviceforapps");
  });

  it("takes text that is not such a URL as the id itself", () => {
    expect(connectionIdFromUrl(" some-id ")).toBe("some-id");
  });
});
