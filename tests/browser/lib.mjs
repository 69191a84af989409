// Shared set-up for Advocase's browser tests, run with `node --test tests/browser/`.
//
// The tests drive Debian's Chromium (`/usr/bin/chromium`, package `chromium`) through
// playwright-core. We never use Playwright's own browser download: it fails on our
// machines, and the Debian package is what the test script installs.
//
// Typical use:
//
//   import { test, after } from "node:test";
//   import { openBrowser, newContext, baseUrl, expectNoAxeViolations } from "./lib.mjs";
//
//   const browser = await openBrowser();
//   after(() => browser.close());
//
//   test("the sign-in page has no accessibility failures", async () => {
//     const context = await newContext(browser, { withJavaScriptDisabled: true });
//     const page = await context.newPage();
//     await page.goto(`${baseUrl}/sign-in`);
//     await expectNoAxeViolations(page);
//   });

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

/// Where the server under test listens, e.g. `http://127.0.0.1:40123`, without a
/// trailing slash. scripts/test sets ADVOCASE_URL after starting the server.
export const baseUrl = (process.env.ADVOCASE_URL ?? "").replace(/\/+$/, "");
if (baseUrl === "") {
  throw new Error(
    "ADVOCASE_URL is not set: start the server and run e.g. " +
      "ADVOCASE_URL=http://127.0.0.1:8080 node --test tests/browser/ (scripts/test does this)",
  );
}

/// Chromium's binary; CHROMIUM_PATH overrides it on machines that keep it elsewhere.
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/// Flags for a headless Chromium on a machine with a closed network. Without the
/// background-networking ones Chromium keeps trying to reach Google's servers, and
/// those refused connections slow every start; --no-sandbox because the tests run as
/// root in CI, where Chromium's sandbox cannot start.
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/// The accessibility standard we hold every page to: WCAG 2.2 level AA (axe tags are
/// not cumulative, so every level up to it is listed).
export const axeTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// Starts Chromium and returns it. Playwright gives every launch a fresh, empty
/// temporary profile (its own --user-data-dir, deleted on close), so no state leaks
/// between runs; it refuses a --user-data-dir in `args`, which is why none is passed.
export async function openBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
  });
}

/// A new browser context (a separate cookie jar and cache, like a private window)
/// with British locale and time zone. `withJavaScriptDisabled: true` turns
/// JavaScript off, to prove a page works without it, as every Advocase page must;
/// other options are Playwright's own context options.
export async function newContext(browser, { withJavaScriptDisabled = false, ...options } = {}) {
  const context = await browser.newContext({ ...contextDefaults, ...options, javaScriptEnabled: !withJavaScriptDisabled });
  if (withJavaScriptDisabled) {
    contextsWithoutJavaScript.add(context);
  }
  return context;
}

const contextDefaults = { locale: "en-GB", timezoneId: "Europe/London" };

/// Contexts made by `newContext` with JavaScript off; `expectNoAxeViolations` needs to
/// know, and Playwright has no public way to ask a context.
const contextsWithoutJavaScript = new WeakSet();

/// Signs in through the real sign-in form at /sign-in, as a person would, and waits
/// for the page that follows to load.
export async function signIn(page, email, password) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Email address", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
}

/// Runs axe on the page as it is now and throws if it finds any WCAG 2.2 AA failure,
/// listing every one (rule id, impact, what it means and which elements), so a single
/// test run shows everything to fix.
export async function expectNoAxeViolations(page) {
  const results = contextsWithoutJavaScript.has(page.context())
    ? await axeOnCopyOfPageWithoutJavaScript(page)
    : await new AxeBuilder({ page }).withTags(axeTags).analyze();
  if (results.violations.length === 0) {
    return results;
  }
  const lines = [];
  for (const violation of results.violations) {
    lines.push(`- ${violation.id} (${violation.impact}): ${violation.help} [${violation.helpUrl}]`);
    for (const node of violation.nodes) {
      lines.push(`    at ${node.target.join(" ")}`);
    }
  }
  throw new Error(
    `${results.violations.length} accessibility violation(s) on ${page.url()}:\n${lines.join("\n")}`,
  );
}

/// axe cannot run in a page whose JavaScript is turned off: axe.run needs timers and
/// promises, and in Chromium 156 it takes the whole browser down (seen here: the page
/// closes, then the browser disconnects). So we copy the page as the no-JavaScript
/// reader sees it into a page with JavaScript on and check that instead:
///
/// - the copy is the page's current DOM, taken after the server's response was
///   rendered, with every <script> removed so nothing can change it, and each
///   <noscript> replaced by its contents, which is what a browser without JavaScript
///   shows;
/// - it is served at the same address (Playwright answers that one request itself), so
///   the stylesheet and images load from the server under test as they did for the
///   original, with the same cookies, viewport, locale and time zone.
async function axeOnCopyOfPageWithoutJavaScript(page) {
  const html = await page.evaluate(() => {
    const root = document.documentElement.cloneNode(true);
    for (const script of root.querySelectorAll("script")) {
      script.remove();
    }
    for (const noscript of root.querySelectorAll("noscript")) {
      noscript.replaceWith(...noscript.childNodes);
    }
    const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
    return doctype + root.outerHTML;
  });
  const address = new URL(page.url());
  address.hash = "";
  const source = page.context();
  const copyContext = await source.browser().newContext({
    ...contextDefaults,
    storageState: await source.storageState(),
    viewport: page.viewportSize(),
  });
  try {
    const copy = await copyContext.newPage();
    await copy.route(
      (url) => url.href === address.href,
      (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
      { times: 1 },
    );
    await copy.goto(address.href, { waitUntil: "load" });
    return await new AxeBuilder({ page: copy }).withTags(axeTags).analyze();
  } finally {
    await copyContext.close();
  }
}

/// Checks the page as it is now: one main heading, and no WCAG 2.2 AA failure.
export async function checkPage(page) {
  assert.equal(await page.locator("h1").count(), 1, `${page.url()} should have one main heading`);
  await expectNoAxeViolations(page);
}

/// Opens a path of the server under test, expects `status` and checks the page.
export async function visit(page, path, status = 200) {
  const response = await page.goto(`${baseUrl}${path}`);
  assert.equal(response?.status(), status, `GET ${path}`);
  await checkPage(page);
}

/// Follows a link or presses a button and waits for the page that answers.
export async function follow(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), locator.click()]);
  return response;
}

/// Presses the button with exactly this name and waits for the page that answers.
export async function submit(page, name) {
  return follow(page, page.getByRole("button", { name, exact: true }));
}
