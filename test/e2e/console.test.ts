// The emulator's console in a real browser: the article's stack is applied by the real engine, then
// Debian's Chromium (headless, through playwright-core) opens the console with the token and the
// test reads what a person would see: the activated provider and its active connection, both
// dual-write maps running with their filters one clause a line, both policies published with their
// rules in words, and the flow's steps with the F&O action. It saves a screenshot under
// .test-output/console/, checks that the token is nowhere in the page, its address or its cookies,
// and that a change made afterwards appears without a reload.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { projectRoot } from "../../src/engine/engine.js";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium.js";
import { articleFiles, TestEnvironment } from "./environment.js";
import { createTestProject, engineForTests, type TestProject } from "./harness.js";

const availability = engineForTests();

/** Where the screenshot goes (git-ignored); docs/images/console.png is a copy of one. */
const SCREENSHOT = path.join(projectRoot, ".test-output", "console", "console.png");

const HEADERS_MAP = "salesorders - CDS sales order headers";
const LINES_MAP = "salesorderdetails - CDS sales order lines";

describe.skipIf(!availability.engine)("the emulator's console, after the article's stack is applied", () => {
  // A token of its own, so that an echo of it anywhere is unmistakable.
  const token = `console-e2e-${randomBytes(12).toString("hex")}`;
  let environment: TestEnvironment;
  let project: TestProject;
  let profile: string | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    environment = await TestEnvironment.start({ token });
    project = await createTestProject(availability.engine!, "index", {
      files: articleFiles(),
      env: environment.env,
    });
    const up = await project.up();
    expect(up.summary.result).toBe("succeeded");
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await project?.dispose();
    await environment?.close();
  });

  /** The card in a section whose title is exactly `name`. */
  const card = (page: Page, section: string, name: string) =>
    page
      .locator(`#${section} article`)
      .filter({ has: page.locator("h3 .name").getByText(name, { exact: true }) });

  it("shows the provider, both filters, both policies and the flow, and follows changes", async () => {
    // Fails, never skips, without the browser, saying how to get it.
    const executablePath = chromiumPath();
    profile = mkdtempSync(path.join(tmpdir(), "iom-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));

    const url = environment.emulator.url;
    await page.goto(`${url}/?token=${token}`);
    // Signed in, and the token already gone from the address bar.
    expect(page.url()).toBe(`${url}/`);
    await expect(page.title()).resolves.toBe("IOM emulator console");

    const provider = card(page, "providers", "Microsoft Finance and Operations apps");
    await expect(provider.locator("h3 .badge").innerText()).resolves.toBe("Activated");
    await expect(provider.locator(".connection").innerText()).resolves.toMatch(
      /^Microsoft Finance and Operations Dataverse \(current environment\) Connection\s+Active\s+https:\/\/make\.powerautomate\.com\//,
    );

    const headers = card(page, "maps", HEADERS_MAP);
    const lines = card(page, "maps", LINES_MAP);
    for (const map of [headers, lines])
      await expect(map.locator("h3 .badge").innerText()).resolves.toBe("Running");
    await expect(headers.locator(".clauses li").allInnerTexts()).resolves.toEqual([
      "msdyn_ordertype eq 192350000",
      "and _msdyn_company_value ne null",
      "and msdyn_isreadytosync eq true",
      "and statuscode ne 100003",
    ]);
    await expect(lines.locator(".clauses li").allInnerTexts()).resolves.toEqual([
      "_msdyn_company_value ne null",
      "and _msdyn_shippingsite_value ne null",
      "and _msdyn_shippingwarehouse_value ne null",
      "and msdyn_isreadytosync eq true",
      "and msdyn_statuscode ne 192350001",
    ]);
    await expect(lines.locator(".fields").innerText()).resolves.toBe(
      "msdyn_isreadytosync F&O to Dataverse: Default true",
    );

    const policies: Array<[string, string]> = [
      [
        "FinOps sales order parameters",
        "when Company does not contain data or Invoice Customer does not contain data, set Company to usmf and Invoice Customer to US-001",
      ],
      [
        "FinOps order product parameters",
        "when Shipping Warehouse does not contain data and the Order's Order Type equals Item based, set Company to usmf, Shipping Site to 1 and Shipping Warehouse to 11",
      ],
    ];
    for (const [name, words] of policies) {
      const policy = card(page, "policies", name);
      await expect(policy.locator("h3 .badge").innerText()).resolves.toBe("Published");
      await expect(policy.locator(".words").innerText()).resolves.toBe(words);
    }

    const flow = card(page, "flows", "Order orchestration with F&O");
    await expect(flow.locator("h3 .badge").innerText()).resolves.toBe("Published");
    await expect(flow.locator(".step .step-name").allInnerTexts()).resolves.toEqual([
      "Validate order header",
      "Validate order line",
      "Send Order to FinOps for Fulfillment",
    ]);
    await expect(flow.locator(".step .action").innerText()).resolves.toBe(
      "Microsoft Finance and Operations apps → Send order to fulfillment",
    );
    await expect(page.locator("#writes").innerText()).resolves.toContain(
      "Designer 'Order orchestration with F&O'",
    );

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`e2e: console screenshot saved to ${path.relative(projectRoot, SCREENSHOT)}`);

    // The token is in no page, address or cookie; the session cookie is out of scripts' reach.
    expect(await page.content()).not.toContain(token);
    for (const cookie of await browser.cookies()) {
      expect(cookie.value).not.toContain(token);
      expect(cookie.httpOnly).toBe(true);
    }
    await expect(page.evaluate(() => document.cookie)).resolves.toBe("");

    // A change made now reaches the open page over server-sent events, without a reload.
    const created = await environment.request("POST", "/api/data/v9.2/msdyn_iompolicies", {
      msdyn_name: "Added while the console was open",
    });
    expect(created.status).toBe(204);
    await card(page, "policies", "Added while the console was open").waitFor();
    expect(page.url()).toBe(`${url}/`);

    // htmx runs under the page's Content-Security-Policy without a complaint.
    expect(problems).toEqual([]);
  });
});
