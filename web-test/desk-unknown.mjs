// Issue 16 (TestBrowserDeskUnknownAgent): a desk whose agent has left the
// routing config says so and stops asking the server for it.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "bo", process.env.SB_AGENT_PW);
  await page.goto(base + "/ui/desk");
  const who = page.locator("#who.warn");
  await who.waitFor({ timeout: 15000 });
  const wt = await who.textContent();
  check(wt.includes("1002") && /stopped refreshing|已停止刷新/.test(wt), "the desk says its agent is gone: " + wt);
  check(await page.locator(".desk").isHidden(), "the desk's controls are gone");
  await shot(page, "desk-unknown-agent");
  // Absence can only be watched for a while: 4 s is more than the desk's
  // slowest poll with the live feed up (3 s).
  let asked = 0;
  page.on("request", (r) => { if (r.url().includes("/api/v1/agents/1002/desk")) asked++; });
  await page.waitForTimeout(4000);
  check(asked === 0, "the desk still asks for the unknown agent: " + asked + " requests in 4 s");
  step("stopped");
});
