// Issue 16 on the desk (TestBrowserDeskWrapUpDraft): time in state before
// the first sign-in, a phone another agent holds, notes during the call,
// the wrap-up warning, one extension, and the draft kept when the timer
// runs out (the Go side checks the call record).
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.locator("#state[data-state=signed_out]").waitFor();
  // Never signed in: no "2562047:47:43".
  const never = (await page.locator("#state-time").textContent()).trim();
  check(never === "—", "time in state before the first sign-in: " + never);
  // The placeholder is this agent's phone; the two sign-outs differ.
  check((await page.locator("#endpoint").getAttribute("placeholder")).includes("PJSIP/1001"), "placeholder names PJSIP/1001");
  const phoneOut = (await page.locator("#signout").textContent()).trim();
  const logOut = (await page.locator("#sb-signout").textContent()).trim();
  check(phoneOut !== logOut, "sign out of the phone and log out share the label " + phoneOut);

  // Bo (1002) is on PJSIP/1001: refused, naming him, in the page's
  // language.
  const zh = (await page.evaluate(() => document.documentElement.lang)).startsWith("zh");
  await page.click("#signin");
  const err = page.locator("#signin-form .sb-field-error");
  await err.waitFor();
  const msg = await err.textContent();
  check(msg.includes("1002 (Bo)") && msg.includes("PJSIP/1001") && msg.includes(zh ? "已被坐席" : "is in use by"), "phone-taken message (" + (zh ? "zh" : "en") + "): " + msg);
  check((await page.locator("#endpoint").getAttribute("aria-invalid")) === "true", "the phone field is marked");
  await shot(page, "desk-phone-taken");
  step("taken");
  await waitGo();
  await page.click("#signin");
  await page.locator("#state[data-state=ready]").waitFor();
  check((await err.count()) === 0, "the refused sign-in's error stays after the sign-in succeeded");
  step("ready");

  await waitGo();
  // Notes during the call.
  await page.locator("#call-notes-form:not([hidden])").waitFor({ timeout: 30000 });
  await page.fill("#call-notes", "客户问账单");
  // Wrap-up: the call notes are there; a disposition and more notes, not
  // submitted.
  await page.locator("#wrap-form:not([hidden])").waitFor({ timeout: 30000 });
  check((await page.locator("#wrap-notes").inputValue()) === "客户问账单", "call notes carried into wrap-up");
  check((await page.locator("#next-state").inputValue()) === "", "then: ready by default");
  await page.selectOption("#disposition", "callback");
  await page.fill("#wrap-notes", "客户问账单; call back Friday");
  await page.locator("#draft-status", { hasText: /草稿已保存|Draft saved/ }).waitFor({ timeout: 8000 });
  // The last 10 s: a visible alert.
  const warn = page.locator("#wrap-warn[role=alert]:not([hidden])");
  await warn.waitFor({ timeout: 20000 });
  const wt = await warn.textContent();
  check((zh ? /还剩 \d+ 秒/ : /ends in \d+ s/).test(wt), "warning text: " + wt);
  await shot(page, "desk-wrap-warn");
  // One extension: the warning goes, the button goes.
  await page.click("#wrap-extend");
  await page.locator("#wrap-extend").waitFor({ state: "hidden" });
  await page.locator("#wrap-warn").waitFor({ state: "hidden" });
  // Then the timer runs out, with nothing submitted.
  await page.locator("#wrap-warn[role=alert]:not([hidden])").waitFor({ timeout: 20000 });
  await page.locator("#state[data-state=ready]").waitFor({ timeout: 30000 });
  step("expired");

  // A break the lead must approve: shown as pending, and withdrawn.
  await page.click("#notready");
  const pending = page.locator("#pending:not([hidden])");
  await pending.waitFor();
  const pt = await pending.textContent();
  check(/待班长审批|Waiting for the lead/.test(pt), "pending request shown: " + pt);
  check((await page.locator("#state").getAttribute("data-state")) === "ready", "still ready while pending");
  await page.click("#withdraw");
  await page.locator("#pending").waitFor({ state: "hidden" });
  step("withdrawn");

  // The other language: the same refusal and warning texts exist there.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("#state[data-state=ready]").waitFor();
  const other = await page.evaluate(() => [SB.t("phone_taken"), SB.t("wrap_warn"), SB.t("sign_out"), SB.t("nav.signout")]);
  check(other[0].includes("{who}") && other[1].includes("{t}") && other[2] !== other[3], "texts in the other language: " + other.join(" | "));
  await shot(page, zh ? "desk-after-expiry-en" : "desk-after-expiry-zh");
});
