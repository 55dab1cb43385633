// Browser test of call recording (issue 19): the agent pauses and resumes
// the recording from the desk while the caller gives card details; then a
// quality inspector finds the call by agent on the recordings page, plays
// it, sees the pause marked on the track and in the list, seeks to it
// with the keyboard; the page in both languages (the user reads English,
// then switches to Chinese). The Go side (testbed/recording_e2e_test.go)
// places the call.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

const recState = (page) => page.locator("#rec-state").textContent();

run(async (ctx, browser) => {
  const desk = await ctx.newPage();
  await login(desk, "ada", process.env.SB_AGENT_PW);
  await desk.goto(base + "/ui/desk");
  await desk.locator("#state[data-state=signed_out]").waitFor();
  await desk.fill("#endpoint", "PJSIP/1001");
  await desk.click("#signin");
  await desk.locator("#state[data-state=ready]").waitFor();
  step("ready");
  await waitGo(); // the caller dials
  await desk.locator("#rec-row:not([hidden])").waitFor({ timeout: 30000 });
  await desk.waitForFunction(() => document.getElementById("rec-state").textContent === "Recording", null, { timeout: 10000 });
  await desk.waitForTimeout(2000); // two seconds of talk recorded
  await desk.locator("#rec-toggle").focus();
  await desk.keyboard.press("Enter");
  await desk.waitForFunction(() => /paused/.test(document.getElementById("rec-state").textContent), null, { timeout: 5000 });
  check((await desk.locator("#rec-toggle").textContent()) === "Resume recording", "the button resumes now");
  await shot(desk, "TestBrowserRecordings-desk");
  await desk.waitForTimeout(3000); // the card number
  await desk.click("#rec-toggle");
  await desk.waitForFunction(() => document.getElementById("rec-state").textContent === "Recording", null, { timeout: 5000 });
  step("resumed");
  await waitGo(); // the call ended and its recording is stored
  await desk.close();

  const qa = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN" });
  qa.setDefaultTimeout(10000);
  const page = await qa.newPage();
  await login(page, process.env.SB_QA, process.env.SB_QA_PW);
  await page.goto(base + "/ui/recordings");
  await page.waitForSelector("#rc-list tbody tr");
  await page.fill("#rc-agent", "1001");
  await page.press("#rc-agent", "Enter");
  await page.waitForFunction(() => document.querySelectorAll("#rc-list tbody tr[data-id]").length === 1);
  const row = page.locator("#rc-list tbody tr[data-id]");
  const cells = await row.locator("td").allTextContents();
  check(cells[1] === "1001" && cells[3] === "support" && cells[8] === "1", "row: " + JSON.stringify(cells));
  check(!cells[4].includes("13800138000"), "the caller is masked for quality: " + cells[4]);
  check(/^Recordings found: 1$/.test(await page.locator("#rc-count").textContent()), "count written out (the user reads English)");

  // Play with the keyboard: focus the row's button, Enter.
  await row.locator("button.rc-play").focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector("#rc-player:not([hidden])");
  await page.waitForFunction(() => { const a = document.getElementById("rc-audio"); return a.readyState >= 1 && isFinite(a.duration) && a.duration > 0; },
    null, { timeout: 15000 });
  const dur = await page.evaluate(() => document.getElementById("rc-audio").duration);
  await page.evaluate(() => document.getElementById("rc-audio").play());
  await page.waitForFunction(() => document.getElementById("rc-audio").currentTime > 0.3, null, { timeout: 15000 });

  // The gap: a mark on the track and a list entry; the entry seeks there.
  const gaps = await page.locator("#rc-track .rc-gap").count();
  check(gaps === 1, "one gap on the track, got " + gaps);
  const left = parseFloat(await page.locator("#rc-track .rc-gap").evaluate((el) => el.style.left));
  check(left > 5 && left < 60, "the gap is about 2 s into the file: " + left + "%");
  const label = await page.locator("#rc-gaps .rc-gap-item").textContent();
  check(/Paused at 0:0\d for 0:0[234] \(1001\)/.test(label), "gap written out: " + label);
  await page.evaluate(() => document.getElementById("rc-audio").pause());
  await page.locator("#rc-gaps .rc-gap-item").focus();
  await page.keyboard.press("Enter");
  const at = await page.evaluate(() => document.getElementById("rc-audio").currentTime);
  check(Math.abs(at - (left / 100) * dur) < 1, "seeked to the gap: " + at + " of " + dur);
  await page.click("#rc-fwd");
  const fwd = await page.evaluate(() => document.getElementById("rc-audio").currentTime);
  check(fwd > at + 5 || fwd >= dur - 0.5, "forward 10 s: " + at + " → " + fwd);
  await shot(page, "TestBrowserRecordings");
  step("played", { duration: dur, gap_at: at });

  // The other language (Chinese is the default; this user reads English).
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.waitForSelector("#rc-list tbody tr[data-id]");
  const zh = await page.locator("main").textContent();
  check(zh.includes("录音") && zh.includes("查询") && zh.includes("暂停") && zh.includes("共 1 条录音"), "Chinese labels: " + zh.slice(0, 200));
  check(!/\brc\.[a-z_.0-9]+/.test(zh), "a translation key shown raw: " + zh.match(/\brc\.[a-z_.0-9]+/));
  await shot(page, "TestBrowserRecordings-zh");
});
