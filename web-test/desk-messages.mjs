// Issue 16 (TestBrowserDeskMessages): the desk's messages are live, show
// those for the agent's queues, and play in the page.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.locator("#message-list").waitFor();
  step("open");
  await waitGo(); // the Go side: three callers left their messages
  const rows = page.locator("#message-list tr[data-message]");
  // Live: both arrive without a reload (Ada's own, then her queue's).
  await page.waitForFunction(() => document.querySelectorAll("#message-list tr[data-message]").length === 2, null, { timeout: 15000 })
    .catch(async (e) => { throw new Error(e.message + "; the list says: " + (await page.locator("#message-list").textContent())); });
  const forWhom = (await rows.evaluateAll((rs) => rs.map((r) => r.cells[1].textContent))).sort();
  check(JSON.stringify(forWhom) === JSON.stringify(["me", "queue support"]), "messages for: " + JSON.stringify(forWhom));
  // Listen plays in the page: the desk stays, an audio player opens under
  // the row and plays.
  // (The testbed's callers send no voice, so the message is silence of
  // under a second: the player loads it, as audio, in the page.)
  const url = page.url();
  await rows.first().locator("button[data-listen]").focus();
  const [rec] = await Promise.all([
    page.waitForResponse((r) => /\/api\/v1\/messages\/[^/]+\/recording$/.test(new URL(r.url()).pathname)),
    page.keyboard.press("Enter"),
  ]);
  check(rec.status() === 200 || rec.status() === 206, "the recording answered " + rec.status());
  check((rec.headers()["content-type"] || "").startsWith("audio/"), "as audio: " + rec.headers()["content-type"]);
  const audio = page.locator("#message-list tr.msg-player audio");
  await audio.waitFor();
  await page.waitForFunction(() => {
    const a = document.querySelector("#message-list tr.msg-player audio");
    return a && a.readyState >= 1 && !a.error;
  }, null, { timeout: 15000 });
  check(page.url() === url, "still on the desk: " + page.url());
  check((await rows.first().locator("button[data-listen]").getAttribute("aria-expanded")) === "true", "the button says the player is open");
  await shot(page, "TestBrowserDeskMessages");
  step("played");
});
