// Browser test c: a team lead forces an agent not ready from the
// supervisor page; the agent's own page shows it (the Go side checks the
// engine and the audit log).
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx, browser) => {
  // The agent, in a browser of their own (their own session).
  const actx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  actx.setDefaultTimeout(10000);
  const agent = await actx.newPage();
  await login(agent, "ada", process.env.SB_AGENT_PW);
  await agent.goto(base + "/ui/desk"); // open before the change: it must update by itself

  const lead = await ctx.newPage();
  await login(lead, "lena", process.env.SB_LEAD_PW);
  await lead.goto(base + "/ui/supervisor");
  const row = lead.locator('#sv-rows tr[data-agent="1001"]');
  await row.locator(".state-ready").waitFor();
  // Only the lead's team: Bo (team back) is not listed; Cy's name is text.
  check((await lead.locator('#sv-rows tr[data-agent="1002"]').count()) === 0, "another team's agent is listed");
  check((await lead.locator("#sv-rows b").count()) === 0, "a name was rendered as HTML");
  check((await row.locator(".state").textContent()).trim().length > 0, "state shown as text");

  // Keyboard only: focus the button, Enter opens the dialog, type the
  // reason, Enter submits.
  await row.locator('button[data-key="1001:not_ready"]').focus();
  await lead.keyboard.press("Enter");
  await lead.locator("#sv-dialog[open]").waitFor();
  if (await lead.locator("#sv-reason-select").isVisible()) {
    await lead.selectOption("#sv-reason-select", "meeting");
    await lead.locator("#sv-reason-select").focus();
  } else {
    await lead.keyboard.type("meeting");
  }
  await lead.keyboard.press("Enter");
  await lead.locator("#sv-dialog[open]").waitFor({ state: "detached" }).catch(() => {});
  await row.locator(".state-not_ready").waitFor();
  check((await row.textContent()).includes("meeting"), "the reason is in the row");
  await shot(lead, "supervise-lead-forced-not-ready");

  // The agent's page shows it without a reload.
  await agent.locator("#state-label", { hasText: /未就绪|Not ready/ }).waitFor();
  await shot(agent, "supervise-agent-desk-not-ready");
  step("forced");

  // A forced sign-out needs a reason: the dialog says so at the field.
  await row.locator('button[data-key="1001:sign_out"]').click();
  await lead.locator("#sv-dialog[open]").waitFor();
  await lead.click("#sv-ok");
  check(await lead.locator("#sv-dialog[open]").isVisible(), "submitted a sign-out without a reason");
  await lead.keyboard.press("Escape");
  step("done");
});
