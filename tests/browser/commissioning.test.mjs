// The commissioner's portal in the browser, with JavaScript off and axe's WCAG 2.2 AA
// checks on every page:
//
// 1. the commissioner opens their contract's latest report, sees figures beside each
//    chart and small counts not shown, prints it without the navigation, and gets "not
//    found" for a case, a person and another contract;
// 2. the commissioner records a link meeting with an action using the keyboard only;
// 3. the annual report, its easy-read version, demand and the definitions meet WCAG
//    2.2 AA; the manager's forms to record a contract and to change one do too;
// 4. at 320 pixels wide every page of the portal reflows, a refused import included,
//    and home says when the next link meeting is due.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, expectNoAxeViolations } from "./lib.mjs";

const PASSWORD = "demo-password";
const COMMISSIONER = "commissioner@demo.advocase.test";
const MANAGER = "manager@demo.advocase.test";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

async function checkPage(page) {
  assert.equal(await page.locator("h1").count(), 1, `${page.url()} should have one main heading`);
  await expectNoAxeViolations(page);
}

async function visit(page, path, status = 200) {
  const response = await page.goto(`${baseUrl}${path}`);
  assert.equal(response?.status(), status, `GET ${path}`);
  await checkPage(page);
}

async function follow(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), locator.click()]);
  assert.equal(response?.status(), 200, `following to ${page.url()}`);
  await checkPage(page);
}

const mainText = (page) => page.locator("main").innerText();

/// Opens the demo contract from the commissioner's list.
async function openContract(page) {
  await visit(page, "/contracts");
  await follow(page, page.getByRole("link", { name: "Independent advocacy for Northshire (demo)" }));
  return new URL(page.url()).pathname;
}

test("the commissioner reads their contract's report, prints it and sees nobody", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, COMMISSIONER, PASSWORD);
    const contract = await openContract(page);
    await follow(page, page.getByRole("link", { name: /^Report for / }).first());
    const text = await mainText(page);
    assert.match(text, /Key performance indicators/);
    assert.match(text, /Equality monitoring/);
    assert.match(text, /not shown/);
    // Every chart has a table with its figures beside it.
    const charts = await page.locator("svg.app-chart").count();
    const tables = await page.locator("main table").count();
    assert.ok(charts > 0 && tables >= charts, `${charts} charts, ${tables} tables`);
    // Every figure links to its definition.
    assert.ok((await page.locator('main a[href^="/definitions#"]').count()) > 10);
    // The printed report (the accessible PDF) keeps the figures and drops the menus.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator(".moj-primary-navigation").isVisible(), false);
    assert.equal(await page.getByRole("heading", { name: "Equality monitoring" }).isVisible(), true);
    // Paths within Advocase are not printed after each figure's link.
    const printedAddress = await page
      .locator('main a[href^="/definitions#"]')
      .first()
      .evaluate((link) => getComputedStyle(link, "::after").content);
    assert.ok(["none", "normal"].includes(printedAddress), printedAddress);
    await page.emulateMedia({ media: "screen" });
    // Nothing about a person is reachable.
    for (const path of ["/cases/1", "/people/1", "/referrals", "/waiting-list", `${contract}9999`]) {
      const response = await page.goto(`${baseUrl}${path}`);
      assert.equal(response?.status(), 404, path);
    }
    await visit(page, "/definitions");
  } finally {
    await context.close();
  }
});

