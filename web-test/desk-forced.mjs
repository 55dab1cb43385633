// Issue 16 (TestBrowserDeskForcedSignOut): a sign-out forced by a
// supervisor says on the agent's desk who did it and why, live, in the
// user's language; it goes when the agent signs in again.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.waitForSelector('#state[data-state="ready"]', { timeout: 15000 });
  check((await page.locator("#state-reason").textContent()) === "", "no reason while ready");
  await page.evaluate(() => { window.__noReload = true; });
  step("ready");

  const by = await waitGo(); // the Go side forced the sign-out; its username
  await page.waitForSelector('#state[data-state="signed_out"]', { timeout: 15000 });
  const en = await page.locator("#state-reason").textContent();
  check(en === "Signed out by " + by + ". Reason: shift over", "who and why in English: " + en);
  check(await page.evaluate(() => window.__noReload === true), "the page was reloaded");
  await shot(page, "TestBrowserDeskForcedSignOut");

  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.waitForSelector('#state[data-state="signed_out"]', { timeout: 15000 });
  const zh = await page.locator("#state-reason").textContent();
  check(zh === "已被 " + by + " 强制签出，原因：shift over", "who and why in Chinese: " + zh);
  await shot(page, "TestBrowserDeskForcedSignOut-zh");

  // Signing in again clears it.
  await page.click("#signin");
  await page.waitForSelector('#state[data-state="ready"]', { timeout: 15000 });
  check((await page.locator("#state-reason").textContent()) === "", "the forced sign-out is forgotten after signing in: " + (await page.locator("#state-reason").textContent()));
  // The agent's own sign-out says nothing of anyone.
  await page.click("#signout");
  await page.waitForSelector('#state[data-state="signed_out"]', { timeout: 15000 });
  check((await page.locator("#state-reason").textContent()) === "", "own sign-out: " + (await page.locator("#state-reason").textContent()));
  step("done");
});
