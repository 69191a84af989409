// A person's own sign-in in the browser, with JavaScript off and axe's WCAG 2.2 AA
// checks on every page: a manager gives them a sign-in from their record, the
// person chooses a password through the one-time link, reads their records in plain
// English and in easy read, asks for a correction, cannot open a staff page, and the
// manager answers; the person then reads the answer.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openBrowser, newContext, baseUrl, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const PERSON_PASSWORD = "my own long password";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

const mainText = (page) => page.locator("main").innerText();

/// A manager opening records that are not theirs says why, once per case.
async function giveReasonIfAsked(page) {
  if (new URL(page.url()).pathname === "/reason") {
    await checkPage(page);
    await page.getByLabel("Supervision of the advocate").check();
    await submit(page, "Continue to the record");
  }
}

test("a person gets their own sign-in, reads their records and asks for a correction", async () => {
  const email = `person-${Date.now()}@example.org`;
  const staff = await newContext(browser, { withJavaScriptDisabled: true });
  const own = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const advocate = await staff.newPage();
    await signIn(advocate, MANAGER, PASSWORD);
    // The first person on the caseloads who has no sign-in of their own yet.
    await visit(advocate, "/cases");
    const cases = await advocate.locator('main a[href^="/cases/"]').evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    let personAddress;
    for (const address of cases) {
      await visit(advocate, address);
      await giveReasonIfAsked(advocate);
      await follow(advocate, advocate.getByRole("link", { name: "See everything about this person" }));
      await giveReasonIfAsked(advocate);
      if ((await advocate.getByRole("link", { name: "Give them their own sign-in" }).count()) > 0) {
        personAddress = new URL(advocate.url()).pathname;
        break;
      }
    }
    assert.ok(personAddress, "someone on the caseload has no sign-in yet");
    await checkPage(advocate);

    await follow(advocate, advocate.getByRole("link", { name: "Give them their own sign-in" }));
    await checkPage(advocate);
    await advocate.getByLabel("Their email address").fill("not an address");
    assert.equal((await submit(advocate, "Make the sign-in"))?.status(), 422);
    await checkPage(advocate);
    await advocate.getByLabel("Their email address").fill(email);
    await submit(advocate, "Make the sign-in");
    await checkPage(advocate);
    const link = (await advocate.locator("code").innerText()).trim();
    assert.match(link, /^\/set-password\//);

    // The person chooses a password and lands on their records.
    const person = await own.newPage();
    await visit(person, link);
    await person.getByLabel("New password", { exact: true }).fill(PERSON_PASSWORD);
    await person.getByLabel("Type the new password again").fill(PERSON_PASSWORD);
    await submit(person, "Continue");
    assert.equal(new URL(person.url()).pathname, "/my-records");
    await checkPage(person);
    assert.match(await mainText(person), /What we hold about you/);
    await follow(person, person.getByRole("link", { name: "Read this in easy read" }));
    await checkPage(person);
    assert.match(await mainText(person), /This page tells you what we wrote down about you/);

    // Staff pages answer as if they did not exist.
    const refused = await person.goto(`${baseUrl}/cases`);
    assert.equal(refused?.status(), 404);

    // A correction, refused when empty, then sent.
    await visit(person, "/my-records/correction");
    assert.equal((await submit(person, "Send"))?.status(), 422);
    await checkPage(person);
    await person.getByLabel("What is wrong?").fill("My phone number has changed.");
    await submit(person, "Send");
    assert.equal(new URL(person.url()).pathname, "/my-records");
    assert.match(await mainText(person), /Waiting for an answer/);

    // The advocate answers it from the person record.
    await visit(advocate, personAddress);
    assert.match(await mainText(advocate), /My phone number has changed/);
    await follow(advocate, advocate.getByRole("link", { name: /Answer the request of/ }).first());
    await checkPage(advocate);
    await advocate.locator('input[name="corrected"][value="yes"]').check();
    await advocate.getByLabel("What will the person be told?").fill("We have changed your phone number.");
    await submit(advocate, "Send the answer");
    assert.equal(new URL(advocate.url()).pathname, personAddress);

    // Signing in again through the form needs no code, as they have not set one up.
    const again = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await again.newPage();
      await signIn(page, email, PERSON_PASSWORD);
      assert.equal(new URL(page.url()).pathname, "/my-records");
      assert.match(await mainText(page), /We have changed your phone number/);
      assert.match(await mainText(page), /We corrected it/);
    } finally {
      await again.close();
    }
  } finally {
    await staff.close();
    await own.close();
  }
});
