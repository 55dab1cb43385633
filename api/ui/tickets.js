// Tickets (工单): my tickets (due first), the overdue list with dispatch
// for leads and supervisors, a ticket's page with its history and
// actions, and the new-ticket form. Every change goes through the API,
// which checks the role and writes the records.
(function () {
  "use strict";
  const { api, t, esc } = SB;

  SB.i18n({
    zh: {
      "tk.title": "工单", "tk.one": "工单 {id}", "tk.overdue": "滞留工单（超过派单时限）", "tk.mine": "我的工单（先到期的在前）",
      "tk.all": "工单（先到期的在前）", "tk.new": "新建工单", "tk.id": "编号", "tk.state": "状态", "tk.category": "类别",
      "tk.priority": "优先级", "tk.customer": "客户", "tk.assignee": "处理人", "tk.due": "到期", "tk.dispatch_due": "派单时限",
      "tk.resolve_due": "解决时限", "tk.dispatch": "派单", "tk.calls": "关联通话（逗号分隔）", "tk.description": "描述",
      "tk.create": "创建", "tk.pick": "选择一张工单查看详情。", "tk.open": "未关闭", "tk.any": "全部",
      "tk.history": "处理记录", "tk.when": "时间", "tk.by": "操作人", "tk.action": "操作", "tk.note": "备注",
      "tk.target": "派给", "tk.source": "来源", "tk.created": "创建时间", "tk.none": "没有工单。", "tk.no_overdue": "没有滞留工单。",
      "tk.created_ok": "已创建工单 {id}", "tk.done_ok": "工单 {id}：{state}", "tk.late": "已超时", "tk.show": "查看",
      "tk.state.new": "新建（待派单）", "tk.state.dispatched": "已派单", "tk.state.in_progress": "处理中",
      "tk.state.resolved": "已解决", "tk.state.closed": "已关闭",
      "tk.act.dispatch": "派单", "tk.act.reassign": "改派", "tk.act.start": "开始处理", "tk.act.resolve": "已解决",
      "tk.act.close": "关闭", "tk.act.reopen": "重新打开",
      "tk.prio.low": "低", "tk.prio.normal": "普通", "tk.prio.high": "高", "tk.prio.urgent": "紧急",
      "tk.src.wrapup": "话后整理", "tk.src.desk": "坐席工作台", "tk.src.api": "接口（CRM）",
      "tk.team": "班组 {name}", "tk.agent": "坐席 {name}", "nav.tickets": "工单",
      "tk.alert": "工单 {id}（{category}）已超过派单时限，尚未派单",
      "tk.report": "工单报表", "tk.period": "时段", "tk.group": "分组", "tk.csv": "下载 CSV", "tk.xlsx": "下载 XLSX",
      "tk.p.today": "今天", "tk.p.yesterday": "昨天", "tk.p.this_week": "本周", "tk.p.last_week": "上周",
      "tk.p.this_month": "本月", "tk.p.last_month": "上月", "tk.g.category": "按类别", "tk.g.team": "按班组",
    },
    en: {
      "tk.title": "Tickets", "tk.one": "Ticket {id}", "tk.overdue": "Overdue tickets (past the dispatch deadline)", "tk.mine": "My tickets (due first)",
      "tk.all": "Tickets (due first)", "tk.new": "New ticket", "tk.id": "ID", "tk.state": "State", "tk.category": "Category",
      "tk.priority": "Priority", "tk.customer": "Customer", "tk.assignee": "Assigned to", "tk.due": "Due", "tk.dispatch_due": "Dispatch by",
      "tk.resolve_due": "Resolve by", "tk.dispatch": "Dispatch", "tk.calls": "Linked calls (comma-separated)", "tk.description": "Description",
      "tk.create": "Create", "tk.pick": "Pick a ticket to see it.", "tk.open": "Not closed", "tk.any": "All",
      "tk.history": "History", "tk.when": "When", "tk.by": "By", "tk.action": "Action", "tk.note": "Note",
      "tk.target": "Dispatch to", "tk.source": "Source", "tk.created": "Created", "tk.none": "No tickets.", "tk.no_overdue": "No overdue tickets.",
      "tk.created_ok": "Ticket {id} created", "tk.done_ok": "Ticket {id}: {state}", "tk.late": "late", "tk.show": "Open",
      "tk.state.new": "New (to dispatch)", "tk.state.dispatched": "Dispatched", "tk.state.in_progress": "In progress",
      "tk.state.resolved": "Resolved", "tk.state.closed": "Closed",
      "tk.act.dispatch": "Dispatch", "tk.act.reassign": "Reassign", "tk.act.start": "Start", "tk.act.resolve": "Resolve",
      "tk.act.close": "Close", "tk.act.reopen": "Reopen",
      "tk.prio.low": "Low", "tk.prio.normal": "Normal", "tk.prio.high": "High", "tk.prio.urgent": "Urgent",
      "tk.src.wrapup": "Wrap-up", "tk.src.desk": "Agent desk", "tk.src.api": "API (CRM)",
      "tk.team": "Team {name}", "tk.agent": "Agent {name}", "nav.tickets": "Tickets",
      "tk.alert": "Ticket {id} ({category}) is past its dispatch deadline, not dispatched",
      "tk.report": "Ticket report", "tk.period": "Period", "tk.group": "Group", "tk.csv": "Download CSV", "tk.xlsx": "Download XLSX",
      "tk.p.today": "Today", "tk.p.yesterday": "Yesterday", "tk.p.this_week": "This week", "tk.p.last_week": "Last week",
      "tk.p.this_month": "This month", "tk.p.last_month": "Last month", "tk.g.category": "By category", "tk.g.team": "By team",
    },
  });

  const states = ["new", "dispatched", "in_progress", "resolved", "closed"];
  // Which actions each state offers; dispatch from dispatched or in
  // progress is a reassignment.
  const actions = {
    new: ["dispatch"], dispatched: ["reassign", "start"], in_progress: ["resolve", "reassign"],
    resolved: ["close", "reopen"], closed: ["reopen"],
  };
  const leadOnly = ["dispatch", "reassign", "close", "reopen"];
  let me = null, lead = false, targets = [], current = "";

  function time(s) {
    if (!s || s.startsWith("0001-")) return "";
    return new Date(s).toLocaleString(SB.lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  }
  // due is what the ticket waits for next: its dispatch before dispatch,
  // its resolution after.
  function due(tk) {
    if (tk.state === "new") return tk.dispatch_due;
    if (tk.state === "resolved" || tk.state === "closed") return "";
    return tk.resolve_due && !tk.resolve_due.startsWith("0001-") ? tk.resolve_due : "";
  }
  function stateLabel(s) {
    return '<span class="tk-state tk-state-' + esc(s) + '">' + esc(t("tk.state." + s)) + "</span>";
  }
  function assignee(tk) {
    if (tk.agent) return t("tk.agent", { name: tk.agent });
    if (tk.team) return t("tk.team", { name: tk.team });
    return "";
  }

  // targetSelect is a select of teams and agents to dispatch to.
  function targetSelect(id) {
    const sel = document.createElement("select");
    sel.id = id;
    sel.name = "team";
    sel.setAttribute("aria-label", t("tk.target"));
    for (const x of targets) {
      const o = document.createElement("option");
      o.value = x.kind + ":" + x.id;
      o.textContent = x.kind === "team" ? t("tk.team", { name: x.id }) : t("tk.agent", { name: x.label });
      sel.appendChild(o);
    }
    return sel;
  }
  function targetBody(sel) {
    const [kind, ...rest] = sel.value.split(":");
    const id = rest.join(":");
    return kind === "team" ? { team: id } : { agent: id };
  }

  async function act(id, action, extra, form) {
    const body = Object.assign({ action: action === "reassign" ? "dispatch" : action }, extra || {});
    try {
      const tk = await api("POST", "/api/v1/tickets/" + encodeURIComponent(id) + "/transitions", body);
      SB.toast(t("tk.done_ok", { id: tk.id, state: t("tk.state." + tk.state) }));
      await refresh();
      await show(tk.id);
    } catch (e) {
      if (form) SB.fieldError(form, e); else SB.toast(e.message);
    }
  }

  async function loadOverdue() {
    const box = document.getElementById("tk-overdue-box");
    if (!lead) return;
    box.hidden = false;
    const page = await api("GET", "/api/v1/tickets?overdue=true&limit=500");
    const body = document.getElementById("tk-overdue-rows");
    body.textContent = "";
    if (!page.tickets.length) {
      body.innerHTML = '<tr><td colspan="5" class="tk-empty">' + esc(t("tk.no_overdue")) + "</td></tr>";
      return;
    }
    for (const tk of page.tickets) {
      const tr = document.createElement("tr");
      tr.dataset.ticket = tk.id;
      tr.innerHTML = "<td></td><td>" + esc(tk.category) + "</td><td>" + esc(tk.customer) + '</td><td class="due">' +
        esc(time(tk.dispatch_due)) + " · " + esc(t("tk.late")) + "</td><td></td>";
      const open = document.createElement("button");
      open.type = "button";
      open.textContent = tk.id;
      open.setAttribute("aria-label", t("tk.show") + " " + tk.id);
      open.addEventListener("click", () => show(tk.id));
      tr.cells[0].appendChild(open);
      const form = document.createElement("form");
      form.className = "tk-form";
      const sel = targetSelect("tk-od-target-" + tk.id);
      const btn = document.createElement("button");
      btn.type = "submit";
      btn.className = "primary";
      btn.textContent = t("tk.act.dispatch");
      form.append(sel, btn);
      form.addEventListener("submit", (ev) => { ev.preventDefault(); act(tk.id, "dispatch", targetBody(sel), form); });
      tr.cells[4].appendChild(form);
      body.appendChild(tr);
    }
  }

  async function loadList() {
    const state = document.getElementById("tk-filter-state").value;
    const page = await api("GET", "/api/v1/tickets?limit=500" + (state && state !== "any" ? "&state=" + encodeURIComponent(state) : ""));
    let list = page.tickets;
    if (!state) list = list.filter((x) => x.state !== "closed");
    // Due first; nothing due last.
    list.sort((a, b) => (due(a) || "9999").localeCompare(due(b) || "9999") || a.id.localeCompare(b.id));
    const body = document.getElementById("tk-rows");
    body.textContent = "";
    if (!list.length) {
      body.innerHTML = '<tr><td colspan="7" class="tk-empty">' + esc(t("tk.none")) + "</td></tr>";
      return;
    }
    const now = Date.now();
    for (const tk of list) {
      const tr = document.createElement("tr");
      tr.dataset.ticket = tk.id;
      const d = due(tk);
      const late = d && Date.parse(d) < now;
      tr.innerHTML = "<td></td><td>" + stateLabel(tk.state) + "</td><td>" + esc(tk.category) + "</td><td>" +
        esc(t("tk.prio." + tk.priority)) + "</td><td>" + esc(tk.customer) + "</td><td>" + esc(assignee(tk)) + "</td><td" +
        (late ? ' class="tk-late"' : "") + ">" + esc(time(d)) + (late ? " · " + esc(t("tk.late")) : "") + "</td>";
      const open = document.createElement("button");
      open.type = "button";
      open.textContent = tk.id;
      open.setAttribute("aria-label", t("tk.show") + " " + tk.id);
      open.addEventListener("click", () => show(tk.id));
      tr.cells[0].appendChild(open);
      body.appendChild(tr);
    }
  }

  async function show(id) {
    current = id;
    const box = document.getElementById("tk-detail");
    let tk;
    try {
      tk = await api("GET", "/api/v1/tickets/" + encodeURIComponent(id));
    } catch (e) {
      box.innerHTML = '<p class="sb-field-error" role="alert">' + esc(e.message) + "</p>";
      return;
    }
    history.replaceState(null, "", "/ui/tickets?id=" + encodeURIComponent(tk.id));
    const row = (k, v) => "<dt>" + esc(t(k)) + "</dt><dd>" + v + "</dd>";
    let html = '<h2 id="tk-detail-h">' + esc(t("tk.one", { id: tk.id })) + "</h2><dl>" +
      row("tk.state", stateLabel(tk.state) + (tk.overdue ? ' <span class="tk-late">' + esc(t("tk.late")) + "</span>" : "")) +
      row("tk.category", esc(tk.category)) + row("tk.priority", esc(t("tk.prio." + tk.priority))) +
      row("tk.customer", esc(tk.customer)) + row("tk.source", esc(t("tk.src." + tk.source))) +
      row("tk.created", esc(time(tk.created_at)) + " · " + esc(tk.created_by)) +
      row("tk.dispatch_due", esc(time(tk.dispatch_due))) + row("tk.resolve_due", esc(time(tk.resolve_due))) +
      row("tk.assignee", esc(assignee(tk))) + row("tk.calls", esc((tk.calls || []).join(", "))) +
      row("tk.description", esc(tk.description)) + "</dl>";
    html += '<form id="tk-actions"><label><span>' + esc(t("tk.note")) + '</span><input name="note" id="tk-note" maxlength="4000"></label></form>';
    html += '<h3 id="tk-history-h">' + esc(t("tk.history")) + '</h3><table aria-labelledby="tk-history-h"><thead><tr><th>' +
      esc(t("tk.when")) + "</th><th>" + esc(t("tk.by")) + "</th><th>" + esc(t("tk.action")) + "</th><th>" + esc(t("tk.state")) +
      "</th><th>" + esc(t("tk.note")) + '</th></tr></thead><tbody id="tk-history">';
    for (const h of tk.history || []) {
      const to = h.agent ? t("tk.agent", { name: h.agent }) : h.team ? t("tk.team", { name: h.team }) : "";
      html += "<tr><td>" + esc(time(h.at)) + "</td><td>" + esc(h.by) + "</td><td>" + esc(t("tk.act." + h.action)) +
        (to ? " → " + esc(to) : "") + "</td><td>" + esc(t("tk.state." + h.from)) + " → " + esc(t("tk.state." + h.to)) +
        "</td><td>" + esc(h.note) + "</td></tr>";
    }
    html += "</tbody></table>";
    box.innerHTML = html;
    const form = document.getElementById("tk-actions");
    for (const a of actions[tk.state] || []) {
      if (!lead && leadOnly.includes(a)) continue;
      let sel = null;
      if (a === "dispatch" || a === "reassign") {
        sel = targetSelect("tk-target");
        const l = document.createElement("label");
        l.innerHTML = "<span>" + esc(t("tk.target")) + "</span>";
        l.appendChild(sel);
        form.appendChild(l);
      }
      const b = document.createElement("button");
      b.type = "button";
      b.id = "tk-act-" + a;
      b.className = a === "dispatch" || a === "resolve" ? "primary" : "";
      b.textContent = t("tk.act." + a);
      b.addEventListener("click", () => {
        const extra = sel ? targetBody(sel) : {};
        const note = document.getElementById("tk-note").value.trim();
        if (note) extra.note = note;
        act(tk.id, a, extra, form);
      });
      form.appendChild(b);
    }
    form.addEventListener("submit", (ev) => ev.preventDefault());
  }

  async function refresh() {
    await Promise.all([loadOverdue(), loadList()]);
  }

  async function main() {
    me = await SB.init({ page: "tickets" });
    lead = me.role === "team_lead" || me.role === "supervisor";
    document.getElementById("tk-list-h").textContent = t(me.role === "agent" ? "tk.mine" : "tk.all");
    const fs = document.getElementById("tk-filter-state");
    for (const s of [...states, "any"]) {
      const o = document.createElement("option");
      o.value = s;
      o.textContent = s === "any" ? t("tk.any") : t("tk.state." + s);
      fs.appendChild(o);
    }
    fs.addEventListener("change", loadList);
    const cats = await api("GET", "/api/v1/tickets/categories");
    const cs = document.getElementById("tk-new-category");
    for (const c of cats) {
      const o = document.createElement("option");
      o.value = c.name;
      o.textContent = (SB.lang === "zh" ? c.zh : c.en) || c.name;
      cs.appendChild(o);
    }
    const ps = document.getElementById("tk-new-priority");
    for (const p of ["normal", "low", "high", "urgent"]) {
      const o = document.createElement("option");
      o.value = p;
      o.textContent = t("tk.prio." + p);
      ps.appendChild(o);
    }
    if (me.role === "quality") document.getElementById("tk-new-box").hidden = true;
    // The report (created, dispatched within SLA, overdue, resolution
    // time) for those who read reports, downloaded as CSV or XLSX.
    if (["team_lead", "supervisor", "quality"].includes(me.role)) {
      document.getElementById("tk-report-box").hidden = false;
      const per = document.getElementById("tk-report-period"), grp = document.getElementById("tk-report-group");
      for (const p of ["today", "yesterday", "this_week", "last_week", "this_month", "last_month"]) {
        per.add(new Option(t("tk.p." + p), p));
      }
      per.value = "this_week";
      for (const g of ["category", "team"]) grp.add(new Option(t("tk.g." + g), g));
      document.getElementById("tk-report").addEventListener("submit", (ev) => {
        ev.preventDefault();
        const fmt = (ev.submitter && ev.submitter.value) || "csv";
        location.href = "/api/v1/tickets/report?period=" + encodeURIComponent(per.value) + "&group=" +
          encodeURIComponent(grp.value) + "&format=" + fmt;
      });
    }
    if (lead) {
      const agents = ((await api("GET", "/api/v1/agents").catch(() => null)) || {}).agents || [];
      const teams = [...new Set(agents.map((a) => a.team).filter(Boolean))].sort();
      targets = teams.map((x) => ({ kind: "team", id: x }))
        .concat(agents.map((a) => ({ kind: "agent", id: a.id, label: a.name ? a.name + " (" + a.id + ")" : a.id })));
    }
    const form = document.getElementById("tk-new");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const body = { customer: f.get("customer").trim(), category: f.get("category"), priority: f.get("priority"),
        description: f.get("description"), source: "desk" };
      const calls = String(f.get("calls") || "").split(",").map((x) => x.trim()).filter(Boolean);
      if (calls.length) body.calls = calls;
      try {
        const tk = await api("POST", "/api/v1/tickets", body);
        form.reset();
        SB.toast(t("tk.created_ok", { id: tk.id }));
        await refresh();
        await show(tk.id);
      } catch (e) {
        SB.fieldError(form, e);
      }
    });
    await refresh();
    const params = new URLSearchParams(location.search);
    const id = params.get("id");
    if (id) await show(id);
    // From the desk: a new ticket for the call (and its customer).
    if (params.get("new") && !document.getElementById("tk-new-box").hidden) {
      form.elements.customer.value = params.get("customer") || "";
      form.elements.calls.value = params.get("call") || "";
      (form.elements.customer.value ? form.elements.category : form.elements.customer).focus();
    }
    // The lists follow the log: ticket records on the live feed refresh
    // them (at most every 500 ms); an overdue one is the lead's alert.
    // A slow poll covers a feed that is down.
    let timer = null;
    const soon = () => {
      if (timer) return;
      timer = setTimeout(() => { timer = null; refresh().then(() => (current ? show(current) : null)).catch(() => {}); }, 500);
    };
    SB.live("/api/v1/live?topics=records", {
      record(r) {
        if (!r || typeof r.type !== "string" || !r.type.startsWith("ticket.")) return;
        if (r.type === "ticket.overdue" && r.data) SB.toast(t("tk.alert", { id: r.data.id, category: r.data.category }));
        soon();
      },
      reset() { soon(); },
    });
    setInterval(() => { refresh().catch(() => {}); }, 30000);
  }

  main().catch((e) => SB.toast(e.message || t("common.error")));
})();
