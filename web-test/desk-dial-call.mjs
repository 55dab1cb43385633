// Click-to-dial from the desk (TestBrowserDeskClickToDial): the agent types
// a national number, dials; the page shows the outbound call to that
// number while the agent's phone and then the carrier ring, the talk (with
// notes), then wrap-up, which the agent submits.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.locator("#state[data-state=signed_out]").waitFor();
  await page.click("#signin");
  await page.locator("#state[data-state=ready]").waitFor();
  const zh = (await page.evaluate(() => document.documentElement.lang)).startsWith("zh");

  await page.fill("#dial-number", "010 8888 6666");
  await page.press("#dial-number", "Enter"); // keyboard: Enter dials
  await page.locator("#call:not([hidden])").waitFor({ timeout: 10000 });
  const who = (await page.locator("#caller").textContent()).trim();
  check(who.includes("+861088886666") && who.includes(zh ? "外呼" : "Calling"), "the call panel names the number dialled: " + who);
  check((await page.locator("#dial-form .sb-field-error").count()) === 0, "no error at the number field");

  // Talking: both answered. Notes during the call.
  await page.locator("#call-notes-form:not([hidden])").waitFor({ timeout: 20000 });
  await page.locator("#state[data-state=on_call]").waitFor();
  await shot(page, "desk-dial-talking");
  await page.fill("#call-notes", "dialled from the desk");

  // The agent's phone hangs up: wrap-up, with the call's notes carried.
  await page.locator("#wrap-form:not([hidden])").waitFor({ timeout: 30000 });
  check((await page.locator("#wrap-notes").inputValue()) === "dialled from the desk", "call notes carried into wrap-up");
  await page.selectOption("#disposition", "resolved");
  await page.click("#wrap-form button[type=submit]");
  await page.locator("#state[data-state=ready]").waitFor({ timeout: 10000 });
  await shot(page, "desk-dial-wrapped");
  step("wrapped");
});
