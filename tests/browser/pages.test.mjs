// Every page of the shell, as each role sees it, with JavaScript off: each must load,
// have one main heading, and pass axe's WCAG 2.2 AA checks. Also the pages a new member
// of staff meets: choosing a password and setting up two-step sign-in.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, expectNoAxeViolations } from "./lib.mjs";

const PASSWORD = "demo-password";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

/// Opens `path`, checks it answered `status` with one h1, and runs axe.
async function visit(page, path, status = 200) {
  const response = await page.goto(`${baseUrl}${path}`);
  assert.equal(response?.status(), status, `GET ${path}`);
  assert.equal(await page.locator("h1").count(), 1, `${path} should have one main heading`);
  await expectNoAxeViolations(page);
}

const pagesByRole = {
  "admin@demo.advocase.test": ["/", "/settings", "/admin/users", "/admin/tokens", "/admin/calendars", "/audit"],
  "manager@demo.advocase.test": ["/", "/settings", "/audit", "/audit?action=sign_in"],
  "intake@demo.advocase.test": ["/", "/settings"],
  "advocate@demo.advocase.test": ["/", "/settings"],
  "commissioner@demo.advocase.test": ["/", "/settings"],
};

for (const [email, paths] of Object.entries(pagesByRole)) {
  test(`every page ${email.split("@")[0]} can open is accessible without JavaScript`, async () => {
    const context = await newContext(browser, { withJavaScriptDisabled: true });
    try {
      const page = await context.newPage();
      await signIn(page, email, PASSWORD);
      for (const path of paths) {
        await visit(page, path);
      }
      await visit(page, "/no-such-page", 404);
    } finally {
      await context.close();
    }
  });
}

test("pages a role may not open answer exactly like a page that does not exist", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, "advocate@demo.advocase.test", PASSWORD);
    const missing = await page.goto(`${baseUrl}/no-such-page`);
    const missingText = await page.locator("main").innerText();
    for (const path of ["/admin/users", "/audit", "/admin/calendars"]) {
      const response = await page.goto(`${baseUrl}${path}`);
      assert.equal(response?.status(), missing?.status(), path);
      assert.equal(await page.locator("main").innerText(), missingText, path);
    }
  } finally {
    await context.close();
  }
});

test("a form with mistakes shows an error summary that links to each field", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, "admin@demo.advocase.test", PASSWORD);
    await page.goto(`${baseUrl}/admin/users`);
    await page.getByLabel("Email address").fill("not an email");
    await page.getByRole("button", { name: "Add account" }).click();
    const summary = page.locator(".govuk-error-summary");
    await summary.waitFor();
    assert.ok(await summary.getByRole("link", { name: /email address/i }).count() >= 1);
    assert.equal(await page.getByLabel("Email address").inputValue(), "not an email", "what was typed is kept");
    await expectNoAxeViolations(page);
  } finally {
    await context.close();
  }
});

test("a new member of staff chooses a password and reaches an accessible two-step set-up page", async () => {
  const admin = await newContext(browser, { withJavaScriptDisabled: true });
  let link;
  try {
    const page = await admin.newPage();
    await signIn(page, "admin@demo.advocase.test", PASSWORD);
    await page.goto(`${baseUrl}/admin/users`);
    await page.getByLabel("Name").fill("Robin Newstarter");
    await page.getByLabel("Email address").fill(`robin.${Date.now()}@demo.advocase.test`);
    await page.getByLabel("Role").selectOption("advocate");
    await page.getByRole("button", { name: "Add account" }).click();
    link = await page.locator(".govuk-notification-banner code").innerText();
    assert.match(link, /^\/set-password\//);
  } finally {
    await admin.close();
  }
  const newcomer = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await newcomer.newPage();
    await visit(page, link);
    await page.getByLabel("New password", { exact: true }).fill("a long and memorable passphrase");
    await page.getByLabel("Type the new password again").fill("a long and memorable passphrase");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\/two-factor\/setup$/);
    assert.equal(await page.locator("h1").innerText(), "Set up two-step sign-in");
    await expectNoAxeViolations(page);
    // A wrong code is refused with an accessible error.
    await page.getByLabel("Security code").fill("000000");
    await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await expectNoAxeViolations(page);
  } finally {
    await newcomer.close();
  }
});
