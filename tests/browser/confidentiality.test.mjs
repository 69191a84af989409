// Confidentiality in the browser, with JavaScript off and axe's WCAG 2.2 AA checks on
// every page on the way:
//
// 1. the manager opens a case of Jo Lindqvist's (saying why, once), records a consent to
//    share a case summary with the GP, sees a share with the social worker refused with
//    the reason and the share with the GP allowed, records a breach of confidentiality,
//    logs a request for records and produces the export, and looks at the retention
//    review without destroying anything;
// 2. Sam Okafor opens that case in an emergency: a wrong number is refused by field,
//    the right one opens the case, and the manager's home page shows the access until
//    it is marked as reviewed.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const SAM = "advocate@demo.advocase.test";
const JO = "Jo Lindqvist";

let browser;
let caseAddress;
let personAddress;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

const mainText = (page) => page.locator("main").innerText();

test("the manager records consent, checks sharing, records a breach and answers a request for records", async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, MANAGER, PASSWORD);

    // The last of Jo's cases on the manager's caseload.
    await visit(page, "/cases");
    const row = page.locator("tbody tr", { hasText: JO }).last();
    caseAddress = await row.locator('a[href^="/cases/"]').first().getAttribute("href");
    await visit(page, caseAddress);
    assert.equal(new URL(page.url()).pathname, "/reason");
    // Choosing "Something else" without saying what is refused by field.
    await page.getByLabel("Something else").check();
    assert.equal((await submit(page, "Continue to the record"))?.status(), 422);
    await checkPage(page);
    await page.getByLabel("Supervision of the advocate").check();
    await submit(page, "Continue to the record");
    assert.equal(new URL(page.url()).pathname, caseAddress);
    await checkPage(page);
    await follow(page, page.getByRole("link", { name: "See everything about this person" }));
    await checkPage(page);
    if (new URL(page.url()).pathname === "/reason") {
      // The person has other cases the manager has not opened yet.
      await page.getByLabel("Supervision of the advocate").check();
      await submit(page, "Continue to the record");
      await checkPage(page);
    }
    personAddress = new URL(page.url()).pathname;
    assert.match(personAddress, /^\/people\/\d+$/);

    // A consent to share a case summary with the GP.
    await follow(page, page.getByRole("link", { name: "Record consent to share" }));
    await checkPage(page);
    await page.getByLabel("A summary of their case").check();
    await page.getByLabel("Who it may be shared with").fill("GP");
    await page.getByLabel("The person's consent").check();
    assert.equal((await submit(page, "Save consent"))?.status(), 422, "how consent was given is needed");
    await checkPage(page);
    assert.match(await page.locator(".govuk-error-summary").innerText(), /how the person gave their consent/);
    await page.getByLabel("How the person gave consent").selectOption("written");
    await submit(page, "Save consent");
    assert.equal(new URL(page.url()).pathname, personAddress);
    await checkPage(page);

    // Sharing with someone else is refused, with the reason; with the GP it is allowed.
    await follow(page, page.getByRole("link", { name: "Share information" }));
    await checkPage(page);
    await page.getByLabel("A summary of their case").check();
    await page.getByLabel("Who it may be shared with").fill("Social worker");
    await submit(page, "Check and share");
    await checkPage(page);
    assert.match(await mainText(page), /You may not share a summary of their case with Social worker/);
    assert.match(await mainText(page), /Nothing is recorded that lets this be shared/);
    await visit(page, `${personAddress}/share`);
    await page.getByLabel("A summary of their case").check();
    await page.getByLabel("Who it may be shared with").fill("gp");
    await submit(page, "Check and share");
    await checkPage(page);
    assert.match(await mainText(page), /You may share a summary of their case with gp/);

    // A breach of confidentiality: the person was not told, so why not is needed.
    await visit(page, `${personAddress}/breaches/new`);
    await page.getByLabel("Why confidentiality was broken").selectOption("risk_to_others");
    await page.getByLabel("What was shared and why").fill("Told the police about a threat to a neighbour.");
    await page.getByLabel("Who decided").fill("Morgan Reyes, service manager");
    await page.getByLabel("Who was told").fill("Police");
    await page.locator('input[name="person_told"][value="no"]').check();
    assert.equal((await submit(page, "Save"))?.status(), 422);
    await checkPage(page);
    await page.getByLabel("Why was the person not told?").fill("Telling them would raise the risk.");
    await submit(page, "Save");
    assert.equal(new URL(page.url()).pathname, personAddress);
    assert.match(await mainText(page), /Told the police about a threat to a neighbour/);
    await visit(page, "/breaches");
    assert.match(await mainText(page), /Told the police about a threat to a neighbour/);

    // A request for records, its clock on the home page, and the export.
    await visit(page, `${personAddress}/subject-access/new`);
    await page.getByLabel("The person", { exact: true }).check();
    await submit(page, "Log the request");
    assert.match(await mainText(page), /Received .*, due by /);
    await visit(page, "/");
    assert.match(await mainText(page), /Requests for records waiting for an answer/);
    await visit(page, `${personAddress}/subject-access/export`);
    assert.match(await mainText(page), /Who looked at your records/);
    assert.match(await mainText(page), /Told the police about a threat to a neighbour/);
    const json = await page.request.get(`${baseUrl}${personAddress}/subject-access/export.json`);
    assert.equal(json.status(), 200);
    assert.ok(Array.isArray((await json.json()).cases));
    await visit(page, personAddress);
    await submit(page, "Mark as answered");
    assert.match(await mainText(page), /Answered on /);

    // The retention review lists, and destroys nothing without a choice and confirmation.
    await visit(page, "/retention");
    assert.match(await mainText(page), /Destruction log/);
  } finally {
    await context.close();
  }
});

test("an advocate opens a colleague's case in an emergency and the manager reviews it", async () => {
  assert.ok(caseAddress, "the case of the first test");
  const caseNumber = caseAddress.split("/").pop();
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, SAM, PASSWORD);
    const before = await page.goto(`${baseUrl}${caseAddress}`);
    assert.equal(before?.status(), 404, "not Sam's case");
    await visit(page, "/emergency-access");
    await page.getByLabel("Case number").fill("not a number");
    await page.getByLabel("Why do you need this case now?").fill("Jo is off sick and the tribunal is tomorrow.");
    assert.equal((await submit(page, "Open the case"))?.status(), 422);
    await checkPage(page);
    assert.match(await page.locator(".govuk-error-summary").innerText(), /Enter the case number/);
    await page.getByLabel("Case number").fill(caseNumber);
    await submit(page, "Open the case");
    assert.equal(new URL(page.url()).pathname, caseAddress);
    await checkPage(page);
  } finally {
    await context.close();
  }

  const managerContext = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await managerContext.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/");
    assert.match(await mainText(page), /Emergency access to review/);
    assert.match(await mainText(page), /Jo is off sick and the tribunal is tomorrow/);
    await submit(page, `Mark as reviewed (Sam Okafor, ${caseNumber})`);
    await checkPage(page);
    assert.doesNotMatch(await mainText(page), /Jo is off sick and the tribunal is tomorrow/);
  } finally {
    await managerContext.close();
  }
});
