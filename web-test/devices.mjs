// Browser test: an admin files a trunk on /ui/devices (a missing serial
// refused naming the field); the Go side kills its carrier and the fault
// from the trunk.state record appears in the trunk's file by itself; the
// admin logs a repair and scraps it (a state: it stays on file, shown as
// scrapped); a team lead, in their own browser, reads the file without
// the forms. Keyboard operable; states written out.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

run(async (ctx, browser) => {
  const page = await ctx.newPage();
  await login(page, "adm", process.env.SB_ADMIN_PW);
  await page.goto(base + "/ui/devices");
  await page.locator("#sb-lang").waitFor();
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("h1", { hasText: "设备档案" }).waitFor();
  await page.locator("#dv-rows td", { hasText: "没有设备" }).waitFor();

  // No serial: refused, the field named.
  await page.selectOption("#dv-kind", "trunk");
  await page.locator("#dv-ref").fill("carrier-good");
  await page.locator("#dv-model").fill("SIP trunk");
  await page.locator("#dv-register-btn").focus();
  await page.keyboard.press("Enter");
  await page.locator("#dv-register .sb-field-error").waitFor();
  check((await page.getAttribute("#dv-serial", "aria-invalid")) === "true", "the missing serial is not marked");

  // By keyboard: the serial, then Tab on to File.
  await page.locator("#dv-serial").focus();
  await page.keyboard.type("CT-0001");
  await page.keyboard.press("Tab");
  await page.keyboard.type("rack 2");
  await page.locator("#dv-register-btn").focus();
  await page.keyboard.press("Enter");
  const row = page.locator('#dv-rows tr[data-device="D000001"]');
  await row.waitFor();
  const txt = await row.textContent();
  check(txt.includes("中继") && txt.includes("carrier-good") && txt.includes("CT-0001") && txt.includes("在用") && txt.includes("无故障"), "filed row: " + txt);
  check((await page.getAttribute("#dv-serial", "aria-invalid")) === null, "the error mark stayed");
  step("filed");

  await waitGo(); // the carrier is dead and the trunk down
  await page.reload();
  await row.locator(".dv-faults .dv-fault-bad", { hasText: "中断" }).waitFor();
  await shot(page, "devices-fault");

  // A repair, then scrapping.
  await page.selectOption("#dv-maint-device", "D000001");
  await page.selectOption("#dv-maint-kind", "repair");
  await page.locator("#dv-maint-date").fill(process.env.SB_DAY);
  await page.locator("#dv-maint-note").focus();
  await page.keyboard.type("carrier port reset");
  await page.keyboard.press("Tab");
  check(await page.locator("#dv-maint-btn").evaluate((el) => el === document.activeElement), "Tab does not reach Log");
  await page.keyboard.press("Enter");
  await row.locator(".dv-maint", { hasText: "carrier port reset" }).waitFor();
  await page.selectOption("#dv-scrap-device", "D000001");
  await page.locator("#dv-scrap-reason").fill("contract ended");
  await page.locator("#dv-scrap-btn").focus();
  await page.keyboard.press("Enter");
  await row.locator(".dv-state-scrapped", { hasText: "已报废（contract ended）" }).waitFor();
  check((await page.locator('#dv-maint-device option[value="D000001"]').count()) === 0, "a scrapped device can still be maintained");
  await shot(page, "devices-scrapped");

  // A team lead reads, in English, without the forms.
  const lctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  lctx.setDefaultTimeout(10000);
  const lp = await lctx.newPage();
  await login(lp, "lena", process.env.SB_LEAD_PW);
  await lp.goto(base + "/ui/devices");
  await lp.locator("#dv-rows td", { hasText: "No devices." }).waitFor();
  check(await lp.locator("#dv-register-box").isHidden() && await lp.locator("#dv-scrap-box").isHidden() && await lp.locator("#dv-maint-box").isHidden(), "a lead sees the forms");
  await lp.locator("#dv-filter-all").check();
  await lp.locator("#dv-filter button").focus();
  await lp.keyboard.press("Enter");
  const lrow = lp.locator('#dv-rows tr[data-device="D000001"]');
  await lrow.waitFor();
  const lt = await lrow.textContent();
  check(lt.includes("Scrapped (contract ended)") && lt.includes("Down") && lt.includes("Repair"), "lead's row: " + lt);
  step("done");
});
