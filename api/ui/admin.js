// Switchboard admin page: configuration sections with versions, diff and
// rollback; users, teams, API tokens; the audit log. Every text from the
// server goes into the page as textContent (names may hold HTML).
(async function () {
  "use strict";

  SB.i18n({
    zh: {
      "admin.title": "系统管理", "tab.config": "配置", "tab.users": "用户", "tab.teams": "班组", "tab.tokens": "API 令牌", "tab.audit": "审计日志",
      "cfg.active": "当前生效版本：", "cfg.note": "（版本 0 为配置文件；保存即生成新版本并热加载，坐席不会被签出）",
      "cfg.sections": "配置项", "cfg.comment": "修改说明", "cfg.check": "校验", "cfg.save": "保存并生效", "cfg.revert": "撤销修改",
      "cfg.versions": "历史版本", "cfg.valid": "校验通过。", "cfg.saved": "已保存为版本 {v} 并生效。", "cfg.unchanged": "没有修改。",
      "cfg.line": "第 {line} 行：{msg}", "cfg.in": "配置项 {section}", "cfg.goto": "跳到该行", "cfg.unsaved": "当前配置项有未保存的修改，确定放弃吗？",
      "cfg.conflict": "配置已被他人修改，请刷新后重试。", "cfg.keys": "Ctrl+Enter 校验，Ctrl+S 保存；Tab 键移到下一个控件。", "cfg.more_problems": "其他问题：",
      "sec.queues": "队列", "sec.agents": "坐席（队列与技能）", "sec.teams": "班组规则", "sec.not_ready_reasons": "示忙原因",
      "sec.dispositions": "通话小结", "sec.calendars": "工作时间", "sec.extensions": "分机", "sec.flows": "IVR 流程",
      "sec.routes": "号码路由", "sec.priority": "优先级",
      "ver.version": "版本", "ver.time": "时间", "ver.author": "修改人", "ver.comment": "说明", "ver.changed": "修改项",
      "ver.file": "配置文件", "ver.active": "（当前）", "ver.diff": "差异", "ver.rollback": "回滚到此版本",
      "ver.confirm": "确定回滚到版本 {v}？将保存为新版本并立即生效。", "ver.rolled": "已回滚：新版本 {v} 已生效。",
      "diff.title": "版本 {v} 与版本 {a} 的差异", "diff.against": "对比版本", "diff.show": "对比", "diff.none": "没有差异。",
      "common.actions": "操作", "common.more": "更早的", "common.close": "关闭", "common.create": "创建", "common.cancel": "取消",
      "common.save": "保存", "common.edit": "编辑", "common.delete": "删除", "common.yes": "是", "common.no": "否",
      "user.username": "用户名", "user.name": "姓名", "user.role": "角色", "user.team": "班组", "user.agent_id": "坐席工号",
      "user.lang": "语言", "user.status": "状态", "user.password": "密码", "user.reset": "重置密码（留空不改）",
      "user.disabled": "停用", "user.enabled": "启用中", "user.create": "新建用户", "user.edit": "编辑用户 {name}",
      "user.created": "已创建用户 {name}。", "user.updated": "已更新用户 {name}。", "user.none_team": "（无）",
      "team.name": "班组代码", "team.title": "名称", "team.agents": "坐席", "team.leads": "值班长",
      "team.source": "班组来自路由配置：在“配置”中编辑“班组规则”，坐席所属班组在“坐席”中设置。用户账号只能选择已配置的班组。",
      "team.edit": "编辑班组规则", "team.edit_agents": "编辑坐席所属班组",
      "team.empty": "该班组在路由配置中没有坐席，其值班长看不到任何人", "team.no_lead": "（无）",
      "user.lead_no_team": "值班长没有班组，看不到任何人", "user.lead_empty": "班组 {team} 在路由配置中没有坐席，该值班长看不到任何人",
      "token.name": "名称", "token.created_by": "创建人", "token.created_at": "创建时间", "token.last_used": "最近使用",
      "token.create": "新建令牌", "token.once": "请立即复制此令牌，它只显示这一次：", "token.copy": "复制", "token.copied": "已复制。",
      "token.revoke": "吊销", "token.revoked": "已吊销", "token.active": "有效", "token.expired": "已过期",
      "token.expires_at": "到期时间", "token.valid_days": "有效天数（1–366）", "token.confirm": "确定吊销令牌 {name}？",
      "audit.actor": "操作人", "audit.action": "操作（前缀以 . 结尾，如 config.）", "audit.since": "起始日期", "audit.until": "结束日期（含）",
      "audit.search": "查询", "audit.addr": "来源地址", "audit.action_col": "操作", "audit.target": "对象", "audit.result": "结果",
      "audit.detail": "详情", "audit.ok": "成功", "audit.refused": "拒绝/失败", "audit.show": "查看", "audit.empty": "没有记录。",
    },
    en: {
      "admin.title": "Administration", "tab.config": "Configuration", "tab.users": "Users", "tab.teams": "Teams", "tab.tokens": "API tokens", "tab.audit": "Audit log",
      "cfg.active": "Active version: ", "cfg.note": "(version 0 is the config file; saving makes a new version and hot-reloads it, nobody is signed out)",
      "cfg.sections": "Sections", "cfg.comment": "Comment", "cfg.check": "Validate", "cfg.save": "Save and apply", "cfg.revert": "Discard changes",
      "cfg.versions": "Versions", "cfg.valid": "Valid.", "cfg.saved": "Saved as version {v} and applied.", "cfg.unchanged": "Nothing changed.",
      "cfg.line": "Line {line}: {msg}", "cfg.in": "section {section}", "cfg.goto": "Go to line", "cfg.unsaved": "This section has unsaved changes. Discard them?",
      "cfg.conflict": "Someone else changed the configuration; reload and try again.", "cfg.keys": "Ctrl+Enter validates, Ctrl+S saves; Tab moves to the next control.", "cfg.more_problems": "Other problems:",
      "sec.queues": "Queues", "sec.agents": "Agents (queues and skills)", "sec.teams": "Team rules", "sec.not_ready_reasons": "Not-ready reasons",
      "sec.dispositions": "Dispositions", "sec.calendars": "Business hours", "sec.extensions": "Extensions", "sec.flows": "IVR flows",
      "sec.routes": "Number routes", "sec.priority": "Priority",
      "ver.version": "Version", "ver.time": "Time", "ver.author": "Author", "ver.comment": "Comment", "ver.changed": "Changed",
      "ver.file": "config file", "ver.active": " (active)", "ver.diff": "Diff", "ver.rollback": "Roll back to this",
      "ver.confirm": "Roll back to version {v}? It is saved as a new version and applied at once.", "ver.rolled": "Rolled back: version {v} is active.",
      "diff.title": "Version {v} against version {a}", "diff.against": "Compare with", "diff.show": "Compare", "diff.none": "No differences.",
      "common.actions": "Actions", "common.more": "Older", "common.close": "Close", "common.create": "Create", "common.cancel": "Cancel",
      "common.save": "Save", "common.edit": "Edit", "common.delete": "Delete", "common.yes": "yes", "common.no": "no",
      "user.username": "Username", "user.name": "Name", "user.role": "Role", "user.team": "Team", "user.agent_id": "Agent ID",
      "user.lang": "Language", "user.status": "Status", "user.password": "Password", "user.reset": "Reset password (empty: keep)",
      "user.disabled": "Disabled", "user.enabled": "Enabled", "user.create": "New user", "user.edit": "Edit user {name}",
      "user.created": "User {name} created.", "user.updated": "User {name} updated.", "user.none_team": "(none)",
      "team.name": "Team code", "team.title": "Title", "team.agents": "Agents", "team.leads": "Team leads",
      "team.source": "Teams come from the routing config: edit them under Configuration → Team rules, and each agent's team under Agents. A user account picks one of the configured teams.",
      "team.edit": "Edit team rules", "team.edit_agents": "Edit the agents' teams",
      "team.empty": "No agent of the routing config is in this team: its lead sees nobody", "team.no_lead": "(none)",
      "user.lead_no_team": "A team lead without a team sees nobody", "user.lead_empty": "Team {team} has no agents in the routing config: this lead sees nobody",
      "token.name": "Name", "token.created_by": "Created by", "token.created_at": "Created", "token.last_used": "Last used",
      "token.create": "New token", "token.once": "Copy this token now; it is shown only once:", "token.copy": "Copy", "token.copied": "Copied.",
      "token.revoke": "Revoke", "token.revoked": "Revoked", "token.active": "Active", "token.expired": "Expired",
      "token.expires_at": "Expires", "token.valid_days": "Valid for days (1–366)", "token.confirm": "Revoke token {name}?",
      "audit.actor": "Actor", "audit.action": "Action (a prefix ends in '.', e.g. config.)", "audit.since": "From date", "audit.until": "To date (inclusive)",
      "audit.search": "Search", "audit.addr": "Address", "audit.action_col": "Action", "audit.target": "Target", "audit.result": "Result",
      "audit.detail": "Detail", "audit.ok": "OK", "audit.refused": "Refused/failed", "audit.show": "Show", "audit.empty": "No entries.",
    },
  });

  const me = await SB.init({ page: "admin" });
  const $ = (id) => document.getElementById(id);
  const ROLES = ["agent", "team_lead", "supervisor", "quality", "admin"];

  // el builds an element; string children become text nodes, never HTML.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    return e;
  }
  const time = (s) => (s ? new Date(s).toLocaleString(SB.lang === "zh" ? "zh-CN" : "en-GB") : "");
  const fail = (err) => SB.toast((err && err.message) || SB.t("common.error"));

  // ---- Tabs (arrow keys move between them, as the ARIA pattern says).
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const loaders = { "tab-config": loadConfig, "tab-users": loadUsers, "tab-teams": loadTeams, "tab-tokens": loadTokens, "tab-audit": () => loadAudit(true) };
  const loaded = {};
  function selectTab(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", "#" + tab.id.slice(4));
    if (!loaded[tab.id]) { loaded[tab.id] = true; loaders[tab.id]().catch(fail); }
  }
  tabs.forEach((t, i) => {
    t.addEventListener("click", () => selectTab(t));
    t.addEventListener("keydown", (ev) => {
      const k = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
      if (k === undefined) return;
      ev.preventDefault();
      selectTab(tabs[(k + tabs.length) % tabs.length], true);
    });
  });

  // ---- Configuration.
  const cfg = { version: 0, sections: [], current: "", saved: {}, problem: null, verBefore: 0 };
  const text = $("cfg-text"), gutter = $("cfg-gutter"), result = $("cfg-result");

  async function loadConfig() {
    const c = await SB.api("GET", "/api/v1/config");
    cfg.version = c.version;
    cfg.sections = c.sections.map((s) => s.name);
    cfg.saved = Object.fromEntries(c.sections.map((s) => [s.name, s.yaml]));
    $("cfg-active").textContent = String(c.version) + (c.version === 0 ? " · " + SB.t("ver.file") : "");
    const list = $("cfg-sections");
    list.textContent = "";
    for (const name of cfg.sections) {
      list.append(el("li", {}, el("button", { type: "button", "data-section": name, onclick: () => openSection(name) },
        SB.t("sec." + name) === "sec." + name ? name : SB.t("sec." + name))));
    }
    openSection(cfg.sections.includes(cfg.current) ? cfg.current : cfg.sections[0], true);
    await loadVersions(true);
  }

  function dirty() { return cfg.current && text.value !== cfg.saved[cfg.current]; }

  function openSection(name, force) {
    if (!force && name !== cfg.current && dirty() && !confirm(SB.t("cfg.unsaved"))) return;
    cfg.current = name;
    for (const b of document.querySelectorAll("#cfg-sections button")) b.setAttribute("aria-current", String(b.dataset.section === name));
    $("cfg-editing").textContent = (SB.t("sec." + name) === "sec." + name ? name : SB.t("sec." + name)) + " (" + name + ")";
    text.value = cfg.saved[name] || "";
    showProblem(null);
    drawGutter();
  }

  function drawGutter() {
    const n = text.value.split("\n").length;
    gutter.textContent = "";
    for (let i = 1; i <= n; i++) {
      const bad = cfg.problem && cfg.problem.section === cfg.current && cfg.problem.line === i;
      gutter.append(bad ? el("span", { class: "bad", title: cfg.problem.message }, "▶" + i) : String(i), "\n");
    }
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener("input", drawGutter);
  // Ctrl+S (⌘S) saves, Ctrl+Enter validates; Tab keeps moving focus.
  text.addEventListener("keydown", (ev) => {
    if (!(ev.ctrlKey || ev.metaKey)) return;
    if (ev.key === "s") { ev.preventDefault(); $("cfg-form").requestSubmit(); }
    if (ev.key === "Enter") { ev.preventDefault(); $("cfg-check").click(); }
  });
  window.addEventListener("beforeunload", (ev) => { if (dirty()) ev.preventDefault(); });
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; });

  // gotoLine puts the caret at the start of line n and scrolls it into view.
  function gotoLine(n) {
    const lines = text.value.split("\n");
    let pos = 0;
    for (let i = 0; i < n - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(pos, pos + (lines[n - 1] || "").length);
    const lh = parseFloat(getComputedStyle(text).lineHeight) || 19;
    text.scrollTop = Math.max(0, (n - 3) * lh);
  }

  // showProblem shows a 422's first problem at its line (and the others
  // below), or clears it.
  function showProblem(err) {
    result.textContent = "";
    text.removeAttribute("aria-invalid");
    cfg.problem = null;
    if (err) {
      const e = err.body || {};
      cfg.problem = { section: e.section || "", line: e.line || 0, message: err.message };
      const p = el("p", { class: "problem", role: "alert" });
      let where = "";
      if (e.section && e.section !== cfg.current) where = SB.t("cfg.in", { section: e.section }) + " · ";
      p.append(where + (e.line ? SB.t("cfg.line", { line: e.line, msg: err.message }) : err.message));
      if (e.line && e.section === cfg.current) {
        text.setAttribute("aria-invalid", "true");
        p.append(el("button", { type: "button", onclick: () => gotoLine(e.line) }, SB.t("cfg.goto")));
      }
      result.append(p);
      const others = (e.problems || []).filter((x) => !(x.section === e.section && x.line === e.line && x.message === err.message));
      if (others.length) {
        const ul = el("ul", { class: "problem" });
        for (const x of others) ul.append(el("li", {}, (x.section ? x.section + (x.line ? ":" + x.line : "") + " · " : "") + x.message));
        result.append(el("p", { class: "problem" }, SB.t("cfg.more_problems")), ul);
      }
      if (e.line && e.section === cfg.current) gotoLine(e.line);
    }
    drawGutter();
  }

  function showOK(msg) {
    showProblem(null);
    result.append(el("p", { class: "ok", role: "status" }, msg));
  }

  // send posts a section edit and returns the JSON, or throws an error with
  // .body = the error object (section, line, problems).
  async function send(method, path, body) {
    const res = await fetch(path, {
      method, credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": (SB.me && SB.me.csrf) || "" },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const err = new SB.ApiError(res.status, data);
      err.body = (data && data.error) || {};
      throw err;
    }
    return data;
  }

  $("cfg-check").addEventListener("click", async () => {
    try {
      await send("POST", "/api/v1/config/sections/" + encodeURIComponent(cfg.current) + "/check", { yaml: text.value });
      showOK(SB.t("cfg.valid"));
    } catch (err) { sectionError(err); }
  });

  $("cfg-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = cfg.current;
    $("cfg-save").disabled = true;
    try {
      const r = await send("PUT", "/api/v1/config/sections/" + encodeURIComponent(name), { yaml: text.value, comment: $("cfg-comment").value });
      cfg.saved[name] = text.value;
      $("cfg-comment").value = "";
      await loadConfig();
      showOK(r.changed && r.changed.length ? SB.t("cfg.saved", { v: r.version }) : SB.t("cfg.unchanged"));
    } catch (err) {
      sectionError(err);
    } finally {
      $("cfg-save").disabled = false;
    }
  });

  $("cfg-revert").addEventListener("click", () => { text.value = cfg.saved[cfg.current] || ""; showProblem(null); });

  function sectionError(err) {
    if (err.status === 422) return showProblem(err);
    if (err.status === 409) err = Object.assign(new Error(SB.t("cfg.conflict")), { body: {} });
    showProblem(Object.assign(err, { body: err.body || {} }));
  }

  // ---- Versions, diff, rollback.
  async function loadVersions(reset) {
    if (reset) { cfg.verBefore = 0; $("ver-rows").textContent = ""; }
    const q = cfg.verBefore ? "?limit=20&before=" + cfg.verBefore : "?limit=20";
    const r = await SB.api("GET", "/api/v1/config/versions" + q);
    const rows = $("ver-rows");
    for (const v of r.versions) {
      const active = v.version === r.active;
      const actions = el("td", { class: "actions" });
      // The file's row compares it with the active version.
      actions.append(el("button", { type: "button", onclick: () => showDiff(v.version, v.version === 0 ? r.active : v.parent) }, SB.t("ver.diff")), " ");
      if (!active) actions.append(el("button", { type: "button", class: "danger", onclick: () => rollback(v.version) }, SB.t("ver.rollback")));
      rows.append(el("tr", {},
        el("td", {}, el("strong", {}, String(v.version)), active ? SB.t("ver.active") : ""),
        el("td", {}, v.version === 0 ? "" : time(v.time)),
        el("td", {}, v.author || ""),
        el("td", {}, v.version === 0 ? SB.t("ver.file") : v.comment),
        el("td", {}, (v.changed || []).join(", ")),
        actions));
    }
    const last = r.versions[r.versions.length - 1];
    const more = last && last.version > 0 && r.versions.length === 20;
    $("ver-more").hidden = !more;
    if (more) cfg.verBefore = last.version;
  }
  $("ver-more").addEventListener("click", () => loadVersions(false).catch(fail));

  async function showDiff(v, against) {
    $("diff-box").hidden = false;
    $("diff-against").value = String(against);
    $("diff-box").dataset.version = String(v);
    await drawDiff(v, against);
    $("diff-title").focus();
  }

  async function drawDiff(v, against) {
    const d = await SB.api("GET", "/api/v1/config/versions/" + v + "/diff?against=" + encodeURIComponent(against));
    $("diff-title").textContent = SB.t("diff.title", { v: d.version, a: d.against });
    const pre = $("diff-text");
    pre.textContent = "";
    if (!d.diff) { pre.textContent = SB.t("diff.none"); return; }
    // Each line keeps its +/- sign: the colour only repeats it.
    for (const line of d.diff.replace(/\n$/, "").split("\n")) {
      let cls = "";
      if (line.startsWith("+++") || line.startsWith("---")) cls = "file";
      else if (line.startsWith("@@")) cls = "hunk";
      else if (line.startsWith("+")) cls = "add";
      else if (line.startsWith("-")) cls = "del";
      pre.append(el("span", { class: cls || null }, line), "\n");
    }
  }
  $("diff-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    drawDiff($("diff-box").dataset.version, $("diff-against").value || "0").catch(fail);
  });
  $("diff-close").addEventListener("click", () => { $("diff-box").hidden = true; });

  async function rollback(v) {
    if (!confirm(SB.t("ver.confirm", { v }))) return;
    try {
      const r = await send("POST", "/api/v1/config/versions/" + v + "/rollback", {});
      await loadConfig();
      showOK(SB.t("ver.rolled", { v: r.version }));
      SB.toast(SB.t("ver.rolled", { v: r.version }));
    } catch (err) { sectionError(err); }
  }

  // ---- Users.
  let teams = [];
  let editing = null; // the user being edited, or null to create

  function fillSelect(sel, values, label, withNone) {
    sel.textContent = "";
    if (withNone) sel.append(el("option", { value: "" }, SB.t("user.none_team")));
    for (const v of values) sel.append(el("option", { value: v }, label ? label(v) : v));
  }

  async function loadTeamsList() {
    teams = (await SB.api("GET", "/api/v1/teams")).teams;
    fillSelect($("u-team"), teams.map((t) => t.name), (n) => { const t = teams.find((x) => x.name === n); return t.title ? t.title + " (" + n + ")" : n; }, true);
  }

  // leadWarning is why team lead u sees nobody, or "".
  function leadWarning(u) {
    if (u.role !== "team_lead" || u.disabled) return "";
    if (!u.team) return SB.t("user.lead_no_team");
    const t = teams.find((x) => x.name === u.team);
    return !t || !(t.agents || []).length ? SB.t("user.lead_empty", { team: u.team }) : "";
  }

  async function loadUsers() {
    fillSelect($("u-role"), ROLES, (r) => SB.t("role." + r));
    await loadTeamsList();
    const us = (await SB.api("GET", "/api/v1/users")).users;
    const rows = $("user-rows");
    rows.textContent = "";
    for (const u of us) {
      const warn = leadWarning(u);
      rows.append(el("tr", {},
        el("td", {}, u.username), el("td", {}, u.name), el("td", {}, SB.t("role." + u.role)),
        el("td", {}, u.team || "", warn ? el("span", { class: "badge warn", role: "note", title: warn }, " ⚠ " + warn) : ""),
        el("td", {}, u.agent_id || ""), el("td", {}, u.lang === "en" ? "English" : "中文"),
        el("td", {}, el("span", { class: "badge " + (u.disabled ? "no" : "yes") }, u.disabled ? SB.t("user.disabled") : SB.t("user.enabled"))),
        el("td", { class: "actions" }, el("button", { type: "button", onclick: () => editUser(u) }, SB.t("common.edit")))));
    }
  }

  function editUser(u) {
    editing = u;
    const f = $("user-form");
    f.reset();
    f.querySelectorAll(".sb-field-error").forEach((e) => e.remove());
    $("u-username").value = u ? u.username : "";
    $("u-username").disabled = !!u;
    $("u-name").value = u ? u.name : "";
    $("u-role").value = u ? u.role : "agent";
    $("u-team").value = u ? u.team || "" : "";
    $("u-agent").value = u ? u.agent_id || "" : "";
    $("u-lang").value = u ? u.lang || "zh" : "zh";
    $("u-disabled").checked = !!(u && u.disabled);
    $("u-password").required = !u;
    $("u-password-label").textContent = u ? SB.t("user.reset") : SB.t("user.password");
    $("user-form-title").textContent = u ? SB.t("user.edit", { name: u.username }) : SB.t("user.create");
    $("u-submit").textContent = u ? SB.t("common.save") : SB.t("common.create");
    $("u-cancel").hidden = !u;
    if (u) $("user-form-title").focus();
  }
  $("u-cancel").addEventListener("click", () => editUser(null));

  $("user-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const body = {
      name: $("u-name").value, role: $("u-role").value, team: $("u-team").value,
      agent_id: $("u-agent").value, lang: $("u-lang").value,
    };
    try {
      if (editing) {
        body.disabled = $("u-disabled").checked;
        if ($("u-password").value) body.password = $("u-password").value;
        const u = await SB.api("PATCH", "/api/v1/users/" + editing.id, body);
        SB.toast(SB.t("user.updated", { name: u.username }));
      } else {
        body.username = $("u-username").value;
        body.password = $("u-password").value;
        const u = await SB.api("POST", "/api/v1/users", body);
        if ($("u-disabled").checked) await SB.api("PATCH", "/api/v1/users/" + u.id, { disabled: true });
        SB.toast(SB.t("user.created", { name: u.username }));
      }
      editUser(null);
      await loadUsers();
    } catch (err) { SB.fieldError(f, err); }
  });

  // ---- Teams: the routing config's, read only here (one team model).
  async function loadTeams() {
    await loadTeamsList();
    const us = (await SB.api("GET", "/api/v1/users")).users;
    const rows = $("team-rows");
    rows.textContent = "";
    for (const t of teams) {
      const leads = us.filter((u) => u.role === "team_lead" && u.team === t.name && !u.disabled).map((u) => u.username);
      const agents = t.agents || [];
      rows.append(el("tr", { "data-team": t.name }, el("td", {}, t.name), el("td", {}, t.title),
        el("td", {}, agents.length ? agents.join(", ") : el("span", { class: "badge warn", role: "note" }, "⚠ " + SB.t("team.empty"))),
        el("td", {}, leads.length ? leads.join(", ") : SB.t("team.no_lead"))));
    }
  }
  function toSection(name) {
    $("tab-config").click();
    openSection(name);
  }
  $("team-edit").addEventListener("click", () => toSection("teams"));
  $("team-agents").addEventListener("click", () => toSection("agents"));

  // ---- API tokens.
  async function loadTokens() {
    fillSelect($("k-role"), ROLES, (r) => SB.t("role." + r));
    const ts = (await SB.api("GET", "/api/v1/tokens")).tokens;
    const rows = $("token-rows");
    rows.textContent = "";
    for (const k of ts) {
      const expired = !k.revoked_at && new Date(k.expires_at) <= new Date();
      const status = k.revoked_at ? SB.t("token.revoked") + " " + time(k.revoked_at) : expired ? SB.t("token.expired") : SB.t("token.active");
      rows.append(el("tr", {}, el("td", {}, k.name), el("td", {}, SB.t("role." + k.role)), el("td", {}, k.created_by),
        el("td", {}, time(k.created_at)), el("td", {}, time(k.last_used)), el("td", {}, time(k.expires_at)),
        el("td", {}, el("span", { class: "badge " + (k.revoked_at || expired ? "no" : "yes") }, status)),
        el("td", { class: "actions" }, k.revoked_at ? "" :
          el("button", { type: "button", class: "danger", onclick: () => revokeToken(k) }, SB.t("token.revoke")))));
    }
  }

  // shownToken is the id of the token whose secret is on screen: revoked,
  // its secret goes (nobody should copy a dead token).
  let shownToken = null;

  async function revokeToken(k) {
    if (!confirm(SB.t("token.confirm", { name: k.name }))) return;
    try {
      await SB.api("DELETE", "/api/v1/tokens/" + k.id);
      if (k.id === shownToken) { $("token-secret").hidden = true; $("token-secret-text").textContent = ""; shownToken = null; }
      await loadTokens();
    } catch (err) { fail(err); }
  }

  $("token-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const k = await SB.api("POST", "/api/v1/tokens", { name: $("k-name").value, role: $("k-role").value, valid_days: Number($("k-days").value) });
      $("token-secret-text").textContent = k.token;
      shownToken = k.id;
      $("token-secret").hidden = false;
      ev.target.reset();
      await loadTokens();
      $("token-copy").focus();
    } catch (err) { SB.fieldError(ev.target, err); }
  });
  $("token-copy").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText($("token-secret-text").textContent); SB.toast(SB.t("token.copied")); } catch (e) {
      const r = document.createRange(); r.selectNodeContents($("token-secret-text"));
      const s = getSelection(); s.removeAllRanges(); s.addRange(r);
    }
  });

  // ---- Audit log.
  let auditBefore = 0;
  function auditQuery() {
    const p = new URLSearchParams({ limit: "50" });
    if ($("a-actor").value.trim()) p.set("actor", $("a-actor").value.trim());
    if ($("a-action").value.trim()) p.set("action", $("a-action").value.trim());
    if ($("a-since").value) p.set("since", $("a-since").value);
    if ($("a-until").value) {
      // Inclusive: entries before the next day's midnight.
      const d = new Date($("a-until").value + "T00:00:00Z");
      d.setUTCDate(d.getUTCDate() + 1);
      p.set("until", d.toISOString().slice(0, 10));
    }
    if (auditBefore) p.set("before", String(auditBefore));
    return p.toString();
  }

  // detailView shows an entry's detail one key at a time: a text value as
  // it is (a config section before and after a save is YAML over many
  // lines, unreadable as one JSON string full of \n), others as JSON.
  function detailView(d) {
    if (typeof d !== "object" || Array.isArray(d)) return el("pre", {}, JSON.stringify(d, null, 2));
    const dl = el("dl", { class: "detail" });
    for (const [k, v] of Object.entries(d)) {
      dl.append(el("dt", {}, k), el("dd", {}, el("pre", {}, typeof v === "string" ? v : JSON.stringify(v, null, 2))));
    }
    return dl;
  }

  // auditSeq drops an answer a newer search overtook (the tab's first load
  // still on its way when the admin searches), so rows never mix filters;
  // "older" is hidden until a search's answer is in.
  let auditSeq = 0;
  async function loadAudit(reset) {
    const seq = reset ? ++auditSeq : auditSeq;
    const rows = $("audit-rows");
    // aria-busy until this search's own answer is shown (screen readers,
    // and the browser test, wait for it).
    if (reset) { auditBefore = 0; $("audit-more").hidden = true; rows.setAttribute("aria-busy", "true"); }
    let r;
    try {
      r = await SB.api("GET", "/api/v1/audit?" + auditQuery());
    } finally {
      if (seq === auditSeq) rows.removeAttribute("aria-busy");
    }
    if (seq !== auditSeq) return;
    if (reset) rows.textContent = "";
    if (reset && r.entries.length === 0) rows.append(el("tr", {}, el("td", { colspan: "8", class: "muted" }, SB.t("audit.empty"))));
    for (const e of r.entries) {
      let detail = "";
      if (e.detail && JSON.stringify(e.detail) !== "{}") {
        detail = el("details", {}, el("summary", {}, SB.t("audit.show")), detailView(e.detail));
      }
      rows.append(el("tr", {}, el("td", {}, time(e.time)), el("td", {}, e.actor), el("td", {}, e.role ? SB.t("role." + e.role) : ""),
        el("td", {}, e.addr), el("td", {}, e.action), el("td", {}, e.target),
        el("td", {}, el("span", { class: "badge " + (e.ok ? "yes" : "no") }, e.ok ? SB.t("audit.ok") : SB.t("audit.refused"))),
        el("td", {}, detail)));
    }
    auditBefore = r.next_before;
    $("audit-more").hidden = r.entries.length < 50;
  }
  $("audit-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadAudit(true).catch((err) => SB.fieldError(ev.target, err)); });
  $("audit-more").addEventListener("click", () => loadAudit(false).catch(fail));

  // Open the tab the address names (#users …), else configuration.
  const first = tabs.find((t) => "#" + t.id.slice(4) === location.hash) || tabs[0];
  selectTab(first);
  void me;
})();
