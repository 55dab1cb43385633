// Issue 16 (TestBrowserSuperviseApprovals): a pending not-ready request
// stands out on the supervisor page: a banner above the table names it,
// its row comes first and is marked, and the banner's button takes the
// keyboard to the row's approve button; approving clears it, live.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx, browser) => {
  const page = await ctx.newPage();
  await login(page, "sup", process.env.SB_SUP_PW);
  await page.goto(base + "/ui/supervisor");
  await page.waitForSelector('#sv-rows tr[data-agent="1002"]');
  check(await page.locator("#sv-approvals").isHidden(), "no banner without requests");
  const first = () => page.$eval("#sv-rows tr", (tr) => tr.dataset.agent);
  check((await first()) === "1001", "config order first: " + (await first()));

  // Bo asks for a break from his own desk: the team's minimum makes it
  // wait for a lead.
  const bo = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const desk = await bo.newPage();
  await login(desk, "bo", process.env.SB_AGENT_PW);
  await desk.goto(base + "/ui/desk");
  await desk.waitForSelector('#state[data-state="ready"]', { timeout: 15000 });
  const r = await desk.evaluate(() => SB.api("PUT", "/api/v1/agents/1002/state", { state: "not_ready", reason: "break" }).then((v) => v.pending_not_ready));
  check(r === "break", "Bo's request is pending: " + r);

  await page.waitForSelector("#sv-approvals:not([hidden])", { timeout: 15000 });
  const h = await page.locator("#sv-approvals-h").textContent();
  check(h === "1 not-ready request(s) waiting for approval", "banner: " + h);
  check((await page.locator('#sv-approvals li[data-agent="1002"]').textContent()).includes("Bo"), "the banner names Bo");
  check((await first()) === "1002", "the pending row comes first: " + (await first()));
  check((await page.getAttribute('#sv-rows tr[data-agent="1002"]', "class")) === "row-pending", "the pending row is marked");
  await page.focus('#sv-approvals li[data-agent="1002"] button');
  await page.keyboard.press("Enter");
  check(await page.evaluate(() => document.activeElement.dataset.key === "1002:approve"), "focus on Bo's approve button");
  await shot(page, "TestBrowserSuperviseApprovals");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#sv-approvals", { state: "hidden", timeout: 15000 });
  check((await page.getAttribute('#sv-rows tr[data-agent="1002"]', "class")) !== "row-pending", "the row is no longer marked");

  // Chinese.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.waitForSelector('#sv-rows tr[data-agent="1002"]');
  check(await page.locator("#sv-approvals").isHidden(), "no banner after approval (zh)");
  await bo.close();
  step("done");
});
