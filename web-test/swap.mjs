// Browser test: an agent of one team asks, on /ui/schedule, to swap a
// shift with an agent of another team; a swap that would leave the other
// team under its minimum is refused naming the rule; each team's lead
// approves in their own browser context (the first approval leaves it
// pending, the second applies it); both agents then see the swapped
// schedule. The Go side publishes the schedules and checks the records.
import { base, check, login, run, shot, step } from "./lib.mjs";

const month = process.env.SB_MONTH;
const day = (d) => month + "-" + d;

async function as(browser, user, pw) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  ctx.setDefaultTimeout(10000);
  const page = await ctx.newPage();
  await login(page, user, pw);
  await page.goto(base + "/ui/schedule");
  return page;
}

async function mine(page) {
  await page.reload();
  await page.locator("#sc-mine-rows tr").first().waitFor();
  return (await page.locator("#sc-mine-rows tr td:first-child").allTextContents()).join(",");
}

run(async (_ctx, browser) => {
  const ada = await as(browser, "ada", process.env.SB_ADA_PW);
  check((await mine(ada)) === [day("10"), day("13")].join(","), "ada's shifts before: " + (await mine(ada)));

  // Refused: 1002 is back's only agent on the 12th (minimum 1).
  await ada.locator("#sc-swap-date").fill(day("13"));
  await ada.locator("#sc-swap-with").fill("1002");
  await ada.locator("#sc-swap-wdate").fill(day("12"));
  await ada.locator("#sc-swap-btn").focus();
  await ada.keyboard.press("Enter");
  const err = ada.locator("#sc-swap-form .sb-field-error");
  await err.waitFor();
  check(/min_staffing/.test(await err.textContent()), "the refusal does not name the rule: " + (await err.textContent()));

  // Asked: ada's 10th for bo's 11th, by keyboard.
  await ada.locator("#sc-swap-date").fill(day("10"));
  await ada.locator("#sc-swap-with").fill("1002");
  await ada.locator("#sc-swap-wdate").fill(day("11"));
  await ada.locator("#sc-swap-btn").focus();
  await ada.keyboard.press("Enter");
  const arow = ada.locator("#sc-swap-rows tr[data-swap-row]");
  await arow.first().waitFor();
  check(/Pending/.test(await arow.first().locator(".sc-lstate").textContent()), "the request is not pending");
  step("requested");

  // Front's lead approves first: still pending, front ticked.
  const lena = await as(browser, "lena", process.env.SB_LENA_PW);
  const lrow = lena.locator("#sc-swap-rows tr[data-swap-row]");
  await lrow.first().waitFor();
  await lrow.first().locator('button[data-d="approve"]').focus();
  await lena.keyboard.press("Enter");
  await lena.locator("#sc-swap-rows .sc-lstate", { hasText: /Pending \(front ✓\)/ }).waitFor();
  check((await mine(ada)) === [day("10"), day("13")].join(","), "one approval swapped the shifts");

  // Back's lead approves: approved.
  const bob = await as(browser, "bob", process.env.SB_BOB_PW);
  const brow = bob.locator("#sc-swap-rows tr[data-swap-row]");
  await brow.first().waitFor();
  await brow.first().locator('button[data-d="approve"]').focus();
  await bob.keyboard.press("Enter");
  await bob.locator("#sc-swap-rows .sc-lstate", { hasText: /^Approved$/ }).waitFor();
  await shot(bob, "swap-approved");

  // Both agents see the swapped schedule.
  check((await mine(ada)) === [day("11"), day("13")].join(","), "ada's shifts after: " + (await mine(ada)));
  const bo = await as(browser, "bo", process.env.SB_BO_PW);
  check((await mine(bo)) === [day("10"), day("12")].join(","), "bo's shifts after: " + (await mine(bo)));
  await shot(bo, "swap-agent");
  step("approved");
});
