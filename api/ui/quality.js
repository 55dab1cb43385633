// Quality inspection page (质检): an inspector's due list; open one to
// listen and score side by side (comments stamped with the player's
// time); the agent's own scores to acknowledge or dispute; a lead's
// disputes to settle. The API writes every step as a record.
(function () {
  "use strict";
  SB.i18n({
    zh: {
      "qa.title": "质检", "qa.due": "待评估", "qa.agent": "坐席", "qa.queue": "队列", "qa.month": "月份", "qa.complaint": "投诉",
      "qa.open": "评估", "qa.pos": "播放位置", "qa.comment": "备注", "qa.addAt": "在 {at} 处添加备注", "qa.save": "保存评分",
      "qa.mine": "我的质检评分", "qa.scoredAt": "评估时间", "qa.score": "得分", "qa.state": "状态", "qa.comments": "备注",
      "qa.disputes": "待处理申诉", "qa.reason": "申诉理由", "qa.none": "暂无。", "qa.yes": "是", "qa.no": "否",
      "qa.critical": "关键项：为 0 则总分为 0", "qa.evaluating": "评估 {id}：坐席 {agent} 的通话", "qa.saved": "已保存 {id}：得分 {score}",
      "qa.ack": "确认", "qa.dispute": "申诉", "qa.acked": "已确认 {id}", "qa.disputed": "已申诉 {id}", "qa.needReason": "请填写申诉理由",
      "qa.uphold": "维持原分", "qa.change": "改分", "qa.newScore": "新得分", "qa.settled": "已处理 {id}：得分 {score}",
      "qa.total": "当前得分 {score}", "qa.commentAt": "{at}：{text}", "qa.error": "出错：{msg}",
      "qa.s.due": "待评估", "qa.s.scored": "待确认", "qa.s.acknowledged": "已确认", "qa.s.disputed": "申诉中", "qa.s.settled": "申诉已处理",
    },
    en: {
      "qa.title": "Quality", "qa.due": "Due for evaluation", "qa.agent": "Agent", "qa.queue": "Queue", "qa.month": "Month", "qa.complaint": "Complaint",
      "qa.open": "Evaluate", "qa.pos": "Position", "qa.comment": "Comment", "qa.addAt": "Add comment at {at}", "qa.save": "Save score",
      "qa.mine": "My quality scores", "qa.scoredAt": "Scored", "qa.score": "Score", "qa.state": "State", "qa.comments": "Comments",
      "qa.disputes": "Disputes to settle", "qa.reason": "Reason", "qa.none": "None.", "qa.yes": "Yes", "qa.no": "No",
      "qa.critical": "Critical: 0 zeroes the score", "qa.evaluating": "Evaluating {id}: {agent}'s call", "qa.saved": "Saved {id}: score {score}",
      "qa.ack": "Acknowledge", "qa.dispute": "Dispute", "qa.acked": "Acknowledged {id}", "qa.disputed": "Disputed {id}", "qa.needReason": "Give a reason to dispute",
      "qa.uphold": "Uphold", "qa.change": "Change score", "qa.newScore": "New score", "qa.settled": "Settled {id}: score {score}",
      "qa.total": "Score so far {score}", "qa.commentAt": "{at}: {text}", "qa.error": "Error: {msg}",
      "qa.s.due": "Due", "qa.s.scored": "To acknowledge", "qa.s.acknowledged": "Acknowledged", "qa.s.disputed": "Disputed", "qa.s.settled": "Settled",
    },
  });
  const $ = (id) => document.getElementById(id);
  let me = null, current = null, form = null, comments = [];

  function status(msg) { $("qa-status").textContent = msg; }
  function fail(e) { status(SB.t("qa.error", { msg: e.message || String(e) })); }
  function button(text, cls, fn) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.addEventListener("click", fn);
    return b;
  }
  function emptyRow(body, cols) {
    const td = body.insertRow().insertCell();
    td.colSpan = cols;
    td.className = "qa-empty";
    td.textContent = SB.t("qa.none");
  }

  async function loadDue() {
    const q = new URLSearchParams({ state: "due" });
    if (me.role === "quality") q.set("inspector", me.username);
    const data = await SB.api("GET", "/api/v1/quality/evaluations?" + q);
    const body = $("qa-due").tBodies[0];
    body.textContent = "";
    if (!data.evaluations.length) emptyRow(body, 6);
    for (const e of data.evaluations) {
      const tr = body.insertRow();
      tr.dataset.id = e.id;
      [e.id, e.agent, e.queue || "", e.month || "", e.complaint ? SB.t("qa.yes") : ""].forEach((v) => { tr.insertCell().textContent = v; });
      tr.insertCell().appendChild(button(SB.t("qa.open"), "qa-open", () => open(e)));
    }
  }

  async function open(e) {
    current = e;
    comments = (e.comments || []).slice();
    form = await SB.api("GET", "/api/v1/quality/forms/" + encodeURIComponent(e.form) + (e.version ? "?version=" + e.version : ""));
    $("qa-work").hidden = false;
    $("qa-work-h").textContent = SB.t("qa.evaluating", { id: e.id, agent: e.agent });
    $("qa-audio").src = "/api/v1/recordings/" + encodeURIComponent(e.recording) + "/audio?part=1";
    drawForm();
    drawComments();
    $("qa-audio").focus();
  }

  function drawForm() {
    const box = $("qa-items");
    box.textContent = "";
    const en = SB.lang === "en";
    for (const s of form.sections) {
      const fs = document.createElement("fieldset");
      const lg = document.createElement("legend");
      lg.textContent = (en ? s.en : s.zh) || s.id;
      fs.appendChild(lg);
      for (const it of s.items) {
        const row = document.createElement("div");
        row.className = "qa-item";
        const lab = document.createElement("label");
        lab.htmlFor = "qa-i-" + it.id;
        lab.textContent = ((en ? it.en : it.zh) || it.id) + " (" + it.weight + ")";
        if (it.critical) {
          const c = document.createElement("span");
          c.className = "qa-critical";
          c.textContent = " " + SB.t("qa.critical");
          lab.appendChild(c);
        }
        const sel = document.createElement("select");
        sel.id = "qa-i-" + it.id;
        sel.name = "answers." + it.id;
        sel.dataset.item = it.id;
        const top = Math.max(it.max || 0, 1);
        const opts = top === 1 ? [[1, SB.t("qa.yes")], [0, SB.t("qa.no")]] : Array.from({ length: top + 1 }, (_, i) => [top - i, String(top - i)]);
        for (const [v, text] of opts) {
          const o = document.createElement("option");
          o.value = v;
          o.textContent = text;
          sel.appendChild(o);
        }
        if (current.answers && current.answers[it.id] !== undefined) sel.value = current.answers[it.id];
        sel.addEventListener("change", total);
        row.append(lab, sel);
        fs.appendChild(row);
      }
      box.appendChild(fs);
    }
    total();
  }

  function answers() {
    const out = {};
    $("qa-items").querySelectorAll("select").forEach((s) => { out[s.dataset.item] = Number(s.value); });
    return out;
  }

  // total mirrors the server's computation for the inspector's eyes; the
  // saved score is the server's.
  function total() {
    const a = answers();
    let sum = 0, critical = false;
    for (const s of form.sections) for (const it of s.items) {
      const top = Math.max(it.max || 0, 1);
      sum += it.weight * a[it.id] / top;
      if (it.critical && a[it.id] === 0) critical = true;
    }
    $("qa-total").textContent = SB.t("qa.total", { score: critical ? 0 : Math.round(sum * 100) / 100 });
  }

  function drawComments() {
    const ul = $("qa-comments");
    ul.textContent = "";
    for (const c of comments) {
      const li = document.createElement("li");
      li.appendChild(button(SB.t("qa.commentAt", { at: SB.dur(c.at_seconds), text: c.text }), "qa-seek", () => { $("qa-audio").currentTime = c.at_seconds; }));
      ul.appendChild(li);
    }
  }

  function tick() {
    const at = $("qa-audio").currentTime || 0;
    $("qa-pos").textContent = SB.dur(at);
    $("qa-comment-add").textContent = SB.t("qa.addAt", { at: SB.dur(at) });
  }

  async function save(ev) {
    ev.preventDefault();
    try {
      const e = await SB.api("POST", "/api/v1/quality/evaluations/" + encodeURIComponent(current.id) + "/score", { answers: answers(), comments });
      // The row goes before the status is announced, so what is said and
      // what is shown agree while the list reloads.
      const row = $("qa-due").querySelector(`tbody tr[data-id="${CSS.escape(e.id)}"]`);
      if (row) row.remove();
      $("qa-work").hidden = true;
      status(SB.t("qa.saved", { id: e.id, score: e.score }));
      await loadDue();
    } catch (e) {
      SB.fieldError($("qa-form"), e);
    }
  }

  async function loadMine() {
    const data = await SB.api("GET", "/api/v1/quality/evaluations?agent=" + encodeURIComponent(me.agent_id));
    const body = $("qa-mine-list").tBodies[0];
    body.textContent = "";
    if (!data.evaluations.length) emptyRow(body, 6);
    for (const e of data.evaluations) {
      const tr = body.insertRow();
      tr.dataset.id = e.id;
      tr.dataset.state = e.state;
      [e.id, e.scored_at ? new Date(e.scored_at).toLocaleString() : "", String(e.score), SB.t("qa.s." + e.state),
        (e.comments || []).map((c) => SB.t("qa.commentAt", { at: SB.dur(c.at_seconds), text: c.text })).join("; ")]
        .forEach((v, i) => { const td = tr.insertCell(); td.textContent = v; if (i === 2) td.className = "num qa-score"; });
      const td = tr.insertCell();
      if (e.state !== "scored") continue;
      td.appendChild(button(SB.t("qa.ack"), "qa-ack", () => step(e, "acknowledge", {}, "qa.acked")));
      const reason = document.createElement("input");
      reason.className = "qa-reason";
      reason.setAttribute("aria-label", SB.t("qa.reason"));
      reason.maxLength = 2000;
      td.appendChild(reason);
      td.appendChild(button(SB.t("qa.dispute"), "qa-dispute", () => {
        if (!reason.value.trim()) { status(SB.t("qa.needReason")); reason.focus(); return; }
        step(e, "dispute", { reason: reason.value }, "qa.disputed");
      }));
    }
  }

  async function step(e, action, body, done) {
    try {
      const out = await SB.api("POST", "/api/v1/quality/evaluations/" + encodeURIComponent(e.id) + "/" + action, body);
      await refresh();
      status(SB.t(done, { id: out.id, score: out.score }));
    } catch (err) {
      fail(err);
    }
  }

  async function loadDisputes() {
    const data = await SB.api("GET", "/api/v1/quality/evaluations?state=disputed");
    const body = $("qa-dispute-list").tBodies[0];
    body.textContent = "";
    if (!data.evaluations.length) emptyRow(body, 5);
    for (const e of data.evaluations) {
      const tr = body.insertRow();
      tr.dataset.id = e.id;
      const last = (e.history || []).filter((h) => h.type === "quality.disputed").pop();
      [e.id, e.agent, String(e.score), last ? last.reason : ""].forEach((v) => { tr.insertCell().textContent = v; });
      const td = tr.insertCell();
      td.appendChild(button(SB.t("qa.uphold"), "qa-uphold", () => step(e, "settle", { outcome: "upheld" }, "qa.settled")));
      const n = document.createElement("input");
      n.type = "number"; n.min = 0; n.max = 100; n.step = "0.01"; n.className = "qa-new-score";
      n.setAttribute("aria-label", SB.t("qa.newScore"));
      td.appendChild(n);
      td.appendChild(button(SB.t("qa.change"), "qa-change", () => step(e, "settle", { outcome: "changed", score: Number(n.value) }, "qa.settled")));
    }
  }

  async function refresh() {
    try {
      const inspects = ["quality", "supervisor", "team_lead"].includes(me.role);
      $("qa-inspect").hidden = !inspects;
      if (inspects) await loadDue();
      $("qa-mine").hidden = !me.agent_id;
      if (me.agent_id) await loadMine();
      const settles = ["team_lead", "supervisor"].includes(me.role);
      $("qa-disputes").hidden = !settles;
      if (settles) await loadDisputes();
    } catch (e) {
      fail(e);
    }
  }

  SB.init({ page: "quality" }).then((m) => {
    me = m;
    $("qa-audio").addEventListener("timeupdate", tick);
    $("qa-audio").addEventListener("seeked", tick);
    tick();
    $("qa-comment-add").addEventListener("click", () => {
      const text = $("qa-comment-text").value.trim();
      if (!text) { $("qa-comment-text").focus(); return; }
      comments.push({ at_seconds: Math.round(($("qa-audio").currentTime || 0) * 10) / 10, text });
      $("qa-comment-text").value = "";
      drawComments();
    });
    $("qa-form").addEventListener("submit", save);
    refresh();
  });
})();
