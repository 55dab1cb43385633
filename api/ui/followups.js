// Follow-ups (回访): my follow-ups (due first) with the result form after
// a dial, the overdue list with reassign for leads and supervisors, and
// the coverage report download. Every change goes through the API, which
// checks the role and writes the records.
(function () {
  "use strict";
  const { api, t, esc } = SB;

  SB.i18n({
    zh: {
      "fu.title": "回访", "fu.overdue": "超时未回访", "fu.mine": "我的回访（先到期的在前）", "fu.all": "回访（先到期的在前）",
      "fu.id": "编号", "fu.state": "状态", "fu.customer": "客户", "fu.assignee": "处理人", "fu.attempts": "尝试次数", "fu.due": "到期",
      "fu.reassign": "改派", "fu.pick": "选择一条回访查看详情并记录结果。", "fu.none": "没有回访。", "fu.no_overdue": "没有超时的回访。",
      "fu.state.open": "待回访", "fu.state.closed": "已结束", "fu.any": "全部", "fu.late": "已超时", "fu.show": "查看",
      "fu.one": "回访 {id}", "fu.source": "来源", "fu.call": "原通话", "fu.reason": "结束原因", "fu.next": "最早下次拨打",
      "fu.src.wrapup": "话后整理", "fu.src.ticket": "工单关闭", "fu.src.lead": "班长创建", "fu.src.appointment": "预约",
      "fu.reason.reached": "已联系上", "fu.reason.attempts": "多次未接通", "fu.reason.wrong_number": "号码错误",
      "fu.record": "记录本次回访结果", "fu.outcome": "拨打结果", "fu.result": "客户答复", "fu.satisfaction": "满意度（1–5）",
      "fu.later": "约定再打时间", "fu.notes": "备注", "fu.save": "保存结果",
      "fu.o.reached": "已接通", "fu.o.no_answer": "无人接听", "fu.o.busy": "忙", "fu.o.wrong_number": "号码错误",
      "fu.r.satisfied": "满意（打分）", "fu.r.not_satisfied": "不满意", "fu.r.call_later": "稍后再打",
      "fu.when": "时间", "fu.by": "操作人", "fu.saved": "回访 {id}：{state}", "fu.to": "改派给", "fu.do_reassign": "改派",
      "fu.team": "班组 {name}", "fu.agent": "坐席 {name}",
      "fu.report": "回访覆盖率与满意度报表", "fu.period": "时段", "fu.group": "分组", "fu.csv": "下载 CSV", "fu.xlsx": "下载 XLSX",
      "fu.p.this_week": "本周", "fu.p.last_week": "上周", "fu.p.this_month": "本月", "fu.p.last_month": "上月",
      "fu.g.agent": "按坐席", "fu.g.team": "按班组",
    },
    en: {
      "fu.title": "Follow-ups", "fu.overdue": "Overdue follow-ups", "fu.mine": "My follow-ups (due first)", "fu.all": "Follow-ups (due first)",
      "fu.id": "ID", "fu.state": "State", "fu.customer": "Customer", "fu.assignee": "Assigned to", "fu.attempts": "Attempts", "fu.due": "Due",
      "fu.reassign": "Reassign", "fu.pick": "Pick a follow-up to see it and record its result.", "fu.none": "No follow-ups.", "fu.no_overdue": "No overdue follow-ups.",
      "fu.state.open": "To follow up", "fu.state.closed": "Closed", "fu.any": "All", "fu.late": "late", "fu.show": "Open",
      "fu.one": "Follow-up {id}", "fu.source": "Source", "fu.call": "Original call", "fu.reason": "Closed because", "fu.next": "Next dial from",
      "fu.src.wrapup": "Wrap-up", "fu.src.ticket": "Ticket closed", "fu.src.lead": "By a lead", "fu.src.appointment": "Appointment",
      "fu.reason.reached": "Reached", "fu.reason.attempts": "Attempts used", "fu.reason.wrong_number": "Wrong number",
      "fu.record": "Record this follow-up's result", "fu.outcome": "Dial outcome", "fu.result": "Customer's answer", "fu.satisfaction": "Satisfaction (1-5)",
      "fu.later": "Call again at", "fu.notes": "Notes", "fu.save": "Save result",
      "fu.o.reached": "Reached", "fu.o.no_answer": "No answer", "fu.o.busy": "Busy", "fu.o.wrong_number": "Wrong number",
      "fu.r.satisfied": "Satisfied (score)", "fu.r.not_satisfied": "Not satisfied", "fu.r.call_later": "Call later",
      "fu.when": "When", "fu.by": "By", "fu.saved": "Follow-up {id}: {state}", "fu.to": "Reassign to", "fu.do_reassign": "Reassign",
      "fu.team": "Team {name}", "fu.agent": "Agent {name}",
      "fu.report": "Follow-up coverage and satisfaction report", "fu.period": "Period", "fu.group": "Group", "fu.csv": "Download CSV", "fu.xlsx": "Download XLSX",
      "fu.p.this_week": "This week", "fu.p.last_week": "Last week", "fu.p.this_month": "This month", "fu.p.last_month": "Last month",
      "fu.g.agent": "By agent", "fu.g.team": "By team",
    },
  });

  let me = null, lead = false, targets = [], current = "";

  function time(s) {
    if (!s || s.startsWith("0001-")) return "";
    return new Date(s).toLocaleString(SB.lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  }
  function assignee(f) {
    if (f.agent) return t("fu.agent", { name: f.agent });
    if (f.team) return t("fu.team", { name: f.team });
    return "";
  }
  function dueCell(f) {
    return esc(time(f.due)) + (f.overdue ? ' <span class="fu-late">' + esc(t("fu.late")) + "</span>" : "");
  }
  function openButton(id) {
    return '<button type="button" data-open="' + esc(id) + '">' + esc(id) + "</button>";
  }

  function targetSelect() {
    const sel = document.createElement("select");
    sel.setAttribute("aria-label", t("fu.to"));
    for (const x of targets) {
      sel.add(new Option(x.kind === "team" ? t("fu.team", { name: x.id }) : t("fu.agent", { name: x.label || x.id }), x.kind + ":" + x.id));
    }
    return sel;
  }

  async function reassign(id, value) {
    const [kind, who] = value.split(/:(.*)/s);
    try {
      await api("POST", "/api/v1/followups/" + encodeURIComponent(id) + "/reassign", kind === "team" ? { team: who } : { agent: who });
      SB.toast(t("fu.saved", { id, state: t("fu.reassign") }));
      await refresh();
    } catch (e) {
      SB.toast(t("common.error") + ": " + (e.message || e));
    }
  }

  async function loadOverdue() {
    if (!lead) return;
    const box = document.getElementById("fu-overdue-box");
    box.hidden = false;
    const page = await api("GET", "/api/v1/followups?overdue=true&limit=200");
    const rows = document.getElementById("fu-overdue-rows");
    rows.textContent = "";
    if (!page.followups.length) {
      rows.innerHTML = '<tr><td colspan="5">' + esc(t("fu.no_overdue")) + "</td></tr>";
      return;
    }
    for (const f of page.followups) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td>" + openButton(f.id) + "</td><td>" + esc(f.customer) + "</td><td>" + esc(assignee(f)) +
        "</td><td>" + dueCell(f) + "</td><td></td>";
      const sel = targetSelect();
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t("fu.do_reassign");
      b.addEventListener("click", () => reassign(f.id, sel.value));
      tr.lastChild.append(sel, b);
      rows.appendChild(tr);
    }
  }

  async function loadList() {
    const st = document.getElementById("fu-filter-state").value;
    let q = "?limit=200" + (st && st !== "any" ? "&state=" + encodeURIComponent(st) : "");
    if (me.role === "agent" || me.role === "team_lead") q += "&mine=true";
    const page = await api("GET", "/api/v1/followups" + q);
    const rows = document.getElementById("fu-rows");
    rows.textContent = "";
    if (!page.followups.length) {
      rows.innerHTML = '<tr><td colspan="6">' + esc(t("fu.none")) + "</td></tr>";
      return;
    }
    for (const f of page.followups) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td>" + openButton(f.id) + "</td><td>" + esc(t("fu.state." + f.state)) + "</td><td>" + esc(f.customer) +
        "</td><td>" + esc(assignee(f)) + "</td><td>" + esc(String(f.attempts.length)) + " / " + esc(String(f.max_attempts)) +
        "</td><td>" + dueCell(f) + "</td>";
      rows.appendChild(tr);
    }
  }

  function option(sel, value, label) { sel.add(new Option(label, value)); }

  async function show(id) {
    current = id;
    const f = await api("GET", "/api/v1/followups/" + encodeURIComponent(id));
    const d = document.getElementById("fu-detail");
    let h = "<h2>" + esc(t("fu.one", { id: f.id })) + "</h2><dl>" +
      "<dt>" + esc(t("fu.state")) + "</dt><dd>" + esc(t("fu.state." + f.state)) + (f.close_reason ? " · " + esc(t("fu.reason." + f.close_reason)) : "") + "</dd>" +
      "<dt>" + esc(t("fu.customer")) + "</dt><dd>" + esc(f.customer) + "</dd>" +
      "<dt>" + esc(t("fu.source")) + "</dt><dd>" + esc(t("fu.src." + f.source)) + "</dd>" +
      (f.call ? "<dt>" + esc(t("fu.call")) + "</dt><dd>" + esc(f.call) + "</dd>" : "") +
      "<dt>" + esc(t("fu.assignee")) + "</dt><dd>" + esc(assignee(f)) + "</dd>" +
      "<dt>" + esc(t("fu.due")) + "</dt><dd>" + dueCell(f) + "</dd>" +
      (f.state === "open" ? "<dt>" + esc(t("fu.next")) + "</dt><dd>" + esc(time(f.not_before)) + "</dd>" : "") +
      "<dt>" + esc(t("fu.attempts")) + "</dt><dd>" + esc(String(f.attempts.length)) + " / " + esc(String(f.max_attempts)) + "</dd></dl>";
    if (f.attempts.length) {
      h += "<table><thead><tr><th>" + esc(t("fu.when")) + "</th><th>" + esc(t("fu.by")) + "</th><th>" + esc(t("fu.outcome")) +
        "</th><th>" + esc(t("fu.result")) + "</th><th>" + esc(t("fu.notes")) + "</th></tr></thead><tbody>";
      for (const a of f.attempts) {
        const res = a.result ? t("fu.r." + a.result) + (a.satisfaction ? " " + a.satisfaction : "") + (a.later ? " → " + time(a.later) : "") : "";
        h += "<tr><td>" + esc(time(a.at)) + "</td><td>" + esc(a.by) + "</td><td>" + esc(t("fu.o." + a.outcome)) + "</td><td>" +
          esc(res) + "</td><td>" + esc(a.notes || "") + "</td></tr>";
      }
      h += "</tbody></table>";
    }
    d.innerHTML = h;
    if (f.state !== "open" || me.role === "quality") return;
    const form = document.createElement("form");
    form.className = "fu-form";
    form.id = "fu-result";
    form.innerHTML = "<h3>" + esc(t("fu.record")) + "</h3>" +
      '<label><span>' + esc(t("fu.outcome")) + '</span><select name="outcome"></select></label>' +
      '<label><span>' + esc(t("fu.result")) + '</span><select name="result"></select></label>' +
      '<label><span>' + esc(t("fu.satisfaction")) + '</span><select name="satisfaction"></select></label>' +
      '<label><span>' + esc(t("fu.later")) + '</span><input name="later" type="datetime-local"></label>' +
      '<label><span>' + esc(t("fu.notes")) + '</span><textarea name="notes" maxlength="4000"></textarea></label>' +
      '<button type="submit" class="primary">' + esc(t("fu.save")) + "</button>";
    for (const o of ["reached", "no_answer", "busy", "wrong_number"]) option(form.outcome, o, t("fu.o." + o));
    for (const r of ["satisfied", "not_satisfied", "call_later"]) option(form.result, r, t("fu.r." + r));
    for (const n of [5, 4, 3, 2, 1]) option(form.satisfaction, String(n), String(n));
    // The answers belong to a reached customer only; the score to a
    // satisfied one; the time to a "call later".
    const sync = () => {
      const reached = form.outcome.value === "reached";
      form.result.disabled = !reached;
      form.satisfaction.disabled = !reached || form.result.value !== "satisfied";
      form.later.disabled = !reached || form.result.value !== "call_later";
    };
    form.outcome.addEventListener("change", sync);
    form.result.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { outcome: form.outcome.value, notes: form.notes.value };
      if (!form.result.disabled) body.result = form.result.value;
      if (!form.satisfaction.disabled) body.satisfaction = Number(form.satisfaction.value);
      if (!form.later.disabled && form.later.value) body.later = new Date(form.later.value).toISOString();
      try {
        const out = await api("POST", "/api/v1/followups/" + encodeURIComponent(f.id) + "/attempts", body);
        SB.toast(t("fu.saved", { id: f.id, state: t("fu.state." + out.state) }));
        await refresh();
        await show(f.id);
      } catch (e) {
        SB.fieldError(form, e);
      }
    });
    d.appendChild(form);
  }

  async function refresh() {
    await Promise.all([loadOverdue(), loadList()]);
  }

  async function main() {
    me = await SB.init({ page: "followups" });
    lead = me.role === "team_lead" || me.role === "supervisor";
    document.getElementById("fu-list-h").textContent = t(me.role === "agent" ? "fu.mine" : "fu.all");
    const fs = document.getElementById("fu-filter-state");
    for (const s of ["open", "closed", "any"]) option(fs, s, s === "any" ? t("fu.any") : t("fu.state." + s));
    fs.addEventListener("change", loadList);
    document.body.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-open]");
      if (b) show(b.dataset.open);
    });
    if (["team_lead", "supervisor", "quality"].includes(me.role)) {
      document.getElementById("fu-report-box").hidden = false;
      const per = document.getElementById("fu-report-period"), grp = document.getElementById("fu-report-group");
      for (const p of ["this_week", "last_week", "this_month", "last_month"]) option(per, p, t("fu.p." + p));
      for (const g of ["agent", "team"]) option(grp, g, t("fu.g." + g));
      document.getElementById("fu-report").addEventListener("submit", (ev) => {
        ev.preventDefault();
        const fmt = (ev.submitter && ev.submitter.value) || "csv";
        location.href = "/api/v1/followups/report?period=" + encodeURIComponent(per.value) + "&group=" +
          encodeURIComponent(grp.value) + "&format=" + fmt;
      });
    }
    if (lead) {
      const agents = ((await api("GET", "/api/v1/agents").catch(() => null)) || {}).agents || [];
      const teams = [...new Set(agents.map((a) => a.team).filter(Boolean))].sort();
      targets = teams.map((x) => ({ kind: "team", id: x }))
        .concat(agents.map((a) => ({ kind: "agent", id: a.id, label: a.name ? a.name + " (" + a.id + ")" : a.id })));
    }
    await refresh();
    const id = new URLSearchParams(location.search).get("id");
    if (id) await show(id);
  }
  main().catch((e) => SB.toast(t("common.error") + ": " + (e.message || e)));
})();
