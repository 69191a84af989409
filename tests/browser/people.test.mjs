// Finding a person by name in the browser, with JavaScript off and axe's WCAG 2.2 AA
// checks: the manager opens "Find a person" from the menu, searches with nothing typed
// and then with a given name and the start of a family name, and opens the record.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, checkPage, follow } from "./lib.mjs";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

test("the manager finds a person by name and opens their record", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, "manager@demo.advocase.test", "demo-password");
    await page.goto(`${baseUrl}/`);
    await follow(page, page.getByRole("navigation").getByRole("link", { name: "Find a person" }));
    await checkPage(page);
    await follow(page, page.getByRole("button", { name: "Search" }));
    await checkPage(page);
    // The first hand-written demo referral, accepted onto the waiting list.
    await page.getByLabel("Name").fill("Maya Thorn");
    await follow(page, page.getByRole("button", { name: "Search" }));
    await checkPage(page);
    const main = await page.locator("main").innerText();
    assert.match(main, /1 person found/);
    await follow(page, page.getByRole("link", { name: "Maya Thornbury" }));
    // A manager says why the first time they open someone's record.
    assert.match(new URL(page.url()).pathname, /^\/(people\/\d+|reason)$/);
    await checkPage(page);
  } finally {
    await context.close();
  }
});
