// Desk booking (TestE2EDeskBookedCallbackDialled): after a call, in
// wrap-up, the agent books a callback for the call from the desk by
// keyboard: the caller's number shown, the time picked from the free
// times of the day; booking the same time again is refused with the
// reason (the other appointment named) and the time shows as taken; the
// callback is in "my appointments" and "my follow-ups". In zh, then the
// texts in en. The Go side then waits for the callback to be dialled.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  const btn = page.locator("#dfu-book-call:not([hidden])");
  await btn.waitFor({ timeout: 20000 });
  check((await btn.textContent()) === "为此通话预约回电", "zh button: " + (await btn.textContent()));
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
  await page.locator("#dfu-status", { hasText: "已预约" }).waitFor();
  check(await page.locator("#dfu-book").isHidden(), "the form closes once booked");
  await page.locator("#dfu-appt-rows tr", { hasText: "回电" }).waitFor();
  await page.locator("#dfu-rows tr", { hasText: /未到时间|待回访/ }).waitFor();

  // The same time again: refused with the reason, the time marked taken.
  await page.click("#dfu-book-call");
  await form.waitFor();
  await page.waitForFunction(() => document.querySelectorAll("#dfu-time option").length > 0, null, { timeout: 10000 });
  const taken = page.locator('#dfu-time option[value="' + at + '"]');
  check(await taken.isDisabled(), "the booked time is not offered as free");
  check(/已占用/.test(await taken.textContent()), "the taken time says so: " + (await taken.textContent()));
  // Force the taken time (a stale picker): the server refuses it.
  await page.evaluate((v) => { const o = document.querySelector('#dfu-time option[value="' + v + '"]'); o.disabled = false; o.selected = true; }, at);
  await page.click("#dfu-book-go");
  const err = page.locator("#dfu-book .sb-field-error");
  await err.waitFor();
  check(/A000001/.test(await err.textContent()), "the conflict names the other appointment: " + (await err.textContent()));
  await shot(page, "desk-book-conflict");
  await page.click("#dfu-book-cancel");
  step("booked", { at });

  // English.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("#dfu-h").waitFor();
  check((await page.locator("#dfu-h").textContent()) === "My follow-ups", "en title");
  await page.locator("#dfu-appt-rows tr", { hasText: "Callback" }).waitFor();
  step("english");
});
