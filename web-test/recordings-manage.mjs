// Browser test of the recordings page's legal hold and delete buttons
// (issue 19): a supervisor puts the call's recording on hold (confirmed,
// a reason required), cannot delete it while held, releases the hold and
// deletes it; each outcome is written out. The Go side
// (testbed/quality_browser_e2e_test.go) places the call first.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.accept(); });
  await login(page, "sue", process.env.SB_SUP_PW);
  await page.goto(base + "/ui/recordings");
  const row = page.locator("#rc-list tbody tr[data-id]");
  await row.first().waitFor();
  await row.first().locator("button.rc-play").click();
  await page.waitForSelector("#rc-manage:not([hidden])");
  const outcome = () => page.locator("#rc-outcome").textContent();
  await page.click("#rc-hold");
  check((await outcome()) === "Give a reason.", "a hold needs a reason: " + await outcome());
  check(dialogs.length === 0, "no confirmation without a reason");
  await page.fill("#rc-reason", "complaint case 42");
  await page.locator("#rc-hold").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("rc-outcome").textContent === "The recording is on legal hold.");
  check(dialogs[0] === "Put this recording on legal hold?", "confirmed: " + dialogs);
  check(await page.locator("#rc-delete").isDisabled(), "no delete under hold");
  check((await page.locator("#rc-hold").textContent()) === "Release legal hold", "the button releases now");
  step("held");
  await page.click("#rc-hold");
  await page.waitForFunction(() => document.getElementById("rc-outcome").textContent === "The legal hold was released.");
  await page.fill("#rc-reason", "recorded by mistake");
  await page.click("#rc-delete");
  await page.waitForFunction(() => document.getElementById("rc-outcome").textContent === "The recording was deleted.");
  check(dialogs[2] === "Delete this recording? This cannot be undone.", "delete confirmed: " + dialogs);
  await shot(page, "TestBrowserRecordingHoldDelete");
  step("deleted");
});
