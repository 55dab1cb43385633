// The desk's callback preview (TestBrowserDeskCallbackPreview): a callback
// waits; the agent signs in and the desk pops the preview with the number,
// queue and attempts; a skip without a reason is refused at the reason
// field; the agent accepts with the keyboard and the call shows.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.locator("#state[data-state=signed_out]").waitFor();
  await page.fill("#endpoint", "PJSIP/1001");
  await page.click("#signin");
  await page.locator("#cb-preview:not([hidden])").waitFor({ timeout: 30000 });
  check((await page.locator("#state").getAttribute("data-state")) === "reserved", "reserved for the preview");
  check((await page.locator("#cb-number").textContent()) === process.env.SB_CB_NUMBER, "the number: " + await page.locator("#cb-number").textContent());
  check((await page.locator("#cb-queue").textContent()) === "support", "the queue");
  check(/0/.test(await page.locator("#cb-attempts").textContent()), "no attempts yet");
  check(await page.locator("#idle").isHidden(), "no idle text under the preview");
  check(await page.locator("#customer").isVisible(), "the number's customer and history shown");
  const zh = (await page.evaluate(() => document.documentElement.lang)).startsWith("zh");
  check((await page.locator("#cb-h").textContent()) === (zh ? "回电预览" : "Callback preview"), "title in the page's language");
  await shot(page, "desk-callback-preview");
  // Skip needs a reason: refused at the field, nothing changes.
  await page.click("#cb-skip");
  await page.waitForFunction(() => {
    const el = document.querySelector("#cb-skip-form .sb-field-error");
    return el && /跳过原因|reason for skipping/i.test(el.textContent);
  });
  check((await page.locator("#cb-skip-reason").getAttribute("aria-invalid")) === "true", "reason field marked");
  // Keyboard: focus the accept button and press Enter.
  await page.focus("#cb-accept");
  await page.keyboard.press("Enter");
  await page.locator("#cb-preview").waitFor({ state: "hidden", timeout: 10000 });
  await page.locator("#call:not([hidden])").waitFor({ timeout: 10000 });
  step("accepted");
  await page.locator("#state[data-state=wrap_up]").waitFor({ timeout: 30000 });
  step("ended");
});
