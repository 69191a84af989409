// The workforce pages with JavaScript off and axe's WCAG 2.2 AA checks on each:
//
// 1. the manager sets the IMHA qualification rule (unit 405 at least in progress); on an
//    IMHA case from the waiting list Sam Okafor, who has no unit 405, is not offered and
//    the page says why; the manager records 405 as in progress on Sam's profile (a date
//    achieved before the start is refused first), and Sam is then offered; every other
//    workforce page is checked on the way, and the rule is removed again at the end;
// 2. the advocate, Jo Lindqvist, sees their own profile and reminders, records training
//    and answers the equality questions.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const ADVOCATE = "advocate2@demo.advocase.test";
const UNQUALIFIED = "Sam Okafor";
const IMHA = "Independent mental health advocacy (IMHA)";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

async function main(page) {
  return page.locator("main").innerText();
}

async function setImhaRule(page, units) {
  await visit(page, "/workforce/rules/imha");
  for (const box of await page.locator('input[name="unit"]').all()) {
    await box.uncheck();
  }
  for (const unit of units) {
    await page.locator(`input[name="unit"][value="${unit}"]`).check();
  }
  if (units.length > 0) {
    await page.getByLabel("At least in progress").check();
  }
  assert.equal((await submit(page, "Save"))?.status(), 200);
  assert.equal(new URL(page.url()).pathname, "/workforce/rules");
  await checkPage(page);
}

test("an advocate without unit 405 is not offered for IMHA until the manager records it in progress", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  const page = await context.newPage();
  try {
    await signIn(page, MANAGER, PASSWORD);
    await checkPage(page);
    await visit(page, "/workforce");
    await visit(page, "/workforce/equality");
    await visit(page, "/workforce/rules");
    await setImhaRule(page, ["405"]);
    assert.ok((await main(page)).includes("Units 405 at least in progress."));

    // Sam works under every duty, so only the rule keeps them off the list.
    await visit(page, "/advocates");
    const link = page.getByRole("link", { name: UNQUALIFIED, exact: true });
    const profile = await link.getAttribute("href");
    await follow(page, link);
    await checkPage(page);
    await follow(page, page.getByRole("link", { name: "Change allocation settings" }));
    await checkPage(page);
    await page.locator('input[name="duty"][value="imha"]').check();
    await submit(page, "Save settings");
    assert.equal(new URL(page.url()).pathname, profile);

    // An IMHA case near the end of the waiting list, away from the cases other tests use.
    await visit(page, "/waiting-list");
    const row = page.locator("tbody tr", { hasText: IMHA }).last();
    const allocate = await row.locator('a[href$="/allocate"]').getAttribute("href");
    await visit(page, allocate);
    if (new URL(page.url()).pathname === "/reason") {
      // The first time a manager opens a case that is not theirs, they say why.
      await page.getByLabel("Allocating or re-allocating the case").check();
      await submit(page, "Continue to the record");
      assert.equal(new URL(page.url()).pathname, allocate);
      await checkPage(page);
    }
    assert.equal(await page.getByRole("radio", { name: new RegExp(UNQUALIFIED) }).count(), 0);
    const refusal = "Does not meet the qualification rule: unit 405 must be at least in progress, but is not started";
    const notOffered = page.locator(".govuk-summary-list__row", { hasText: UNQUALIFIED });
    assert.ok((await notOffered.innerText()).includes(refusal), "the manager sees why Sam is not offered");

    // The manager records 405 on Sam's profile; a date achieved before the start is refused.
    await visit(page, profile);
    await follow(page, page.getByRole("link", { name: "Add a qualification" }));
    await checkPage(page);
    await page.getByLabel("Qualification", { exact: true }).selectOption("405");
    await page.getByLabel("Achieved", { exact: true }).check();
    await page.getByLabel("Date they started").fill("2026-03-01");
    await page.getByLabel("Date they achieved it").fill("2026-02-01");
    assert.equal((await submit(page, "Save"))?.status(), 422);
    await checkPage(page);
    assert.ok((await main(page)).includes("The date they achieved it cannot be before the date they started"));
    await page.getByLabel("Working towards it").check();
    await page.getByLabel("Date they achieved it").fill("");
    await page.getByLabel("Where the evidence is kept").fill("Portfolio reference NQIA-405-17");
    await submit(page, "Save");
    assert.equal(new URL(page.url()).pathname, profile);
    await checkPage(page);
    assert.ok((await main(page)).includes("Working towards it"));

    // Now Sam is offered for the same case.
    await visit(page, allocate);
    assert.equal(await page.getByRole("radio", { name: new RegExp(UNQUALIFIED) }).count(), 1);

    // The other pages of a profile.
    for (const suffix of ["profile", "training/new", "supervision/new"]) {
      await visit(page, `${profile}/${suffix}`);
    }
    await follow(page, page.getByRole("button", { name: "Save", exact: true }));
    await checkPage(page);
    assert.ok((await main(page)).includes("Choose the kind of meeting from the list"));
    await visit(page, profile);
    await follow(page, page.getByRole("link", { name: /^Remove/ }));
    await checkPage(page);
    await visit(page, "/profile");
    await visit(page, "/profile/availability");
    await visit(page, "/profile/equality");
    const person = await (async () => {
      await visit(page, allocate.replace(/\/allocate$/, ""));
      return page.getByRole("link", { name: "See everything about this person" }).getAttribute("href");
    })();
    await visit(page, `${person}/equality`);
  } finally {
    // The rule goes again, so the other tests allocate as before.
    await setImhaRule(page, []);
    await context.close();
  }
});

test("an advocate sees their own profile and reminders, records training and answers the equality questions", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, ADVOCATE, PASSWORD);
    await checkPage(page);
    await visit(page, "/workforce", 404);
    await visit(page, "/profile");
    await follow(page, page.getByRole("link", { name: "Record training or a network event" }));
    await checkPage(page);
    await page.getByLabel("Training", { exact: true }).selectOption("network_event");
    await page.getByLabel("Date attended").fill("2026-01-20");
    assert.equal((await submit(page, "Save"))?.status(), 422);
    await checkPage(page);
    await page.getByLabel("Name of the course or event").fill("Regional advocacy network");
    await submit(page, "Save");
    await checkPage(page);
    assert.ok((await main(page)).includes("Regional advocacy network"));
    await follow(page, page.getByRole("link", { name: "Answer equality monitoring questions" }));
    await checkPage(page);
    await page.getByLabel("Sex", { exact: true }).selectOption("female");
    await submit(page, "Save");
    assert.equal(new URL(page.url()).pathname, "/profile");
  } finally {
    await context.close();
  }
});
