// Wallboard: queue and team tiles, alerts; live over SSE (topics=wallboard).
(async function () {
  "use strict";
  SB.i18n({
    zh: {
      "wb.title": "监控大屏", "wb.updated": "更新于", "wb.queues": "队列", "wb.teams": "班组",
      "wb.alerts": "告警", "wb.no_alerts": "没有告警", "wb.overdue_tickets": "滞留工单：{n}", "wb.overdue_followups": "逾期回访：{n}", "wb.no_team": "（未分组）",
      "wb.waiting": "排队中", "wb.longest": "最长等待", "wb.answered": "今日接通", "wb.abandoned": "今日放弃",
      "wb.abandon_rate": "放弃率", "wb.sl": "服务水平(今日)", "wb.sl30": "服务水平(30分钟)", "wb.asa": "平均应答",
      "wb.missed": "未接振铃", "wb.target": "目标 {p}% / {s}秒内",
      "wb.ok": "正常", "wb.amber": "黄色预警", "wb.red": "红色告警", "wb.flag.amber": "▲黄", "wb.flag.red": "▲红",
      "wb.queue": "队列", "wb.team": "班组", "wb.load_failed": "大屏数据加载失败：{m}",
      "wb.m.waiting": "排队人数", "wb.m.longest_wait": "最长等待", "wb.m.service_level": "今日服务水平",
      "wb.m.service_level_30m": "30分钟服务水平", "wb.m.abandon_rate": "放弃率", "wb.m.asa": "平均应答",
      "wb.m.ready": "就绪坐席", "wb.m.signed_in": "签入坐席",
      "wb.alert": "{level} · {kind} {name} · {metric} {value}（阈值 {op} {threshold}）",
      "wb.unserved": "无人值守", "wb.alert_unserved": "{level} · {kind} {name} · 无人值守（签入坐席 0）",
      "wb.tv": "电视模式", "wb.agents": "坐席", "wb.no_agents": "没有配置坐席", "wb.in_state": "{state} {time}",
      "wb.never": "从未签入",
      "wb.waiting_calls": "排队来电", "wb.no_waiting": "没有来电在排队", "wb.ringing": "振铃中", "wb.priority": "优先级 {n}",
      "wb.trend": "今日服务水平趋势", "wb.no_trend": "今日还没有来电", "wb.gauge": "今日服务水平 {v}，目标 {p}%",
      "wb.trend_label": "按小时的服务水平：{points}", "wb.trend_point": "{h} {v}（{n} 通）",
    },
    en: {
      "wb.title": "Wallboard", "wb.updated": "Updated", "wb.queues": "Queues", "wb.teams": "Teams",
      "wb.alerts": "Alerts", "wb.no_alerts": "No alerts", "wb.overdue_tickets": "Overdue tickets: {n}", "wb.overdue_followups": "Overdue follow-ups: {n}", "wb.no_team": "(no team)",
      "wb.waiting": "Waiting", "wb.longest": "Longest wait", "wb.answered": "Answered today", "wb.abandoned": "Abandoned today",
      "wb.abandon_rate": "Abandon rate", "wb.sl": "Service level (today)", "wb.sl30": "Service level (30 min)", "wb.asa": "ASA",
      "wb.missed": "Missed rings", "wb.target": "Target {p}% within {s}s",
      "wb.ok": "OK", "wb.amber": "Amber", "wb.red": "Red", "wb.flag.amber": "▲amber", "wb.flag.red": "▲red",
      "wb.queue": "queue", "wb.team": "team", "wb.load_failed": "Could not load the wallboard: {m}",
      "wb.m.waiting": "waiting", "wb.m.longest_wait": "longest wait", "wb.m.service_level": "service level today",
      "wb.m.service_level_30m": "service level 30 min", "wb.m.abandon_rate": "abandon rate", "wb.m.asa": "ASA",
      "wb.m.ready": "agents ready", "wb.m.signed_in": "agents signed in",
      "wb.alert": "{level} · {kind} {name} · {metric} {value} (threshold {op} {threshold})",
      "wb.unserved": "Nobody serving", "wb.alert_unserved": "{level} · {kind} {name} · nobody serving (0 agents signed in)",
      "wb.tv": "TV mode", "wb.agents": "Agents", "wb.no_agents": "No agents configured", "wb.in_state": "{state} {time}",
      "wb.never": "never signed in",
      "wb.waiting_calls": "Waiting calls", "wb.no_waiting": "No callers waiting", "wb.ringing": "ringing", "wb.priority": "priority {n}",
      "wb.trend": "Service level today", "wb.no_trend": "No calls yet today", "wb.gauge": "Service level today {v}, target {p}%",
      "wb.trend_label": "Service level by hour: {points}", "wb.trend_point": "{h} {v} ({n} calls)",
    },
  });
  const STATES = ["ready", "on_call", "ringing", "reserved", "wrap_up", "not_ready", "signed_out"];
  const LOWER_WORSE = { service_level: true, service_level_30m: true, ready: true, signed_in: true };
  const SEVERITY = { red: 0, amber: 1, ok: 2 };
  const $ = (id) => document.getElementById(id);

  await SB.init({ page: "wallboard" });

  let board = null;
  let receivedAt = 0; // Date.now() when board came: the longest waits tick on from it

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const pct = (v) => (v === null || v === undefined ? "—" : v.toFixed(1) + "%");
  const secs = (v) => (v === null || v === undefined ? "—" : SB.dur(v));

  // mark is the tile's level written out: never colour alone.
  function mark(status) {
    const s = status || "ok";
    const m = el("span", "mark " + s, SB.t("wb." + s));
    m.dataset.status = s;
    return m;
  }

  // fig is one labelled figure, flagged with its level when over a threshold.
  function fig(container, label, value, level, cls) {
    const d = el("div", cls || "");
    const dt = el("dt", "", label);
    const dd = el("dd", "num", value);
    if (level) {
      d.classList.add("level-" + level);
      dd.appendChild(el("span", "flag", SB.t("wb.flag." + level)));
    }
    d.append(dt, dd);
    container.appendChild(d);
    return d;
  }

  function states(agents) {
    const ul = el("ul", "states");
    for (const s of STATES) {
      const n = (agents || {})[s] || 0;
      if (!n && s === "signed_out") continue;
      const li = el("li", "state state-" + s, SB.t("state." + s) + " " + n);
      li.dataset.state = s;
      ul.appendChild(li);
    }
    return ul;
  }

  function queueTile(q) {
    const li = el("li", "tile");
    if (q.status && q.status !== "ok") li.classList.add("level-" + q.status);
    li.dataset.queue = q.name;
    const h = el("h3");
    h.append(el("span", "name", q.name), mark(q.status));
    li.appendChild(h);
    const marks = q.marks || {};
    if (marks.signed_in) {
      const u = el("p", "unserved level-" + marks.signed_in, SB.t("wb.unserved"));
      u.dataset.unserved = "1";
      li.appendChild(u);
    }
    const big = el("div", "big");
    const w = el("div", "waiting");
    w.append(el("div", "lbl", SB.t("wb.waiting")), el("div", "num", String(q.waiting)));
    const lw = el("div", "longest");
    const lwNum = el("div", "num", SB.dur(q.longest_wait_seconds));
    lwNum.dataset.base = q.waiting > 0 ? String(q.longest_wait_seconds) : "";
    lw.append(el("div", "lbl", SB.t("wb.longest")), lwNum);
    for (const [box, m] of [[w, "waiting"], [lw, "longest_wait"]]) {
      if (marks[m]) {
        box.classList.add("level-" + marks[m]);
        box.querySelector(".lbl").appendChild(el("span", "flag", SB.t("wb.flag." + marks[m])));
      }
    }
    big.append(w, lw);
    li.appendChild(big);
    const figs = el("dl", "figs");
    fig(figs, SB.t("wb.answered"), String(q.answered), null, "answered");
    fig(figs, SB.t("wb.abandoned"), String(q.abandoned), null, "abandoned");
    fig(figs, SB.t("wb.abandon_rate"), pct(q.abandon_rate), marks.abandon_rate, "abandon-rate");
    fig(figs, SB.t("wb.sl"), pct(q.service_level), marks.service_level, "sl");
    fig(figs, SB.t("wb.sl30"), pct(q.service_level_30m), marks.service_level_30m, "sl30");
    fig(figs, SB.t("wb.asa"), secs(q.asa_seconds), marks.asa, "asa");
    li.appendChild(figs);
    li.appendChild(gauge(q));
    const st = states(q.agents);
    if (marks.ready) st.classList.add("level-" + marks.ready);
    li.appendChild(st);
    li.title = SB.t("wb.target", { p: q.target_percent, s: q.within_seconds });
    return li;
  }

  function teamTile(t) {
    const li = el("li", "tile");
    if (t.status && t.status !== "ok") li.classList.add("level-" + t.status);
    li.dataset.team = t.id;
    const h = el("h3");
    h.append(el("span", "name", t.id ? t.name : SB.t("wb.no_team")), mark(t.status));
    li.appendChild(h);
    const f = el("div", "team-figs");
    f.append(el("span", "", SB.t("wb.answered") + " " + t.answered), el("span", "", SB.t("wb.missed") + " " + t.missed_offers));
    li.append(f, states(t.agents));
    return li;
  }

  function alertLine(a) {
    let kindName = a.name;
    if (a.kind === "team") {
      const tm = ((board && board.teams) || []).find((x) => x.id === a.name);
      kindName = !a.name ? SB.t("wb.no_team") : (tm && tm.name) || a.name;
    }
    let value = a.value, threshold = a.threshold;
    if (a.metric === "longest_wait" || a.metric === "asa") { value = SB.dur(value); threshold = SB.dur(threshold); }
    if (/service_level|abandon_rate/.test(a.metric)) { value = value.toFixed(1) + "%"; threshold = threshold + "%"; }
    if (a.metric === "signed_in") {
      return el("li", a.level, SB.t("wb.alert_unserved", { level: SB.t("wb." + a.level), kind: SB.t("wb." + a.kind), name: kindName }));
    }
    const li = el("li", a.level, SB.t("wb.alert", {
      level: SB.t("wb." + a.level), kind: SB.t("wb." + a.kind), name: kindName,
      metric: SB.t("wb.m." + a.metric), value, op: LOWER_WORSE[a.metric] ? "<" : "≥", threshold,
    }));
    return li;
  }

  // gauge: today's service level as a bar with the queue's target as a
  // tick; the figure and target are also its accessible name.
  function gauge(q) {
    const g = el("div", "gauge");
    g.setAttribute("role", "meter");
    g.setAttribute("aria-valuemin", "0");
    g.setAttribute("aria-valuemax", "100");
    const v = q.service_level;
    if (v !== null && v !== undefined) g.setAttribute("aria-valuenow", String(v));
    g.setAttribute("aria-label", SB.t("wb.gauge", { v: pct(v), p: q.target_percent }));
    const bar = el("span", "bar" + (v !== null && v !== undefined && v < q.target_percent ? " below" : ""));
    bar.style.width = (v === null || v === undefined ? 0 : Math.min(100, Math.max(0, v))) + "%";
    const tick = el("span", "target");
    tick.style.left = Math.min(100, Math.max(0, q.target_percent || 0)) + "%";
    g.append(bar, tick);
    return g;
  }

  // trendChart: the day's service level hour by hour (all queues) as a
  // line; hours without calls leave a gap. Its accessible name lists the
  // hours with calls.
  function trendChart(points) {
    const box = $("wb-trend");
    const withCalls = points.filter((p) => p.service_level !== null && p.service_level !== undefined);
    $("wb-no-trend").hidden = withCalls.length > 0;
    if (!withCalls.length) { box.replaceChildren(); return; }
    const NS = "http://www.w3.org/2000/svg";
    const W = 240, H = 60, n = Math.max(points.length - 1, 1);
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + (H + 12));
    svg.setAttribute("role", "img");
    const hour = (p) => new Date(p.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    svg.setAttribute("aria-label", SB.t("wb.trend_label", {
      points: withCalls.map((p) => SB.t("wb.trend_point", { h: hour(p), v: pct(p.service_level), n: p.offered })).join(", "),
    }));
    const x = (i) => (points.length === 1 ? W / 2 : 4 + (i / n) * (W - 8));
    const y = (v) => 3 + (H - 6) * (1 - v / 100);
    for (const v of [0, 100]) { // the scale: 0 % and 100 %
      const ln = document.createElementNS(NS, "line");
      ln.setAttribute("x1", "0"); ln.setAttribute("x2", String(W));
      ln.setAttribute("y1", y(v).toFixed(1)); ln.setAttribute("y2", y(v).toFixed(1));
      ln.setAttribute("class", "scale");
      svg.appendChild(ln);
    }
    let d = "", pen = false;
    points.forEach((p, i) => {
      if (p.service_level === null || p.service_level === undefined) { pen = false; return; }
      d += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(p.service_level).toFixed(1);
      pen = true;
      const dot = document.createElementNS(NS, "circle");
      dot.setAttribute("cx", x(i).toFixed(1)); dot.setAttribute("cy", y(p.service_level).toFixed(1)); dot.setAttribute("r", "2.5");
      dot.setAttribute("class", "pt");
      dot.dataset.hour = p.start;
      svg.appendChild(dot);
    });
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("class", "line");
    svg.prepend(path);
    for (const [i, anchor] of [[0, "start"], [points.length - 1, "end"]]) {
      const txt = document.createElementNS(NS, "text");
      txt.setAttribute("x", String(points.length === 1 ? W / 2 : x(i)));
      txt.setAttribute("y", String(H + 11));
      txt.setAttribute("text-anchor", points.length === 1 ? "middle" : anchor);
      txt.textContent = hour(points[i]);
      svg.appendChild(txt);
      if (points.length === 1) break;
    }
    const last = withCalls[withCalls.length - 1];
    const now = el("p", "trend-last num", pct(last.service_level) + " · " + hour(last));
    box.replaceChildren(svg, now);
  }

  // waitingLine: a caller waiting (queue, wait ticking, ringing, priority).
  function waitingLine(c) {
    const li = el("li", c.ringing ? "ringing" : "");
    li.dataset.queue = c.queue;
    const w = el("span", "num since", SB.dur(c.wait_seconds));
    w.dataset.base = String(c.wait_seconds);
    li.append(el("span", "q", c.queue), w);
    if (c.ringing) li.append(el("span", "tag", SB.t("wb.ringing")));
    if (c.priority) li.append(el("span", "tag", SB.t("wb.priority", { n: c.priority })));
    return li;
  }

  // bySeverity: red, then amber, then OK; within a level the most
  // waiting, then the longest wait, then by name (stable on a wall).
  function bySeverity(a, b) {
    return (SEVERITY[a.status] ?? 2) - (SEVERITY[b.status] ?? 2) || b.waiting - a.waiting ||
      b.longest_wait_seconds - a.longest_wait_seconds || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  // agentTile: name, state and time in it (ticking, see below); the state
  // is written out, its colour only repeats it.
  function agentTile(a) {
    const li = el("li", "agent state-" + a.state);
    li.dataset.agent = a.id;
    li.dataset.state = a.state;
    li.append(el("span", "name", a.name));
    const st = el("span", "st", SB.t("state." + a.state) + (a.reason ? " · " + a.reason : ""));
    const tm = el("span", "num since");
    tm.dataset.base = a.state_seconds === null || a.state_seconds === undefined ? "" : String(a.state_seconds);
    tm.textContent = tm.dataset.base === "" ? SB.t("wb.never") : SB.dur(a.state_seconds);
    li.append(st, tm);
    return li;
  }

  function render(b) {
    if (!b || !Array.isArray(b.queues)) return;
    board = b;
    receivedAt = Date.now();
    const qs = $("wb-queues");
    const n = b.queues.length;
    qs.style.setProperty("--cols", String(n <= 4 ? Math.max(n, 1) : n <= 12 ? 4 : Math.ceil(n / 3)));
    qs.replaceChildren(...b.queues.slice().sort(bySeverity).map(queueTile));
    const agents = b.agents || [];
    $("wb-agents").replaceChildren(...agents.map(agentTile));
    $("wb-no-agents").hidden = agents.length > 0;
    trendChart(b.trend || []);
    const waits = b.waiting || [];
    $("wb-waiting").replaceChildren(...waits.map(waitingLine));
    $("wb-no-waiting").hidden = waits.length > 0;
    $("wb-teams").replaceChildren(...(b.teams || []).map(teamTile));
    const alerts = b.alerts || [];
    const lines = alerts.map(alertLine);
    const od = $("wb-tickets");
    if (typeof b.overdue_tickets === "number") {
      od.hidden = false;
      od.className = "wb-tickets" + (b.overdue_tickets > 0 ? " red" : "");
      od.textContent = SB.t("wb.overdue_tickets", { n: b.overdue_tickets });
      if (b.overdue_tickets > 0) lines.unshift(el("li", "red", SB.t("wb.overdue_tickets", { n: b.overdue_tickets })));
    }
    const of = $("wb-followups");
    if (of && typeof b.overdue_followups === "number") {
      of.hidden = false;
      of.className = "wb-tickets" + (b.overdue_followups > 0 ? " red" : "");
      of.textContent = SB.t("wb.overdue_followups", { n: b.overdue_followups });
      if (b.overdue_followups > 0) lines.unshift(el("li", "red", SB.t("wb.overdue_followups", { n: b.overdue_followups })));
    }
    $("wb-alerts").replaceChildren(...lines);
    $("wb-no-alerts").hidden = lines.length > 0;
    $("wb-time").textContent = new Date(b.generated_at).toLocaleTimeString();
    $("wb-time").dateTime = b.generated_at;
    $("wb-error").hidden = true;
  }

  // The longest waits grow between updates.
  setInterval(() => {
    if (!board) return;
    const extra = (Date.now() - receivedAt) / 1000;
    document.querySelectorAll(".longest .num").forEach((e) => {
      if (e.dataset.base !== "") e.firstChild.textContent = SB.dur(Number(e.dataset.base) + extra);
    });
    document.querySelectorAll("#wb-agents .since, #wb-waiting .since").forEach((e) => {
      if (e.dataset.base !== "") e.textContent = SB.dur(Number(e.dataset.base) + extra);
    });
  }, 1000);

  function setLive(on) {
    const s = $("wb-live");
    s.classList.toggle("on", on);
    s.querySelector(".txt").textContent = SB.t(on ? "live.connected" : "live.reconnecting");
    s.dataset.live = on ? "on" : "off";
  }

  // TV mode: fonts scale with the screen, the navigation goes; kept
  // across reloads and settable by URL (?tv=1) for a display's start page.
  function setTV(on) {
    document.documentElement.classList.toggle("tv", on);
    $("wb-tv").setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("sb.wb.tv", on ? "1" : "0"); } catch (e) { /* private mode: not kept */ }
  }
  const tvParam = new URLSearchParams(location.search).get("tv");
  let tvStored = null;
  try { tvStored = localStorage.getItem("sb.wb.tv"); } catch (e) { /* none */ }
  setTV(tvParam !== null ? tvParam === "1" : tvStored === "1");
  $("wb-tv").addEventListener("click", () => setTV($("wb-tv").getAttribute("aria-pressed") !== "true"));

  try {
    render(await SB.api("GET", "/api/v1/wallboard"));
  } catch (e) {
    $("wb-error").textContent = SB.t("wb.load_failed", { m: e.message || e });
    $("wb-error").hidden = false;
  }
  SB.live("/api/v1/live?topics=wallboard", { wallboard: render, onstatus: setLive });
})();
