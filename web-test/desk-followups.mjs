// Desk "my follow-ups" (TestBrowserDeskMyFollowUps): the agent's open
// follow-ups on the desk, the overdue one marked and its state written
// out; the agent opens the other by keyboard and records the reached
// customer's satisfaction 4 without leaving the desk.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const task = process.env.SB_TASK, late = process.env.SB_LATE;
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  const lateRow = page.locator('#dfu-rows tr[data-id="' + late + '"]');
  await lateRow.waitFor({ timeout: 20000 });
  check((await lateRow.getAttribute("class")) === "warn", "the overdue row stands out");
  check(/已逾期|Overdue/.test(await lateRow.textContent()), "overdue written out: " + (await lateRow.textContent()));
  const row = page.locator('#dfu-rows tr[data-id="' + task + '"]');
  check(!/已逾期|Overdue/.test(await row.textContent()), "the other is not overdue");
  check(/待回访|To follow up/.test(await row.textContent()), "its state written out: " + (await row.textContent()));
  await row.locator("button").focus();
  await page.keyboard.press("Enter");
  const form = page.locator("#dfu-result");
  await form.waitFor();
  check(await form.locator('select[name="outcome"]').evaluate((el) => el === document.activeElement), "the form takes the focus");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  check(await form.locator('select[name="satisfaction"]').evaluate((el) => el === document.activeElement), "Tab reaches the score");
  await form.locator('select[name="satisfaction"]').selectOption("4");
  await form.locator('textarea[name="notes"]').fill("fixed, thanks");
  await form.locator('button[type="submit"]').focus();
  await page.keyboard.press("Enter");
  await page.locator("#dfu-status", { hasText: new RegExp(task + ".*(已结束|Closed)") }).waitFor();
  await page.waitForFunction((id) => !document.querySelector('#dfu-rows tr[data-id="' + id + '"]'), task);
  check(new URL(page.url()).pathname === "/ui/desk", "still on the desk");
  await shot(page, "desk-my-followups");
  step("recorded");
});
