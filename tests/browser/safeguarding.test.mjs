// Safeguarding, complaints and concerns about other services in the browser, with
// JavaScript off and axe's WCAG 2.2 AA checks on every page:
//
// 1. the manager raises a safeguarding concern from a case and sees it counted on the
//    quality dashboard and listed under safeguarding;
// 2. someone complains through the public page using the keyboard only and is told
//    when they will hear back;
// 3. concerns about one care home from three different cases are surfaced as recurrent;
// 4. someone answers the easy-read feedback questionnaire with the keyboard only, faces
//    and all, and the manager sees the answer in the summary.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

const mainText = (page) => page.locator("main").innerText();

/// Opens a case as the manager, saying why the first time.
async function openCase(page, address) {
  await visit(page, address);
  if (new URL(page.url()).pathname === "/reason") {
    await page.getByLabel("Quality check of case files", { exact: false }).check();
    await submit(page, "Continue to the record");
    await checkPage(page);
  }
}

test("the manager raises a safeguarding concern from a case and sees it on the dashboard", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/cases");
    const address = await page.locator('main a[href^="/cases/"]').nth(2).getAttribute("href");
    await openCase(page, address);
    await follow(page, page.getByRole("link", { name: "Raise a safeguarding concern" }));
    await checkPage(page);
    assert.equal((await submit(page, "Save the concern"))?.status(), 422, "an empty concern is refused");
    await checkPage(page);
    await page.getByLabel("Kind of abuse or neglect").selectOption("neglect");
    await page.getByLabel("What happened or what you saw").fill("Left without food or water all afternoon.");
    await page.getByLabel("What the person wants to happen").fill("To be looked after properly.");
    await page.locator('input[name="immediate_risk"][value="yes"]').check();
    await submit(page, "Save the concern");
    await checkPage(page);
    await visit(page, "/quality");
    assert.match(await mainText(page), /open safeguarding concerns/);
    await visit(page, "/safeguarding");
    await visit(page, "/complaints");
    await visit(page, "/signals");
  } finally {
    await context.close();
  }
});

test("someone complains through the public page with the keyboard only and sees when they will hear", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await visit(page, "/complain/easy-read");
    await visit(page, "/complain");
    const type = async (label, text) => {
      await page.getByLabel(label).focus();
      await page.keyboard.type(text);
    };
    await page.getByLabel("Make a complaint").focus();
    await page.keyboard.press("Space");
    const provider = page.getByLabel("Which advocacy service is it about?");
    if ((await provider.count()) > 0) {
      await provider.focus();
      await page.keyboard.press("ArrowDown");
    }
    await type("Your name", "Pat Example");
    await type("How can we reply to you?", "pat@example.org");
    await type("What do you want to tell us?", "My advocate did not come to the meeting.");
    await page.getByRole("button", { name: "Send", exact: true }).focus();
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
    assert.ok(response && response.status() < 400, `the complaint was accepted (${response?.status()})`);
    await checkPage(page);
    assert.match(await mainText(page), /We will give you our answer by/);
  } finally {
    await context.close();
  }
});

test("three concerns about one care home from three cases are surfaced as recurrent", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/cases");
    const addresses = await page.locator('main a[href^="/cases/"]').evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    for (const address of addresses.slice(3, 6)) {
      await openCase(page, address);
      await follow(page, page.getByRole("link", { name: "Record a concern about another service" }));
      await checkPage(page);
      await page.getByLabel("Name of the ward, care home or team").fill("Rowan House");
      await page.getByLabel("Kind of place").selectOption("care_home");
      await page.getByLabel("What it is about").selectOption("dignity");
      await page.getByLabel("How serious").selectOption("moderate");
      await page.getByLabel("What you saw or heard").fill("Residents left in night clothes all day.");
      await submit(page, "Save the concern");
    }
    await visit(page, "/signals");
    // Only the part of the page that lists what needs a signal counts: every concern
    // also appears in the list of concerns recorded in the period.
    const text = await mainText(page);
    const start = text.indexOf("Recurrent and serious concerns");
    const end = text.indexOf("Signals sent");
    assert.ok(start >= 0 && end > start, "the page has both sections");
    const surfaced = text.slice(start + "Recurrent and serious concerns".length, end);
    assert.match(surfaced, /Rowan House/);
    assert.doesNotMatch(surfaced, /No concerns need a signal/);
  } finally {
    await context.close();
  }
});

test("someone answers the easy-read feedback questionnaire with the keyboard only and the manager sees it", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await visit(page, "/feedback");
    await visit(page, "/feedback/easy-read");
    // Nothing chosen: refused, with each question named in the summary of errors.
    assert.equal((await submit(page, "Send"))?.status(), 422, "an empty answer is refused");
    await checkPage(page);
    assert.match(await mainText(page), /Choose a face for: did your advocate listen to you\?/);
    const choose = async (name, value) => {
      await page.locator(`input[name="${name}"][value="${value}"]`).focus();
      await page.keyboard.press("Space");
    };
    const provider = page.getByLabel("Who was your advocate from?");
    if ((await provider.count()) > 0) {
      await provider.focus();
      await page.keyboard.press("ArrowDown");
    }
    await choose("duty", "imha");
    for (const question of ["listened", "understood", "speak_up", "overall"]) {
      await choose(question, "5");
    }
    await page.getByLabel("Tell us anything else").focus();
    await page.keyboard.type("Keyboard-only feedback: my advocate was kind.");
    await choose("filled_in", "with_help");
    await choose("anonymous", "yes");
    await page.getByRole("button", { name: "Send", exact: true }).focus();
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
    assert.equal(response?.status(), 200, "the answer was accepted");
    await checkPage(page);
    assert.match(await mainText(page), /Thank you/);
  } finally {
    await context.close();
  }
  const staff = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await staff.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/quality");
    await follow(page, page.getByRole("link", { name: /feedback questionnaires answered this quarter/ }));
    await checkPage(page);
    const text = await mainText(page);
    assert.match(text, /Keyboard-only feedback: my advocate was kind\./);
    assert.match(text, /Anonymous \(with help\)/);
  } finally {
    await staff.close();
  }
});
