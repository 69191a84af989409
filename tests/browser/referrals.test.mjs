// A referral from start to waiting list, with JavaScript off and axe's WCAG 2.2 AA
// checks on every page on the way:
//
// 1. a social worker fills in the public referral form with the keyboard only (Tab and
//    typing, Space and the arrow keys for radios, checkboxes and selects, Enter to send)
//    for someone detained under section 3 who also has a Care Act needs assessment, and
//    gets a reference;
// 2. an intake worker finds the referral, sees the engine suggest Care Act advocacy and
//    IMHA, accepts both, and finds both cases on the waiting list, the IMHA one first;
// 3. an intake worker declines another referral and opens the letter that explains how
//    to challenge the decision.
//
// The tests run in order and share the reference of step 1.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, expectNoAxeViolations } from "./lib.mjs";

const PASSWORD = "demo-password";
const INTAKE = "intake@demo.advocase.test";

/// A family name no earlier run used, so a server that ran this test before still
/// gives one match.
const family = `Keys${Date.now().toString(36)}`;
let reference;

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

/// A date some days ago in London, as the form's hint shows it: "27 3 2026".
function daysAgo(days) {
  const date = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
  const [day, month, year] = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London",
    day: "numeric",
    month: "numeric",
    year: "numeric",
  })
    .format(date)
    .split("/");
  return `${day} ${month} ${year}`;
}

/// Opens `path`, checks the status and that the page has one main heading, and runs axe.
async function visit(page, path, status = 200) {
  const response = await page.goto(`${baseUrl}${path}`);
  assert.equal(response?.status(), status, `GET ${path}`);
  await checkPage(page);
}

async function checkPage(page) {
  assert.equal(await page.locator("h1").count(), 1, `${page.url()} should have one main heading`);
  await expectNoAxeViolations(page);
}

/// Presses Tab until the focused element matches `selector`, as a keyboard user moves
/// down the page. Fails when the element is never reached.
async function tabTo(page, selector, limit = 200) {
  for (let presses = 0; presses < limit; presses++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
    await page.keyboard.press("Tab");
  }
  throw new Error(`pressing Tab ${limit} times never reached ${selector}`);
}

async function typeInto(page, name, text) {
  await tabTo(page, `[name="${name}"]`);
  await page.keyboard.type(text);
}

