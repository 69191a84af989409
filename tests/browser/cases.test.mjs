// One case from the waiting list to closure, with JavaScript off and axe's WCAG 2.2 AA
// checks on every page on the way:
//
// 1. the manager sets up both demo advocates for every kind of advocacy, says why they
//    open the case (asked once, as it is not theirs), records that
//    Sam Okafor is related to the first person on the waiting list, and allocates the
//    case: Sam is not offered, and posting Sam anyway is refused with the reason;
// 2. the allocated advocate, Jo Lindqvist, records a contact, a second one where the
//    person could not instruct, an issue in the person's words, a challenge to a
//    decision and the step that ends it, the outcome, and closes the case with a
//    hand-over.
//
// The tests run in order and share the case of step 1.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const ADVOCATE = "advocate2@demo.advocase.test";
const CONFLICTED = "Sam Okafor";
const CHOSEN = "Jo Lindqvist";

let browser;
let caseAddress;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

test("the manager allocates a case: the conflicted advocate is not offered and forcing them is refused", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, MANAGER, PASSWORD);

    // Both demo advocates can take every kind of advocacy.
    await visit(page, "/advocates");
    const advocateIds = {};
    for (const name of [CONFLICTED, CHOSEN]) {
      await visit(page, "/advocates");
      const link = page.getByRole("link", { name, exact: true });
      advocateIds[name] = (await link.getAttribute("href")).split("/").pop();
      await follow(page, link);
      await checkPage(page);
      await follow(page, page.getByRole("link", { name: "Change allocation settings" }));
      await checkPage(page);
      for (const duty of ["care_act", "imha", "imca", "nhs_complaints"]) {
        await page.locator(`input[name="duty"][value="${duty}"]`).check();
      }
      assert.equal((await submit(page, "Save settings"))?.status(), 200);
      assert.equal(new URL(page.url()).pathname, `/advocates/${advocateIds[name]}`);
    }

    // The first case on the waiting list, and the person it is for.
    await visit(page, "/waiting-list");
    const allocateLink = page.locator('a[href$="/allocate"]').first();
    caseAddress = (await allocateLink.getAttribute("href")).replace(/\/allocate$/, "");
    // The case is not the manager's own: the first time, they say why they open it.
    await visit(page, caseAddress);
    assert.equal(new URL(page.url()).pathname, "/reason");
    await page.getByLabel("Allocating or re-allocating the case").check();
    await submit(page, "Continue to the record");
    assert.equal(new URL(page.url()).pathname, caseAddress);
    await checkPage(page);
    await follow(page, page.getByRole("link", { name: "See everything about this person" }));
    await checkPage(page);

    // Sam is related to the person.
    await follow(page, page.getByRole("link", { name: "Record a conflict of interest" }));
    await checkPage(page);
    await page.getByLabel("Advocate", { exact: true }).selectOption({ label: CONFLICTED });
    await page.getByLabel("Is related to the person").check();
    await submit(page, "Save");
    assert.ok((await page.locator("main").innerText()).includes(`${CONFLICTED}: Is related to the person`));

    // Sam is not offered, and the page says why.
    await visit(page, `${caseAddress}/allocate`);
    assert.equal(await page.getByRole("radio", { name: new RegExp(CONFLICTED) }).count(), 0);
    assert.ok((await page.locator("main").innerText()).includes("Conflict of interest: Is related to the person"));

    // Posting Sam anyway, as a crafted request would, is refused and changes nothing.
    const version = await page.locator('input[name="version"]').inputValue();
    const forced = await page.request.post(`${baseUrl}${caseAddress}/allocate`, {
      form: { advocate: advocateIds[CONFLICTED], override_reason: "Urgent", version },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    assert.equal(forced.status(), 422);
    assert.match(await forced.text(), /conflict of interest/);

    // Jo is offered and allocated.
    await page.getByRole("radio", { name: new RegExp(CHOSEN) }).check();
    await page.getByLabel(/If you chose someone other than the best match/).fill("Jo knows the ward well.");
    await submit(page, "Allocate");
    assert.equal(new URL(page.url()).pathname, caseAddress);
    await checkPage(page);
    assert.ok((await page.locator("main").innerText()).includes(CHOSEN));
  } finally {
    await context.close();
  }
});

