// Browser test of quality inspection (issue 19): the inspector opens
// their sampled (due) list, opens the call with the keyboard, plays the
// recording, adds a comment stamped with the player's time, scores the
// form beside the player and saves; the agent sees the score on their
// quality page and acknowledges it. The Go side
// (testbed/quality_browser_e2e_test.go) places the call and draws the
// month's sample first.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx, browser) => {
  const id = process.env.SB_EVAL;
  const page = await ctx.newPage();
  await login(page, process.env.SB_QA, process.env.SB_QA_PW);
  await page.goto(base + "/ui/quality");
  const row = page.locator(`#qa-due tbody tr[data-id="${id}"]`);
  await row.waitFor();
  check((await page.locator("#qa-due-h").textContent()) === "Due for evaluation", "English (the user's language)");
  await row.locator("button.qa-open").focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector("#qa-work:not([hidden])");
  await page.waitForFunction(() => { const a = document.getElementById("qa-audio"); return a.readyState >= 1 && isFinite(a.duration) && a.duration > 0; },
    null, { timeout: 15000 });
  await page.evaluate(() => document.getElementById("qa-audio").play());
  await page.waitForFunction(() => document.getElementById("qa-audio").currentTime > 1, null, { timeout: 15000 });
  await page.evaluate(() => document.getElementById("qa-audio").pause());
  const at = await page.evaluate(() => Math.round(document.getElementById("qa-audio").currentTime * 10) / 10);
  check(/^Add comment at 0:0\d$/.test(await page.locator("#qa-comment-add").textContent()), "the comment button shows the player's time");
  await page.fill("#qa-comment-text", "greeting was rushed");
  await page.locator("#qa-comment-add").focus();
  await page.keyboard.press("Enter");
  await page.locator("#qa-comments li").waitFor();
  check((await page.locator("#qa-comments li").textContent()).includes("greeting was rushed"), "comment listed");

  // The default form: every item at the top, the greeting missed (10),
  // courtesy 4 of 5 (15 × 4/5 = 12): 100 − 10 − 3 = 87.
  const sections = await page.locator("#qa-items fieldset legend").allTextContents();
  check(sections.join("|") === "Service phrases|Attitude|Tone of voice|Summarising the need|Adaptability", "sections: " + sections);
  await page.selectOption("#qa-i-greeting", "0");
  await page.locator("#qa-i-courtesy").focus();
  await page.keyboard.press("ArrowDown"); // 5 → 4
  check((await page.locator("#qa-i-courtesy").inputValue()) === "4", "keyboard sets the scale");
  check((await page.locator("#qa-total").textContent()) === "Score so far 87", "running total: " + await page.locator("#qa-total").textContent());
  await shot(page, "TestBrowserQuality-inspector");
  await page.click("#qa-save");
  await page.waitForFunction((id) => document.getElementById("qa-status").textContent === `Saved ${id}: score 87`, id);
  check(await page.locator("#qa-work").isHidden(), "the form closes once saved");
  check(await page.locator(`#qa-due tbody tr[data-id="${id}"]`).count() === 0, "no longer due");
  step("saved", { score: 87, comment_at: at });

  const agent = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN" });
  agent.setDefaultTimeout(10000);
  const desk = await agent.newPage();
  await login(desk, "ada", process.env.SB_AGENT_PW);
  await desk.goto(base + "/ui/quality");
  const mine = desk.locator(`#qa-mine-list tbody tr[data-id="${id}"]`);
  await mine.waitFor();
  check((await mine.locator("td.qa-score").textContent()) === "87", "the agent sees the score");
  check(await desk.locator("#qa-inspect").isHidden(), "an agent has no due list");
  check((await mine.textContent()).includes("greeting was rushed"), "and the inspector's comment");
  await mine.locator("button.qa-ack").focus();
  await desk.keyboard.press("Enter");
  await desk.locator(`#qa-mine-list tbody tr[data-id="${id}"][data-state="acknowledged"]`).waitFor();
  check((await desk.locator("#qa-status").textContent()) === `Acknowledged ${id}`, "the outcome is written out");
  await shot(desk, "TestBrowserQuality-agent");
  step("acknowledged");
});