/// Tabs to a radio group, moves to the option with the arrow keys and selects it with Space.
async function chooseRadio(page, name, value) {
  await tabTo(page, `input[type="radio"][name="${name}"]`);
  for (let presses = 0; presses < 12; presses++) {
    if ((await page.evaluate(() => document.activeElement.value)) === value) {
      await page.keyboard.press("Space");
      assert.ok(await page.locator(`input[name="${name}"][value="${value}"]`).isChecked(), `${name}=${value}`);
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`the arrow keys never reached ${name}=${value}`);
}

/// Tabs to a checkbox and ticks it with Space.
async function tick(page, name, value) {
  await tabTo(page, `input[type="checkbox"][name="${name}"][value="${value}"]`);
  await page.keyboard.press("Space");
  assert.ok(await page.locator(`input[name="${name}"][value="${value}"]`).isChecked(), `${name}=${value}`);
}

/// Tabs to a select and moves to the option with the arrow keys.
async function chooseOption(page, name, value) {
  await tabTo(page, `select[name="${name}"]`);
  for (let presses = 0; presses < 20; presses++) {
    if ((await page.evaluate(() => document.activeElement.value)) === value) {
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`the arrow keys never reached ${name}=${value}`);
}

/// Tabs to the form's button and presses Enter, waiting for the page that answers.
async function sendWithEnter(page, formAction) {
  await tabTo(page, `form[action="${formAction}"] button[type="submit"]`);
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  return response;
}

test("a social worker refers someone with the keyboard only and gets a reference", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await visit(page, "/refer");
    assert.ok(await page.getByRole("link", { name: "Use the easy read form" }).isVisible());

    // Sending the empty form shows what is missing, accessibly.
    const refused = await sendWithEnter(page, "/refer");
    assert.equal(refused?.status(), 422);
    const summary = page.locator(".govuk-error-summary");
    assert.ok(await summary.getByRole("link", { name: /first name/i }).count() >= 1);
    assert.match(await page.title(), /^Error:/);
    await checkPage(page);

    // The answers, in the order of the form, with the keyboard only.
    await chooseRadio(page, "referrer_kind", "professional");
    await typeInto(page, "referrer_name", "Sam Social Worker");
    await typeInto(page, "referrer_organisation", "Riverside Council");
    await typeInto(page, "referrer_role", "Approved mental health professional");
    await typeInto(page, "referrer_email", "sam@council.example");
    await typeInto(page, "given_name", "Maya");
    await typeInto(page, "family_name", family);
    await typeInto(page, "date_of_birth", "14 2 1975");
    await typeInto(page, "postcode", "RV1 2AB");
    await typeInto(page, "local_authority", "Riverside Council");
    await tick(page, "needs_interpreter", "yes");
    await chooseRadio(page, "preferred_contact", "in_person");
    await typeInto(page, "what_is_happening", "Detained on Ward 3. A needs assessment for discharge is planned.");
    await chooseOption(page, "mha_status", "detained");
    await typeInto(page, "mha_section", "3");
    await typeInto(page, "compulsion_date", daysAgo(2));
    await chooseRadio(page, "care_needs", "yes");
    await chooseOption(page, "care_act_process", "needs_assessment");
    await tick(page, "difficulty", "understanding");
    await chooseRadio(page, "appropriate_individual", "no");
    await chooseRadio(page, "consent", "given");
    assert.equal(await page.locator("#website").inputValue(), "", "the hidden field is never reached");

    const sent = await sendWithEnter(page, "/refer");
    assert.equal(sent?.status(), 200);
    assert.equal(await page.locator("h1").innerText(), "Referral sent");
    reference = (await page.locator("#reference").textContent()).trim();
    assert.match(reference, /^R-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    await checkPage(page);

    // The private status link shows the reference and nothing about the person.
    const statusLink = await page.locator("#status-link").getAttribute("href");
    await visit(page, statusLink);
    assert.ok((await page.locator("main").innerText()).includes(reference));
    assert.ok(!(await page.locator("main").innerText()).includes(family));

    await visit(page, "/refer/easy-read");
  } finally {
    await context.close();
  }
});

test("intake finds the referral, accepts the two eligible duties and sees them on the waiting list", async () => {
  assert.ok(reference, "the referral of the first test");
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, INTAKE, PASSWORD);
    assert.equal(await page.locator("#overdue-count").count(), 1, "the home page shows the overdue count");
    await visit(page, "/referrals");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.getByRole("link", { name: reference }).click()]);
    await checkPage(page);
    assert.ok((await page.locator("h1").innerText()).includes(family));

    const suggestion = async (duty) => {
      const row = page.locator("#suggestion ~ dl .govuk-summary-list__row", { hasText: duty });
      return (await row.locator(".govuk-tag").textContent()).trim();
    };
    assert.equal(await suggestion("Care Act advocacy"), "Eligible");
    assert.equal(await suggestion("Independent mental health advocacy (IMHA)"), "Eligible");
    assert.notEqual(await suggestion("Independent mental capacity advocacy (IMCA)"), "Eligible");

    await page.locator("#decision_care_act").check();
    await page.locator("#decision_imha").check();
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.getByRole("button", { name: "Save decision" }).click(),
    ]);
    assert.match(new URL(page.url()).pathname, /^\/referrals\/\d+$/);
    await checkPage(page);
    assert.equal(await page.getByRole("button", { name: "Save decision" }).count(), 0, "decided: no form");

    await visit(page, "/waiting-list");
    const rows = await page.locator("tbody tr").allTextContents();
    const ours = rows.filter((row) => row.includes(reference));
    assert.equal(ours.length, 2, "one case per accepted duty");
    assert.ok(ours[0].includes("(IMHA)"), "the IMHA case comes first");
    assert.ok(ours[1].includes("Care Act advocacy"));
    assert.ok(ours[0].includes("IMHA introduction"), "the reason for its place is shown");
  } finally {
    await context.close();
  }
});

test("intake declines a referral and opens the letter that explains how to challenge it", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, INTAKE, PASSWORD);
    await visit(page, "/referrals/new");
    await page.locator('input[name="referrer_kind"][value="self"]').check();
    await page.locator("#given_name").fill("Noor");
    await page.locator("#family_name").fill(`Declined${family}`);
    await page.locator("#what_is_happening").fill("Wants help with a housing appeal.");
    await page.locator('input[name="consent"][value="given"]').check();
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.getByRole("button", { name: "Save referral" }).click(),
    ]);
    assert.match(new URL(page.url()).pathname, /^\/referrals\/\d+$/);
    await checkPage(page);

    await page.locator("#decline_reason").fill("Housing appeals are outside the advocacy we are funded to give.");
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.getByRole("button", { name: "Save decision" }).click(),
    ]);
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.getByRole("link", { name: /Letter explaining the decision/ }).click(),
    ]);
    assert.match(new URL(page.url()).pathname, /^\/referrals\/\d+\/letter$/);
    const letter = await page.locator("main").innerText();
    assert.ok(letter.includes("28 days"));
    assert.ok(letter.includes("Housing appeals are outside"));
    await checkPage(page);
  } finally {
    await context.close();
  }
});
