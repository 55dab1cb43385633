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
  const liveLabel = await page.locator("#wb-live").textContent();
  check(/实时|Live/.test(liveLabel), "live indicator label: " + liveLabel);

  // One screen: 12 tiles inside the viewport, nothing to scroll.
  const fit = await page.evaluate(() => {
    const tiles = [...document.querySelectorAll("#wb-queues > li")];
    const inside = tiles.every((t) => { const r = t.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; });
    return { tiles: tiles.length, inside, scroll: document.documentElement.scrollHeight - innerHeight };
  });
  check(fit.tiles === 12 && fit.inside && fit.scroll <= 0, "12 tiles on one 1920×1080 screen: " + JSON.stringify(fit));
  // No call yet today: the trend says so in words; no gauge value.
  check(await page.isVisible("#wb-no-trend"), "no-trend text before the first call");
  check((await page.locator('[data-queue="support"] .gauge').getAttribute("aria-valuenow")) === null, "no service level yet");
  await page.evaluate(() => { window.__noReload = true; });
  step("ready");

  await waitGo(); // the caller is dialling
  await page.waitForFunction(() => document.querySelector('[data-queue="support"] .waiting .num').textContent === "1",
    null, { polling: "raf", timeout: 15000 });
  const joinedAt = Date.now();
  const alert = await page.locator("#wb-alerts li", { hasText: /排队人数|waiting/ }).first().textContent();
  check(/黄色预警|Amber/.test(alert) && alert.includes("support"), "alert line names its level, queue and metric: " + alert);
  const mark = await page.locator('[data-queue="support"] .mark');
  check((await mark.getAttribute("data-status")) !== "ok" && /黄色预警|Amber|红色告警|Red/.test(await mark.textContent()),
    "the support tile's marker writes its level: " + (await mark.textContent()));
  // A caller still waiting within T is undecided: the trend draws no 0 %.
  check(await page.isVisible("#wb-no-trend"), "no trend point while the first caller is undecided");
  // The waiting list names the queue and the wait, ticking.
  const wl = page.locator('#wb-waiting li[data-queue="support"]');
  check((await wl.count()) === 1 && !(await page.isVisible("#wb-no-waiting")), "one caller in the waiting list");
  const w0 = await wl.locator(".since").textContent();
  await page.waitForFunction((t) => document.querySelector('#wb-waiting li[data-queue="support"] .since').textContent !== t, w0, { timeout: 5000 });
  await shot(page, "TestBrowserWallboard");
  step("joined", { at: joinedAt });

  await page.waitForFunction(() => document.querySelector('[data-queue="support"] .waiting .num').textContent === "0",
    null, { polling: "raf", timeout: 20000 });
  const leftAt = Date.now();
  check((await page.locator("#wb-waiting li").count()) === 0 && (await page.isVisible("#wb-no-waiting")), "waiting list empty again");
  check(await page.evaluate(() => window.__noReload === true), "the page was reloaded");
  const abandoned = await page.locator('[data-queue="support"] .abandoned dd').textContent();
  check(abandoned.startsWith("1"), "abandoned today after the caller left: " + abandoned);
  // The abandoned caller was not answered within T: the day's service
  // level is 0 %, on the gauge (target tick at 80 %) and as the trend's
  // one point (a single hour still draws).
  const g = page.locator('[data-queue="support"] .gauge');
  await page.waitForFunction(() => document.querySelector('[data-queue="support"] .gauge').getAttribute("aria-valuenow") === "0",
    null, { timeout: 10000 });
  check(/Service level today 0\.0%, target 80%/.test(await g.getAttribute("aria-label")), "gauge label: " + (await g.getAttribute("aria-label")));
  await page.waitForSelector("#wb-trend svg .pt", { timeout: 10000 });
  check((await page.locator("#wb-trend svg .pt").count()) === 1 && !(await page.isVisible("#wb-no-trend")), "one trend point");
  const tl = await page.locator("#wb-trend svg").getAttribute("aria-label");
  check(/Service level by hour: \d\d:\d\d 0\.0% \(1 calls\)/.test(tl), "trend label: " + tl);
  await shot(page, "TestBrowserWallboard-after");
  step("left", { at: leftAt });

  // The same board in the other language (the user's is English here;
  // Chinese is the default): every label translated, none shown as a key.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.waitForSelector('#wb-live[data-live="on"]');
  await page.waitForSelector('[data-queue="support"]');
  const zh = await page.locator("main").textContent();
  check(zh.includes("排队中") && zh.includes("告警") && zh.includes("实时"), "Chinese labels");
  check(zh.includes("今日服务水平趋势"), "trend heading in Chinese");
  check(/按小时的服务水平：/.test(await page.locator("#wb-trend svg").getAttribute("aria-label")), "trend label in Chinese");
  check(!/\bwb\.[a-z_.0-9]+/.test(zh), "a translation key shown raw: " + zh.match(/\bwb\.[a-z_.0-9]+/));
  await shot(page, "TestBrowserWallboard-zh");
});
