// Self-assessments and the policies register in the browser, with JavaScript off and
// axe's WCAG 2.2 AA checks on every page:
//
// 1. the manager fills a Quality Performance Mark self-assessment with the keyboard
//    only, and the action plan lists the areas scored red first, then amber;
// 2. the manager adds a policy whose review is overdue and sees it flagged in the
//    register and on the home page;
// 3. the commissioner's self-assessment pages hold the commissioning tasks.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, expectNoAxeViolations } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const COMMISSIONER = "commissioner@demo.advocase.test";

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
  return response;
}

/// Presses Enter on a focused button and waits for the page that answers.
async function pressToSend(page, name) {
  await page.getByRole("button", { name, exact: true }).focus();
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  return response;
}

const mainText = (page) => page.locator("main").innerText();

/// A date `days` from today (negative for the past), as a date field takes it.
function isoDate(days) {
  const when = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  return when.toISOString().slice(0, 10);
}

// The eight quality areas and the score each gets: green is the first radio, amber the
// second and red the third, reached with the arrow keys as a keyboard user would.
const SCORES = [
  ["independence", "amber", "Independence"],
  ["clarity_of_purpose", "green", "Clarity of purpose"],
  ["confidentiality", "green", "Confidentiality"],
  ["safeguarding", "green", "Safeguarding"],
  ["empowerment", "green", "Empowerment and putting people first"],
  ["equality", "red", "Equality, accessibility and diversity"],
  ["accountability", "amber", "Accountability and complaints"],
  ["supporting_advocates", "red", "Supporting advocates"],
];
const ARROWS = { green: 0, amber: 1, red: 2 };

test("the manager fills a self-assessment with the keyboard and the action plan puts red first", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/self-assessment");
    // The demo's earlier assessment is in the history.
    assert.match(await mainText(page), /Earlier self-assessments/);
    await follow(page, page.getByRole("link", { name: "Start a new self-assessment" }));
    await checkPage(page);

    // Sent empty, every area is named and nothing is kept.
    assert.equal((await pressToSend(page, "Save the self-assessment"))?.status(), 422);
    await checkPage(page);
    const summary = await page.locator(".govuk-error-summary").innerText();
    assert.match(summary, /Choose green, amber or red for Independence/);
    assert.match(summary, /Choose green, amber or red for Supporting advocates/);

    for (const [code, score, title] of SCORES) {
      await page.locator(`#rating-${code}`).focus();
      await page.keyboard.press("Space");
      for (let i = 0; i < ARROWS[score]; i += 1) {
        await page.keyboard.press("ArrowRight");
      }
      assert.ok(await page.locator(`input[name="rating-${code}"][value="${score}"]`).isChecked(), `${code} is ${score}`);
      const field = score === "green" ? "strengths" : "actions";
      await page.locator(`#${field}-${code}`).focus();
      await page.keyboard.type(`${score === "green" ? "Strong on" : "Improve"} ${title.toLowerCase()}.`);
    }
    await page.locator("#pages-supporting_advocates").focus();
    await page.keyboard.type("/workforce");
    const response = await pressToSend(page, "Save the self-assessment");
    assert.ok(response && response.status() < 400, `the self-assessment was saved (${response?.status()})`);
    await checkPage(page);
    assert.match(new URL(page.url()).pathname, /^\/self-assessment\/\d+$/);
    const record = await mainText(page);
    assert.match(record, /Since last time/);
    assert.match(record, /Improve equality, accessibility and diversity\./);
    assert.ok(await page.locator('main a[href="/workforce"]').count(), "the figures page is linked");

    await visit(page, "/self-assessment");
    const plan = await page.locator("#action-plan-table tbody tr th").allInnerTexts();
    assert.deepEqual(plan, [
      "Equality, accessibility and diversity",
      "Supporting advocates",
      "Independence",
      "Accountability and complaints",
    ]);
    const tags = await page.locator("#action-plan-table tbody .govuk-tag").allInnerTexts();
    assert.deepEqual(tags.map((t) => t.trim().toLowerCase()), ["red", "red", "amber", "amber"]);
  } finally {
    await context.close();
  }
});

test("a policy added with its review overdue is flagged in the register and on the home page", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/policies");
    assert.match(await mainText(page), /Missing from the register/);
    await follow(page, page.getByRole("link", { name: "Add a policy or procedure" }));
    await checkPage(page);
    // Without an owner or a review date, both are named.
    await page.getByLabel("Which policy or procedure").selectOption("other");
    assert.equal((await pressToSend(page, "Save"))?.status(), 422);
    await checkPage(page);
    const summary = await page.locator(".govuk-error-summary").innerText();
    assert.match(summary, /Enter the name of the policy or procedure/);
    assert.match(summary, /Enter the date of the next review/);

    await page.getByLabel("Which policy or procedure").selectOption("other");
    await page.getByLabel("Its name").fill("Visiting at night");
    await page.getByLabel("Owner", { exact: true }).selectOption({ label: "No member of staff" });
    await page.getByLabel("Or, if the owner is not one member of staff, who owns it").fill("Board of trustees");
    await page.getByLabel("Date of the last review (optional)").fill(isoDate(-800));
    await page.getByLabel("Date of the next review").fill(isoDate(-10));
    const response = await pressToSend(page, "Save");
    assert.ok(response && response.status() < 400, `the policy was saved (${response?.status()})`);
    await checkPage(page);
    assert.equal(new URL(page.url()).pathname, "/policies");
    const row = page.locator("tbody tr", { hasText: "Visiting at night" });
    assert.equal(await row.count(), 1);
    const tag = row.locator(".govuk-tag--red");
    assert.match(await tag.innerText(), /Overdue by 10 days/);

    await follow(page, row.getByRole("link", { name: "Visiting at night" }));
    await checkPage(page);
    assert.match(new URL(page.url()).pathname, /^\/policies\/\d+\/edit$/);

    await visit(page, "/");
    assert.match(await mainText(page), /policies or procedures are overdue for review/);
  } finally {
    await context.close();
  }
});

test("the commissioner rates the commissioning tasks", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, COMMISSIONER, PASSWORD);
    await visit(page, "/self-assessment");
    const overview = await mainText(page);
    assert.match(overview, /Action plan/);
    await follow(page, page.locator('#history a[href^="/self-assessment/"], #history ~ .app-table-scroll a[href^="/self-assessment/"]').first());
    await checkPage(page);
    assert.match(await mainText(page), /Decommission services where they fail to meet outcomes/);
    await visit(page, "/self-assessment/new");
    const form = await mainText(page);
    for (const stage of ["Analyse", "Plan", "Do", "Review"]) {
      assert.match(form, new RegExp(`\\n${stage}\\n`), `the ${stage} stage`);
    }
    assert.doesNotMatch(form, /Case files sampled/);
    await visit(page, "/policies", 404);
  } finally {
    await context.close();
  }
});
