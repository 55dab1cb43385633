// Browser test: a team lead finds the overdue ticket on the tickets page
// and dispatches the complaint ticket (opened by a wrap-up) to their team
// by keyboard only; the ticket page shows its history. The Go side
// checks the record and the audit log.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

async function streamText(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

run(async (ctx, browser) => {
  const page = await ctx.newPage();
  await login(page, "lena", process.env.SB_LEAD_PW);
  await page.goto(base + "/ui/tickets");
  const complaint = process.env.SB_COMPLAINT, quick = process.env.SB_QUICK;

  // The overdue list names the ticket left alone, and only it.
  const od = page.locator('#tk-overdue-rows tr[data-ticket="' + quick + '"]');
  await od.waitFor();
  check((await page.locator('#tk-overdue-rows tr[data-ticket="' + complaint + '"]').count()) === 0, "the fresh complaint is listed overdue");
  check((await od.textContent()).includes("quick"), "the overdue row names its category");
  // States are written out.
  const row = page.locator('#tk-rows tr[data-ticket="' + complaint + '"]');
  await row.waitFor();
  check(/新建|New/.test(await row.locator(".tk-state").textContent()), "the state is not written out");
  await shot(page, "tickets-lead-overdue");

  // Keyboard only: focus the ticket's button, Enter opens it; Tab to the
  // dispatch target, pick the team, Tab to Dispatch, Enter.
  await row.locator("button").focus();
  await page.keyboard.press("Enter");
  await page.locator("#tk-detail-h", { hasText: complaint }).waitFor();
  await page.locator("#tk-note").focus();
  await page.keyboard.type("please call back today");
  await page.keyboard.press("Tab");
  check(await page.locator("#tk-target").evaluate((el) => el === document.activeElement), "Tab does not reach the target");
  await page.selectOption("#tk-target", "team:front");
  await page.keyboard.press("Tab");
  check(await page.locator("#tk-act-dispatch").evaluate((el) => el === document.activeElement), "Tab does not reach Dispatch");
  await page.keyboard.press("Enter");
  await page.locator("#tk-history tr").first().waitFor();
  const hist = await page.locator("#tk-history").textContent();
  check(hist.includes("lena") && hist.includes("front") && hist.includes("please call back today"), "history: " + hist);
  check(/已派单|Dispatched/.test(await page.locator("#tk-detail .tk-state").first().textContent()), "the state after dispatch");
  // Reassign is offered now, and the overdue ticket is still listed.
  await page.locator("#tk-act-reassign").waitFor();
  check((await od.count()) === 1, "the overdue ticket went from the list");
  await shot(page, "tickets-lead-dispatched");

  // The ticket report downloads as CSV: one dispatched within SLA.
  await page.selectOption("#tk-report-period", "today");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click('#tk-report button[value="csv"]')]);
  const csv = await streamText(await dl.createReadStream());
  check(csv.includes("Dispatched within SLA") && /\ncomplaint,1,1,1,100,/.test(csv), "ticket report csv: " + csv);
  step("dispatched");

  // A ticket that goes overdue while the page is open is the lead's
  // alert: a toast from the live feed, and the overdue list grows.
  const third = await waitGo();
  await page.locator("#sb-toast p", { hasText: third }).waitFor({ timeout: 30000 });
  await page.locator('#tk-overdue-rows tr[data-ticket="' + third + '"]').waitFor();
  await shot(page, "tickets-lead-alerted");
  step("alerted");

  // The customer calls again: the agent's desk shows their ticket in one
  // timeline with their calls, linking to the ticket page.
  const actx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: "zh-CN" });
  actx.setDefaultTimeout(10000);
  const agent = await actx.newPage();
  await login(agent, "ada", process.env.SB_AGENT_PW);
  await agent.goto(base + "/ui/desk");
  await agent.locator("#state[data-state=ready]").waitFor();
  step("desk");
  const link = agent.locator("#contacts tr.ticket a", { hasText: complaint });
  await link.waitFor({ timeout: 30000 });
  check((await agent.locator("#contacts tr.ticket").textContent()).match(/已派单|Dispatched/), "the ticket's state is not written out on the desk");
  check((await agent.locator("#contacts tr").count()) >= 3, "the earlier call is not in the timeline");
  check((await link.getAttribute("href")) === "/ui/tickets?id=" + complaint, "the link does not open the ticket");
  await shot(agent, "tickets-desk-timeline");

  // From the desk, a new ticket for this call: the tickets page opens
  // prefilled with the call and the customer; keyboard to the end.
  const href = await agent.locator("#new-ticket").getAttribute("href");
  check(href.includes("call=") && href.includes("customer="), "the desk's new-ticket link: " + href);
  await agent.goto(base + href);
  await agent.locator("#tk-new-category:focus").waitFor();
  check((await agent.locator('#tk-new [name="calls"]').inputValue()).startsWith("call-"), "the call is not prefilled");
  await agent.selectOption("#tk-new-category", "complaint");
  await agent.locator('#tk-new [name="description"]').fill("asked for a refund");
  await agent.locator('#tk-new button[type="submit"]').focus();
  await agent.keyboard.press("Enter");
  await agent.locator("#tk-detail-h", { hasText: "T000004" }).waitFor();
  check(/坐席工作台|Agent desk/.test(await agent.locator("#tk-detail").textContent()), "the source is not written out");
  step("timeline");
});
