// Browser test of the admin page (issue 7, points 5 and 6): users and teams
// with HTML in their names shown as text, an API token shown once and
// revoked, a configuration edit refused at its line, saved, diffed,
// applied and rolled back, the audit log filtered, and a team lead kept
// out. The Go side (testbed/admin_browser_e2e_test.go) checks the engine
// and the API between the steps.
import { base, check, login, run, shot, step, waitGo } from "./lib.mjs";

const admin = process.env.SB_ADMIN;
const lead = { username: "lee", name: "<img src=x id=pwn>Lee", password: process.env.SB_LEAD_PW };
const teamTitle = "<i id=pwn2>Front</i> desk";

// noInjection fails if a name's HTML became an element.
async function noInjection(page, where) {
  const ids = await page.evaluate(() => [document.getElementById("pwn"), document.getElementById("pwn2")].map((e) => e === null));
  check(ids[0] && ids[1], "an element was injected from a name on " + where);
}

// cells is the text of each cell of each row of a table body.
async function cells(page, tbody) {
  return page.locator(tbody + " tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
}

// rawKeys lists the page's texts that are translation keys shown raw
// (SB.t falls back to the key), leaving out the audit rows (their actions
// are dotted names too).
async function rawKeys(page) {
  return page.evaluate(() => {
    const re = /\b(?:admin|tab|cfg|sec|ver|diff|common|user|team|token|audit|role|nav|state|live)\.[a-z_]+\b/;
    const bad = [];
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.parentElement.closest("#audit-rows, script, style") && re.test(n.textContent)) bad.push(n.textContent.trim());
    }
    for (const e of document.querySelectorAll("[title], [placeholder], [aria-label]")) {
      for (const a of ["title", "placeholder", "aria-label"]) if (re.test(e.getAttribute(a) || "")) bad.push(a + "=" + e.getAttribute(a));
    }
    return bad;
  });
}

// everyTab opens each tab and waits for its list.
async function everyTab(page) {
  for (const [tab, rows] of [["users", "#user-rows"], ["teams", "#team-rows"], ["tokens", "#token-rows"], ["audit", "#audit-rows"], ["config", "#ver-rows"]]) {
    await page.click("#tab-" + tab);
    await page.locator(rows + " tr").first().waitFor();
  }
}

