// Browser test: the agent opens "my follow-ups", opens the task by
// keyboard and records the reached customer's satisfaction 4 with the
// result form; the team lead sees an overdue follow-up and reassigns it
// to the team. The Go side checks the records.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const task = process.env.SB_TASK, late = process.env.SB_LATE;
  const page = await ctx.newPage();
  await login(page, "ada", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/followups");
  const open = page.locator('#fu-rows button[data-open="' + task + '"]');
  await open.waitFor();
  check(/待回访|To follow up/.test(await page.locator("#fu-rows").textContent()), "the state is not written out");
  // Keyboard only: focus the task, Enter opens it; Tab through the form.
  await open.focus();
  await page.keyboard.press("Enter");
  const form = page.locator("#fu-result");
  await form.waitFor();
  await form.locator('select[name="outcome"]').focus();
  await page.keyboard.press("Tab");
  check(await form.locator('select[name="result"]').evaluate((el) => el === document.activeElement), "Tab does not reach the answer");
  await page.keyboard.press("Tab");
  check(await form.locator('select[name="satisfaction"]').evaluate((el) => el === document.activeElement), "Tab does not reach the score");
  await form.locator('select[name="satisfaction"]').selectOption("4");
  await form.locator('textarea[name="notes"]').focus();
  await page.keyboard.type("happy with the fix");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.locator("#fu-detail", { hasText: "happy with the fix" }).waitFor();
  const detail = await page.locator("#fu-detail").textContent();
  check(/已结束|Closed/.test(detail) && /已联系上|Reached/.test(detail), "detail after the result: " + detail);
  check((await page.locator("#fu-result").count()) === 0, "the result form is still offered on a closed task");
  await shot(page, "followups-agent-result");
  step("recorded");

  const lp = await ctx.newPage();
  await login(lp, "lena", process.env.SB_LEAD_PW);
  await lp.goto(base + "/ui/followups");
  const row = lp.locator("#fu-overdue-rows tr", { hasText: late });
  await row.waitFor();
  check((await lp.locator("#fu-overdue-rows tr", { hasText: task }).count()) === 0, "the closed task is listed overdue");
  await row.locator("select").selectOption("team:front");
  await row.locator("select").focus();
  await lp.keyboard.press("Tab");
  await lp.keyboard.press("Enter");
  await lp.locator("#fu-rows", { hasText: "front" }).waitFor();
  await shot(lp, "followups-lead-reassigned");
  step("reassigned");
});
