// Switchboard agent desk: state, screen pop, transfer, wrap-up, messages.
// Everything comes from GET /api/v1/agents/{id}/desk; the live feed's
// records about this agent make the page fetch it at once, and it is
// polled every 500 ms while the feed is not connected (every 3 s as a
// backstop when it is; every 30 s while the agent is signed out). All text
// is set with textContent or SB.esc.
"use strict";

(function () {
  SB.i18n({
    zh: {
      cb_title: "回电预览", cb_lead: "轮到一位请求回电的客户：接受后先响您的话机，再拨打客户。", cb_number: "号码",
      cb_waiting_since: "排队自", cb_attempts: "已拨次数", cb_attempts_of: "{n} / {max}", cb_last: "上次结果",
      cb_accept: "接受并回电", cb_skip: "跳过", cb_skip_reason: "跳过原因", cb_accepted: "正在回电",
      cb_skipped: "已跳过，回电将交给其他坐席", e_cb_reason: "请填写跳过原因", e_not_reserved: "这条回电已不再为您保留",
      o_busy: "忙线", o_no_answer: "无人接听", o_rejected: "拒接", o_trunks_failed: "线路均失败", o_agent_missed: "坐席未接", o_cancelled: "已取消",
      title: "坐席工作台", status: "状态", no_call: "暂无来电。就绪后，来电会在这里弹出。", in_state: "本状态时长", phone: "话机", allowance_left: "小休剩余",
      messages_open: "未处理留言", endpoint: "话机/分机", endpoint_ph: "{ep}（留空用默认）",
      sign_in: "签入", sign_out: "签出话机", call_notes: "通话备注（话后处理时带入）", draft_saved: "草稿已保存",
      wrap_warn: "话后处理还剩 {t} 秒；已输入的内容会自动保存为话后处理", extend: "延长 {t}",
      phone_taken: "话机 {ep} 已被坐席 {who} 签入使用，请换一部话机或请其先签出",
      unknown_agent: "坐席 {id} 不存在（配置中没有），已停止刷新",
      pending: "待班长审批：{r}", withdraw: "撤回申请", r_current: "{r}（当前）", change_reason: "更换原因", dial: "外呼", dial_number: "号码", dial_go: "呼叫",
      call_back: "回拨", dialling_to: "外呼 {n}", phase_calling_agent: "正在呼叫您的话机", phase_ringing_agent: "您的话机振铃中",
      phase_dialling: "正在拨号", dial_refused: "无法外呼：{m}", dir_outbound: "外呼",
      e_number: "号码无效：只能是数字（可带 +），长度合适", e_do_not_call: "该号码在禁呼名单中", e_not_ready: "请先签入并处于就绪或未就绪状态再外呼", ready: "就绪", not_ready: "未就绪", reason: "未就绪原因",
      messages: "我的留言", call: "来电", queue: "队列", wait: "等待", ivr: "IVR 路径", digits: "按键",
      call_id: "呼叫编号", transfer: "转接", to_kind: "转到", kind_queue: "队列", kind_agent: "坐席",
      kind_extension: "分机", target: "目标", transfer_go: "转接", wrap_up: "话后处理", disposition: "处理结果",
      follow_up: "需要回访", next_state: "之后", notes: "备注", wrap_go: "提交", customer: "客户", name: "姓名",
      tags: "标签（逗号分隔）", save: "保存", contacts: "最近联系", no_contacts: "没有以前的来电", kind: "类型", kind_call: "来电", kind_ticket: "工单", new_ticket: "为此来电新建工单",
      kind_followup: "回访", kind_appt: "预约", appt_moved: "改约次数", fus_open: "待回访", fur_reached: "已联系上",
      fur_attempts: "多次未接通", fur_wrong_number: "号码错误", fu_satisfaction: "满意度", fu_not_satisfied: "不满意",
      tks_new: "新建（待派单）", tks_dispatched: "已派单", tks_in_progress: "处理中", tks_resolved: "已解决", tks_closed: "已关闭",
      new_customer: "新客户：填写姓名并保存", known_customer: "已识别客户（可编辑）", saved: "已保存",
      rec_pause: "暂停录音", rec_resume: "恢复录音", rec_on: "录音中", rec_paused: "录音已暂停（此段不录）",
      rec_off: "本通话未录音", rec_failed: "录音失败（通话不受影响）",
      wrapped: "已提交话后处理", transferred: "已转接", left: "剩余 {t}", overrun: "已超时 {t}",
      after_ready: "就绪", after_not_ready: "未就绪：{r}", no_messages: "没有未处理的留言",
      msg_for: "给", msg_me: "我", msg_queue: "队列 {q}",
      handled: "已处理", mark_handled: "标记已处理", listen: "收听", duration: "时长", from: "来电号码",
      time: "时间", agent: "坐席", outcome: "结果", live_on: "实时连接正常", live_off: "实时连接中断，每 0.5 秒刷新",
      who: "坐席 {id}", none: "—", phase_offered: "分配中", phase_ringing: "振铃中", phase_talking: "通话中",
      phase_wrap_up: "话后处理", no_agent: "此账号未关联坐席；主管可用 ?agent=编号 查看",
      forced_out: "已被 {by} 强制签出，原因：{r}",
      st_signed_out: "已签出", st_ready: "就绪", st_not_ready: "未就绪", st_reserved: "分配中", st_ringing: "振铃中",
      st_on_call: "通话中", st_wrap_up: "话后处理",
      r_break: "小休", r_meal: "就餐", r_training: "培训", r_meeting: "会议", r_after_call_work: "事后工作",
      r_no_answer: "未接听", r_busy: "忙", r_unreachable: "无法接通",
      o_answered: "已接听", o_abandoned_ivr: "IVR 中放弃", o_abandoned_queue: "排队中放弃", o_abandoned_ringing: "振铃中放弃",
      o_no_agent: "无坐席", o_flow_hangup: "流程挂断", o_queue_timeout: "排队超时", o_lost: "丢失", o_overflow: "溢出",
      o_queue_full: "队列已满", o_open: "进行中"
    },
    en: {
      cb_title: "Callback preview", cb_lead: "A customer who asked to be called back is next: accept, and your phone rings first, then the customer is dialled.", cb_number: "Number",
      cb_waiting_since: "Waiting since", cb_attempts: "Attempts", cb_attempts_of: "{n} of {max}", cb_last: "Last outcome",
      cb_accept: "Accept and call back", cb_skip: "Skip", cb_skip_reason: "Reason for skipping", cb_accepted: "Calling back",
      cb_skipped: "Skipped: another agent gets the callback", e_cb_reason: "Give a reason for skipping", e_not_reserved: "This callback is no longer reserved for you",
      o_busy: "Busy", o_no_answer: "No answer", o_rejected: "Rejected", o_trunks_failed: "All trunks failed", o_agent_missed: "Agent missed", o_cancelled: "Cancelled",
      title: "Agent desk", status: "Status", no_call: "No call now. When you are ready, calls pop up here.", in_state: "Time in state", phone: "Phone", allowance_left: "Break left",
      messages_open: "Open messages", endpoint: "Phone / extension", endpoint_ph: "{ep} (empty: default)",
      sign_in: "Sign in", sign_out: "Sign out of the phone", call_notes: "Call notes (carried into wrap-up)", draft_saved: "Draft saved",
      wrap_warn: "Wrap-up ends in {t} s; what you typed is kept as the wrap-up", extend: "More time ({t})",
      phone_taken: "Phone {ep} is in use by agent {who}; use another phone or ask them to sign out of it",
      unknown_agent: "Agent {id} does not exist (not in the config); the desk stopped refreshing",
      pending: "Waiting for the lead's approval: {r}", withdraw: "Withdraw request", r_current: "{r} (current)", change_reason: "Change reason", dial: "Dial out", dial_number: "Number", dial_go: "Call",
      call_back: "Call back", dialling_to: "Calling {n}", phase_calling_agent: "Calling your phone", phase_ringing_agent: "Your phone rings",
      phase_dialling: "Dialling", dial_refused: "Cannot dial: {m}", dir_outbound: "Outbound",
      e_number: "Invalid number: digits only (a leading + allowed), of a sensible length", e_do_not_call: "This number is on the do-not-call list", e_not_ready: "Sign in (ready or not ready) before dialling out", ready: "Ready", not_ready: "Not ready", reason: "Not-ready reason",
      messages: "My messages", call: "Call", queue: "Queue", wait: "Waited", ivr: "IVR path", digits: "Keys pressed",
      call_id: "Call ID", transfer: "Transfer", to_kind: "To", kind_queue: "Queue", kind_agent: "Agent",
      kind_extension: "Extension", target: "Target", transfer_go: "Transfer", wrap_up: "Wrap-up", disposition: "Disposition",
      follow_up: "Follow-up needed", next_state: "Then", notes: "Notes", wrap_go: "Submit", customer: "Customer", name: "Name",
      tags: "Tags (comma separated)", save: "Save", contacts: "Last contacts", no_contacts: "No earlier calls", kind: "Kind", kind_call: "Call", kind_ticket: "Ticket", new_ticket: "New ticket for this call",
      kind_followup: "Follow-up", kind_appt: "Appointment", appt_moved: "rescheduled", fus_open: "To follow up", fur_reached: "Reached",
      fur_attempts: "Attempts used", fur_wrong_number: "Wrong number", fu_satisfaction: "satisfaction", fu_not_satisfied: "not satisfied",
      tks_new: "New (to dispatch)", tks_dispatched: "Dispatched", tks_in_progress: "In progress", tks_resolved: "Resolved", tks_closed: "Closed",
      new_customer: "New customer: enter a name and save", known_customer: "Known customer (editable)", saved: "Saved",
      rec_pause: "Pause recording", rec_resume: "Resume recording", rec_on: "Recording", rec_paused: "Recording paused (not recorded)",
      rec_off: "This call is not recorded", rec_failed: "Recording failed (the call goes on)",
      wrapped: "Wrap-up submitted", transferred: "Transferred", left: "{t} left", overrun: "over by {t}",
      after_ready: "Ready", after_not_ready: "Not ready: {r}", no_messages: "No open messages",
      msg_for: "For", msg_me: "me", msg_queue: "queue {q}",
      handled: "Handled", mark_handled: "Mark handled", listen: "Listen", duration: "Length", from: "From",
      time: "Time", agent: "Agent", outcome: "Outcome", live_on: "Live feed connected", live_off: "Live feed down: refreshing every 0.5 s",
      who: "Agent {id}", none: "—", phase_offered: "Offered", phase_ringing: "Ringing", phase_talking: "Talking",
      phase_wrap_up: "Wrap-up", no_agent: "This account has no agent; leads may use ?agent=ID",
      forced_out: "Signed out by {by}. Reason: {r}",
      st_signed_out: "Signed out", st_ready: "Ready", st_not_ready: "Not ready", st_reserved: "Offered", st_ringing: "Ringing",
      st_on_call: "On call", st_wrap_up: "Wrap-up",
      r_break: "Break", r_meal: "Meal", r_training: "Training", r_meeting: "Meeting", r_after_call_work: "After-call work",
      r_no_answer: "No answer", r_busy: "Busy", r_unreachable: "Unreachable",
      o_answered: "Answered", o_abandoned_ivr: "Abandoned in IVR", o_abandoned_queue: "Abandoned in queue",
      o_abandoned_ringing: "Abandoned while ringing", o_no_agent: "No agent", o_flow_hangup: "Ended by the flow",
      o_queue_timeout: "Queue timeout", o_lost: "Lost", o_overflow: "Overflow", o_queue_full: "Queue full", o_open: "In progress"
    }
  });

  // States never by colour alone: each has a text label and a symbol.
  var ICONS = { signed_out: "○", ready: "●", not_ready: "‖", reserved: "◔", ringing: "☎", on_call: "☏", wrap_up: "✎" };

  var $ = function (id) { return document.getElementById(id); };
  // label translates key, falling back to the raw code (config codes the
  // page has no translation for are shown as they are).
  function label(prefix, code) {
    if (!code) return "";
    var k = prefix + code, v = SB.t(k);
    return v && v !== k ? v : code;
  }
  // tr translates key with {name} placeholders filled (whether or not
  // SB.t fills them itself).
  function tr(key, vars) {
    var s = SB.t(key, vars);
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  function setText(id, s) { $(id).textContent = s == null ? "" : String(s); }
  function lang() { return (me && me.lang) || document.documentElement.lang || "zh"; }
  function dispLabel(d) { return lang().indexOf("en") === 0 ? (d.en || d.code) : (d.zh || d.code); }
  function fmtTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString(lang().indexOf("en") === 0 ? "en-GB" : "zh-CN", { hour12: false });
  }

  var me = null, agentID = "", desk = null, fetchedAt = 0, unknownAgent = false;
  // The wrap-up draft: sent as the agent types, debounced, at most one
  // every DRAFT_EVERY ms, and only when it changed.
  var DRAFT_EVERY = 3000, draftTimer = 0, draftSentAt = 0, draftSent = "", draftDirty = false, warned = "";
  var popCall = "", wrapCall = "", custFor = "", live = null, liveUp = false;
  var inflight = false, again = false;

  async function refresh() {
    if (!agentID || unknownAgent) return;
    if (inflight) { again = true; return; }
    inflight = true;
    try {
      desk = await SB.api("GET", "/api/v1/agents/" + encodeURIComponent(agentID) + "/desk");
      fetchedAt = Date.now();
      render();
    } catch (e) {
      if (e.status === 404 && e.code === "not_found") {
        // A desk bound to an agent the engine does not know (never, or no
        // longer since a config change): say so and stop asking.
        unknownAgent = true;
        setText("who", tr("unknown_agent", { id: agentID }));
        $("who").className = "warn";
        document.querySelector(".desk").hidden = true;
      }
      setText("conn", e.message || String(e));
    } finally {
      inflight = false;
      if (again) { again = false; refresh(); }
    }
  }

  function render() {
    var a = desk.agent, st = a.state;
    $("state").dataset.state = st;
    $("state-label").className = "state state-" + st;
    setText("state-icon", ICONS[st] || "?");
    setText("state-text", label("st_", st));
    // A sign-out by someone else says who and why (the agent.state record's).
    var forcedOut = st === "signed_out" && a.signed_out_by;
    setText("state-reason", st === "not_ready" ? label("r_", a.reason) :
      forcedOut ? tr("forced_out", { by: a.signed_out_by, r: a.sign_out_note }) : "");
    $("state-reason").className = forcedOut ? "warn" : "muted";
    setText("phone", a.endpoint || SB.t("none"));
    $("endpoint").placeholder = tr("endpoint_ph", { ep: desk.default_endpoint || "PJSIP/…" });
    var pend = a.pending_not_ready;
    $("pending").hidden = !pend;
    if (pend) setText("pending-text", tr("pending", { r: label("r_", pend) }));
    setText("open-messages", desk.open_messages);
    $("signout").disabled = st === "signed_out";
    $("ready").disabled = !(st === "not_ready" || st === "wrap_up");
    $("notready").disabled = !(st === "ready" || st === "not_ready" || st === "wrap_up");
    fillReasons();
    renderCall();
    tick();
    document.dispatchEvent(new Event("sb-desk")); // deskfollowups.js follows the call
  }

  // fillReasons fills the not-ready reasons; while not ready, the current
  // reason is marked and cannot be picked again (the button changes it).
  function fillReasons() {
    var sel = $("reason"), next = $("next-state"), a = desk.agent;
    var cur = a.state === "not_ready" ? a.reason || "" : "";
    var codes = desk.reasons.map(function (r) { return r.code; }).join(",");
    if (sel.dataset.codes !== codes) {
      sel.dataset.codes = codes;
      sel.dataset.current = "\u0000"; // refill the marks below
      sel.textContent = "";
      next.textContent = "";
      next.appendChild(new Option(SB.t("after_ready"), ""));
      desk.reasons.forEach(function (r) {
        sel.appendChild(new Option(label("r_", r.code), r.code));
        next.appendChild(new Option(tr("after_not_ready", { r: label("r_", r.code) }), r.code));
      });
    }
    setText("notready", cur ? SB.t("change_reason") : SB.t("not_ready"));
    var other = Array.prototype.some.call(sel.options, function (o) { return o.value !== cur; });
    if (cur && !other) $("notready").disabled = true; // no other reason to change to
    if (sel.dataset.current === cur) return;
    sel.dataset.current = cur;
    var pick = null;
    Array.prototype.forEach.call(sel.options, function (o) {
      var mine = o.value === cur;
      o.disabled = mine;
      o.textContent = mine ? tr("r_current", { r: label("r_", o.value) }) : label("r_", o.value);
      if (!mine && pick === null) pick = o.value;
    });
    if (sel.value === cur || sel.selectedIndex < 0) sel.value = pick === null ? "" : pick;
  }

  // renderPreview shows the callback the agent is reserved for, with the
  // number's customer and history; it is what the desk pops instead of a call.
  function renderPreview() {
    var cb = desk.call ? null : desk.callback, sec = $("cb-preview");
    sec.hidden = !cb;
    if (!cb) { $("cb-skip-form").dataset.item = ""; return false; }
    setText("cb-lead", SB.t("cb_lead"));
    setText("cb-number", cb.number);
    setText("cb-queue", cb.queue);
    setText("cb-since", new Date(cb.queued_at).toLocaleString());
    setText("cb-attempts", tr("cb_attempts_of", { n: cb.attempts, max: cb.max_attempts }));
    setText("cb-last", cb.outcome ? label("o_", cb.outcome) : SB.t("none"));
    if ($("cb-skip-form").dataset.item !== cb.id) {
      $("cb-skip-form").dataset.item = cb.id;
      $("cb-skip-reason").value = "";
      clearErrors($("cb-skip-form"));
      $("cb-accept").focus();
    }
    $("customer").hidden = false;
    renderCustomer({ id: cb.id });
    return true;
  }

  function renderCall() {
    var c = desk.call, sec = $("call"), cust = $("customer");
    var previewing = renderPreview();
    $("idle").hidden = !!c || previewing;
    if (!c) {
      sec.hidden = true; cust.hidden = !previewing; sec.classList.remove("pop");
      popCall = ""; return;
    }
    sec.hidden = false; cust.hidden = false;
    sec.classList.toggle("pop", c.phase === "offered" || c.phase === "ringing");
    setText("phase", label("phase_", c.phase));
    setText("caller", c.direction === "outbound" ? tr("dialling_to", { n: c.number || c.called }) : c.caller);
    setText("call-queue", c.queue);
    setText("call-ivr", (c.ivr_path || []).join(" › "));
    var keys = c.digits || "";
    if (c.vars) Object.keys(c.vars).sort().forEach(function (k) { keys += (keys ? " · " : "") + k + "=" + c.vars[k]; });
    setText("call-digits", keys || SB.t("none"));
    setText("call-id", c.id);
    setText("call-wait", SB.dur(Math.round(c.wait_seconds || 0)));

    var talking = c.phase === "talking";
    $("transfer-form").hidden = !talking;
    renderRecording(c, talking);
    $("call-notes-form").hidden = !talking;
    if (talking) fillTargets();
    // The extension list only when there is one to pick from.
    var hasExt = !!(desk.targets && desk.targets.extensions && desk.targets.extensions.length);
    var extOpt = $("to-kind").querySelector('option[value="extension"]');
    extOpt.hidden = extOpt.disabled = !hasExt;
    if (!hasExt && $("to-kind").value === "extension") { $("to-kind").value = "queue"; $("to").dataset.key = ""; fillTargets(); }
    var wrapping = desk.agent.state === "wrap_up" || c.phase === "wrap_up";
    $("wrap-form").hidden = !wrapping;
    if (wrapCall !== c.id) { wrapCall = c.id; fillWrap(c); }
    else if (wrapping && !wasWrapping) carryNotes(c);
    wasWrapping = wrapping;
    var ext = $("wrap-extend");
    ext.hidden = !(wrapping && desk.wrap_up_extend_seconds > 0);
    if (!ext.hidden) ext.textContent = tr("extend", { t: SB.dur(desk.wrap_up_extend_seconds) });
    if (popCall !== c.id) { popCall = c.id; custFor = ""; }
    renderCustomer(c);
  }

  function fillTargets() {
    var kind = $("to-kind").value, sel = $("to"), t = desk.targets || {};
    var opts = [];
    if (kind === "queue") opts = (t.queues || []).map(function (q) { return [q, q]; });
    if (kind === "agent") opts = (t.agents || []).map(function (a) { return [a.id, (a.name || a.id) + " (" + label("st_", a.state) + ")"]; });
    if (kind === "extension") opts = (t.extensions || []).map(function (e) { return [e.number, e.number + " " + (e.name || "")]; });
    var key = kind + "|" + opts.map(function (o) { return o.join("="); }).join(",");
    if (sel.dataset.key === key) return;
    var keep = sel.value;
    sel.dataset.key = key;
    sel.textContent = "";
    opts.forEach(function (o) { sel.appendChild(new Option(o[1], o[0])); });
    if (keep) sel.value = keep;
  }

  // fillWrap starts a call's wrap-up form afresh: what was submitted, else
  // the draft kept by the engine, else nothing; "then" back to ready.
  function fillWrap(c) {
    var sel = $("disposition"), d = desk.draft;
    sel.textContent = "";
    desk.dispositions.forEach(function (x) { sel.appendChild(new Option(dispLabel(x), x.code)); });
    var disp = c.disposition || (d && d.disposition) || "";
    if (disp) sel.value = disp;
    $("wrap-notes").value = c.notes || (d && d.notes) || "";
    $("call-notes").value = (d && d.notes) || "";
    $("next-state").value = "";
    syncFollowUp(c.disposition ? c.follow_up : (d && d.follow_up != null ? d.follow_up : null));
    draftSent = draftKey(); draftDirty = false; warned = "";
    setText("draft-status", "");
    $("wrap-warn").hidden = true;
  }

  // carryNotes: the call ended; what was noted during it starts the
  // wrap-up's notes.
  function carryNotes(c) {
    if (!c.notes && !$("wrap-notes").value) $("wrap-notes").value = $("call-notes").value;
  }
  var wasWrapping = false;

  function wrappingNow() { return !!(desk && desk.call && (desk.agent.state === "wrap_up" || desk.call.phase === "wrap_up")); }
  function draftBody() {
    var w = wrappingNow();
    return { agent: agentID, disposition: w ? $("disposition").value : "",
      notes: w ? $("wrap-notes").value : $("call-notes").value, follow_up: w ? $("follow-up").checked : null };
  }
  function draftKey() { return JSON.stringify(draftBody()); }
  // typed: the agent changed something; the draft goes after a pause in
  // typing, never more often than DRAFT_EVERY.
  function typed() {
    draftDirty = true;
    clearTimeout(draftTimer);
    var wait = Math.max(1000, DRAFT_EVERY - (Date.now() - draftSentAt));
    draftTimer = setTimeout(sendDraft, wait);
  }
  async function sendDraft() {
    clearTimeout(draftTimer);
    if (!desk || !desk.call || !draftDirty) return;
    var key = draftKey();
    draftDirty = false;
    if (key === draftSent) return;
    draftSentAt = Date.now();
    try {
      await SB.api("PUT", "/api/v1/calls/" + encodeURIComponent(desk.call.id) + "/wrap-up/draft", draftBody());
      draftSent = key;
      setText("draft-status", SB.t("draft_saved"));
    } catch (e) {
      if (e.code !== "wrap_up_over") setText("draft-status", e.message || String(e));
    }
  }

  function syncFollowUp(v) {
    if (v === null || v === undefined) {
      var d = desk.dispositions.find(function (x) { return x.code === $("disposition").value; });
      v = !!(d && d.follow_up);
    }
    $("follow-up").checked = v;
  }

  // custTickets fetches the customer's tickets (as far as the desk's user
  // may see them); renderCustomer puts them in one timeline with the
  // calls, each linking to its ticket page.
  var custTicketList = [], custFollowList = [], custApptList = [];
  function custTickets(cu) {
    custTicketList = [];
    custFollowList = [];
    custApptList = [];
    if (!cu) return;
    var q = encodeURIComponent(String(cu.id));
    SB.api("GET", "/api/v1/tickets?limit=20&customer=" + q).then(function (page) {
      custTicketList = (page && page.tickets) || [];
      if (desk && desk.call) renderCustomer(desk.call);
    }).catch(function () { custTicketList = []; });
    // Follow-ups and appointments join the same timeline with their outcomes.
    SB.api("GET", "/api/v1/followups?limit=20&customer=" + q).then(function (page) {
      custFollowList = (page && page.followups) || [];
      if (desk && desk.call) renderCustomer(desk.call);
    }).catch(function () { custFollowList = []; });
    SB.api("GET", "/api/v1/appointments?customer=" + q).then(function (page) {
      custApptList = (page && page.appointments) || [];
      if (desk && desk.call) renderCustomer(desk.call);
    }).catch(function () { custApptList = []; });
  }

  // followUpOutcome: a follow-up's state and last answer, written out.
  function followUpOutcome(f) {
    if (f.state !== "closed") return SB.t("fus_open") + " (" + f.attempts.length + "/" + f.max_attempts + ")";
    var last = f.attempts[f.attempts.length - 1] || {};
    var out = SB.t("fur_" + f.close_reason);
    if (last.result === "satisfied") out += " · " + SB.t("fu_satisfaction") + " " + last.satisfaction;
    if (last.result === "not_satisfied") out += " · " + SB.t("fu_not_satisfied");
    return out;
  }

  function renderCustomer(c) {
    var cu = desk.customer;
    var key = c.id + "|" + (cu ? cu.id + "@" + cu.updated_at : "new");
    if (custFor !== key) {
      custFor = key;
      $("cust-name").value = cu ? cu.name : "";
      $("cust-notes").value = cu ? cu.notes : "";
      $("cust-tags").value = cu ? cu.tags.join(", ") : "";
      setText("customer-status", cu ? SB.t("known_customer") : SB.t("new_customer"));
      custTickets(cu);
    }
    // A ticket for this call opens on the tickets page, prefilled.
    var nt = $("new-ticket");
    if (nt) {
      nt.hidden = !desk.call;
      if (desk.call) {
        nt.href = "/ui/tickets?new=1&call=" + encodeURIComponent(desk.call.id) +
          (cu ? "&customer=" + encodeURIComponent(String(cu.id)) : "");
      }
    }
    var list = desk.contacts || [];
    if (!list.length && !custTicketList.length && !custFollowList.length && !custApptList.length) { $("contacts").textContent = SB.t("no_contacts"); return; }
    // One timeline, newest first: the calls and the tickets.
    var items = list.map(function (x) { return { at: x.at || "", call: x }; })
      .concat(custTicketList.map(function (tk) { return { at: tk.created_at, ticket: tk }; }))
      .concat(custFollowList.map(function (f) { return { at: f.created_at, follow: f }; }))
      .concat(custApptList.map(function (a) { return { at: a.created_at, appt: a }; }));
    items.sort(function (a, b) { return String(b.at).localeCompare(String(a.at)); });
    var h = ['<table class="list"><thead><tr><th>' + SB.esc(SB.t("kind")) + '</th><th>' + SB.esc(SB.t("time")) + '</th><th>' + SB.esc(SB.t("queue")) +
      '</th><th>' + SB.esc(SB.t("agent")) + '</th><th>' + SB.esc(SB.t("outcome")) + '</th><th>' +
      SB.esc(SB.t("disposition")) + '</th><th>' + SB.esc(SB.t("notes")) + '</th></tr></thead><tbody>'];
    items.forEach(function (it) {
      if (it.ticket) {
        var tk = it.ticket;
        h.push('<tr class="ticket"><td>' + SB.esc(SB.t("kind_ticket")) + "</td><td>" + SB.esc(fmtTime(tk.created_at)) +
          '</td><td><a href="/ui/tickets?id=' + encodeURIComponent(tk.id) + '">' + SB.esc(tk.id) + "</a></td><td>" +
          SB.esc(tk.agent || tk.team || "") + "</td><td>" + SB.esc(SB.t("tks_" + tk.state)) + "</td><td>" + SB.esc(tk.category) +
          "</td><td>" + SB.esc(tk.description) + "</td></tr>");
        return;
      }
      if (it.follow) {
        var f = it.follow;
        h.push('<tr class="followup"><td>' + SB.esc(SB.t("kind_followup")) + "</td><td>" + SB.esc(fmtTime(f.created_at)) +
          '</td><td><a href="/ui/followups?id=' + encodeURIComponent(f.id) + '">' + SB.esc(f.id) + "</a></td><td>" +
          SB.esc(f.agent || f.team || "") + "</td><td>" + SB.esc(followUpOutcome(f)) + "</td><td>" + SB.esc(f.disposition || "") +
          "</td><td>" + SB.esc((f.attempts[f.attempts.length - 1] || {}).notes || "") + "</td></tr>");
        return;
      }
      if (it.appt) {
        var a = it.appt;
        var moved = a.moves.length ? " (" + SB.t("appt_moved") + " " + a.moves.length + ")" : "";
        h.push('<tr class="appointment"><td>' + SB.esc(SB.t("kind_appt")) + "</td><td>" + SB.esc(fmtTime(a.at)) +
          '</td><td><a href="/ui/followups?id=' + encodeURIComponent(a.task) + '">' + SB.esc(a.id) + "</a></td><td>" +
          SB.esc(a.agent || a.team || "") + "</td><td>" + SB.esc(moved) + "</td><td></td><td>" + SB.esc(a.topic || "") + "</td></tr>");
        return;
      }
      var x = it.call;
      var d = desk.dispositions.find(function (y) { return y.code === x.disposition; });
      h.push("<tr><td>" + SB.esc(SB.t("kind_call")) + "</td><td>" + SB.esc(fmtTime(x.at)) + "</td><td>" + SB.esc(x.queue) + "</td><td>" + SB.esc(x.agent) +
        "</td><td>" + SB.esc(label("o_", x.outcome || "open")) + "</td><td>" + SB.esc(d ? dispLabel(d) : x.disposition) +
        (x.follow_up ? " ⚑" : "") + "</td><td>" + SB.esc(x.notes) + "</td></tr>");
    });
    h.push("</tbody></table>");
    $("contacts").innerHTML = h.join("");
  }

  // tick counts the timers between fetches.
  function tick() {
    if (!desk) return;
    var gone = (Date.now() - fetchedAt) / 1000;
    // Never signed in: there is no state time to count.
    var never = !desk.agent.since || desk.agent.since.indexOf("0001-") === 0;
    setText("state-time", never ? SB.t("none") : SB.dur(Math.floor(desk.state_seconds + gone)));
    if (desk.allowance_left_seconds != null && desk.agent.state === "not_ready") {
      var left = desk.allowance_left_seconds - gone;
      $("allowance").className = "timer" + (left < 0 ? " warn" : "");
      setText("allowance", left >= 0 ? tr("left", { t: SB.dur(Math.floor(left)) }) : tr("overrun", { t: SB.dur(Math.ceil(-left)) }));
    } else {
      $("allowance").className = "timer";
      var br = desk.reasons.find(function (r) { return r.code === "break"; });
      setText("allowance", br && br.allowance_seconds ? SB.dur(br.allowance_seconds) : SB.t("none"));
    }
    var warn = $("wrap-warn");
    if (desk.wrap_up_left_seconds != null && desk.agent.state === "wrap_up") {
      var wl = Math.max(0, Math.ceil(desk.wrap_up_left_seconds - gone));
      setText("wrap-timer", tr("left", { t: SB.dur(wl) }));
      $("wrap-timer").classList.toggle("warn", wl <= 10);
      // The last 10 s: warned once (an alert, read out), and what is typed
      // goes to the engine now rather than after the pause.
      var key = wrapCall + "@" + desk.wrap_up_ends;
      if (wl <= 10 && warned !== key) {
        warned = key;
        warn.hidden = false;
        warn.textContent = tr("wrap_warn", { t: wl });
        if (draftDirty) sendDraft();
      }
      if (wl > 10 && !warn.hidden) { warn.hidden = true; warned = ""; }
      if (wl <= 4 && draftDirty) sendDraft();
    } else {
      setText("wrap-timer", "");
      warn.hidden = true;
    }
    if (desk.call && desk.call.phase !== "talking" && desk.call.phase !== "wrap_up") {
      setText("call-wait", SB.dur(Math.round((desk.call.wait_seconds || 0) + gone)));
    }
  }

  async function act(form, method, path, body, done) {
    try {
      var r = await SB.api(method, path, body);
      if (form) clearErrors(form); // a success makes the last error stale
      if (done) done(r);
      await refresh();
    } catch (e) {
      if (form) SB.fieldError(form, localError(e)); else SB.toast(localError(e).message);
    }
  }

  function clearErrors(form) {
    form.querySelectorAll(".sb-field-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  // localError puts the server's refusals the desk knows in the user's
  // language (the server's English message otherwise).
  function localError(e) {
    // The dial box: the API's field and code, in the user's language; an
    // unknown code keeps the server's message.
    if (e.field === "number" && e.status === 400) return { field: e.field, code: e.code, message: SB.t("e_number") + " (" + e.message + ")" };
    if (e.field === "reason" && e.status === 400) return { field: "reason", code: e.code, message: SB.t("e_cb_reason") };
    if (e.code === "not_reserved") return { field: "", code: e.code, message: SB.t("e_not_reserved") };
    if (e.code === "do_not_call") return { field: "number", code: e.code, message: SB.t("e_do_not_call") };
    if (e.code === "endpoint_taken") {
      var m = /phone (\S+) is in use by agent (.+), who/.exec(e.message || "");
      if (m) return { field: e.field, code: e.code, message: tr("phone_taken", { ep: m[1], who: m[2] }) };
    }
    return e;
  }

  function agentPath(suffix) { return "/api/v1/agents/" + encodeURIComponent(agentID) + suffix; }

  function wire() {
    $("signin-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      act(ev.target, "POST", agentPath("/sign-in"), { endpoint: $("endpoint").value.trim() });
    });
    $("signout").addEventListener("click", function () { act($("signin-form"), "POST", agentPath("/sign-out"), {}); });
    $("ready").addEventListener("click", function () { act($("state-form"), "PUT", agentPath("/state"), { state: "ready" }); });
    $("state-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      act(ev.target, "PUT", agentPath("/state"), { state: "not_ready", reason: $("reason").value });
    });
    $("to-kind").addEventListener("change", function () { $("to").dataset.key = ""; if (desk) fillTargets(); });
    $("transfer-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!desk || !desk.call) return;
      act(ev.target, "POST", "/api/v1/calls/" + encodeURIComponent(desk.call.id) + "/transfer",
        { to_kind: $("to-kind").value, to: $("to").value }, function () { SB.toast(SB.t("transferred")); });
    });
    $("rec-toggle").addEventListener("click", function () {
      if (!desk || !desk.call) return;
      var op = recState.state === "paused" ? "resume" : "pause";
      SB.api("POST", "/api/v1/calls/" + encodeURIComponent(desk.call.id) + "/recording/" + op).then(function (r) {
        recState = { call: desk.call.id, state: r && r.paused ? "paused" : "on" };
        renderCall();
      }, function (e) {
        if (e.code === "not_recording") { recState = { call: desk.call.id, state: "off" }; renderCall(); return; }
        SB.toast(e.message);
      });
    });
    $("disposition").addEventListener("change", function () { syncFollowUp(null); typed(); });
    $("follow-up").addEventListener("change", typed);
    $("wrap-notes").addEventListener("input", typed);
    $("call-notes").addEventListener("input", typed);
    $("dial-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      act(ev.target, "POST", "/api/v1/desk/dial", { number: $("dial-number").value.trim(), agent: agentID });
    });
    $("cb-accept").addEventListener("click", function () {
      var cb = desk && desk.callback;
      if (!cb) return;
      act($("cb-skip-form"), "POST", "/api/v1/desk/callbacks/" + encodeURIComponent(cb.id) + "/accept", { agent: agentID },
        function () { SB.toast(SB.t("cb_accepted")); });
    });
    $("cb-skip-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var cb = desk && desk.callback;
      if (!cb) return;
      act(ev.target, "POST", "/api/v1/desk/callbacks/" + encodeURIComponent(cb.id) + "/skip",
        { agent: agentID, reason: $("cb-skip-reason").value.trim() }, function () { SB.toast(SB.t("cb_skipped")); });
    });
    $("withdraw").addEventListener("click", function () { act($("state-form"), "POST", agentPath("/withdraw"), {}); });
    $("wrap-extend").addEventListener("click", function () {
      act($("wrap-form"), "POST", agentPath("/wrap-up/extend"), {});
    });
    $("wrap-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!desk || !desk.call) return;
      clearTimeout(draftTimer); draftDirty = false;
      act(ev.target, "POST", "/api/v1/calls/" + encodeURIComponent(desk.call.id) + "/wrap-up", {
        agent: agentID, disposition: $("disposition").value, notes: $("wrap-notes").value,
        follow_up: $("follow-up").checked, not_ready: $("next-state").value
      }, function () { SB.toast(SB.t("wrapped")); });
    });
    $("customer-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!desk || !desk.call) return;
      var cu = desk.customer;
      var body = {
        name: $("cust-name").value, notes: $("cust-notes").value,
        tags: $("cust-tags").value.split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean),
        numbers: cu ? cu.numbers : [desk.call.caller]
      };
      act(ev.target, cu ? "PUT" : "POST", cu ? "/api/v1/customers/" + cu.id : "/api/v1/customers", body,
        function () { custFor = ""; SB.toast(SB.t("saved")); });
    });
  }

  // loadMessages lists the agent's own messages and those left for the
  // queues they serve (a group message: any of its agents may take it),
  // newest first, each target asked for apart so one busy queue cannot
  // push the agent's own out of the page.
  async function loadMessages() {
    if (!agentID) return;
    try {
      var targets = [agentID].concat((desk && desk.agent && desk.agent.queues) || []);
      var pages = await Promise.all(targets.map(function (t) {
        return SB.api("GET", "/api/v1/messages?target=" + encodeURIComponent(t) + "&limit=50");
      }));
      var seen = {}, list = [];
      pages.forEach(function (r) {
        (r.messages || []).forEach(function (m) { if (!seen[m.id]) { seen[m.id] = true; list.push(m); } });
      });
      list.sort(function (a, b) { return a.recorded_at < b.recorded_at ? 1 : a.recorded_at > b.recorded_at ? -1 : 0; });
      if (!list.length) { $("message-list").textContent = SB.t("no_messages"); return; }
      var h = ['<table class="list"><thead><tr><th>' + SB.esc(SB.t("time")) + "</th><th>" + SB.esc(SB.t("msg_for")) +
        "</th><th>" + SB.esc(SB.t("from")) + "</th><th>" + SB.esc(SB.t("duration")) + "</th><th></th></tr></thead><tbody>"];
      list.forEach(function (m) {
        var forWhom = m.target_kind === "group" ? tr("msg_queue", { q: m.target }) : m.target === agentID ? SB.t("msg_me") : m.target;
        h.push('<tr data-message="' + SB.esc(m.id) + '"><td>' + SB.esc(fmtTime(m.recorded_at)) + "</td><td>" + SB.esc(forWhom) +
          "</td><td>" + SB.esc(m.caller) + "</td><td>" +
          SB.esc(SB.dur(Math.round(m.duration_seconds))) + '</td><td><button type="button" data-listen="' + SB.esc(m.id) +
          '">' + SB.esc(SB.t("listen")) + "</button> " +
          // A masked number cannot be dialled back from here.
          (m.caller && m.caller.indexOf("*") < 0 ? '<button type="button" data-dial="' + SB.esc(m.caller) + '">' + SB.esc(SB.t("call_back")) + "</button> " : "") +
          (m.handled_at ? SB.esc(SB.t("handled") + " · " + (m.handled_by || "")) :
            '<button type="button" data-msg="' + SB.esc(m.id) + '">' + SB.esc(SB.t("mark_handled")) + "</button>") +
          "</td></tr>");
      });
      h.push("</tbody></table>");
      $("message-list").innerHTML = h.join("");
    } catch (e) {
      $("message-list").textContent = e.message || String(e);
    }
  }

  // listen plays a message in the page, under its row (the desk stays:
  // a call may come while listening); its button closes it again.
  function listen(btn, id) {
    var row = btn.closest("tr"), next = row.nextElementSibling;
    if (next && next.classList.contains("msg-player")) { next.remove(); btn.setAttribute("aria-expanded", "false"); return; }
    var player = document.createElement("tr");
    player.className = "msg-player";
    var td = player.insertCell();
    td.colSpan = row.cells.length;
    var audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "metadata";
    audio.src = "/api/v1/messages/" + encodeURIComponent(id) + "/recording";
    audio.setAttribute("aria-label", SB.t("listen"));
    td.appendChild(audio);
    row.after(player);
    btn.setAttribute("aria-expanded", "true");
    audio.play().catch(function () { audio.focus(); });
  }

  // The call's recording as the live feed tells it: on, paused, failed,
  // or unknown (the page opened mid-call: the button still works).
  var recState = { call: "", state: "" };
  function renderRecording(c, talking) {
    if (recState.call !== c.id) recState = { call: c.id, state: "" };
    $("rec-row").hidden = !talking;
    var st = recState.state;
    setText("rec-state", st ? SB.t("rec_" + st) : "");
    var b = $("rec-toggle");
    b.textContent = SB.t(st === "paused" ? "rec_resume" : "rec_pause");
    b.disabled = st === "off" || st === "failed";
  }
  function onRecording(rec) {
    if (!desk || !desk.call || rec.call_id !== desk.call.id) return;
    var st = { "recording.started": "on", "recording.resumed": "on", "recording.paused": "paused", "recording.failed": "failed" }[rec.type];
    if (st) { recState = { call: desk.call.id, state: st }; renderCall(); }
  }

  function onLive(rec) {
    if (!rec || typeof rec !== "object") return;
    if (typeof rec.type === "string" && rec.type.indexOf("recording.") === 0) onRecording(rec);
    var mine = rec.agent_id === agentID || (desk && desk.call && rec.call_id === desk.call.id);
    if (mine) refresh();
    if (rec.type === "call.message" || rec.type === "message.handled") loadMessages();
  }

  async function start() {
    me = await SB.init({ page: "desk" });
    var q = new URLSearchParams(location.search);
    agentID = q.get("agent") || me.agent_id || "";
    if (!agentID) { setText("who", SB.t("no_agent")); return; }
    setText("who", tr("who", { id: agentID }));
    wire();
    $("message-list").addEventListener("click", function (ev) {
      var play = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-listen");
      if (play) { listen(ev.target, play); return; }
      var num = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-dial");
      if (num) { $("dial-number").value = num; $("dial-number").focus(); return; }
      var id = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-msg");
      if (!id) return;
      act(null, "POST", "/api/v1/messages/" + encodeURIComponent(id) + "/handled", { by: me.username || agentID },
        function () { loadMessages(); });
    });
    await refresh();
    loadMessages();
    if (SB.live) {
      live = SB.live("/api/v1/live", {
        record: onLive,
        onstatus: function (up) { liveUp = up; setText("conn", tr(up ? "live_on" : "live_off")); if (up) refresh(); }
      });
    }
    // Poll fast while the live feed is down, slowly as a backstop when up.
    // Signed out, no call can come: a slow poll, which also lets an idle
    // session expire as it should.
    var n = 0;
    setInterval(function () {
      n++;
      var every = liveUp ? 6 : 1;
      if (desk && desk.agent.state === "signed_out") every = 60;
      if (n % every === 0) refresh();
      if (n % 60 === 0) loadMessages();
    }, 500);
    setInterval(tick, 250);
  }

  window.SBDesk = { start: start, label: label, current: function () { return desk; } };
  start().catch(function (e) { setText("conn", e.message || String(e)); });
})();
