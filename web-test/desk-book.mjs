// Desk booking (TestE2EDeskBookedCallbackDialled): after a call, in
// wrap-up, the agent books a callback for the call from the desk by
// keyboard: the caller's number shown, the time picked from the free
// times of the day; booking the same time again is refused with the
// reason (the other appointment named) and the time shows as taken; the
// callback is in "my appointments" and "my follow-ups". In the user's
// language, then the other. The Go side then waits for the callback to be dialled.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  const btn = page.locator("#dfu-book-call:not([hidden])");
  await btn.waitFor({ timeout: 20000 });
  const zh = (await page.evaluate(() => document.documentElement.lang)).startsWith("zh");
  const L = (a, b) => (zh ? a : b);
  check((await btn.textContent()) === L("为此通话预约回电", "Book a callback for this call"), "button: " + (await btn.textContent()));
  await btn.focus();
  await page.keyboard.press("Enter");
  const form = page.locator("#dfu-book:not([hidden])");
  await form.waitFor();
  check(/8000$/.test(await page.locator("#dfu-number").textContent()), "the caller's number: " + (await page.locator("#dfu-number").textContent()));
  await page.waitForFunction(() => document.querySelectorAll("#dfu-time option:not([disabled])").length > 0, null, { timeout: 10000 });
  const at = await page.locator("#dfu-time").inputValue();
  check(at !== "", "a free time is picked");
  await page.fill("#dfu-topic", "meter reading");
  await page.locator("#dfu-book-go").focus();
  await page.keyboard.press("Enter");
  await page.locator("#dfu-status", { hasText: L("已预约", "Booked for") }).waitFor();
  check(await page.locator("#dfu-book").isHidden(), "the form closes once booked");
  await page.locator("#dfu-appt-rows tr", { hasText: L("回电", "Callback") }).waitFor();
  await page.locator("#dfu-rows tr", { hasText: /未到时间|待回访|Not yet due|To follow up/ }).waitFor();

  // The same time again: refused with the reason, the time marked taken.
  await page.click("#dfu-book-call");
  await form.waitFor();
  await page.waitForFunction(() => document.querySelectorAll("#dfu-time option").length > 0, null, { timeout: 10000 });
  const taken = page.locator('#dfu-time option[value="' + at + '"]');
  const opts = await page.evaluate(() => Array.from(document.querySelectorAll("#dfu-time option")).slice(0, 4).map((o) => o.value + (o.disabled ? "x" : "")).join(" "));
  check(await taken.evaluate((o) => o.disabled), "the booked time " + at + " is not offered as free: " + opts);
  check(/已占用|taken/.test(await taken.textContent()), "the taken time says so: " + (await taken.textContent()));
  // Force the taken time (a stale picker): the server refuses it.
  await page.evaluate((v) => { const o = document.querySelector('#dfu-time option[value="' + v + '"]'); o.disabled = false; o.selected = true; }, at);
  await page.click("#dfu-book-go");
  const err = page.locator("#dfu-book .sb-field-error");
  await err.waitFor();
  check(/A000001/.test(await err.textContent()), "the conflict names the other appointment: " + (await err.textContent()));
  await shot(page, "desk-book-conflict");
  await page.click("#dfu-book-cancel");
  step("booked", { at });

  // The other language.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("#dfu-h").waitFor();
  check((await page.locator("#dfu-h").textContent()) === L("My follow-ups", "我的回访"), "the other language's title");
  await page.locator("#dfu-appt-rows tr", { hasText: L("Callback", "回电") }).waitFor();
  step("english");
});
