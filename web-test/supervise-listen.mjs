// Browser test d: a supervisor listens, whispers and barges from the
// supervisor page; the Go side checks their phone is called and gets RTP.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "sam", process.env.SB_SUP_PW);
  await page.goto(base + "/ui/supervisor");
  await page.fill("#sv-phone", process.env.SB_SUP_PHONE);
  const row = page.locator('#sv-rows tr[data-agent="1001"]');
  await row.locator(".state-on_call").waitFor({ timeout: 20000 });
  check(!(await row.locator(".call").textContent()).includes("—"), "the row shows the call");
  await shot(page, "supervise-on-call");
  step("ready");
  for (;;) {
    const mode = await waitGo();
    if (mode === "end") break;
    await row.locator(`button[data-key="1001:${mode}"]`).click();
    await page.locator("#sb-toast p", { hasText: process.env.SB_SUP_PHONE }).last().waitFor();
    step("clicked", { mode });
  }
  await shot(page, "supervise-barge");
  step("done");
});
