// The records of a member of staff, with JavaScript off and axe's WCAG 2.2 AA checks
// on each page: the manager records a qualification on the advocate Jo Lindqvist's
// profile and adds its certificate through the upload form (sent without a file, it is
// refused first), then downloads it; Jo downloads it too from their own profile,
// removes it, then records safeguarding training and corrects its date (a date in the future is
// refused first).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { openBrowser, newContext, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const ADVOCATE = "advocate2@demo.advocase.test";
const ADVOCATE_NAME = "Jo Lindqvist";

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

/// Clicks a link to a file and returns the bytes downloaded.
async function download(page, locator) {
  const [file] = await Promise.all([page.waitForEvent("download"), locator.click()]);
  assert.equal(await file.failure(), null, "the download finished");
  return readFile(await file.path());
}

test("a certificate is added to a qualification and downloaded, and a training record is corrected", async () => {
  const certificate = Buffer.from("%PDF-1.4\nCertificate in advocacy practice\n%%EOF\n");
  // Another qualification than the units, named afresh so that a second run on the
  // same server records a new one.
  const title = `Certificate in advocacy practice ${Date.now()}`;
  const managerContext = await newContext(browser, { withJavaScriptDisabled: true });
  let profile;
  try {
    const page = await managerContext.newPage();
    await signIn(page, MANAGER, PASSWORD);
    await visit(page, "/advocates");
    const link = page.getByRole("link", { name: ADVOCATE_NAME, exact: true });
    profile = await link.getAttribute("href");
    await follow(page, link);
    await checkPage(page);
    await follow(page, page.getByRole("link", { name: "Add a qualification" }));
    await checkPage(page);
    await page.getByLabel("Qualification", { exact: true }).selectOption("other");
    await page.getByLabel("Name of the qualification").fill(title);
    await page.getByLabel("Achieved", { exact: true }).check();
    await page.getByLabel("Date they started").fill("2026-02-02");
    await page.getByLabel("Date they achieved it").fill("2026-06-30");
    await submit(page, "Save");
    assert.equal(new URL(page.url()).pathname, profile);
    await checkPage(page);

    // The upload form works without JavaScript; sent without a file, it says so.
    await follow(page, page.getByRole("link", { name: `Add evidence ${title}`, exact: true }));
    await checkPage(page);
    assert.ok((await main(page)).includes("kept encrypted"));
    assert.equal((await submit(page, "Add the file"))?.status(), 422);
    await checkPage(page);
    assert.ok((await main(page)).includes("Choose a file to add"));
    await page.getByLabel("Choose the file").setInputFiles({
      name: "certificate.pdf",
      mimeType: "application/pdf",
      buffer: certificate,
    });
    await submit(page, "Add the file");
    assert.equal(new URL(page.url()).pathname, profile);
    await checkPage(page);
    const row = page.locator("tbody tr", { hasText: title });
    assert.ok((await row.innerText()).includes("certificate.pdf (PDF, 1 KB)"));
    const downloaded = await download(page, row.getByRole("link", { name: "certificate.pdf", exact: true }));
    assert.deepEqual(downloaded, certificate);
  } finally {
    await managerContext.close();
  }

  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, ADVOCATE, PASSWORD);
    await visit(page, "/profile");
    const row = page.locator("tbody tr", { hasText: title });
    const own = await download(page, row.getByRole("link", { name: "certificate.pdf", exact: true }));
    assert.deepEqual(own, certificate);

    // The file was only a draft: Jo removes it, after being asked, and it is gone.
    await follow(page, row.getByRole("link", { name: "Remove certificate.pdf", exact: true }));
    await checkPage(page);
    assert.ok((await main(page)).includes("Remove the file certificate.pdf"));
    await submit(page, "Remove the file");
    assert.equal(new URL(page.url()).pathname, profile);
    await checkPage(page);
    assert.equal(await page.locator("tbody tr", { hasText: title }).getByRole("link", { name: "certificate.pdf", exact: true }).count(), 0);

    await follow(page, page.getByRole("link", { name: "Record training or a network event" }));
    await checkPage(page);
    await page.getByLabel("Training", { exact: true }).selectOption("safeguarding");
    await page.getByLabel("Date attended").fill("2026-02-03");
    await page.getByLabel("Renew after").fill("12");
    await submit(page, "Save");
    assert.equal(new URL(page.url()).pathname, profile);
    await checkPage(page);

    // The date was wrong: the correction is checked as the record was.
    await follow(page, page.getByRole("link", { name: /^Change Safeguarding, 3 Feb 2026/ }).first());
    await checkPage(page);
    assert.equal(await page.locator("h1").innerText(), "Correct a training record");
    await page.getByLabel("Date attended").fill("2099-02-04");
    assert.equal((await submit(page, "Save"))?.status(), 422);
    await checkPage(page);
    assert.ok((await main(page)).includes("The date cannot be in the future"));
    await page.getByLabel("Date attended").fill("2026-02-04");
    await submit(page, "Save");
    assert.equal(new URL(page.url()).pathname, profile);
    await checkPage(page);
    const training = page.locator("tbody tr", { hasText: "Safeguarding" }).filter({ hasText: "4 Feb 2026" });
    assert.ok((await training.count()) >= 1, "the corrected date is on the profile");
  } finally {
    await context.close();
  }
});
