// Schedule (排班): an agent reads their published shifts; a team lead
// (their team) or supervisor builds a month as a draft, imports it from
// CSV, publishes it (a supervisor past the deadline with a reason), sees
// the floor now and downloads adherence. The API checks roles and writes
// the records; the page only shows what it answers.
(function () {
  "use strict";
  const { api, t, esc } = SB;

  SB.i18n({
    zh: {
      "sc.title": "排班", "sc.month": "月份", "sc.team": "班组", "sc.show": "查看", "sc.mine": "我的班次（已发布）",
      "sc.mine_none": "本月尚未发布排班。", "sc.date": "日期", "sc.shift": "班次", "sc.from": "开始", "sc.to": "结束",
      "sc.holiday": "节假日", "sc.schedule": "班组排班", "sc.agent": "坐席", "sc.remove": "删除", "sc.add": "添加",
      "sc.save": "保存草稿", "sc.csv": "导入 CSV（坐席,日期,班次）", "sc.import": "导入为草稿", "sc.override": "逾期发布（主管）",
      "sc.reason": "原因", "sc.publish": "发布", "sc.floor": "当前在岗", "sc.scheduled": "排班人数", "sc.signed_in": "已签入",
      "sc.ready": "就绪", "sc.minimum": "最少就绪", "sc.adherence": "登陆吻合度与出勤", "sc.csv_dl": "下载 CSV", "sc.xlsx_dl": "下载 XLSX",
      "sc.state.none": "尚未建立", "sc.state.draft": "草稿", "sc.state.published": "已发布", "sc.saved": "草稿已保存（{n} 条）",
      "sc.published": "已发布 {team} {month}", "sc.late": "逾期发布：{reason}", "sc.below": "低于最少就绪", "sc.ok": "正常",
      "sc.line": "第 {line} 行 {field}：{reason}", "sc.nofloor": "没有班组。", "sc.noentries": "还没有班次。",
      "sc.leave": "请假", "sc.from_day": "从", "sc.to_day": "到", "sc.request": "提交申请", "sc.id": "编号", "sc.days": "天数",
      "sc.lstate": "状态", "sc.action": "操作", "sc.approve": "批准", "sc.refuse": "拒绝", "sc.withdraw": "撤回",
      "sc.ls.pending": "待审批", "sc.ls.approved": "已批准", "sc.ls.refused": "已拒绝", "sc.ls.withdrawn": "已撤回",
      "sc.swap": "换班", "sc.my_day": "我的班次日期", "sc.with": "与坐席", "sc.with_day": "对方班次日期", "sc.swap_of": "换班",
      "sc.noswap": "没有换班申请。", "sc.swap_line": "{a} {a_date} {a_shift} ⇄ {b} {b_date} {b_shift}", "sc.swap_ok": "已提交换班申请 {id}",
      "sc.noleave": "没有请假申请。", "sc.requested": "已提交请假申请 {id}", "sc.decided": "请假 {id}：{state}",
      "sc.staffing": "人力需求（Erlang C）与排班", "sc.interval": "时段", "sc.calls": "预计来话", "sc.aht": "平均处理时长（秒）",
      "sc.required": "所需坐席", "sc.gap": "差额", "sc.short": "缺 {n} 人", "sc.over": "多 {n} 人", "sc.even": "持平",
      "sc.staff_note": "按此前 4 个相同星期几的话务量与平均处理时长，按各队列服务水平目标计算每 30 分钟所需坐席。",
      "sc.nostaff": "这一天没有来话预测，也没有排班。",
    },
    en: {
      "sc.title": "Schedule", "sc.month": "Month", "sc.team": "Team", "sc.show": "Show", "sc.mine": "My shifts (published)",
      "sc.mine_none": "No schedule published for this month yet.", "sc.date": "Date", "sc.shift": "Shift", "sc.from": "Start", "sc.to": "End",
      "sc.holiday": "Holiday", "sc.schedule": "Team schedule", "sc.agent": "Agent", "sc.remove": "Remove", "sc.add": "Add",
      "sc.save": "Save draft", "sc.csv": "Import CSV (agent,date,shift)", "sc.import": "Import as draft", "sc.override": "Publish late (supervisor)",
      "sc.reason": "Reason", "sc.publish": "Publish", "sc.floor": "Floor now", "sc.scheduled": "Scheduled", "sc.signed_in": "Signed in",
      "sc.ready": "Ready", "sc.minimum": "Minimum ready", "sc.adherence": "Login adherence and attendance", "sc.csv_dl": "Download CSV", "sc.xlsx_dl": "Download XLSX",
      "sc.state.none": "Not started", "sc.state.draft": "Draft", "sc.state.published": "Published", "sc.saved": "Draft saved ({n} entries)",
      "sc.published": "Published {team} {month}", "sc.late": "Published late: {reason}", "sc.below": "Below minimum", "sc.ok": "OK",
      "sc.line": "Line {line} {field}: {reason}", "sc.nofloor": "No teams.", "sc.noentries": "No shifts yet.",
      "sc.leave": "Leave", "sc.from_day": "From", "sc.to_day": "To", "sc.request": "Request", "sc.id": "ID", "sc.days": "Days",
      "sc.lstate": "State", "sc.action": "Action", "sc.approve": "Approve", "sc.refuse": "Refuse", "sc.withdraw": "Withdraw",
      "sc.ls.pending": "Pending", "sc.ls.approved": "Approved", "sc.ls.refused": "Refused", "sc.ls.withdrawn": "Withdrawn",
      "sc.swap": "Shift swaps", "sc.my_day": "My shift on", "sc.with": "With agent", "sc.with_day": "Their shift on", "sc.swap_of": "Swap",
      "sc.noswap": "No swap requests.", "sc.swap_line": "{a} {a_date} {a_shift} ⇄ {b} {b_date} {b_shift}", "sc.swap_ok": "Swap {id} requested",
      "sc.noleave": "No leave requests.", "sc.requested": "Leave {id} requested", "sc.decided": "Leave {id}: {state}",
      "sc.staffing": "Staffing (Erlang C) against the schedule", "sc.interval": "Interval", "sc.calls": "Forecast calls", "sc.aht": "AHT (s)",
      "sc.required": "Agents required", "sc.gap": "Gap", "sc.short": "short {n}", "sc.over": "over {n}", "sc.even": "even",
      "sc.staff_note": "Agents required per 30 minutes for each queue's service-level target, from the calls and handle times of the 4 same weekdays before.",
      "sc.nostaff": "No forecast calls and nobody scheduled that day.",
    },
  });

  let me = null, entries = [], state = "none";
  const $ = (id) => document.getElementById(id);

  function nextMonth() {
    const d = new Date();
    d.setDate(1);
    d.setMonth(d.getMonth() + 1);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0");
  }
  const month = () => $("sc-month").value;
  const team = () => $("sc-team").value.trim();
  const hm = (iso) => iso.slice(11, 16);

  async function loadMine() {
    const r = await api("GET", "/api/v1/schedules/mine?month=" + encodeURIComponent(month()));
    const rows = $("sc-mine-rows");
    rows.innerHTML = r.days.map((d) => "<tr><td>" + esc(d.date) + "</td><td>" + esc(d.shift) + "</td><td>" + esc(hm(d.start)) +
      "</td><td>" + esc(d.end.slice(0, 10) === d.date ? hm(d.end) : d.end.slice(0, 10) + " " + hm(d.end)) +
      "</td><td class=\"sc-holiday\">" + esc(d.holiday || "") + "</td></tr>").join("");
    $("sc-mine-empty").hidden = r.days.length > 0;
  }

  function drawEntries() {
    const rows = $("sc-rows");
    if (!entries.length) {
      rows.innerHTML = "<tr><td colspan=\"4\" class=\"muted\">" + esc(t("sc.noentries")) + "</td></tr>";
    } else {
      rows.innerHTML = entries.map((e, i) => "<tr><td>" + esc(e.agent) + "</td><td>" + esc(e.date) + "</td><td>" + esc(e.shift) +
        "</td><td>" + (state === "published" ? "" : "<button type=\"button\" data-i=\"" + i + "\">" + esc(t("sc.remove")) + "</button>") + "</td></tr>").join("");
    }
    const st = $("sc-state");
    st.className = "sc-state sc-state-" + state;
    st.textContent = t("sc.state." + state);
    const locked = state === "published";
    for (const id of ["sc-add-btn", "sc-save-btn", "sc-import-btn", "sc-publish-btn"]) $(id).disabled = locked;
    $("sc-publish-btn").disabled = state !== "draft";
  }

  async function loadTeam() {
    $("sc-import-errors").textContent = "";
    $("sc-late").hidden = true;
    try {
      const s = await api("GET", "/api/v1/schedules/" + encodeURIComponent(team()) + "/" + encodeURIComponent(month()));
      entries = s.entries || [];
      state = s.state;
      if (s.late) { $("sc-late").hidden = false; $("sc-late").textContent = t("sc.late", { reason: s.late_reason }); }
    } catch (e) {
      if (e.status !== 404) throw e;
      entries = [];
      state = "none";
    }
    drawEntries();
  }

  async function loadFloor() {
    const r = await api("GET", "/api/v1/workforce/floor");
    $("sc-floor-rows").innerHTML = r.teams.length ? r.teams.map((f) => "<tr><td>" + esc(f.team) + "</td><td>" + f.scheduled + "</td><td>" +
      f.signed_in + "</td><td>" + f.ready + "</td><td" + (f.below ? " class=\"sc-below\">" + f.minimum + " · " + esc(t("sc.below")) :
      ">" + f.minimum) + "</td></tr>").join("") : "<tr><td colspan=\"5\">" + esc(t("sc.nofloor")) + "</td></tr>";
    const q = "/api/v1/workforce/adherence?month=" + encodeURIComponent(month()) + (team() ? "&team=" + encodeURIComponent(team()) : "");
    $("sc-adh-csv").href = q + "&format=csv";
    $("sc-adh-xlsx").href = q + "&format=xlsx";
  }

  async function loadStaffing() {
    const date = $("sc-staff-date").value;
    if (!date) return;
    const r = await api("GET", "/api/v1/workforce/staffing?date=" + encodeURIComponent(date) + (team() ? "&team=" + encodeURIComponent(team()) : ""));
    // Only the intervals with calls or agents: the rest of the day is empty.
    const rows = r.intervals.filter((iv) => iv.required > 0 || iv.scheduled > 0 || iv.calls > 0);
    $("sc-staff-rows").innerHTML = rows.length ? rows.map((iv) => {
      const gap = iv.gap < 0 ? t("sc.short", { n: -iv.gap }) : iv.gap > 0 ? t("sc.over", { n: iv.gap }) : t("sc.even");
      return "<tr data-interval=\"" + esc(hm(iv.start)) + "\"><td>" + esc(hm(iv.start)) + "</td><td>" + (Math.round(iv.calls * 10) / 10) + "</td><td>" +
        Math.round(iv.aht_s) + "</td><td>" + iv.required + "</td><td>" + iv.scheduled + "</td><td" + (iv.gap < 0 ? " class=\"sc-below\"" : "") + ">" + esc(gap) + "</td></tr>";
    }).join("") : "<tr><td colspan=\"6\">" + esc(t("sc.nostaff")) + "</td></tr>";
  }

  async function loadLeave() {
    const r = await api("GET", "/api/v1/leave");
    const mine = (l) => l.agent === me.agent_id;
    $("sc-leave-rows").innerHTML = r.leave.length ? r.leave.map((l) => {
      let acts = "";
      if (l.state === "pending" && mine(l)) acts = "<button type=\"button\" data-leave=\"" + esc(l.id) + "\" data-d=\"withdraw\">" + esc(t("sc.withdraw")) + "</button>";
      else if (l.state === "pending" && me.role !== "agent") {
        acts = "<button type=\"button\" data-leave=\"" + esc(l.id) + "\" data-d=\"approve\">" + esc(t("sc.approve")) + "</button> " +
          "<button type=\"button\" data-leave=\"" + esc(l.id) + "\" data-d=\"refuse\">" + esc(t("sc.refuse")) + "</button>";
      }
      return "<tr data-leave-row=\"" + esc(l.id) + "\"><td>" + esc(l.id) + "</td><td>" + esc(l.agent) + "</td><td>" + esc(l.from) + "</td><td>" + esc(l.to) +
        "</td><td>" + l.days + "</td><td class=\"sc-lstate\">" + esc(t("sc.ls." + l.state)) + "</td><td>" + acts + "</td></tr>";
    }).join("") : "<tr><td colspan=\"7\">" + esc(t("sc.noleave")) + "</td></tr>";
  }

  async function loadSwaps() {
    const r = await api("GET", "/api/v1/swaps");
    $("sc-swap-rows").innerHTML = r.swaps.length ? r.swaps.map((w) => {
      const acts = w.state === "pending" && me.role !== "agent" ? "<button type=\"button\" data-swap=\"" + esc(w.id) + "\" data-d=\"approve\">" +
        esc(t("sc.approve")) + "</button> <button type=\"button\" data-swap=\"" + esc(w.id) + "\" data-d=\"refuse\">" + esc(t("sc.refuse")) + "</button>" : "";
      const st = t("sc.ls." + w.state) + (w.state === "pending" && w.approved_teams && w.approved_teams.length ? " (" + w.approved_teams.join(", ") + " ✓)" : "");
      return "<tr data-swap-row=\"" + esc(w.id) + "\"><td>" + esc(w.id) + "</td><td>" + esc(t("sc.swap_line", w)) + "</td><td class=\"sc-lstate\">" +
        esc(st) + "</td><td>" + acts + "</td></tr>";
    }).join("") : "<tr><td colspan=\"4\">" + esc(t("sc.noswap")) + "</td></tr>";
  }

  async function show() {
    await loadLeave();
    await loadSwaps();
    if (me.role === "agent" || me.agent_id) await loadMine().catch(() => { $("sc-mine-empty").hidden = false; });
    if (me.role === "team_lead" || me.role === "supervisor") {
      if (team()) await loadTeam();
      await loadFloor();
    }
  }

  async function save(form, body) {
    const path = "/api/v1/schedules/" + encodeURIComponent(team()) + "/" + encodeURIComponent(month());
    try {
      const s = await api("PUT", path, { entries: body });
      entries = s.entries; state = s.state;
      drawEntries();
      SB.toast(t("sc.saved", { n: entries.length }));
    } catch (e) { SB.fieldError(form, e); }
  }

  async function importCSV(form) {
    const box = $("sc-import-errors");
    box.textContent = "";
    const res = await fetch("/api/v1/schedules/" + encodeURIComponent(team()) + "/" + encodeURIComponent(month()) + "/import", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "text/csv", Accept: "application/json", "X-CSRF-Token": SB.me.csrf || "" }, body: $("sc-csv").value });
    const data = await res.json().catch(() => null);
    if (res.ok) {
      entries = data.entries; state = data.state;
      drawEntries();
      SB.toast(t("sc.saved", { n: entries.length }));
      return;
    }
    const lines = (data && data.lines) || [];
    if (!lines.length) { SB.fieldError(form, new SB.ApiError(res.status, data)); return; }
    for (const l of lines) {
      const li = document.createElement("li");
      li.textContent = t("sc.line", l);
      box.appendChild(li);
    }
  }

  async function publish(form) {
    const body = {};
    if ($("sc-override").checked) { body.override = true; body.reason = $("sc-reason").value; }
    try {
      const s = await api("POST", "/api/v1/schedules/" + encodeURIComponent(team()) + "/" + encodeURIComponent(month()) + "/publish", body);
      state = s.state;
      drawEntries();
      SB.toast(t("sc.published", { team: s.team, month: s.month }));
      if (me.agent_id) await loadMine().catch(() => {});
    } catch (e) { SB.fieldError(form, e); }
  }

  async function main() {
    me = await SB.init({ page: "schedule" });
    $("sc-month").value = nextMonth();
    const lead = me.role === "team_lead" || me.role === "supervisor";
    $("sc-mine-box").hidden = !me.agent_id;
    $("sc-build-box").hidden = !lead;
    $("sc-report-box").hidden = !lead;
    $("sc-team-box").hidden = !lead;
    $("sc-team").value = me.team || "";
    $("sc-team").readOnly = me.role === "team_lead";
    $("sc-override-box").hidden = me.role !== "supervisor";
    $("sc-override").addEventListener("change", () => { $("sc-reason-box").hidden = !$("sc-override").checked; });
    if (lead) {
      const r = await api("GET", "/api/v1/schedules/shifts");
      $("sc-add-shift").innerHTML = r.shifts.map((s) => "<option value=\"" + esc(s.name) + "\">" + esc(s.name + " " + s.start + "–" + s.end) + "</option>").join("");
    }
    $("sc-pick").addEventListener("submit", (ev) => { ev.preventDefault(); show().catch((e) => SB.fieldError(ev.target, e)); });
    $("sc-add").addEventListener("submit", (ev) => {
      ev.preventDefault();
      entries.push({ agent: $("sc-add-agent").value.trim(), date: $("sc-add-date").value, shift: $("sc-add-shift").value });
      if (state === "none") state = "draft";
      drawEntries();
      $("sc-add-agent").focus();
    });
    $("sc-rows").addEventListener("click", (ev) => {
      const i = ev.target.dataset && ev.target.dataset.i;
      if (i === undefined) return;
      entries.splice(Number(i), 1);
      drawEntries();
    });
    $("sc-save").addEventListener("submit", (ev) => { ev.preventDefault(); save(ev.target, entries); });
    $("sc-import").addEventListener("submit", (ev) => { ev.preventDefault(); importCSV(ev.target).catch((e) => SB.fieldError(ev.target, e)); });
    $("sc-publish").addEventListener("submit", (ev) => { ev.preventDefault(); publish(ev.target); });
    $("sc-staff-date").value = month() + "-01";
    $("sc-staff").addEventListener("submit", (ev) => { ev.preventDefault(); loadStaffing().catch((e) => SB.fieldError(ev.target, e)); });
    $("sc-leave-box").hidden = false;
    $("sc-swap-box").hidden = false;
    $("sc-swap-form").hidden = !me.agent_id;
    $("sc-swap-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const w = await api("POST", "/api/v1/swaps", { date: $("sc-swap-date").value, with: $("sc-swap-with").value.trim(), with_date: $("sc-swap-wdate").value });
        SB.toast(t("sc.swap_ok", { id: w.id }));
        await loadSwaps();
      } catch (e) { SB.fieldError(ev.target, e); }
    });
    $("sc-swap-rows").addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-swap]");
      if (!b) return;
      try {
        await api("POST", "/api/v1/swaps/" + encodeURIComponent(b.dataset.swap) + "/decision", { decision: b.dataset.d });
      } catch (e) { SB.toast(e.message); }
      await loadSwaps();
    });
    $("sc-leave-form").hidden = !me.agent_id;
    $("sc-leave-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const l = await api("POST", "/api/v1/leave", { from: $("sc-leave-from").value, to: $("sc-leave-to").value, reason: $("sc-leave-reason").value });
        SB.toast(t("sc.requested", { id: l.id }));
        await loadLeave();
      } catch (e) { SB.fieldError(ev.target, e); }
    });
    $("sc-leave-rows").addEventListener("click", async (ev) => {
      const b = ev.target.closest("button[data-leave]");
      if (!b) return;
      try {
        const l = await api("POST", "/api/v1/leave/" + encodeURIComponent(b.dataset.leave) + "/decision", { decision: b.dataset.d });
        SB.toast(t("sc.decided", { id: l.id, state: t("sc.ls." + l.state) }));
      } catch (e) { SB.toast(e.message); }
      await loadLeave();
    });
    await show();
  }
  main().catch((e) => SB.toast(e.message || t("common.error")));
})();
