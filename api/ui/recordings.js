// Recordings page (录音): search the index, page through it, play a part
// with seeking (the API serves HTTP ranges); pauses are marked on the
// track and listed, each a button that seeks to it. Every playback is
// audited by the API.
(function () {
  "use strict";
  SB.i18n({
    zh: {
      "rc.title": "录音", "rc.agent": "坐席", "rc.team": "班组", "rc.queue": "队列", "rc.from": "开始日期", "rc.to": "结束日期",
      "rc.direction": "方向", "rc.any": "全部", "rc.inbound": "呼入", "rc.outbound": "呼出", "rc.disposition": "处理结果",
      "rc.search": "查询", "rc.started": "开始时间", "rc.caller": "主叫", "rc.duration": "时长", "rc.pauses": "暂停",
      "rc.prev": "上一页", "rc.next": "下一页", "rc.page": "第 {page} / {pages} 页", "rc.count": "共 {n} 条录音",
      "rc.none": "没有符合条件的录音。", "rc.play": "播放", "rc.playing": "正在播放：{agent} 的通话，{at}",
      "rc.part": "第 {n} 段", "rc.back10": "后退 10 秒", "rc.fwd10": "前进 10 秒",
      "rc.gap": "{at} 处暂停 {len}（{by}），录音中无此段", "rc.gap.open": "{at} 处暂停至通话结束（{by}）",
      "rc.nogaps": "本段无暂停。", "rc.running": "录音中", "rc.failed": "录音失败",
      "rc.held": "法律保全", "rc.pos": "{pos} / {len}",
      "rc.reason": "原因（保全或删除必填）", "rc.delete": "删除录音", "rc.hold": "设置法律保全", "rc.unhold": "解除法律保全",
      "rc.confirmDelete": "确定删除该录音？此操作不可撤销。", "rc.confirmHold": "确定设置法律保全？", "rc.confirmUnhold": "确定解除法律保全？",
      "rc.deleted": "录音已删除。", "rc.heldNow": "已设置法律保全。", "rc.unheldNow": "已解除法律保全。", "rc.cancelled": "已取消，未做更改。",
      "rc.needReason": "请填写原因。", "rc.refused": "未完成：{msg}",
    },
    en: {
      "rc.title": "Recordings", "rc.agent": "Agent", "rc.team": "Team", "rc.queue": "Queue", "rc.from": "From", "rc.to": "To",
      "rc.direction": "Direction", "rc.any": "Any", "rc.inbound": "Inbound", "rc.outbound": "Outbound", "rc.disposition": "Disposition",
      "rc.search": "Search", "rc.started": "Started", "rc.caller": "Caller", "rc.duration": "Duration", "rc.pauses": "Pauses",
      "rc.prev": "Previous", "rc.next": "Next", "rc.page": "Page {page} of {pages}", "rc.count": "Recordings found: {n}",
      "rc.none": "No recordings match.", "rc.play": "Play", "rc.playing": "Playing: {agent}'s call, {at}",
      "rc.part": "Part {n}", "rc.back10": "Back 10 s", "rc.fwd10": "Forward 10 s",
      "rc.gap": "Paused at {at} for {len} ({by}); not in the recording", "rc.gap.open": "Paused at {at} to the end ({by})",
      "rc.nogaps": "No pauses in this part.", "rc.running": "Recording", "rc.failed": "Recording failed",
      "rc.held": "Legal hold", "rc.pos": "{pos} / {len}",
      "rc.reason": "Reason (required to hold or delete)", "rc.delete": "Delete recording", "rc.hold": "Put on legal hold", "rc.unhold": "Release legal hold",
      "rc.confirmDelete": "Delete this recording? This cannot be undone.", "rc.confirmHold": "Put this recording on legal hold?", "rc.confirmUnhold": "Release the legal hold?",
      "rc.deleted": "The recording was deleted.", "rc.heldNow": "The recording is on legal hold.", "rc.unheldNow": "The legal hold was released.", "rc.cancelled": "Cancelled; nothing changed.",
      "rc.needReason": "Give a reason.", "rc.refused": "Not done: {msg}",
    },
  });
  const limit = 20;
  let page = 1, total = 0, current = null, part = 1;
  const $ = (id) => document.getElementById(id);

  function query() {
    const f = new FormData($("rc-form"));
    const q = new URLSearchParams();
    for (const [k, v] of f.entries()) {
      if (!v) continue;
      if (k === "from" || k === "to") {
        const d = new Date(v + "T00:00:00");
        if (k === "to") d.setDate(d.getDate() + 1); // the whole day
        q.set(k, d.toISOString());
      } else q.set(k, v);
    }
    q.set("limit", limit);
    q.set("page", page);
    return q;
  }

  async function load() {
    $("rc-error").textContent = "";
    let data;
    try {
      data = await SB.api("GET", "/api/v1/recordings?" + query());
    } catch (e) {
      SB.fieldError($("rc-form"), e);
      return;
    }
    total = data.total;
    const body = $("rc-list").tBodies[0];
    body.textContent = "";
    $("rc-count").textContent = SB.t("rc.count", { n: total });
    if (!data.recordings.length) {
      const tr = body.insertRow();
      const td = tr.insertCell();
      td.colSpan = 10;
      td.className = "rc-empty";
      td.textContent = SB.t("rc.none");
    }
    for (const r of data.recordings) {
      const tr = body.insertRow();
      tr.dataset.id = r.id;
      const cells = [new Date(r.started_at).toLocaleString(), r.agent, r.team, r.queue, r.caller,
        SB.t("rc." + r.direction), SB.dur(r.duration_seconds), r.disposition, String(r.pauses.length)];
      cells.forEach((v, i) => { const td = tr.insertCell(); td.textContent = v; if (i === 6 || i === 8) td.className = "num"; });
      const td = tr.insertCell();
      const b = document.createElement("button");
      b.type = "button";
      b.className = "rc-play";
      b.textContent = r.ended_at ? SB.t("rc.play") : SB.t("rc.running");
      b.disabled = !r.ended_at;
      b.setAttribute("aria-label", SB.t("rc.play") + " " + r.agent + " " + cells[0]);
      b.addEventListener("click", () => open(r));
      td.appendChild(b);
      if (r.legal_hold) td.append(" " + SB.t("rc.held"));
    }
    const pages = Math.max(1, Math.ceil(total / limit));
    $("rc-page").textContent = SB.t("rc.page", { page, pages });
    $("rc-prev").disabled = page <= 1;
    $("rc-next").disabled = page >= pages;
  }

  function open(r) {
    current = r;
    part = 1;
    document.querySelectorAll("#rc-list tr[aria-selected]").forEach((tr) => tr.removeAttribute("aria-selected"));
    const row = document.querySelector('#rc-list tr[data-id="' + CSS.escape(r.id) + '"]');
    if (row) row.setAttribute("aria-selected", "true");
    $("rc-player").hidden = false;
    $("rc-now").textContent = SB.t("rc.playing", { agent: r.agent, at: new Date(r.started_at).toLocaleString() });
    const parts = $("rc-parts");
    parts.textContent = "";
    if (r.parts.length > 1) {
      for (const p of r.parts) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = SB.t("rc.part", { n: p.part }) + (p.failed ? " · " + SB.t("rc.failed") : "");
        b.disabled = p.failed;
        b.addEventListener("click", () => { part = p.part; showPart(); });
        parts.appendChild(b);
      }
    }
    showPart();
    drawManage();
    $("rc-audio").focus();
  }

  // Legal hold and deletion, for supervisors (the API's roles); each asks
  // to confirm and writes the outcome out.
  function drawManage() {
    const can = SB.me && ["supervisor", "admin"].includes(SB.me.role);
    $("rc-manage").hidden = !can;
    if (!can) return;
    $("rc-hold").textContent = SB.t(current.legal_hold ? "rc.unhold" : "rc.hold");
    $("rc-delete").disabled = !!current.legal_hold;
    $("rc-outcome").textContent = "";
  }

  async function manage(action) {
    const reason = $("rc-reason").value.trim();
    const hold = !current.legal_hold;
    if ((action === "delete" || hold) && !reason) { $("rc-outcome").textContent = SB.t("rc.needReason"); $("rc-reason").focus(); return; }
    const ask = action === "delete" ? "rc.confirmDelete" : hold ? "rc.confirmHold" : "rc.confirmUnhold";
    if (!window.confirm(SB.t(ask))) { $("rc-outcome").textContent = SB.t("rc.cancelled"); return; }
    const id = encodeURIComponent(current.id);
    try {
      if (action === "delete") {
        await SB.api("DELETE", "/api/v1/recordings/" + id + "?reason=" + encodeURIComponent(reason));
        $("rc-audio").removeAttribute("src");
        await load();
        $("rc-outcome").textContent = SB.t("rc.deleted");
        $("rc-hold").disabled = $("rc-delete").disabled = true;
        return;
      }
      current = await SB.api("POST", "/api/v1/recordings/" + id + "/hold", { hold, reason });
      drawManage();
      $("rc-outcome").textContent = SB.t(hold ? "rc.heldNow" : "rc.unheldNow");
      $("rc-reason").value = "";
      load();
    } catch (e) {
      $("rc-outcome").textContent = SB.t("rc.refused", { msg: e.message || String(e) });
    }
  }

  // fileLength is the part's audio length: the talk less its gaps.
  function fileLength(p) { return Math.max(0, (p.seconds || 0) - (p.paused_seconds || 0)); }

  function showPart() {
    const r = current, p = r.parts.find((x) => x.part === part) || r.parts[0];
    const audio = $("rc-audio");
    audio.src = "/api/v1/recordings/" + encodeURIComponent(r.id) + "/audio?part=" + p.part;
    const len = fileLength(p) || 1;
    const track = $("rc-track");
    track.querySelectorAll(".rc-gap").forEach((el) => el.remove());
    const list = $("rc-gaps");
    list.textContent = "";
    const gaps = r.pauses.filter((g) => g.part === p.part);
    if (!gaps.length) { const li = document.createElement("li"); li.textContent = SB.t("rc.nogaps"); list.appendChild(li); }
    for (const g of gaps) {
      const gapLen = g.resume_offset_seconds == null ? null : g.resume_offset_seconds - g.offset_seconds;
      const label = gapLen == null ? SB.t("rc.gap.open", { at: SB.dur(g.file_offset_seconds), by: g.by })
        : SB.t("rc.gap", { at: SB.dur(g.file_offset_seconds), len: SB.dur(gapLen), by: g.by });
      // The file has no audio for a gap: it is a point on the track.
      const mark = document.createElement("button");
      mark.type = "button";
      mark.className = "rc-gap";
      mark.style.left = Math.min(100, (100 * g.file_offset_seconds) / len) + "%";
      mark.title = label;
      mark.setAttribute("aria-label", label);
      mark.addEventListener("click", () => seekTo(g.file_offset_seconds));
      track.appendChild(mark);
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "rc-gap-item";
      b.textContent = label;
      b.addEventListener("click", () => seekTo(g.file_offset_seconds));
      li.appendChild(b);
      list.appendChild(li);
    }
    tick();
  }

  function seekTo(sec) {
    const audio = $("rc-audio");
    audio.currentTime = Math.max(0, sec);
    tick();
  }

  function tick() {
    const audio = $("rc-audio");
    const len = isFinite(audio.duration) ? audio.duration : (current ? fileLength(current.parts.find((x) => x.part === part) || current.parts[0]) : 0);
    $("rc-head").style.left = len ? Math.min(100, (100 * audio.currentTime) / len) + "%" : "0";
    $("rc-pos").textContent = SB.t("rc.pos", { pos: SB.dur(audio.currentTime), len: SB.dur(len) });
  }

  SB.init({ page: "recordings" }).then(() => {
    $("rc-form").addEventListener("submit", (e) => { e.preventDefault(); page = 1; load(); });
    $("rc-prev").addEventListener("click", () => { if (page > 1) { page--; load(); } });
    $("rc-next").addEventListener("click", () => { page++; load(); });
    $("rc-back").addEventListener("click", () => seekTo($("rc-audio").currentTime - 10));
    $("rc-fwd").addEventListener("click", () => seekTo($("rc-audio").currentTime + 10));
    $("rc-track").addEventListener("click", (e) => {
      if (e.target.classList.contains("rc-gap")) return;
      const box = e.currentTarget.getBoundingClientRect(), audio = $("rc-audio");
      if (isFinite(audio.duration)) seekTo(((e.clientX - box.left) / box.width) * audio.duration);
    });
    $("rc-audio").addEventListener("timeupdate", tick);
    $("rc-audio").addEventListener("loadedmetadata", tick);
    $("rc-hold").addEventListener("click", () => manage("hold"));
    $("rc-delete").addEventListener("click", () => manage("delete"));
    const q = new URLSearchParams(location.search);
    for (const k of ["agent", "team", "queue"]) if (q.get(k)) $("rc-" + k).value = q.get(k);
    load();
  });
})();
