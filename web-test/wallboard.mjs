// Browser test of the wallboard (issue 7, point 3 and must-hold b): the
// waiting count of a queue goes up when a real caller joins and down when
// they abandon, live (no reload); an alert line with its level written out
// appears meanwhile; 12 queue tiles fit 1920×1080 without scrolling.
// The Go side (testbed/wallboard_browser_e2e_test.go) places the call.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

const waiting = (page) => page.locator('[data-queue="support"] .waiting .num').textContent();

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, process.env.SB_SUP, process.env.SB_SUP_PW);
  await page.goto(base + "/ui/wallboard");
  await page.waitForSelector('#wb-live[data-live="on"]');
  await page.waitForSelector('[data-queue="support"]');
  check((await waiting(page)) === "0", "support waiting before the call: " + (await waiting(page)));
  check((await page.locator("#wb-live").textContent()).includes("实时"), "live indicator label (zh)");

  // One screen: 12 tiles inside the viewport, nothing to scroll.
  const fit = await page.evaluate(() => {
    const tiles = [...document.querySelectorAll("#wb-queues > li")];
    const inside = tiles.every((t) => { const r = t.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; });
    return { tiles: tiles.length, inside, scroll: document.documentElement.scrollHeight - innerHeight };
  });
  check(fit.tiles === 12 && fit.inside && fit.scroll <= 0, "12 tiles on one 1920×1080 screen: " + JSON.stringify(fit));
  await page.evaluate(() => { window.__noReload = true; });
  step("ready");

  await waitGo(); // the caller is dialling
  await page.waitForFunction(() => document.querySelector('[data-queue="support"] .waiting .num').textContent === "1",
    null, { polling: "raf", timeout: 15000 });
  const joinedAt = Date.now();
  const alert = await page.locator("#wb-alerts li", { hasText: "排队人数" }).first().textContent();
  check(alert.includes("黄色预警") && alert.includes("support"), "alert line names its level, queue and metric: " + alert);
  const mark = await page.locator('[data-queue="support"] .mark').textContent();
  check(mark !== "正常", "the support tile's marker shows a level: " + mark);
  await shot(page, "TestBrowserWallboard");
  step("joined", { at: joinedAt });

  await page.waitForFunction(() => document.querySelector('[data-queue="support"] .waiting .num').textContent === "0",
    null, { polling: "raf", timeout: 20000 });
  const leftAt = Date.now();
  check(await page.evaluate(() => window.__noReload === true), "the page was reloaded");
  const abandoned = await page.locator('[data-queue="support"] .abandoned dd').textContent();
  check(abandoned.startsWith("1"), "abandoned today after the caller left: " + abandoned);
  await shot(page, "TestBrowserWallboard-after");
  step("left", { at: leftAt });
});
