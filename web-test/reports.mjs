// Issue 16 (TestBrowserReports): the service-level chart with one data
// point and a target per queue; the page and its CSV headers in en and zh.
import { base, check, login, run, shot, step } from "./lib.mjs";

// showQueues shows today's summary by queue and waits for its table.
async function showQueues(page) {
  await page.locator("#group option[value=queue]").waitFor({ state: "attached" });
  await page.selectOption("#group", "queue");
  await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/v1/reports/summary") && r.url().includes("group=queue")),
    page.click("#form button[type=submit]"),
  ]);
  await page.locator("#table tbody tr").first().waitFor();
}

run(async (ctx) => {
  const page = await ctx.newPage();
  await login(page, "sup", process.env.SB_SUP_PW);
  await page.goto(base + "/ui/reports");
  await showQueues(page);
  check((await page.locator("h1").textContent()) === "Reports", "English page title");
  check((await page.locator("#table th").first().textContent()) === "Queue", "English grouping header");
  // One answered call: support's service level is one point, drawn.
  const sl = page.locator(".chart svg[aria-label='Service level against target']");
  await sl.waitFor();
  const points = await sl.locator("circle.sl-point").count();
  check(points === 1, "one service-level point drawn, got " + points);
  // (The "(no queue)" row, key "", is drawn against the table's target.)
  const targets = await sl.locator("line.sl-target").evaluateAll((ls) => ls.filter((l) => l.dataset.row).map((l) => l.dataset.row + "=" + l.dataset.target).sort());
  check(JSON.stringify(targets) === JSON.stringify(["billing=80", "support=90"]), "a target per queue: " + JSON.stringify(targets));
  const ys = await sl.locator("line.sl-target").evaluateAll((ls) => new Set(ls.map((l) => l.getAttribute("y1"))).size);
  check(ys === 2, "the two targets are drawn at two heights");
  await shot(page, "reports-sl-en");

  // Durations read as h:mm:ss; legends wrap inside the chart's width;
  // the x axis names the rows; the agent grouping shows agents' names.
  const heads0 = await page.locator("#table th").allTextContents();
  const asa = heads0.indexOf("ASA");
  check(asa > 0, "an ASA column: " + heads0.join(" | "));
  const asaCell = await page.locator("#table tr.total td").nth(asa).textContent();
  check(/^\d+:\d\d:\d\d$/.test(asaCell), "ASA as h:mm:ss: " + asaCell);
  const wide = await page.locator(".chart").evaluateAll((cs) => cs.filter((c) => {
    const l = c.querySelector("ul.legend");
    return !l || l.getBoundingClientRect().right > c.querySelector("svg").getBoundingClientRect().right + 1;
  }).length);
  check(wide === 0, wide + " chart legends run past their chart");
  check((await page.locator(".chart svg text.x-tick", { hasText: "support" }).count()) > 0, "the x axis names the queue");
  await page.selectOption("#group", "agent");
  await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/v1/reports/summary") && r.url().includes("group=agent")),
    page.click("#form button[type=submit]"),
  ]);
  await page.locator("#table tbody tr[data-key='1001']").waitFor();
  const agentRow = await page.locator("#table tbody tr[data-key='1001'] td").first().textContent();
  check(agentRow === "Ada (1001)", "the agent's row shows the name: " + agentRow);
  await shot(page, "reports-agents-en");

  // Chinese: the page, the headers and the CSV.
  await Promise.all([page.waitForEvent("load"), page.click("#sb-lang")]);
  await page.locator("h1", { hasText: "报表" }).waitFor();
  await showQueues(page);
  const heads = await page.locator("#table th").allTextContents();
  check(heads[0] === "队列" && heads[1] === "进入队列" && heads.includes("服务水平（按进线）"), "Chinese headers: " + heads.slice(0, 4).join(" | "));
  check((await page.locator("#table tr.total td").first().textContent()) === "合计", "Chinese total row");
  check((await page.locator(".chart h3").allTextContents()).includes("服务水平与目标"), "Chinese chart titles");
  check((await page.locator("#group option[value=queue]").textContent()) === "队列", "Chinese grouping names");
  const csvHref = await page.locator("#csv").getAttribute("href");
  check(csvHref.includes("lang=zh"), "the CSV link asks for zh: " + csvHref);
  const csv = await page.request.get(base + csvHref);
  const first = (await csv.text()).replace(/^\ufeff/, "").split("\n")[0];
  check(csv.status() === 200 && first.startsWith("队列,进入队列 (数量),接通 (数量),"), "Chinese CSV header: " + first);
  const xlsx = await page.request.get(base + (await page.locator("#xlsx").getAttribute("href")));
  check(xlsx.status() === 200, "XLSX download: " + xlsx.status());
  await shot(page, "reports-zh");
  step("done");
});
