// The desk's dial box (TestBrowserDeskDialRefusals): refusals shown at the
// number field, in the user's language, in zh and then en.
import { base, check, login, run, shot, step } from "./lib.mjs";

async function refused(page, number, want) {
  await page.fill("#dial-number", number);
  await page.click("#dial-go");
  const err = page.locator("#dial-form .sb-field-error");
  await page.waitForFunction(([re]) => {
    const el = document.querySelector("#dial-form .sb-field-error");
    return el && new RegExp(re).test(el.textContent);
  }, [want.source], { timeout: 10000 });
  check((await page.locator("#dial-number").getAttribute("aria-invalid")) === "true", "number field marked for " + number);
  return err.textContent();
}

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  await page.locator("#state[data-state=signed_out]").waitFor();
  await page.click("#signin");
  await page.locator("#state[data-state=ready]").waitFor();
  const zh = (await page.evaluate(() => document.documentElement.lang)).startsWith("zh");
  const t1 = await refused(page, "abc", zh ? /号码无效/ : /Invalid number/);
  const t2 = await refused(page, "010 9999 9999", zh ? /禁呼名单/ : /do-not-call/);
  await shot(page, "desk-dial-refused");
  // The other language.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("#state[data-state=ready]").waitFor();
  const t3 = await refused(page, "abc", zh ? /Invalid number/ : /号码无效/);
  const t4 = await refused(page, "010 9999 9999", zh ? /do-not-call/ : /禁呼名单/);
  await shot(page, "desk-dial-refused-other");
  check(t1 !== t3 && t2 !== t4, "the two languages differ: " + [t1, t2, t3, t4].join(" | "));
  step("refused");
});