run(async (ctx, browser) => {
  const page = await ctx.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.accept(); });

  // 1. The admin signs in and lands on the admin page.
  await login(page, admin, process.env.SB_ADMIN_PW);
  check(new URL(page.url()).pathname === "/ui/admin", "admin lands on /ui/admin, got " + page.url());
  await page.locator("#cfg-sections button").first().waitFor();

  // 2a. Teams: the routing config's, read only; a title holding HTML is
  // text; a team no configured agent is in is warned.
  await page.click("#tab-teams");
  await page.locator("#team-rows td", { hasText: teamTitle }).waitFor();
  check(await page.getByRole("cell", { name: teamTitle, exact: true }).isVisible(), "team title shown as text");
  const teamRows = await cells(page, "#team-rows");
  check(teamRows.some((r) => r[0] === "front" && r[2] === "1001"), "front lists its configured agent: " + JSON.stringify(teamRows));
  check(teamRows.some((r) => r[0] === "night" && r[2].includes("No agent of the routing config")), "night is warned: " + JSON.stringify(teamRows));
  check((await page.locator("#team-form, #t-name").count()) === 0, "no team form: teams are edited in the routing config");
  await noInjection(page, "the teams tab");
  await shot(page, "admin-teams");
  // Its button opens the team rules in the config editor.
  await page.click("#team-edit");
  await page.locator("#cfg-sections button[data-section=teams][aria-current=true]").waitFor();
  check((await page.locator("#cfg-text").inputValue()).includes("night"), "the teams section is in the editor");

  // 2b. Users: a team lead whose name holds HTML, in that team.
  await page.click("#tab-users");
  await page.locator("#user-rows tr").first().waitFor();
  await page.fill("#u-username", lead.username);
  await page.fill("#u-name", lead.name);
  await page.selectOption("#u-role", "team_lead");
  await page.selectOption("#u-team", "front");
  await page.selectOption("#u-lang", "zh");
  await page.fill("#u-password", lead.password);
  await page.click("#u-submit");
  const leadRow = page.locator("#user-rows tr", { hasText: lead.username });
  await leadRow.waitFor();
  const row = (await cells(page, "#user-rows")).find((r) => r[0] === lead.username);
  check(row && row[1] === lead.name, "the lead's name is the literal text: " + JSON.stringify(row));
  check(row[2] === "Team lead" && row[3] === "front", "role and team of the lead: " + JSON.stringify(row));
  check(await leadRow.getByRole("cell", { name: lead.name, exact: true }).isVisible(), "the lead's name is visible");
  await noInjection(page, "the users tab");
  // The team select shows the title as text too.
  const opts = await page.locator("#u-team option").allTextContents();
  check(opts.includes(teamTitle + " (front)"), "team option as text: " + JSON.stringify(opts));
  // An agent the routing config does not have is refused at the field.
  await page.fill("#u-username", "zed");
  await page.fill("#u-name", "Zed");
  await page.selectOption("#u-role", "agent");
  await page.fill("#u-agent", "1009");
  await page.fill("#u-password", "pw-zed-0123456789");
  await page.click("#u-submit");
  const agentErr = page.locator("#user-form .sb-field-error");
  await agentErr.waitFor();
  check((await agentErr.textContent()).includes('no agent "1009" in the routing config'), "unknown agent refused: " + (await agentErr.textContent()));
  check((await page.locator("#u-agent").getAttribute("aria-invalid")) === "true", "the agent field is marked");
  // A lead of night (no agents): made, and warned on the users tab.
  await page.fill("#u-username", "nat");
  await page.fill("#u-name", "Nat");
  await page.selectOption("#u-role", "team_lead");
  await page.selectOption("#u-team", "night");
  await page.fill("#u-agent", "");
  await page.fill("#u-password", process.env.SB_LEAD_PW);
  await page.click("#u-submit");
  const natRow = page.locator("#user-rows tr", { hasText: "nat" });
  await natRow.waitFor();
  check((await natRow.locator(".badge.warn").textContent()).includes("Team night has no agents"), "the lead of an empty team is warned");
  check((await leadRow.locator(".badge.warn").count()) === 0, "the lead of front is not warned");
  await shot(page, "admin-users");

  // 2c. Tokens: the raw token is shown once; the Go side checks it works,
  // then it is revoked here and the Go side checks it no longer does.
  await page.click("#tab-tokens");
  await page.fill("#k-name", "wallboard-feed");
  await page.selectOption("#k-role", "quality"); // not supervisor: an admin may not mint a token that sees numbers
  await page.fill("#k-days", "30");
  await page.click("#token-form button[type=submit]");
  await page.locator("#token-secret").waitFor({ state: "visible" });
  const token = (await page.textContent("#token-secret-text")).trim();
  check(token.length >= 20, "a raw token is shown: " + token);
  await page.locator("#token-rows tr", { hasText: "wallboard-feed" }).waitFor();
  await shot(page, "admin-token");
  step("token", { token });
  await waitGo();
  await page.locator("#token-rows tr", { hasText: "wallboard-feed" }).getByRole("button", { name: "Revoke" }).click();
  await page.locator("#token-rows tr", { hasText: "wallboard-feed" }).getByText("Revoked").waitFor();
  check(dialogs.some((m) => m.includes("wallboard-feed")), "revoking asked first: " + JSON.stringify(dialogs));
  check(await page.locator("#token-secret").isHidden(), "the revoked token's secret is no longer offered for copying");
  // Shown once: after a reload the page (and its list) no longer has it.
  // (The address is /ui/admin#tokens already: goto would only move to the fragment.)
  await page.reload();
  await page.locator("#token-rows tr", { hasText: "wallboard-feed" }).waitFor();
  check(await page.locator("#token-secret").isHidden(), "the token box is hidden after a reload");
  check(!(await page.content()).includes(token), "the raw token is not on the page after a reload");
  step("revoked");
  await waitGo();

  // 3a. Configuration: an unknown strategy on the sales queue's strategy
  // line is refused at that line and nothing is saved.
  await page.click("#tab-config");
  await page.click("#cfg-sections button[data-section=queues]");
  const text = page.locator("#cfg-text");
  const orig = await text.inputValue();
  const lines = orig.split("\n");
  const sales = lines.indexOf("sales:");
  const at = (key) => {
    for (let i = sales + 1; i < lines.length && lines[i].startsWith(" "); i++) if (lines[i].trimStart().startsWith(key + ":")) return i;
    return -1;
  };
  const stratLine = at("strategy"), ringLine = at("ring_timeout");
  check(sales >= 0 && stratLine > 0 && ringLine > 0, "the queues section has sales' strategy and ring_timeout:\n" + orig);
  check(lines[stratLine].trim() === "strategy: longest_idle" && lines[ringLine].trim() === "ring_timeout: 3s", "sales before:\n" + orig);
  const edit = (pairs) => lines.map((l, i) => (i in pairs ? l.replace(/:.*/, ": " + pairs[i]) : l)).join("\n");
  const before = await (await page.request.get(base + "/api/v1/config")).json();

  await text.fill(edit({ [stratLine]: "fastest" }));
  await page.fill("#cfg-comment", "try a strategy that does not exist");
  const [bad] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/config/sections/queues") && r.request().method() === "PUT"),
    page.click("#cfg-save"),
  ]);
  check(bad.status() === 422, "an unknown strategy is refused with 422: " + bad.status());
  const problem = page.locator("#cfg-result .problem[role=alert]");
  await problem.waitFor();
  const msg = await problem.textContent();
  const n = stratLine + 1;
  check(msg.startsWith(`Line ${n}: `) && msg.includes('unknown strategy "fastest"'), `error at line ${n}: ${msg}`);
  const marked = await page.locator("#cfg-gutter .bad").allTextContents();
  check(marked.length === 1 && marked[0] === "▶" + n, "the gutter marks line " + n + ": " + JSON.stringify(marked));
  check((await text.getAttribute("aria-invalid")) === "true", "the editor is marked invalid");
  const sel = await text.evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  check(sel.trim() === "strategy: fastest", "the caret selects the bad line: " + JSON.stringify(sel));
  const after = await (await page.request.get(base + "/api/v1/config")).json();
  check(after.version === before.version, `nothing saved: version ${before.version} → ${after.version}`);
  check(!JSON.stringify(after).includes("fastest"), "the bad text is not in the active config");
  check((await page.locator("#ver-rows tr").count()) === 1, "still only the config file in the versions list");
  await shot(page, "admin-config-error");

  // 3b. Fixed: sales rings agents round robin for 5 s. Saved with a
  // comment as version 1; the Go side checks the engine runs it.
  const comment = "sales: round robin, ring 5s";
  await text.fill(edit({ [stratLine]: "round_robin", [ringLine]: "5s" }));
  await page.fill("#cfg-comment", comment);
  await page.click("#cfg-save");
  await page.locator("#cfg-result .ok", { hasText: "Saved as version 1 and applied." }).waitFor();
  check((await page.locator("#cfg-gutter .bad").count()) === 0, "no line marked after the save");
  let vers = await cells(page, "#ver-rows");
  check(vers.length === 2 && vers[0][0] === "1 (active)" && vers[0][2] === admin && vers[0][3] === comment && vers[0][4] === "queues",
    "version 1 listed first: " + JSON.stringify(vers));
  check((await page.textContent("#cfg-active")).trim() === "1", "active version 1 shown");
  step("saved", { version: 1 });
  await waitGo();

  // The diff view shows the changed lines.
  await page.locator("#ver-rows tr").first().getByRole("button", { name: "Diff" }).click();
  await page.locator("#diff-box").waitFor({ state: "visible" });
  await page.locator("#diff-text .add").first().waitFor();
  check((await page.textContent("#diff-title")) === "Version 1 against version 0", "diff title: " + (await page.textContent("#diff-title")));
  const adds = (await page.locator("#diff-text .add").allTextContents()).map((s) => s.replace(/\s+/g, " "));
  const dels = (await page.locator("#diff-text .del").allTextContents()).map((s) => s.replace(/\s+/g, " "));
  check(adds.includes("+ strategy: round_robin") && adds.includes("+ ring_timeout: 5s") && adds.length === 2, "added lines: " + JSON.stringify(adds));
  check(dels.includes("- strategy: longest_idle") && dels.includes("- ring_timeout: 3s") && dels.length === 2, "removed lines: " + JSON.stringify(dels));
  await page.locator("#diff-box").evaluate((e) => e.scrollIntoView({ block: "end" }));
  await shot(page, "admin-diff");

  // 3c. One-click rollback to the file (version 0): a confirm, then
  // version 2 with the old values.
  dialogs.length = 0;
  await page.locator("#ver-rows tr", { hasText: "config file" }).getByRole("button", { name: "Roll back to this" }).click();
  await page.locator("#cfg-result .ok", { hasText: "Rolled back: version 2 is active." }).waitFor();
  check(dialogs.length === 1 && dialogs[0].includes("version 0"), "rollback asked first: " + JSON.stringify(dialogs));
  vers = await cells(page, "#ver-rows");
  check(vers.length === 3 && vers[0][0] === "2 (active)" && vers[0][3] === "rollback to version 0" && vers[0][4] === "queues",
    "version 2 listed first: " + JSON.stringify(vers));
  check((await text.inputValue()) === orig, "the editor shows the old queues again");
  step("rolled", { version: 2 });
  await waitGo();

  // 4. Audit: the config. prefix shows the save and the rollback, by the admin.
  // (Searching at once, while the tab's first, unfiltered load may still
  // be on its way: its rows must not end up among the search's.)
  await page.click("#tab-audit");
  await page.fill("#a-action", "config.");
  await page.click("#audit-form button[type=submit]");
  await page.locator('#audit-rows:not([aria-busy="true"]) tr', { hasText: "config.rollback" }).waitFor();
  const audit = await cells(page, "#audit-rows");
  check(audit.every((r) => r[4].startsWith("config.")), "only config. actions: " + JSON.stringify(audit));
  const saves = audit.filter((r) => r[4] === "config.save"), rolls = audit.filter((r) => r[4] === "config.rollback");
  check(saves.length === 1 && saves[0][1] === admin && saves[0][5] === "queues" && saves[0][6] === "OK", "the save: " + JSON.stringify(saves));
  check(rolls.length === 1 && rolls[0][1] === admin && rolls[0][5] === "version 0" && rolls[0][6] === "OK", "the rollback: " + JSON.stringify(rolls));
  check(audit.indexOf(rolls[0]) < audit.indexOf(saves[0]), "newest first");
  // The save's detail: the section before and after, readable as YAML.
  const saveRow = page.locator("#audit-rows tr", { hasText: "config.save" });
  await saveRow.locator("summary").click();
  const detail = await saveRow.locator("details").innerText();
  check(detail.includes(comment), "save detail has the comment: " + detail);
  check(detail.includes("sales:\n  strategy: round_robin\n  max_wait: 60s\n  ring_timeout: 5s") && detail.includes("ring_timeout: 3s"),
    "save detail shows the YAML before and after as lines: " + detail);
  await shot(page, "admin-audit");

  // No translation key shown raw, in English and (after the language
  // button) in Chinese.
  await everyTab(page);
  let raw = await rawKeys(page);
  check(raw.length === 0, "raw keys (en): " + JSON.stringify(raw));
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("#tab-config", { hasText: "配置" }).waitFor();
  await everyTab(page);
  raw = await rawKeys(page);
  check(raw.length === 0, "raw keys (zh): " + JSON.stringify(raw));
  await shot(page, "admin-config-zh");
  await page.click("#tab-audit");
  await page.locator("#audit-rows tr").first().waitFor();
  await shot(page, "admin-audit-zh");

  // 6. The team lead made above, in a browser of their own, is kept out.
  const ctx2 = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN" });
  ctx2.setDefaultTimeout(10000);
  const page2 = await ctx2.newPage();
  await login(page2, lead.username, lead.password);
  await page2.goto(base + "/ui/admin");
  await page2.locator("main", { hasText: "您没有此页面的权限。" }).waitFor();
  check((await page2.locator("#cfg-text").count()) === 0, "no editor for a team lead");
  const who = await page2.locator("#sb-nav .sb-who").textContent();
  check(who.includes(lead.name), "the lead's name in the nav as text: " + who);
  await noInjection(page2, "the team lead's admin page");
  const cfg = await page2.request.get(base + "/api/v1/config");
  check(cfg.status() === 403, "GET /api/v1/config as a team lead: " + cfg.status());
  await shot(page2, "admin-forbidden");
  await ctx2.close();

  // 7. The lead of night, on their own page, is told why they see nobody
  // (in their language, zh).
  const ctx3 = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  ctx3.setDefaultTimeout(10000);
  const page3 = await ctx3.newPage();
  await login(page3, "nat", process.env.SB_LEAD_PW);
  await page3.goto(base + "/ui/supervisor");
  const notice = page3.locator("#sv-notice[role=alert][data-code=team_empty]:not([hidden])");
  await notice.waitFor();
  const nt = await notice.textContent();
  check(nt.includes("night") && nt.includes("路由配置中没有坐席"), "the empty team's lead is told why: " + nt);
  await shot(page3, "supervisor-empty-team-zh");
  await ctx3.close();
  step("done");
});
