// Browser test: a team lead builds next month's schedule on /ui/schedule
// by keyboard, sees a bad CSV line named, saves and publishes it (the
// state written out at each step); the agent then sees the shift on the
// same page. The Go side checks the records and the audit log.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx, browser) => {
  const page = await ctx.newPage();
  await login(page, "lena", process.env.SB_LEAD_PW);
  await page.goto(base + "/ui/schedule");
  const month = process.env.SB_MONTH;
  await page.locator("#sc-add-shift option").first().waitFor({ state: "attached" });
  check((await page.inputValue("#sc-month")) === month, "the month defaults to next month: " + (await page.inputValue("#sc-month")));
  check((await page.inputValue("#sc-team")) === "front", "the lead's team is preset");
  await page.locator("#sc-state", { hasText: /尚未建立|Not started/ }).waitFor();

  // A bad CSV line is named by its line number; nothing is saved.
  await page.fill("#sc-csv", "agent,date,shift\n1001," + month + "-04,day\n1001," + month + "-05,brunch\n");
  await page.click("#sc-import-btn");
  const errs = page.locator("#sc-import-errors li");
  await errs.first().waitFor();
  check(/3/.test(await errs.first().textContent()) && /shift/.test(await errs.first().textContent()), "import error: " + (await errs.first().textContent()));
  check(/尚未建立|Not started/.test(await page.locator("#sc-state").textContent()), "a refused import changed the state");

  // Keyboard only: type the entry, Tab through date and shift to Add.
  await page.locator("#sc-add-agent").focus();
  await page.keyboard.type("1001");
  await page.keyboard.press("Tab");
  await page.locator("#sc-add-date").fill(month + "-04");
  await page.locator("#sc-add-shift").focus();
  await page.selectOption("#sc-add-shift", "day");
  await page.keyboard.press("Tab");
  check(await page.locator("#sc-add-btn").evaluate((el) => el === document.activeElement), "Tab does not reach Add");
  await page.keyboard.press("Enter");
  await page.locator("#sc-rows tr", { hasText: month + "-04" }).waitFor();
  await page.locator("#sc-save-btn").focus();
  await page.keyboard.press("Enter");
  await page.locator("#sc-state", { hasText: /草稿|Draft/ }).waitFor();
  await page.locator("#sc-publish-btn:not([disabled])").waitFor();
  await page.locator("#sc-publish-btn").focus();
  await page.keyboard.press("Enter");
  await page.locator("#sc-state", { hasText: /已发布|Published/ }).waitFor();
  check(await page.locator("#sc-save-btn").isDisabled(), "a published month can still be saved");
  await shot(page, "schedule-lead-published");
  // Staffing on the published day: no calls logged, so nobody required;
  // the one agent on shift 09:00-17:00 shows as over by one.
  await page.locator("#sc-staff-date").fill(month + "-04");
  await page.locator("#sc-staff-btn").focus();
  await page.keyboard.press("Enter");
  const nine = page.locator('#sc-staff-rows tr[data-interval="09:00"]');
  await nine.waitFor();
  const nt = await nine.textContent();
  check(/over 1|多 1 人/.test(nt) && (await page.locator("#sc-staff-rows tr[data-interval]").count()) === 16, "staffing: " + nt);
  step("published");

  // The agent sees the published shift.
  const actx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  actx.setDefaultTimeout(10000);
  const ap = await actx.newPage();
  await login(ap, "ada", process.env.SB_AGENT_PW);
  await ap.goto(base + "/ui/schedule");
  const row = ap.locator("#sc-mine-rows tr", { hasText: month + "-04" });
  await row.waitFor();
  const txt = await row.textContent();
  check(txt.includes("day") && txt.includes("09:00") && txt.includes("17:00"), "agent's row: " + txt);
  check(await ap.locator("#sc-build-box").isHidden(), "an agent sees the lead's builder");
  await shot(ap, "schedule-agent");

  // The agent requests two days of leave, by keyboard.
  await ap.locator("#sc-leave-from").fill(month + "-06");
  await ap.locator("#sc-leave-to").fill(month + "-07");
  await ap.locator("#sc-leave-reason").focus();
  await ap.keyboard.type("family");
  await ap.keyboard.press("Tab");
  check(await ap.locator("#sc-leave-btn").evaluate((el) => el === document.activeElement), "Tab does not reach Request");
  await ap.keyboard.press("Enter");
  const lrow = ap.locator("#sc-leave-rows tr[data-leave-row]");
  await lrow.first().waitFor();
  check(/Pending/.test(await lrow.first().locator(".sc-lstate").textContent()), "the request's state is not written out");
  // A swap with oneself is refused, the message next to the field.
  await ap.locator("#sc-swap-date").fill(month + "-04");
  await ap.locator("#sc-swap-with").fill("1001");
  await ap.locator("#sc-swap-wdate").fill(month + "-04");
  await ap.click("#sc-swap-btn");
  const se = ap.locator("#sc-swap-form .sb-field-error");
  await se.waitFor();
  check(/oneself/.test(await se.textContent()) && (await ap.getAttribute("#sc-swap-with", "aria-invalid")) === "true", "swap error: " + (await se.textContent()));
  step("agent");

  // The lead sees it pending and approves it.
  await page.reload();
  await page.locator("#sc-pick button").click();
  const prow = page.locator("#sc-leave-rows tr[data-leave-row]", { hasText: "1001" });
  await prow.waitFor();
  check(/待审批|Pending/.test(await prow.textContent()), "lead: not pending: " + (await prow.textContent()));
  await prow.locator('button[data-d="approve"]').focus();
  await page.keyboard.press("Enter");
  await page.locator("#sc-leave-rows tr[data-leave-row] .sc-lstate", { hasText: /已批准|Approved/ }).waitFor();
  await shot(page, "schedule-lead-approved");

  // The wallboard shows the team's scheduled-now line (none scheduled now:
  // the schedule is next month's, so not flagged).
  await page.goto(base + "/ui/wallboard");
  const fl = page.locator('#wb-floor li[data-team="front"]');
  await fl.waitFor();
  const ft = await fl.textContent();
  check(/排班 0|scheduled 0/.test(ft) && !/低于|below/.test(ft), "wallboard floor: " + ft);

  // The agent sees it approved.
  await ap.reload();
  await ap.locator("#sc-leave-rows tr[data-leave-row] .sc-lstate", { hasText: "Approved" }).waitFor();
  step("approved");
});