test("the commissioner records a link meeting with the keyboard only", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, COMMISSIONER, PASSWORD);
    const contract = await openContract(page);
    await visit(page, `${contract}/meetings`);
    // A meeting without its date is refused, naming the field, and keeps what was typed.
    await page.getByLabel("Who was there", { exact: true }).focus();
    await page.keyboard.type("Commissioning manager, service manager");
    await page.getByLabel("What was discussed", { exact: true }).focus();
    await page.keyboard.type("Waiting times in Westfold");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.getByRole("button", { name: "Record the meeting" }).press("Enter")]);
    await checkPage(page);
    assert.match(await page.locator(".govuk-error-summary").innerText(), /Enter the date of the meeting/);
    assert.equal(await page.getByLabel("What was discussed", { exact: true }).inputValue(), "Waiting times in Westfold");
    await page.getByLabel("Date of the meeting", { exact: true }).focus();
    const today = new Date().toISOString().slice(0, 10);
    await page.keyboard.type(today);
    await page.getByLabel("First action", { exact: true }).focus();
    await page.keyboard.type("Share referral guidance with Westfold teams");
    await page.getByLabel("Who will do the first action", { exact: true }).focus();
    await page.keyboard.type("Service manager");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.getByRole("button", { name: "Record the meeting" }).press("Enter")]);
    await checkPage(page);
    assert.match(await mainText(page), /Share referral guidance with Westfold teams/);
  } finally {
    await context.close();
  }
});

test("the annual report, easy read, demand and the contract form meet WCAG 2.2 AA", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, COMMISSIONER, PASSWORD);
    await openContract(page);
    await follow(page, page.getByRole("link", { name: /^Annual report for / }).first());
    assert.match(await mainText(page), /We received/);
    await follow(page, page.getByRole("link", { name: "Easy read version" }));
    assert.match(await mainText(page), /We do not show very small numbers/);
    await visit(page, "/demand");
    assert.match(await mainText(page), /Westfold \(demo\)/);
    // The demo's areas each refer enough people a quarter for the reports to publish
    // their counts, so every area is compared with what is expected. Last year holds
    // the contract's first three quarters, ended whatever the month now.
    await visit(page, `/demand?year=${new Date().getFullYear() - 1}`);
    const bands = await page.locator("table").first().locator("tbody tr td:last-child").allInnerTexts();
    assert.equal(bands.length, 3, bands.join(" | "));
    for (const band of bands) {
      assert.match(band, /^(Fewer than half of those|Between half and three quarters of those|About as many as|More than) expected$/);
    }
    const manager = await newContext(browser, { withJavaScriptDisabled: true });
    try {
      const managerPage = await manager.newPage();
      await signIn(managerPage, MANAGER, PASSWORD);
      await visit(managerPage, "/contracts");
      await visit(managerPage, "/contracts/new");
      await visit(managerPage, "/contracts/1/edit");
    } finally {
      await manager.close();
    }
  } finally {
    await context.close();
  }
});

/// Throws unless the page fits the window's width: at 320 CSS pixels (400% zoom of a
/// 1280 pixel screen) nothing may make the whole page scroll sideways (WCAG 1.4.10).
/// Wide tables scroll inside their own region, which is allowed.
async function expectReflow(page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${page.url()} is ${scrollWidth} pixels wide at ${clientWidth}`);
}

test("the commissioner's pages fit 320 pixels, a refused import too, and home says when to meet", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true, viewport: { width: 320, height: 800 } });
  try {
    const page = await context.newPage();
    await signIn(page, COMMISSIONER, PASSWORD);
    await visit(page, "/");
    assert.match(await mainText(page), /The next link meeting (is|was) due by \d+ \w+ \d{4}/);
    await expectReflow(page);
    const contract = await openContract(page);
    await expectReflow(page);
    for (const name of [/^Report for /, /^Annual report for /]) {
      await visit(page, contract);
      await follow(page, page.getByRole("link", { name }).first());
      await expectReflow(page);
    }
    await visit(page, `${contract}/meetings`);
    await expectReflow(page);
    await visit(page, "/demand");
    await expectReflow(page);
    await page.getByLabel("CSV file of population figures").setInputFiles({
      name: "population.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("area,year,adults,assessments\nNowhere (demo),2026,1000,10\n"),
    });
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.getByRole("button", { name: "Import the figures" }).click()]);
    await checkPage(page);
    assert.match(await page.locator(".govuk-error-summary").innerText(), /Line 2, column area/);
    await expectReflow(page);
  } finally {
    await context.close();
  }
});
