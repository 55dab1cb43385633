// Callbacks worklist for leads and supervisors: every callback in scope
// (GET /api/v1/callbacks), open ones first by the caller's place, with
// their state, attempts, next try and outcome written out; refreshed when
// a work.* record arrives on the live feed (and every 15 s besides).
(async function () {
  "use strict";
  SB.i18n({
    zh: {
      "cb.title": "回电工作单", "cb.show": "显示", "cb.show_open": "未完成", "cb.show_closed": "已关闭", "cb.show_all": "全部",
      "cb.queue": "队列", "cb.all_queues": "全部队列", "cb.number": "号码", "cb.state": "状态", "cb.place": "排队自",
      "cb.waited": "已等待", "cb.next_try": "下次呼叫", "cb.attempts": "已拨/上限", "cb.agent": "坐席", "cb.result": "结果",
      "cb.count": "共 {n} 条（未完成 {open} 条）", "cb.none": "没有符合条件的回电。", "cb.updated": "更新于 {t}",
      "cb.now": "现在", "cb.overdue": "已到期",
      "cbs.waiting": "排队中", "cbs.reserved": "已预占坐席", "cbs.dialling": "呼叫中", "cbs.connected": "通话中", "cbs.closed": "已关闭",
      "cbr.connected": "已接通", "cbr.max_attempts": "达到最多呼叫次数", "cbr.window_passed": "已超出回电时限",
      "cbo.busy": "忙线", "cbo.no_answer": "无人接听", "cbo.rejected": "拒接", "cbo.trunks_failed": "线路均失败",
      "cbo.agent_missed": "坐席未接", "cbo.cancelled": "已取消", "cbo.answered": "已接听",
    },
    en: {
      "cb.title": "Callbacks", "cb.show": "Show", "cb.show_open": "Open", "cb.show_closed": "Closed", "cb.show_all": "All",
      "cb.queue": "Queue", "cb.all_queues": "All queues", "cb.number": "Number", "cb.state": "State", "cb.place": "Place since",
      "cb.waited": "Waited", "cb.next_try": "Next try", "cb.attempts": "Tries / limit", "cb.agent": "Agent", "cb.result": "Result",
      "cb.count": "{n} callbacks ({open} open)", "cb.none": "No callbacks match.", "cb.updated": "Updated {t}",
      "cb.now": "now", "cb.overdue": "due",
      "cbs.waiting": "Waiting", "cbs.reserved": "Agent reserved", "cbs.dialling": "Dialling", "cbs.connected": "Talking", "cbs.closed": "Closed",
      "cbr.connected": "Connected", "cbr.max_attempts": "Tries used up", "cbr.window_passed": "Window passed",
      "cbo.busy": "Busy", "cbo.no_answer": "No answer", "cbo.rejected": "Rejected", "cbo.trunks_failed": "All trunks failed",
      "cbo.agent_missed": "Agent missed", "cbo.cancelled": "Cancelled", "cbo.answered": "Answered",
    },
  });
  const $ = (id) => document.getElementById(id);
  const t = SB.t;
  const word = (prefix, code) => (code ? (SB.t(prefix + code) !== prefix + code ? SB.t(prefix + code) : code) : "");
  const time = (iso) => (iso ? new Date(iso).toLocaleString(SB.lang === "en" ? "en-GB" : "zh-CN", { hour12: false }) : "");

  await SB.init({ page: "callbacks" });
  let items = [];

  function render() {
    const show = $("cb-show").value, queue = $("cb-queue").value, now = Date.now();
    const queues = [...new Set(items.map((i) => i.queue))].sort();
    const sel = $("cb-queue"), keep = sel.value;
    sel.querySelectorAll("option[data-q]").forEach((o) => o.remove());
    for (const q of queues) {
      const o = document.createElement("option");
      o.value = q; o.textContent = q; o.dataset.q = "1";
      sel.appendChild(o);
    }
    sel.value = queues.includes(keep) ? keep : "";
    const rows = items.filter((i) => (show === "all" || (show === "open") === (i.state !== "closed")) && (!queue || i.queue === queue));
    rows.sort((a, b) => ((a.state === "closed") - (b.state === "closed")) || a.queued_at.localeCompare(b.queued_at) || a.id.localeCompare(b.id));
    const body = $("cb-rows");
    body.textContent = "";
    for (const i of rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = i.id;
      tr.dataset.state = i.state;
      const open = i.state !== "closed";
      const due = new Date(i.due).getTime();
      const waited = Math.round(((open ? now : new Date(i.closed_at || now).getTime()) - new Date(i.queued_at).getTime()) / 1000);
      const next = !open || i.state !== "waiting" ? "" : (due <= now ? t("cb.now") : time(i.due));
      const result = i.state === "closed" ? word("cbr.", i.reason) + (i.outcome && i.reason !== "connected" ? " · " + word("cbo.", i.outcome) : "")
        : word("cbo.", i.outcome);
      const cells = [
        [i.number, ""], [i.queue, ""], [null, ""], [time(i.queued_at), "num"], [SB.dur(waited), "num"],
        [next, "num"], [i.attempts + " / " + i.max_attempts, "num"], [i.agent || "", ""], [result, "result"],
      ];
      cells.forEach(([text, cls], n) => {
        const td = document.createElement("td");
        if (cls) td.className = cls;
        if (n === 2) {
          const s = document.createElement("span");
          s.className = "st st-" + i.state;
          s.textContent = word("cbs.", i.state);
          td.appendChild(s);
        } else {
          td.textContent = text;
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
    if (!rows.length) {
      const tr = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = 9; td.className = "muted"; td.textContent = t("cb.none");
      tr.appendChild(td); body.appendChild(tr);
    }
    $("cb-count").textContent = t("cb.count", { n: rows.length, open: items.filter((i) => i.state !== "closed").length });
  }

  async function load() {
    try {
      items = (await SB.api("GET", "/api/v1/callbacks")) || [];
      $("cb-status").textContent = t("cb.updated", { t: new Date().toLocaleTimeString(SB.lang === "en" ? "en-GB" : "zh-CN", { hour12: false }) });
      render();
    } catch (e) {
      $("cb-status").textContent = e.message || SB.t("common.error");
    }
  }

  let timer = null;
  const soon = () => { clearTimeout(timer); timer = setTimeout(load, 300); };
  $("cb-show").addEventListener("change", render);
  $("cb-queue").addEventListener("change", render);
  await load();
  setInterval(load, 15000);
  SB.live("/api/v1/live?topics=records", {
    record(r) { if (r && typeof r.type === "string" && r.type.startsWith("work.")) soon(); },
    reset() { soon(); },
  });
})();