test("the advocate records contacts, an issue, a challenge and the outcome, and closes with a hand-over", async () => {
  assert.ok(caseAddress, "the case allocated by the first test");
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, ADVOCATE, PASSWORD);
    await visit(page, "/cases");
    assert.equal(await page.locator(`a[href="${caseAddress}"]`).count(), 1, "the case is on Jo's caseload");
    await visit(page, caseAddress);

    // A contact: the date and time start at now.
    await follow(page, page.getByRole("link", { name: "Record a contact" }));
    await checkPage(page);
    await page.getByLabel("In person").check();
    await page.getByLabel("How long did it take, in minutes?").fill("0");
    await page.getByLabel("What was discussed?").fill("Her rights, and what she wants from the review.");
    const refused = await submit(page, "Save contact");
    assert.equal(refused?.status(), 422, "a duration of zero is refused");
    await checkPage(page);
    assert.ok((await page.locator(".govuk-error-summary").innerText()).includes("at least 1 minute"));
    await page.getByLabel("How long did it take, in minutes?").fill("45");
    await page.locator('input[name="could_instruct"][value="yes"]').check();
    await submit(page, "Save contact");
    assert.equal(new URL(page.url()).pathname, caseAddress);

    // A contact where the person could not instruct.
    await follow(page, page.getByRole("link", { name: "Record a contact" }));
    await page.getByLabel("Phone").check();
    await page.getByLabel("How long did it take, in minutes?").fill("20");
    await page.getByLabel("What was discussed?").fill("Spoke with the ward about the review.");
    await page.locator('input[name="could_instruct"][value="no"]').check();
    await page.getByLabel("Rights-based").check();
    await submit(page, "Save contact");
    assert.ok((await page.locator("main").innerText()).includes("Approach used: Rights-based"));

    // An issue in the person's words.
    await follow(page, page.getByRole("link", { name: "Add an issue" }));
    await checkPage(page);
    await page.getByLabel("What does the person want to work on, in their own words?").fill("I want to choose where I live.");
    await page.getByLabel("Review of a plan").check();
    await submit(page, "Save issue");

    // A challenge, then the step that ends it.
    await follow(page, page.getByRole("link", { name: "Record a challenge" }));
    await checkPage(page);
    await page.getByLabel("Which decision is being challenged?").fill("Move to a care home without asking her.");
    await page.getByLabel("Who made the decision?").fill("The social worker");
    await submit(page, "Save challenge");
    await follow(page, page.getByRole("link", { name: /Add a step/ }).first());
    await checkPage(page);
    await page.getByLabel("In writing to the decision-maker").check();
    await page.getByLabel("What was the outcome of this step? (optional)").fill("The team agreed to look again.");
    await page.locator('input[name="concluded"][value="yes"]').check();
    await page.getByLabel("The final result").fill("Decision changed: she stays at home with more support.");
    await submit(page, "Save step");
    assert.ok((await page.locator("main").innerText()).includes("Decision changed"));

    // The outcome, in her words.
    await follow(page, page.getByRole("link", { name: /Record outcome/ }).first());
    await checkPage(page);
    await page.getByLabel("Achieved", { exact: true }).check();
    await page.getByLabel(/What does the person think/).fill("I am staying in my own home.");
    await submit(page, "Save outcome");
    await checkPage(page);

    // Closing with a hand-over.
    await follow(page, page.getByRole("link", { name: "Close the case" }));
    await checkPage(page);
    await page.getByLabel("Handed over to an appropriate individual").check();
    await page.getByLabel("Who did the person go to?").fill("Her brother, who can now support her");
    await page.getByLabel("Yes, more able").check();
    await submit(page, "Close the case");
    assert.equal(new URL(page.url()).pathname, caseAddress);
    await checkPage(page);
    const text = await page.locator("main").innerText();
    assert.ok(text.includes("Handed over to an appropriate individual"));
    assert.ok(text.includes("Her brother"));
    assert.ok(text.includes("I am staying in my own home."));
  } finally {
    await context.close();
  }
});
