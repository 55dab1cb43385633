// Issue 16 (TestBrowserDayNightSwitch): the day/night switch on the
// supervisor page. A supervisor forces night with the keyboard (and
// confirms); a lead sees it read-only and follows the change live.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

run(async (ctx, browser) => {
  const lctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "en-US" });
  lctx.setDefaultTimeout(10000);
  const lead = await lctx.newPage();
  await login(lead, "lena", process.env.SB_LEAD_PW);
  await lead.goto(base + "/ui/supervisor");
  const leadRow = lead.locator('#hr-list tr[data-calendar="office"]');
  await leadRow.waitFor();
  check((await lead.locator("#hr-title").textContent()) === "Day / night switch", "English title for the lead");
  check(await leadRow.locator('input[value="night"]').isDisabled(), "a lead cannot switch");
  check((await lead.locator("#hr-status").textContent()).includes("Only a supervisor"), "the lead is told why");
  check((await leadRow.locator(".hr-now").textContent()) === "open", "office open (24 h)");

  const sup = await ctx.newPage();
  await login(sup, "sue", process.env.SB_SUP_PW);
  await sup.goto(base + "/ui/supervisor");
  const row = sup.locator('#hr-list tr[data-calendar="office"]');
  await row.waitFor();

  check(await row.locator('input[value="auto"]').isChecked(), "auto to begin with");
  let asked = "";
  sup.on("dialog", (d) => { asked = d.message(); d.accept(); });
  // Keyboard: focus the checked radio, arrow to "day", then to "night".
  await row.locator('input[value="auto"]').focus();
  await sup.keyboard.press("ArrowDown"); // day
  await sup.locator("#hr-status", { hasText: "forced day" }).waitFor();
  await row.locator('input[value="day"]').focus();
  await sup.keyboard.press("ArrowDown"); // night: asks first
  await sup.locator("#hr-status", { hasText: "forced night" }).waitFor();
  check(asked.includes("office"), "night is confirmed first: " + asked);
  check((await row.locator(".hr-now").textContent()) === "closed", "shown closed");
  // The lead's page follows without a reload.
  await leadRow.locator(".hr-now", { hasText: "closed" }).waitFor();
  check(await leadRow.locator('input[value="night"]').isChecked(), "the lead sees night");
  await shot(sup, "TestBrowserDayNightSwitch-night");
  step("night");

  await waitGo(); // the Go side placed a call: it took the night branch
  await row.locator('input[value="auto"]').check();
  await sup.locator("#hr-status", { hasText: "auto" }).waitFor();
  await leadRow.locator(".hr-now", { hasText: "open" }).waitFor();
  // In Chinese: the switch's words.
  await Promise.all([sup.waitForEvent("load"), sup.click("#sb-lang")]);
  await sup.locator("#hr-title", { hasText: "日夜服务切换" }).waitFor();
  check((await row.locator(".hr-now").textContent()) === "服务中", "Chinese: open");
  check((await row.locator("label.hr-mode").allTextContents()).join("|") === " 自动（按工作时间）| 强制日间| 强制夜间", "Chinese modes: " + (await row.locator("label.hr-mode").allTextContents()).join("|"));
  await shot(sup, "TestBrowserDayNightSwitch-zh");
  step("auto");
});
