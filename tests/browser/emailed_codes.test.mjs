// Signing in with an emailed code in the browser, with JavaScript off and axe's WCAG
// 2.2 AA checks on every page: a manager gives a person their own sign-in, and the
// person, who never chose a password, asks for a code, reads it in the email and signs
// in with it. Bad input and a wrong code are named in the error summary; the easy-read
// pages and the "could not send" page are checked too.
//
// The server under test sends mail to ADVOCASE_TEST_SMTP_PORT on 127.0.0.1, where this
// file runs a small SMTP server that keeps what it is sent (scripts/test sets both).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { openBrowser, newContext, baseUrl, signIn, checkPage, visit, follow, submit } from "./lib.mjs";

const PASSWORD = "demo-password";
const MANAGER = "manager@demo.advocase.test";
const smtpPort = Number(process.env.ADVOCASE_TEST_SMTP_PORT ?? "");

/// A plain SMTP server on 127.0.0.1 that accepts every message and keeps it.
function startMailServer(port) {
  const messages = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = "";
    let data = null;
    let to = [];
    socket.write("220 localhost test mail server\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let end;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === ".") {
            messages.push({ to, data: data.join("\r\n") });
            data = null;
            to = [];
            socket.write("250 OK: queued\r\n");
          } else {
            data.push(line.startsWith(".") ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.split(/[ :]/)[0].toUpperCase();
        if (verb === "DATA") {
          data = [];
          socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "RCPT") {
          to.push(line.slice(line.indexOf("<") + 1, line.indexOf(">")));
          socket.write("250 OK\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 Bye\r\n");
        } else if (["EHLO", "HELO", "MAIL", "RSET", "NOOP"].includes(verb)) {
          socket.write(verb === "EHLO" || verb === "HELO" ? "250 localhost\r\n" : "250 OK\r\n");
        } else {
          socket.write("500 Command not recognised\r\n");
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () =>
      resolve({
        messages,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/// Waits up to five seconds for a message to `address` and answers its code.
async function codeSentTo(mail, address) {
  for (let i = 0; i < 100; i++) {
    const message = mail.messages.find((m) => m.to.includes(address));
    if (message) {
      const found = message.data.replace(/=\r\n/g, "").match(/sign-in code is (\d{6})\./);
      assert.ok(found, `the email gives a code:\n${message.data}`);
      return found[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no email reached ${address}`);
}

let browser;
let mail;
before(async () => {
  browser = await openBrowser();
  if (smtpPort) {
    mail = await startMailServer(smtpPort);
  }
});
after(async () => {
  await mail?.close();
  await browser?.close();
});

/// A manager opening records that are not theirs says why, once per case.
async function giveReasonIfAsked(page) {
  if (new URL(page.url()).pathname === "/reason") {
    await page.getByLabel("Supervision of the advocate").check();
    await submit(page, "Continue to the record");
  }
}

/// Gives the last person on the caseloads without a sign-in of their own one at
/// `email`, as a manager does from the person record. The last, so that this test and
/// the one of own records, which takes the first, do not pick the same person.
async function invite(page, email) {
  await signIn(page, MANAGER, PASSWORD);
  await visit(page, "/cases");
  const cases = await page
    .locator('main a[href^="/cases/"]')
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  for (const address of cases.reverse()) {
    await page.goto(`${baseUrl}${address}`);
    await giveReasonIfAsked(page);
    await follow(page, page.getByRole("link", { name: "See everything about this person" }));
    await giveReasonIfAsked(page);
    const give = page.getByRole("link", { name: "Give them their own sign-in" });
    if ((await give.count()) > 0) {
      await follow(page, give);
      await page.getByLabel("Their email address").fill(email);
      await submit(page, "Make the sign-in");
      return;
    }
  }
  assert.fail("someone on the caseload has no sign-in yet");
}

test("a person signs in with the code emailed to them", { skip: !smtpPort && "ADVOCASE_TEST_SMTP_PORT is not set" }, async () => {
  const email = `code-${Date.now()}@example.org`;
  const staff = await newContext(browser, { withJavaScriptDisabled: true });
  const own = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    await invite(await staff.newPage(), email);

    const person = await own.newPage();
    await visit(person, "/sign-in");
    await follow(person, person.getByRole("link", { name: "Sign in with a code sent to your email" }));
    assert.equal(new URL(person.url()).pathname, "/sign-in/code");
    await checkPage(person);
    assert.equal((await submit(person, "Send me a code"))?.status(), 422);
    await checkPage(person);
    await person.getByLabel("Email address", { exact: true }).fill(email);
    await submit(person, "Send me a code");
    await checkPage(person);
    assert.match(await person.locator("main").innerText(), /If that address has an account, we have sent a code to it/);
    const code = await codeSentTo(mail, email);

    const wrong = code === "000000" ? "000001" : "000000";
    await person.getByLabel("Code", { exact: true }).fill(wrong);
    assert.equal((await submit(person, "Sign in"))?.status(), 422);
    await checkPage(person);
    await person.getByLabel("Code", { exact: true }).fill(code);
    await submit(person, "Sign in");
    assert.equal(new URL(person.url()).pathname, "/my-records");
    await checkPage(person);
  } finally {
    await staff.close();
    await own.close();
  }
});

test("the easy-read code pages and the 'could not send' page meet WCAG 2.2 AA", { skip: !smtpPort && "ADVOCASE_TEST_SMTP_PORT is not set" }, async () => {
  const context = await newContext(browser, { withJavaScriptDisabled: true });
  try {
    const page = await context.newPage();
    await visit(page, "/sign-in/code?view=easy-read");
    await visit(page, "/sign-in/code/enter?view=easy-read");
    assert.equal((await submit(page, "Sign in"))?.status(), 422);
    await checkPage(page);
    // With the mail server gone, the person is told plainly.
    await mail.close();
    mail = null;
    await visit(page, "/sign-in/code");
    await page.getByLabel("Email address", { exact: true }).fill("nobody@example.org");
    assert.equal((await submit(page, "Send me a code"))?.status(), 503);
    await checkPage(page);
    assert.match(await page.locator("h1").innerText(), /We could not send your code/);
  } finally {
    await context.close();
  }
});
