// Browser test: the outgoing team lead writes the handover log on
// /ui/handover by keyboard (notes plus an equipment fault and an open
// ticket), an empty entry is refused naming the field; the incoming lead,
// in their own browser context, sees it awaiting acknowledgement and
// acknowledges it; both see it acknowledged in the list of past
// handovers. The Go side checks the records and the audit log.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx, browser) => {
  const out = await ctx.newPage();
  await login(out, "lena", process.env.SB_LEAD_PW);
  await out.goto(base + "/ui/handover");
  // The outgoing lead switches to Chinese (the account is English).
  await out.locator("#sb-lang").waitFor();
  await Promise.all([out.waitForEvent("load"), out.click("#sb-lang")]);
  await out.locator("h1", { hasText: "交接日志" }).waitFor();
  await out.locator("#ho-shift option").first().waitFor({ state: "attached" });
  check((await out.inputValue("#ho-team")) === "front", "the lead's team is preset");
  await out.locator("#ho-rows td", { hasText: /还没有交接记录/ }).waitFor();

  // Nothing written: refused, the message beside the notes.
  await out.locator("#ho-submit").focus();
  await out.keyboard.press("Enter");
  const fe = out.locator("#ho-form .sb-field-error");
  await fe.waitFor();
  check((await out.getAttribute("#ho-text", "aria-invalid")) === "true", "the empty notes are not marked: " + (await fe.textContent()));

  // Keyboard only: notes, then two items, then submit.
  await out.locator("#ho-text").focus();
  await out.keyboard.type("Queue quiet after 16:00. 交接正常。");
  await out.keyboard.press("Tab");
  check(await out.locator("#ho-item-kind").evaluate((el) => el === document.activeElement), "Tab does not reach the item kind");
  await out.selectOption("#ho-item-kind", "equipment_fault");
  await out.keyboard.press("Tab");
  await out.keyboard.type("trunk-a");
  await out.keyboard.press("Tab");
  await out.keyboard.type("carrier down 14:10-14:25");
  await out.keyboard.press("Tab");
  check(await out.locator("#ho-item-add").evaluate((el) => el === document.activeElement), "Tab does not reach Add item");
  await out.keyboard.press("Enter");
  await out.locator("#ho-items li", { hasText: "trunk-a" }).waitFor();
  await out.selectOption("#ho-item-kind", "open_ticket");
  await out.locator("#ho-item-ref").fill("T000007");
  await out.locator("#ho-item-add").focus();
  await out.keyboard.press("Enter");
  await out.locator("#ho-items li", { hasText: "T000007" }).waitFor();
  await out.locator("#ho-submit").focus();
  await out.keyboard.press("Enter");
  const row = out.locator("#ho-rows tr[data-handover]");
  await row.first().waitFor();
  const txt = await row.first().textContent();
  check(txt.includes("设备故障") && txt.includes("trunk-a") && txt.includes("未结工单") && txt.includes("T000007") && txt.includes("交接正常"), "row: " + txt);
  check(/待接班确认/.test(txt), "the state is not written out: " + txt);
  check((await row.first().locator("button[data-ack]").count()) === 0, "the writer may acknowledge their own handover");
  check((await out.locator("#ho-items li").count()) === 0, "the items were not cleared");
  await shot(out, "handover-written");
  step("written");

  // The incoming lead, in English, in their own browser context.
  const ictx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  ictx.setDefaultTimeout(10000);
  const inc = await ictx.newPage();
  await login(inc, "lars", process.env.SB_LEAD2_PW);
  await inc.goto(base + "/ui/handover");
  const irow = inc.locator("#ho-rows tr[data-handover]");
  await irow.first().waitFor();
  const itxt = await irow.first().textContent();
  check(/Awaiting the incoming lead/.test(itxt) && itxt.includes("Equipment fault") && itxt.includes("lena"), "incoming row: " + itxt);
  await irow.first().locator("button[data-ack]").focus();
  await inc.keyboard.press("Enter");
  await inc.locator("#ho-rows .ho-state-acked", { hasText: /Acknowledged by lars/ }).waitFor();
  check((await irow.first().locator("button[data-ack]").count()) === 0, "an acknowledged handover still offers Acknowledge");
  await shot(inc, "handover-acked");

  // The outgoing lead sees it acknowledged.
  await out.reload();
  await out.locator("#ho-rows .ho-state-acked", { hasText: /lars 已确认/ }).waitFor();
  step("acked");
});
