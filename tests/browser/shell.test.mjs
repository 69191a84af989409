// The page shell: signing in and the first page after it, with JavaScript off (every
// page must work without it) and checked against WCAG 2.2 AA with axe.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, expectNoAxeViolations } from "./lib.mjs";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

test("a manager can sign in and reach an accessible page with a way to sign out", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();

    const response = await page.goto(`${baseUrl}/sign-in`);
    assert.equal(response?.status(), 200, "GET /sign-in should answer 200");
    assert.match(await page.locator("h1").innerText(), /sign in/i);
    await expectNoAxeViolations(page);

    await signIn(page, "manager@demo.advocase.test", "demo-password");

    assert.doesNotMatch(
      new URL(page.url()).pathname,
      /^\/sign-in/,
      "after signing in, the browser should have left the sign-in page",
    );
    await assert.doesNotReject(
      page.getByRole("heading", { level: 1 }).first().waitFor({ timeout: 5000 }),
      "the page after signing in should have a main heading",
    );
    const signOut = page.getByRole("button", { name: "Sign out" }).or(page.getByRole("link", { name: "Sign out" }));
    assert.equal(await signOut.count(), 1, 'the page should have one "Sign out" control');
    await expectNoAxeViolations(page);
  } finally {
    await context.close();
  }
});
