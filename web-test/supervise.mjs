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

  // Move Cy into another queue and give them a skill, live: the dialog
  // lists every queue; Cy stays signed in and ready.
  const cy = lead.locator('#sv-rows tr[data-agent="1003"]');
  await cy.locator('button[data-key="1003:assign"]').click();
  await lead.locator("#sv-assign-dialog[open]").waitFor();
  check((await lead.locator("#sv-assign-title").textContent()).includes("<b>Cy</b>"), "the dialog names Cy as text");
  await lead.locator('#sv-assign-queues input[value="sales"]').check();
  await lead.click("#sv-skill-add");
  // A name the skill expressions cannot read is refused by the server, at
  // the field, nothing saved.
  await lead.keyboard.type("1billing");
  await lead.click('#sv-assign button[type="submit"]');
  await lead.locator("#sv-assign .sb-field-error").waitFor();
  check((await lead.locator('#sv-skill-rows [aria-invalid="true"]').count()) === 1, "the bad skill name is not marked");
  await shot(lead, "supervise-assign-refused");
  await lead.locator("#sv-skill-rows tr:last-child .skill-name").fill("billing");
  // A level out of range stops at the browser's own check.
  const level = lead.locator("#sv-skill-rows tr:last-child .skill-level");
  await level.fill("11");
  check(!(await level.evaluate((el) => el.checkValidity())), "level 11 passes the form's check");
  await level.fill("7");
  await lead.click('#sv-assign button[type="submit"]');
  await lead.locator("#sv-assign-dialog[open]").waitFor({ state: "detached" }).catch(() => {});
  await cy.locator("td", { hasText: "sales" }).waitFor();
  check(await cy.locator(".state-ready").isVisible(), "Cy is not ready any more after the move");
  check((await cy.locator(".skills").textContent()).includes("billing 7"), "the new skill is not listed");
  await shot(lead, "supervise-assigned");
  step("assigned");

  // A forced sign-out needs a reason: the dialog says so at the field.
  await row.locator('button[data-key="1001:sign_out"]').click();
  await lead.locator("#sv-dialog[open]").waitFor();
  await lead.click("#sv-ok");
  check(await lead.locator("#sv-dialog[open]").isVisible(), "submitted a sign-out without a reason");
  await lead.keyboard.press("Escape");
  step("done");
});
