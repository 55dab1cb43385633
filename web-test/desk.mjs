// Browser test a: an agent signs in to their phone and goes ready; a real
// call is offered; the screen pop shows the caller's number and their last
// contacts within 1 s of the phone ringing (the Go side compares the times
// with the PBX's ringing event); the agent wraps up with a disposition.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

const caller = "13800138000";

// popped waits until the pop shows the caller (and, if want is given, a
// last contact with that disposition label) and returns the page's clock
// at that moment.
async function popped(page, want) {
  const h = await page.waitForFunction(([num, label]) => {
    const sec = document.getElementById("call");
    if (!sec || sec.hidden || document.getElementById("caller").textContent !== num) return false;
    if (label && !document.getElementById("contacts").textContent.includes(label)) return false;
    return Date.now();
  }, [caller, want || ""], { polling: 20, timeout: 30000 });
  return h.jsonValue();
}

// wrapUp submits the wrap-up; with then, the agent goes not ready for
// that reason after it, and back to ready.
async function wrapUp(page, disposition, notes, shotName, then) {
  await page.locator("#wrap-form:not([hidden])").waitFor({ timeout: 30000 });
  // Each call's "then" starts at ready, whatever the last call's was.
  check((await page.locator("#next-state").inputValue()) === "", "then: ready at the start of wrap-up, got " + (await page.locator("#next-state").inputValue()));
  if (then) await page.selectOption("#next-state", then);
  check(await page.locator("#transfer-form").isHidden(), "no transfer form after the call");
  // The wrap-up timer counts down.
  const t1 = await page.locator("#wrap-timer").textContent();
  check(/\d+:\d\d/.test(t1), "wrap-up timer shown: " + t1);
  await page.selectOption("#disposition", disposition);
  await page.fill("#wrap-notes", notes);
  if (shotName) await shot(page, shotName);
  // Keyboard: Enter in the disposition select's form submits via the button.
  await page.focus("#wrap-form button[type=submit]");
  await page.keyboard.press("Enter");
  if (then) {
    await page.locator("#state[data-state=not_ready]").waitFor({ timeout: 10000 });
    check((await page.locator("#state-reason").textContent()).includes("Meal"), "not ready after wrap-up, as chosen");
    await page.click("#ready");
  }
  await page.locator("#state[data-state=ready]").waitFor({ timeout: 10000 });
}

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.locator("#state[data-state=signed_out]").waitFor();
  await page.fill("#endpoint", "PJSIP/1001");
  await page.click("#signin");
  await page.locator("#state[data-state=ready]").waitFor();
  // The state is a text label, not only a colour.
  const label = (await page.locator("#state-text").textContent()).trim();
  check(label === "Ready" || label === "就绪", "state label: " + label);
  step("ready");

  // First call: no history yet.
  await waitGo();
  step("popped1", { at: await popped(page) });
  // The pop: IVR path and keys pressed, queue; an unknown caller.
  check((await page.locator("#call-digits").textContent()).includes("1"), "digits shown");
  check((await page.locator("#call-queue").textContent()) === "support", "queue shown");
  await page.fill("#cust-name", "<b>Wang</b> 王");
  await page.fill("#cust-tags", "vip, 投诉");
  await page.fill("#cust-notes", "prefers mornings");
  await page.click("#customer-form button[type=submit]");
  await page.waitForFunction(() => /Known|已识别/.test(document.getElementById("customer-status").textContent));
  await wrapUp(page, "callback", "<i>call back</i> tomorrow", "", "meal");
  step("wrapped1");

  // Second call from the same number: the pop shows the customer and the
  // first call with its disposition.
  await waitGo();
  step("popped2", { at: await popped(page, "Call back") });
  check((await page.locator("#cust-name").inputValue()) === "<b>Wang</b> 王", "customer matched by number");
  check((await page.locator("#call b, #customer b, #contacts i").count()) === 0, "HTML in names and notes shown as text");
  check(await page.locator("#transfer-form").isHidden(), "no transfer form while ringing");
  await shot(page, "desk-pop");
  // During the call the transfer form is there.
  await page.locator("#transfer-form:not([hidden])").waitFor({ timeout: 10000 });
  await wrapUp(page, "resolved", "done", "desk-wrap-up");
  await shot(page, "desk-wrapped");
  step("wrapped2");

  // Not ready for a break: the reason list marks the current reason and
  // offers the others; the button changes the reason.
  await page.selectOption("#reason", "break");
  await page.click("#notready");
  await page.locator("#state[data-state=not_ready]").waitFor();
  await page.locator("#reason option[value=break][disabled]").waitFor({ state: "attached" });
  const brk = (await page.locator("#reason option[value=break]").textContent()).trim();
  check(brk.includes("(current)"), "the current reason is marked: " + brk);
  check((await page.locator("#reason").inputValue()) === "meal", "another reason is picked: " + (await page.locator("#reason").inputValue()));
  check((await page.locator("#notready").textContent()).trim() === "Change reason", "the button changes the reason");
  await shot(page, "desk-reason-current");
  await page.click("#notready");
  await page.locator("#reason option[value=meal][disabled]").waitFor({ state: "attached" });
  check((await page.locator("#state-reason").textContent()).includes("Meal"), "now on a meal break");
  check((await page.locator("#reason option[value=break]").isDisabled()) === false, "break can be picked again");
  await page.click("#ready");
  await page.locator("#state[data-state=ready]").waitFor();
  check((await page.locator("#notready").textContent()).trim() === "Not ready", "ready again: the button is not ready");
  check((await page.locator("#reason option[disabled]").count()) === 0, "ready: no reason marked");

  // Chinese is one click away (and the default for new users).
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.waitForFunction(() => document.getElementById("state-text").textContent === "就绪");
  check((await page.locator("#call-h, #idle-h").first().textContent()) === "来电", "Chinese labels");
  await shot(page, "desk-zh");
});
