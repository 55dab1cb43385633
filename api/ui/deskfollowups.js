// Desk: my follow-ups (open and due, overdue ones marked) with the result
// form, and booking a callback from the call (during or after it) or from
// a follow-up: a date and a time picked from the allowed, free times the
// server offers (GET /api/v1/appointments/slots); the server decides the
// customer from the call or the task, so a masked number is only shown.
// desk.js tells us of each render ("sb-desk"); everything else is here.
(function () {
  "use strict";
  const { api, t, esc } = SB;

  SB.i18n({
    zh: {
      "dfu.title": "我的回访", "dfu.none": "没有待办回访。", "dfu.customer": "客户", "dfu.due": "到期", "dfu.state": "状态",
      "dfu.attempts": "尝试", "dfu.open": "打开", "dfu.overdue": "已逾期", "dfu.due_now": "待回访", "dfu.later": "未到时间",
      "dfu.one": "回访 {id}", "dfu.outcome": "拨打结果", "dfu.result": "客户答复", "dfu.satisfaction": "满意度（1–5）",
      "dfu.notes": "备注", "dfu.save": "保存结果", "dfu.close": "关闭", "dfu.saved": "回访 {id}：{state}",
      "dfu.st.open": "待回访", "dfu.st.closed": "已结束",
      "dfu.o.reached": "已接通", "dfu.o.no_answer": "无人接听", "dfu.o.busy": "忙", "dfu.o.wrong_number": "号码错误",
      "dfu.r.satisfied": "满意（打分）", "dfu.r.not_satisfied": "不满意", "dfu.r.call_later": "稍后再打",
      "dfu.book": "预约回电", "dfu.book_call": "为此通话预约回电", "dfu.book_fu": "改约回电时间",
      "dfu.number": "客户号码", "dfu.date": "日期", "dfu.time": "时间", "dfu.topic": "事由", "dfu.book_go": "预约",
      "dfu.cancel": "取消", "dfu.no_slots": "这一天没有可预约的时间（不在营业时间内或已过）。", "dfu.taken": "{t}（已占用）",
      "dfu.booked": "已预约 {at}（{id}），到时会自动回电", "dfu.appts": "我的预约", "dfu.no_appts": "没有预约。",
      "dfu.at": "时间", "dfu.kind": "类型", "dfu.k.callback": "回电", "dfu.k.morning": "上午回访",
      "dfu.loading": "正在读取可预约时间…",
    },
    en: {
      "dfu.title": "My follow-ups", "dfu.none": "No follow-ups to do.", "dfu.customer": "Customer", "dfu.due": "Due", "dfu.state": "State",
      "dfu.attempts": "Attempts", "dfu.open": "Open", "dfu.overdue": "Overdue", "dfu.due_now": "To follow up", "dfu.later": "Not yet due",
      "dfu.one": "Follow-up {id}", "dfu.outcome": "Dial outcome", "dfu.result": "Customer's answer", "dfu.satisfaction": "Satisfaction (1-5)",
      "dfu.notes": "Notes", "dfu.save": "Save result", "dfu.close": "Close", "dfu.saved": "Follow-up {id}: {state}",
      "dfu.st.open": "To follow up", "dfu.st.closed": "Closed",
      "dfu.o.reached": "Reached", "dfu.o.no_answer": "No answer", "dfu.o.busy": "Busy", "dfu.o.wrong_number": "Wrong number",
      "dfu.r.satisfied": "Satisfied (score)", "dfu.r.not_satisfied": "Not satisfied", "dfu.r.call_later": "Call later",
      "dfu.book": "Book a callback", "dfu.book_call": "Book a callback for this call", "dfu.book_fu": "Reschedule as a callback",
      "dfu.number": "Customer's number", "dfu.date": "Date", "dfu.time": "Time", "dfu.topic": "Topic", "dfu.book_go": "Book",
      "dfu.cancel": "Cancel", "dfu.no_slots": "No time can be booked that day (outside the allowed hours, or past).", "dfu.taken": "{t} (taken)",
      "dfu.booked": "Booked for {at} ({id}); it will be called back then", "dfu.appts": "My appointments", "dfu.no_appts": "No appointments.",
      "dfu.at": "When", "dfu.kind": "Kind", "dfu.k.callback": "Callback", "dfu.k.morning": "Morning follow-up",
      "dfu.loading": "Reading the times that can be booked…",
    },
  });

  const $ = (id) => document.getElementById(id);
  let tasks = [], open = "", lastCall = null, booking = null; // booking: {call} or {followup}

  function when(s) {
    if (!s || s.startsWith("0001-")) return "";
    return new Date(s).toLocaleString(SB.lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
  }
  // shown masks a number for display to an agent (the server books by the
  // call or task, never by what is shown).
  function shown(v) {
    v = String(v || "");
    if (SB.me && SB.me.role !== "agent") return v;
    const digits = v.replace(/\D/g, "");
    if (digits.length < 7 || v.includes("*")) return v;
    return v.slice(0, 3) + "****" + v.slice(-4);
  }
  function stateOf(f) {
    if (f.state === "closed") return t("dfu.st.closed");
    if (f.overdue) return t("dfu.overdue");
    return new Date(f.not_before) <= new Date() ? t("dfu.due_now") : t("dfu.later");
  }

  function build() {
    const col = document.querySelector(".desk > div");
    if (!col) return false;
    const sec = document.createElement("section");
    sec.id = "dfu";
    sec.setAttribute("aria-labelledby", "dfu-h");
    sec.innerHTML =
      '<h2 id="dfu-h">' + esc(t("dfu.title")) + "</h2>" +
      '<div id="dfu-list"></div><div id="dfu-detail" hidden></div>' +
      '<p><button type="button" id="dfu-book-call" hidden>' + esc(t("dfu.book_call")) + "</button></p>" +
      '<form id="dfu-book" hidden novalidate aria-labelledby="dfu-book-h">' +
      '<h2 id="dfu-book-h">' + esc(t("dfu.book")) + "</h2>" +
      '<dl class="facts"><dt>' + esc(t("dfu.number")) + '</dt><dd id="dfu-number"></dd></dl>' +
      '<div class="row"><label><span>' + esc(t("dfu.date")) + '</span><input type="date" name="date" id="dfu-date" required></label>' +
      "<label><span>" + esc(t("dfu.time")) + '</span><select name="at" id="dfu-time" required></select></label></div>' +
      '<p id="dfu-slots-status" class="muted" role="status" aria-live="polite"></p>' +
      "<label><span>" + esc(t("dfu.topic")) + '</span><input type="text" name="topic" id="dfu-topic" maxlength="200" autocomplete="off"></label>' +
      '<div class="row"><button type="submit" id="dfu-book-go">' + esc(t("dfu.book_go")) + "</button>" +
      '<button type="button" id="dfu-book-cancel">' + esc(t("dfu.cancel")) + "</button></div></form>" +
      '<p id="dfu-status" role="status" aria-live="polite"></p>' +
      '<h2 id="dfu-appts-h">' + esc(t("dfu.appts")) + '</h2><div id="dfu-appts"></div>';
    col.appendChild(sec);
    $("dfu-list").addEventListener("click", (ev) => {
      const id = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-open");
      if (id) { open = id; renderDetail(); }
    });
    $("dfu-book-call").addEventListener("click", () => {
      if (lastCall) startBooking({ call: lastCall.id }, lastCall.caller);
    });
    $("dfu-date").addEventListener("change", loadSlots);
    $("dfu-book-cancel").addEventListener("click", () => { $("dfu-book").hidden = true; booking = null; });
    $("dfu-book").addEventListener("submit", book);
    return true;
  }

  async function load() {
    try {
      const page = await api("GET", "/api/v1/followups?mine=true&state=open&limit=50");
      tasks = (page && page.followups) || [];
    } catch (e) {
      $("dfu-status").textContent = e.message;
      return;
    }
    renderList();
    if (open) renderDetail();
    loadAppointments();
  }

  function renderList() {
    if (!tasks.length) { $("dfu-list").innerHTML = '<p class="muted">' + esc(t("dfu.none")) + "</p>"; return; }
    const h = ['<table class="list"><thead><tr><th>' + esc(t("dfu.state")) + "</th><th>" + esc(t("dfu.customer")) +
      "</th><th>" + esc(t("dfu.due")) + "</th><th>" + esc(t("dfu.attempts")) + '</th><th></th></tr></thead><tbody id="dfu-rows">'];
    for (const f of tasks) {
      h.push('<tr data-id="' + esc(f.id) + '"' + (f.overdue ? ' class="warn"' : "") + "><td>" +
        (f.overdue ? "<strong>⚠ " + esc(stateOf(f)) + "</strong>" : esc(stateOf(f))) + "</td><td>" + esc(shown(f.customer)) +
        "</td><td>" + esc(when(f.due)) + "</td><td>" + esc(f.attempts.length + "/" + f.max_attempts) +
        '</td><td><button type="button" data-open="' + esc(f.id) + '">' + esc(t("dfu.open")) + "</button></td></tr>");
    }
    h.push("</tbody></table>");
    $("dfu-list").innerHTML = h.join("");
  }

  function opt(prefix, v) { return '<option value="' + esc(v) + '">' + esc(t(prefix + v)) + "</option>"; }

  function renderDetail() {
    const f = tasks.find((x) => x.id === open), box = $("dfu-detail");
    if (!f) { box.hidden = true; box.innerHTML = ""; return; }
    if (box.dataset.id === f.id && !box.hidden) return; // keep what the agent is typing
    box.dataset.id = f.id;
    box.hidden = false;
    box.innerHTML = '<h2 id="dfu-one">' + esc(t("dfu.one", { id: f.id })) + " · " + esc(stateOf(f)) + "</h2>" +
      '<dl class="facts"><dt>' + esc(t("dfu.customer")) + "</dt><dd>" + esc(shown(f.customer)) + "</dd><dt>" + esc(t("dfu.due")) +
      "</dt><dd>" + esc(when(f.due)) + "</dd></dl>" +
      '<form id="dfu-result" novalidate><div class="row">' +
      "<label><span>" + esc(t("dfu.outcome")) + '</span><select name="outcome">' +
      ["reached", "no_answer", "busy", "wrong_number"].map((v) => opt("dfu.o.", v)).join("") + "</select></label>" +
      "<label><span>" + esc(t("dfu.result")) + '</span><select name="result">' +
      ["satisfied", "not_satisfied"].map((v) => opt("dfu.r.", v)).join("") + "</select></label>" +
      "<label><span>" + esc(t("dfu.satisfaction")) + '</span><select name="satisfaction">' +
      [5, 4, 3, 2, 1].map((n) => '<option value="' + n + '">' + n + "</option>").join("") + "</select></label></div>" +
      "<label><span>" + esc(t("dfu.notes")) + '</span><textarea name="notes" maxlength="4000"></textarea></label>' +
      '<div class="row"><button type="submit">' + esc(t("dfu.save")) + "</button>" +
      '<button type="button" id="dfu-resched">' + esc(t("dfu.book_fu")) + "</button>" +
      '<button type="button" id="dfu-close">' + esc(t("dfu.close")) + "</button></div></form>";
    const form = $("dfu-result");
    const sync = () => {
      const reached = form.outcome.value === "reached";
      form.result.disabled = !reached;
      form.satisfaction.disabled = !reached || form.result.value !== "satisfied";
    };
    form.outcome.addEventListener("change", sync);
    form.result.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", (ev) => { ev.preventDefault(); saveResult(f, form); });
    $("dfu-resched").addEventListener("click", () => startBooking({ followup: f.id }, f.customer));
    $("dfu-close").addEventListener("click", () => { open = ""; box.dataset.id = ""; renderDetail(); });
    form.outcome.focus();
  }

  async function saveResult(f, form) {
    const body = { outcome: form.outcome.value, notes: form.notes.value };
    if (body.outcome === "reached") {
      body.result = form.result.value;
      if (body.result === "satisfied") body.satisfaction = Number(form.satisfaction.value);
    }
    if (lastCall) body.call = lastCall.id;
    try {
      const out = await api("POST", "/api/v1/followups/" + encodeURIComponent(f.id) + "/attempts", body);
      $("dfu-status").textContent = t("dfu.saved", { id: out.id, state: t("dfu.st." + out.state) });
      $("dfu-detail").dataset.id = "";
      open = out.state === "closed" ? "" : out.id;
      await load();
    } catch (e) {
      SB.fieldError(form, e);
    }
  }

  function today() {
    const d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function startBooking(target, number) {
    booking = target;
    const form = $("dfu-book");
    form.querySelectorAll(".sb-field-error").forEach((el) => el.remove());
    form.hidden = false;
    $("dfu-number").textContent = shown(number);
    $("dfu-date").min = today();
    if (!$("dfu-date").value || $("dfu-date").value < today()) $("dfu-date").value = today();
    $("dfu-topic").value = "";
    loadSlots();
    $("dfu-date").focus();
  }

  async function loadSlots() {
    const sel = $("dfu-time"), st = $("dfu-slots-status");
    sel.textContent = "";
    st.textContent = t("dfu.loading");
    let page;
    try {
      page = await api("GET", "/api/v1/appointments/slots?date=" + encodeURIComponent($("dfu-date").value));
    } catch (e) {
      st.textContent = e.message;
      return;
    }
    const slots = (page && page.slots) || [];
    let first = "";
    for (const s of slots) {
      const label = new Date(s.at).toLocaleTimeString(SB.lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit", hour12: false });
      const o = new Option(s.free ? label : t("dfu.taken", { t: label }), s.at);
      o.disabled = !s.free;
      if (!s.free) o.title = s.reason || "";
      if (s.free && !first) first = s.at;
      sel.appendChild(o);
    }
    if (first) sel.value = first;
    st.textContent = slots.some((s) => s.free) ? "" : t("dfu.no_slots");
    $("dfu-book-go").disabled = !first;
  }

  async function book(ev) {
    ev.preventDefault();
    if (!booking) return;
    const form = $("dfu-book");
    const body = Object.assign({ at: $("dfu-time").value, topic: $("dfu-topic").value, callback: true }, booking);
    try {
      const a = await api("POST", "/api/v1/appointments", body);
      $("dfu-status").textContent = t("dfu.booked", { at: when(a.at), id: a.id });
      form.hidden = true;
      booking = null;
      await load();
    } catch (e) {
      SB.fieldError(form, e);
      if (e.status === 409) loadSlots(); // someone took it: show what is left
    }
  }

  async function loadAppointments() {
    let list = [];
    try {
      const page = await api("GET", "/api/v1/appointments");
      const mine = (SB.me && SB.me.agent_id) || "";
      list = ((page && page.appointments) || []).filter((a) => !mine || a.agent === mine).filter((a) => new Date(a.at) > new Date(Date.now() - 3600e3));
    } catch (e) {
      $("dfu-appts").textContent = e.message;
      return;
    }
    if (!list.length) { $("dfu-appts").innerHTML = '<p class="muted">' + esc(t("dfu.no_appts")) + "</p>"; return; }
    $("dfu-appts").innerHTML = '<table class="list"><thead><tr><th>' + esc(t("dfu.at")) + "</th><th>" + esc(t("dfu.kind")) + "</th><th>" +
      esc(t("dfu.customer")) + "</th><th>" + esc(t("dfu.topic")) + '</th></tr></thead><tbody id="dfu-appt-rows">' +
      list.map((a) => '<tr data-id="' + esc(a.id) + '"><td>' + esc(when(a.at)) + "</td><td>" + esc(t(a.callback ? "dfu.k.callback" : "dfu.k.morning")) +
        "</td><td>" + esc(shown(a.customer)) + "</td><td>" + esc(a.topic || "") + "</td></tr>").join("") + "</tbody></table>";
  }

  // The desk's call, during it and after (wrap-up and beyond, until the
  // next): what "book a callback for this call" books from.
  function onDesk() {
    const d = window.SBDesk && window.SBDesk.current && window.SBDesk.current();
    if (d && d.call && d.call.id) lastCall = { id: d.call.id, caller: d.call.caller || d.call.number || "" };
    const btn = $("dfu-book-call");
    if (btn) btn.hidden = !lastCall;
  }

  function start() {
    if (!build()) return;
    document.addEventListener("sb-desk", onDesk);
    onDesk();
    load();
    // A poll, not a second live feed (the desk's own is capped per user):
    // new tasks show up, and overdue ones turn red as their time passes.
    setInterval(load, 5000);
  }

  // desk.js signs in first (SB.init); wait for it.
  let tries = 0;
  const wait = setInterval(() => {
    tries++;
    if ((SB.me && document.querySelector(".desk > div")) || tries > 100) { clearInterval(wait); if (SB.me) start(); }
  }, 100);
})();
