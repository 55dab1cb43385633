// Browser test of the wallboard on a wall (issue 16): a queue nobody
// serves is red and first, an agent grid with time in state, TV mode.
// The Go side (testbed/wallboard_tv_browser_e2e_test.go) signs Bob in.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

const order = (page) => page.$$eval("#wb-queues > li", (ls) => ls.map((l) => l.dataset.queue));
const numSize = (page) => page.$eval(".big .num", (e) => parseFloat(getComputedStyle(e).fontSize));

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, process.env.SB_SUP, process.env.SB_SUP_PW);
  await page.goto(base + "/ui/wallboard?tv=0");
  await page.waitForSelector('#wb-live[data-live="on"]');
  await page.waitForSelector('[data-queue="vip"]');

  // Nobody serves vip: red, said in words, and before support (by name
  // it would come after).
  check(JSON.stringify(await order(page)) === '["vip","support"]', "queues by severity: " + (await order(page)));
  const mark = page.locator('[data-queue="vip"] .mark');
  check((await mark.getAttribute("data-status")) === "red" && (await mark.textContent()) === "Red", "vip marker: " + (await mark.textContent()));
  check((await page.locator('[data-queue="vip"] .unserved').textContent()) === "Nobody serving", "vip says nobody serves it");
  check((await page.locator('[data-queue="support"] .mark').getAttribute("data-status")) === "ok", "support is served");
  const alert = await page.locator("#wb-alerts li.red", { hasText: "vip" }).first().textContent();
  check(alert.includes("nobody serving") && alert.includes("Red"), "red alert for vip: " + alert);

  // The agent grid: Ada ready, her time ticking; Bob never signed in.
  const ada = page.locator('#wb-agents [data-agent="1001"]');
  check((await ada.getAttribute("data-state")) === "ready" && (await ada.locator(".st").textContent()) === "Ready", "Ada ready");
  check((await ada.locator(".name").textContent()) === "Ada", "Ada's name");
  const t0 = await ada.locator(".since").textContent();
  check(/^\d+:\d\d$/.test(t0), "Ada's time in state: " + t0);
  await page.waitForFunction((t) => document.querySelector('#wb-agents [data-agent="1001"] .since').textContent !== t, t0, { timeout: 5000 });
  const bob = page.locator('#wb-agents [data-agent="1002"]');
  check((await bob.locator(".st").textContent()) === "Signed out" && (await bob.locator(".since").textContent()) === "never signed in",
    "Bob before his first sign-in: " + (await bob.textContent()));
  check((await bob.locator(".name").textContent()) === "Bob" && (await bob.locator(".name").boundingBox()).width > 10, "Bob's name shown");
  // Signed-in agents first.
  const agents = await page.$$eval("#wb-agents > li", (ls) => ls.map((l) => l.dataset.agent));
  check(agents.join() === "1001,1002", "agent order: " + agents);

  // TV mode by keyboard: bigger figures, no navigation, kept on reload.
  const before = await numSize(page);
  check(await page.isVisible("#sb-nav"), "navigation shown outside TV mode");
  await page.focus("#wb-tv");
  await page.keyboard.press("Enter");
  await page.waitForSelector('html.tv #wb-tv[aria-pressed="true"]');
  const after = await numSize(page);
  check(after >= before * 1.4, `TV mode figures ${after}px vs ${before}px`);
  check(!(await page.isVisible("#sb-nav")), "navigation hidden in TV mode");
  const fit = await page.evaluate(() => [...document.querySelectorAll("#wb-queues > li, #wb-agents > li")]
    .every((t) => { const r = t.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }));
  check(fit, "TV mode: tiles and agents inside the screen");
  await shot(page, "TestBrowserWallboardTV-tv");
  await page.goto(base + "/ui/wallboard");
  await page.waitForSelector('[data-queue="vip"]');
  check(await page.evaluate(() => document.documentElement.classList.contains("tv")), "TV mode kept across a reload");
  await page.evaluate(() => { window.__noReload = true; });
  step("unserved");

  // Bob signs in: vip is served, live, without a reload.
  await waitGo();
  await page.waitForFunction(() => document.querySelector('[data-queue="vip"] .mark').dataset.status === "ok",
    null, { polling: "raf", timeout: 15000 });
  check((await page.locator('[data-queue="vip"] .unserved').count()) === 0, "vip no longer unserved");
  await page.waitForFunction(() => document.querySelector('#wb-agents [data-agent="1002"]').dataset.state === "ready", null, { timeout: 15000 });
  check(await page.evaluate(() => window.__noReload === true), "the page was reloaded");
  step("served");

  // TV mode off by keyboard, then Chinese (the user's language is English).
  await page.focus("#wb-tv");
  await page.keyboard.press("Space");
  await page.waitForSelector('html:not(.tv) #wb-tv[aria-pressed="false"]');
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.waitForSelector('[data-queue="vip"]');
  check(!(await page.evaluate(() => document.documentElement.classList.contains("tv"))), "TV mode stays off");
  const vipZh = await page.locator('[data-queue="vip"]').textContent();
  check(!vipZh.includes("无人值守"), "vip served in Chinese too: " + vipZh);
  check((await page.locator("#wb-tv").textContent()) === "电视模式", "TV mode label in Chinese");
  check((await page.locator("#wb-agents-h").textContent()) === "坐席", "Agents heading in Chinese");
  check((await page.locator('#wb-agents [data-agent="1002"] .st').textContent()) === "就绪", "Bob ready in Chinese");
  const zh = await page.locator("main").textContent();
  check(!/\bwb\.[a-z_.0-9]+/.test(zh), "a translation key shown raw: " + zh.match(/\bwb\.[a-z_.0-9]+/));
  await shot(page, "TestBrowserWallboardTV-zh");
});
