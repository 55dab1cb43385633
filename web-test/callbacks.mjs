// The callbacks worklist (TestBrowserDeskCallbackPreview, after the desk
// part): a team lead opens it from the nav; the open view is empty, the
// closed view shows the callback connected (its number masked), in zh and en.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "lea", process.env.SB_LEAD_PW);
  await page.goto(base + "/ui/supervisor");
  await page.click('#sb-nav a[href="/ui/callbacks"]');
  await page.locator("#cb-rows").waitFor();
  await page.locator("#cb-status", { hasText: /更新于|Updated/ }).waitFor();
  const zh = (await page.evaluate(() => document.documentElement.lang)).startsWith("zh");
  check((await page.locator("#cb-rows tr[data-id]").count()) === 0, "nothing open");
  check(/没有符合条件|No callbacks match/.test(await page.locator("#cb-rows").textContent()), "the empty view says so");
  // Keyboard: the filter is a select.
  await page.focus("#cb-show");
  await page.selectOption("#cb-show", "closed");
  const row = page.locator("#cb-rows tr[data-state=closed]");
  await row.waitFor();
  const text = await row.textContent();
  // A team lead sees numbers masked, as everywhere.
  const num = (await row.locator("td").first().textContent()).trim();
  check(num !== "" && num !== process.env.SB_CB_NUMBER && num.includes("*"), "the number, masked for a lead: " + num);
  check(text.includes("support"), "the row: " + text);
  check(text.includes(zh ? "已接通" : "Connected") && text.includes(zh ? "已关闭" : "Closed"), "state and result written out: " + text);
  check(/1 \/ \d/.test(text), "one try of the limit: " + text);
  await shot(page, "callbacks-closed");
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("#cb-status", { hasText: /更新于|Updated/ }).waitFor();
  await page.selectOption("#cb-show", "all");
  const other = await page.locator("#cb-rows tr[data-state=closed]").textContent();
  check(other.includes(zh ? "Connected" : "已接通"), "the other language: " + other);
  await shot(page, "callbacks-other-language");
  step("listed");
});
