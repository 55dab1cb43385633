// The team lead's / supervisor's page: the agents in their scope with state
// and time in it, forced states with a reason, pending not-ready requests,
// and listen / whisper / barge on calls. Live from the record feed (each
// agent or call record refreshes the table), polling when it is down.
(function () {
  "use strict";
  SB.i18n({
    zh: {
      "sv.title": "班长/主管", "sv.ticket_overdue": "工单 {id}（{category}）已超过派单时限，尚未派单", "sv.team": "班组", "sv.queue": "队列", "sv.all": "全部",
      "sv.my_phone": "我的话机（监听/耳语/强插）", "sv.my_phone_hint": "默认：我签入的话机，如 PJSIP/1009",
      "sv.caption": "坐席状态（实时）", "sv.empty": "没有符合条件的坐席。",
      "sv.col_agent": "坐席", "sv.col_team": "班组", "sv.col_state": "状态", "sv.col_time": "状态时长",
      "sv.col_reason": "原因", "sv.col_call": "当前通话", "sv.col_queues": "队列", "sv.col_actions": "操作",
      "sv.reason": "原因", "sv.cancel": "取消", "sv.ok": "确定",
      "sv.force_ready": "置为就绪", "sv.force_not_ready": "置为未就绪", "sv.sign_out": "强制签出",
      "sv.approve": "批准", "sv.refuse": "拒绝", "sv.listen": "监听", "sv.whisper": "耳语", "sv.barge": "强插",
      "sv.pending": "申请未就绪：{r}", "sv.approvals": "{n} 个未就绪申请等待审批", "sv.go_approve": "处理", "sv.no_call": "—",
      "sv.dlg_not_ready": "将 {a} 置为未就绪", "sv.dlg_sign_out": "将 {a} 强制签出", "sv.dlg_ready": "将 {a} 置为就绪",
      "sv.reason_free": "签出原因（必填）",
      "sv.done_state": "{a}：{s}", "sv.done_approve": "已批准 {a} 的申请", "sv.done_refuse": "已拒绝 {a} 的申请",
      "sv.calling": "正在呼叫您的话机 {p}（{m}）…",
      "sv.live": "实时", "sv.polling": "每 2 秒刷新", "sv.updated": "更新于 {t}",
      "sv.aria_actions": "{a} 的操作",
      "sv.assign": "队列与技能", "sv.dlg_assign": "{a} 的队列与技能", "sv.assign_hint": "立即生效：坐席保持签入和当前状态。",
      "sv.skills": "技能（等级 1–10）", "sv.skill_add": "添加技能", "sv.skill_name": "技能", "sv.skill_level": "等级",
      "sv.skill_remove": "删除", "sv.save": "保存", "sv.done_assign": "{a} 的队列与技能已更新（配置版本 {v}）",
      "sv.no_change": "{a}：没有变化",
      "sv.n_no_team": "您的账号没有班组，因此看不到任何坐席。请管理员在“系统管理 → 用户”中为您选择一个已配置的班组。",
      "sv.n_team_unknown": "您的班组 {team} 不在路由配置中，因此看不到任何坐席。请管理员在配置中添加该班组，或为您选择另一个班组。",
      "sv.n_team_empty": "路由配置中没有坐席属于您的班组 {team}，因此看不到任何人。请管理员在配置的“坐席”中为坐席设置 team: {team}。",
      "sv.r_break": "休息", "sv.r_meal": "用餐", "sv.r_training": "培训", "sv.r_meeting": "会议", "sv.r_after_call_work": "话后处理",
    },
    en: {
      "sv.title": "Supervisor", "sv.ticket_overdue": "Ticket {id} ({category}) is past its dispatch deadline, not dispatched", "sv.team": "Team", "sv.queue": "Queue", "sv.all": "All",
      "sv.my_phone": "My phone (listen/whisper/barge)", "sv.my_phone_hint": "Default: the phone I am signed in on, e.g. PJSIP/1009",
      "sv.caption": "Agents (live)", "sv.empty": "No agents match.",
      "sv.col_agent": "Agent", "sv.col_team": "Team", "sv.col_state": "State", "sv.col_time": "Time in state",
      "sv.col_reason": "Reason", "sv.col_call": "Current call", "sv.col_queues": "Queues", "sv.col_actions": "Actions",
      "sv.reason": "Reason", "sv.cancel": "Cancel", "sv.ok": "OK",
      "sv.force_ready": "Force ready", "sv.force_not_ready": "Force not ready", "sv.sign_out": "Sign out",
      "sv.approve": "Approve", "sv.refuse": "Refuse", "sv.listen": "Listen", "sv.whisper": "Whisper", "sv.barge": "Barge",
      "sv.pending": "Asks for not ready: {r}", "sv.approvals": "{n} not-ready request(s) waiting for approval", "sv.go_approve": "Go to it", "sv.no_call": "—",
      "sv.dlg_not_ready": "Make {a} not ready", "sv.dlg_sign_out": "Sign {a} out", "sv.dlg_ready": "Make {a} ready",
      "sv.reason_free": "Why (required)",
      "sv.done_state": "{a}: {s}", "sv.done_approve": "Approved {a}'s request", "sv.done_refuse": "Refused {a}'s request",
      "sv.calling": "Calling your phone {p} ({m})…",
      "sv.live": "Live", "sv.polling": "Refreshing every 2 s", "sv.updated": "Updated {t}",
      "sv.aria_actions": "Actions for {a}",
      "sv.assign": "Queues & skills", "sv.dlg_assign": "Queues and skills of {a}", "sv.assign_hint": "Applies at once: the agent stays signed in, in their state.",
      "sv.skills": "Skills (level 1–10)", "sv.skill_add": "Add skill", "sv.skill_name": "Skill", "sv.skill_level": "Level",
      "sv.skill_remove": "Remove", "sv.save": "Save", "sv.done_assign": "Queues and skills of {a} saved (config version {v})",
      "sv.no_change": "{a}: nothing changed",
      "sv.n_no_team": "Your account has no team, so you see no agents. An admin picks one of the configured teams for it (Administration → Users).",
      "sv.n_team_unknown": "Your team {team} is not in the routing config, so you see no agents. An admin adds it there or picks another team for you.",
      "sv.n_team_empty": "No agent in the routing config is in your team {team}, so you see nobody. An admin sets team: {team} on its agents (Configuration → Agents).",
      "sv.r_break": "Break", "sv.r_meal": "Meal", "sv.r_training": "Training", "sv.r_meeting": "Meeting", "sv.r_after_call_work": "After-call work",
    },
  });

  const $ = (id) => document.getElementById(id);
  let agents = [];
  let me = null;
  let liveUp = false;
  let pollTimer = null;
  let refreshTimer = null;
  let pending = null; // the dialog's action

  // reasonText names a reason code in the user's language (the code itself
  // for reasons configured beyond the defaults), keeping the code visible.
  function reasonText(code) {
    if (!code) return "";
    const name = SB.t("sv.r_" + code);
    return name === "sv.r_" + code ? code : name + " (" + code + ")";
  }

  function agentName(a) { return a.name ? a.name + " (" + a.id + ")" : a.id; }

  function stateLabel(state) {
    const span = document.createElement("span");
    span.className = "state state-" + state;
    span.textContent = SB.t("state." + state);
    return span;
  }

  function button(label, onclick, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = SB.t(label);
    if (cls) b.className = cls;
    b.addEventListener("click", onclick);
    return b;
  }

  // inState is the time in state as text; "—" when the engine has no
  // start for it (an agent never signed in since start-up).
  function inState(since) {
    const t = Date.parse(since);
    if (!(t > Date.UTC(2000, 0, 1))) return "—";
    return SB.dur((Date.now() - t) / 1000);
  }

  function filtered() {
    const team = $("sv-team").value, queue = $("sv-queue").value;
    return agents.filter((a) => (!team || a.team === team) && (!queue || (a.queues || []).includes(queue)));
  }

  function fillSelect(sel, values) {
    const keep = sel.value;
    const have = Array.from(sel.options).map((o) => o.value);
    if (values.length + 1 === have.length && values.every((v, i) => have[i + 1] === v)) return;
    while (sel.options.length > 1) sel.remove(1);
    for (const v of values) sel.add(new Option(v, v)); // Option sets text, never HTML
    sel.value = values.includes(keep) ? keep : "";
  }

  function draw() {
    fillSelect($("sv-team"), [...new Set(agents.map((a) => a.team).filter(Boolean))].sort());
    fillSelect($("sv-queue"), [...new Set(agents.flatMap((a) => a.queues || []))].sort());
    // Pending not-ready requests first: they wait for a decision.
    const rows = filtered().map((a, i) => [a, i]).sort((x, y) => (!!y[0].pending_not_ready - !!x[0].pending_not_ready) || x[1] - y[1]).map((x) => x[0]);
    drawApprovals(agents.filter((a) => a.pending_not_ready));
    const body = $("sv-rows");
    // Keep focus on the same button across redraws (keyboard users).
    const f = document.activeElement;
    const focusKey = f && f.dataset && f.dataset.key;
    body.textContent = "";
    for (const a of rows) body.appendChild(row(a));
    if (focusKey) {
      const again = body.querySelector('[data-key="' + CSS.escape(focusKey) + '"]');
      if (again) again.focus();
    }
    $("sv-empty").hidden = rows.length > 0;
  }

  // drawApprovals: the requests waiting for a decision, above the table,
  // each with a button to its row's approve button.
  function drawApprovals(list) {
    const box = $("sv-approvals");
    box.hidden = list.length === 0;
    $("sv-approvals-h").textContent = SB.t("sv.approvals", { n: list.length });
    $("sv-approvals-list").replaceChildren(...list.map((a) => {
      const li = document.createElement("li");
      li.dataset.agent = a.id;
      li.append(agentName(a) + " · " + SB.t("sv.pending", { r: reasonText(a.pending_not_ready) }) + " ");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = SB.t("sv.go_approve");
      b.addEventListener("click", () => {
        const target = document.querySelector('#sv-rows [data-key="' + CSS.escape(a.id + ":approve") + '"]');
        if (target) target.focus();
      });
      li.append(b);
      return li;
    }));
  }

  function cell(tr, content, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    if (content instanceof Node) td.appendChild(content); else td.textContent = content == null ? "" : String(content);
    tr.appendChild(td);
    return td;
  }

  function row(a) {
    const tr = document.createElement("tr");
    tr.dataset.agent = a.id;
    if (a.pending_not_ready) tr.className = "row-pending";
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = agentName(a);
    tr.appendChild(th);
    cell(tr, a.team || "");
    cell(tr, stateLabel(a.state), "state-cell");
    cell(tr, inState(a.since), "num time").dataset.since = a.since || "";
    const reason = cell(tr, a.state === "not_ready" ? reasonText(a.reason) : "");
    if (a.pending_not_ready) {
      const p = document.createElement("span");
      p.className = "pending";
      p.textContent = SB.t("sv.pending", { r: reasonText(a.pending_not_ready) });
      if (reason.textContent) reason.appendChild(document.createElement("br"));
      reason.appendChild(p);
    }
    cell(tr, a.call_id || SB.t("sv.no_call"), "call");
    const qs = cell(tr, (a.queues || []).join(", "), "queues");
    const sk = Object.entries(a.skills || {}).sort().map(([k, v]) => k + " " + v).join(", ");
    if (sk) {
      const small = document.createElement("div");
      small.className = "muted skills";
      small.textContent = sk;
      qs.appendChild(small);
    }
    const acts = document.createElement("div");
    acts.className = "acts";
    cell(tr, acts, "actions");
    acts.setAttribute("role", "group");
    acts.setAttribute("aria-label", SB.t("sv.aria_actions", { a: agentName(a) }));
    const add = (key, label, fn, cls) => {
      const b = button(label, fn, cls);
      b.dataset.key = a.id + ":" + key;
      acts.appendChild(b);
    };
    if (a.state === "not_ready" || a.state === "wrap_up") add("ready", "sv.force_ready", () => ask("ready", a));
    if (a.state === "ready" || a.state === "wrap_up" || a.state === "not_ready") add("not_ready", "sv.force_not_ready", () => ask("not_ready", a));
    if (a.state !== "signed_out" && a.state !== "on_call" && a.state !== "ringing" && a.state !== "reserved") add("sign_out", "sv.sign_out", () => ask("sign_out", a), "danger");
    if (a.pending_not_ready) {
      add("approve", "sv.approve", () => decide(a, true), "primary");
      add("refuse", "sv.refuse", () => decide(a, false));
    }
    if (a.state === "on_call" && a.call_id && a.id !== (me && me.agent_id)) {
      for (const m of ["listen", "whisper", "barge"]) add(m, "sv." + m, () => supervise(a, m));
    }
    add("assign", "sv.assign", () => assign(a));
    return tr;
  }

  // tick updates the time-in-state cells every second without a redraw.
  function tick() {
    document.querySelectorAll("#sv-rows td.time").forEach((td) => {
      td.textContent = inState(td.dataset.since);
    });
  }

  async function refresh() {
    try {
      const list = await SB.api("GET", "/api/v1/agents");
      agents = list.agents || [];
      // A lead who sees nobody is told why (the API's notice).
      const n = list.notice;
      $("sv-notice").hidden = !n;
      $("sv-notice").dataset.code = n ? n.code : "";
      $("sv-notice").textContent = n ? SB.t("sv.n_" + n.code, { team: (me && me.team) || "" }) : "";
      draw();
      status();
    } catch (e) {
      $("sv-status").textContent = SB.t("common.error") + ": " + e.message;
    }
  }

  // soon coalesces a burst of live records into one refresh.
  function soon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 150);
  }

  function status() {
    const when = new Date().toLocaleTimeString(SB.lang === "zh" ? "zh-CN" : "en");
    $("sv-status").textContent = (liveUp ? SB.t("sv.live") : SB.t("sv.polling")) + " · " + SB.t("sv.updated", { t: when });
  }

  function poll() {
    clearInterval(pollTimer);
    pollTimer = setInterval(refresh, liveUp ? 15000 : 2000);
  }

  // --- actions ---------------------------------------------------------

  async function ask(kind, a) {
    const dlg = $("sv-dialog");
    const input = $("sv-reason"), sel = $("sv-reason-select");
    $("sv-dialog-title").textContent = SB.t("sv.dlg_" + kind, { a: agentName(a) });
    $("sv-dialog-who").textContent = SB.t("state." + a.state) + (a.reason ? " · " + reasonText(a.reason) : "");
    $("sv-form").querySelectorAll(".sb-field-error").forEach((el) => el.remove());
    input.value = "";
    input.required = kind === "sign_out";
    input.placeholder = kind === "sign_out" ? SB.t("sv.reason_free") : "";
    sel.hidden = true;
    input.hidden = false;
    input.name = "reason";
    sel.name = "";
    const label = $("sv-form").querySelector("label");
    label.htmlFor = "sv-reason";
    if (kind === "not_ready") {
      // The configured reasons, as the agent's desk lists them; without
      // that the engine's answer names the allowed codes.
      try {
        const desk = await SB.api("GET", "/api/v1/agents/" + encodeURIComponent(a.id) + "/desk");
        const reasons = (desk && desk.reasons) || [];
        if (reasons.length) {
          while (sel.options.length) sel.remove(0);
          for (const r of reasons) sel.add(new Option(reasonText(r.code), r.code));
          sel.hidden = false;
          input.hidden = true;
          input.name = "";
          sel.name = "reason";
          label.htmlFor = "sv-reason-select";
        }
      } catch (e) { /* free text */ }
      input.required = sel.hidden;
    }
    if (kind === "ready") input.required = false;
    pending = { kind, agent: a };
    dlg.showModal();
    (sel.hidden ? input : sel).focus();
  }

  async function submit(ev) {
    ev.preventDefault();
    if (!pending) return;
    const { kind, agent } = pending;
    const sel = $("sv-reason-select");
    const reason = (sel.hidden ? $("sv-reason").value : sel.value).trim();
    const path = "/api/v1/agents/" + encodeURIComponent(agent.id);
    try {
      let v;
      if (kind === "sign_out") v = await SB.api("POST", path + "/sign-out", { reason });
      else if (kind === "ready") v = await SB.api("PUT", path + "/state", reason ? { state: "ready", reason } : { state: "ready" });
      else v = await SB.api("PUT", path + "/state", { state: "not_ready", reason });
      $("sv-dialog").close();
      pending = null;
      SB.toast(SB.t("sv.done_state", { a: agentName(agent), s: SB.t("state." + v.state) }));
      refresh();
    } catch (e) {
      SB.fieldError($("sv-form"), e);
    }
  }

  async function decide(a, approve) {
    try {
      await SB.api("POST", "/api/v1/agents/" + encodeURIComponent(a.id) + (approve ? "/approve" : "/refuse"));
      SB.toast(SB.t(approve ? "sv.done_approve" : "sv.done_refuse", { a: agentName(a) }));
      refresh();
    } catch (e) {
      SB.toast(SB.t("common.error") + ": " + e.message);
    }
  }

  async function supervise(a, mode) {
    const input = $("sv-phone");
    const endpoint = input.value.trim();
    localStorage.setItem("sb.sv.phone", endpoint);
    try {
      const v = await SB.api("POST", "/api/v1/calls/" + encodeURIComponent(a.call_id) + "/" + mode, endpoint ? { endpoint } : {});
      SB.toast(SB.t("sv.calling", { p: v.endpoint, m: SB.t("sv." + mode) }));
    } catch (e) {
      if (e.field === "endpoint") {
        SB.fieldError(input.closest("div"), e);
      } else {
        SB.toast(SB.t("common.error") + ": " + e.message);
      }
    }
  }

  // --- queues and skills (PUT .../assignment, applied by hot reload) ---

  let assigning = null;

  function skillRow(name, level) {
    const tr = document.createElement("tr");
    const n = document.createElement("input");
    n.className = "skill-name";
    n.name = "skills";
    n.maxLength = 64;
    n.autocomplete = "off";
    n.value = name || "";
    n.setAttribute("aria-label", SB.t("sv.skill_name"));
    const l = document.createElement("input");
    l.type = "number";
    l.className = "skill-level";
    l.min = "1"; l.max = "10"; l.step = "1";
    l.value = level || 5;
    l.name = name ? "skills." + name : "";
    l.setAttribute("aria-label", SB.t("sv.skill_level"));
    n.addEventListener("input", () => { l.name = n.value.trim() ? "skills." + n.value.trim() : ""; });
    const rm = button("sv.skill_remove", () => { tr.remove(); $("sv-skill-add").focus(); });
    for (const el of [n, l, rm]) { const td = document.createElement("td"); td.appendChild(el); tr.appendChild(td); }
    $("sv-skill-rows").appendChild(tr);
    return n;
  }

  async function assign(a) {
    const form = $("sv-assign");
    form.querySelectorAll(".sb-field-error").forEach((el) => el.remove());
    $("sv-assign-title").textContent = SB.t("sv.dlg_assign", { a: agentName(a) });
    let names = [];
    try {
      const qs = await SB.api("GET", "/api/v1/queues");
      names = (qs.queues || []).map((q) => q.name);
    } catch (e) { /* the agent's own queues only */ }
    // The agent's queues first, in their order (the request keeps it),
    // then the others by name.
    const mine = a.queues || [];
    names = mine.concat(names.filter((q) => !mine.includes(q)).sort());
    const box = $("sv-assign-queues");
    box.textContent = "";
    names.forEach((q) => {
      const label = document.createElement("label");
      const cb = document.createElement("input");
      cb.type = "checkbox";
      cb.value = q;
      cb.checked = (a.queues || []).includes(q);
      label.appendChild(cb);
      label.appendChild(document.createTextNode(q)); // text, never HTML
      box.appendChild(label);
    });
    $("sv-skill-rows").textContent = "";
    for (const [k, v] of Object.entries(a.skills || {}).sort()) skillRow(k, v);
    assigning = a;
    $("sv-assign-dialog").showModal();
    const first = box.querySelector("input");
    if (first) first.focus();
  }

  async function submitAssign(ev) {
    ev.preventDefault();
    if (!assigning) return;
    const a = assigning;
    const form = $("sv-assign");
    const queues = Array.from($("sv-assign-queues").querySelectorAll("input:checked")).map((cb) => cb.value);
    // Name each checked box by its index, so an error on queues[i] lands on it.
    $("sv-assign-queues").querySelectorAll("input").forEach((cb) => { cb.name = ""; });
    $("sv-assign-queues").querySelectorAll("input:checked").forEach((cb, i) => { cb.name = "queues[" + i + "]"; });
    const skills = {};
    for (const tr of $("sv-skill-rows").querySelectorAll("tr")) {
      const name = tr.querySelector(".skill-name").value.trim();
      if (!name) continue;
      skills[name] = Number(tr.querySelector(".skill-level").value);
    }
    try {
      const v = await SB.api("PUT", "/api/v1/agents/" + encodeURIComponent(a.id) + "/assignment", { queues, skills });
      $("sv-assign-dialog").close();
      assigning = null;
      SB.toast((v.changed || []).length ? SB.t("sv.done_assign", { a: agentName(a), v: v.version }) : SB.t("sv.no_change", { a: agentName(a) }));
      refresh();
    } catch (e) {
      if (e.field === "queues") e.field = "";
      SB.fieldError(form, e);
    }
  }

  async function main() {
    me = await SB.init({ page: "supervisor" });
    $("sv-phone").value = localStorage.getItem("sb.sv.phone") || "";
    $("sv-team").addEventListener("change", draw);
    $("sv-queue").addEventListener("change", draw);
    $("sv-form").addEventListener("submit", submit);
    // Enter on the reason list submits, as it does in the text field.
    $("sv-reason-select").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); $("sv-form").requestSubmit(); }
    });
    $("sv-cancel").addEventListener("click", () => { $("sv-dialog").close(); pending = null; });
    $("sv-assign").addEventListener("submit", submitAssign);
    $("sv-skill-add").addEventListener("click", () => skillRow("", 5).focus());
    $("sv-assign-cancel").addEventListener("click", () => { $("sv-assign-dialog").close(); assigning = null; });
    await refresh();
    setInterval(tick, 1000);
    poll();
    SB.live("/api/v1/live?topics=records", {
      onstatus(up) { if (up !== liveUp) { liveUp = up; poll(); status(); } },
      record(r) {
        if (r && r.type === "ticket.overdue" && r.data) SB.toast(SB.t("sv.ticket_overdue", { id: r.data.id, category: r.data.category }));
        if (r && typeof r.type === "string" && (r.type.startsWith("agent.") || r.type.startsWith("call."))) soon();
      },
      reset() { soon(); },
    });
  }

  main();
})();
