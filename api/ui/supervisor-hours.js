// Supervisor page: the business-hours switch (日夜服务切换). Each calendar's
// mode (auto: by its hours; day or night forced) and whether its time steps
// say open now; a supervisor or admin switches it (PUT
// /api/v1/calendars/NAME/mode, a command record in the log, audited), a team
// lead sees it. Kept apart from supervisor.js, which it does not touch.
"use strict";
(function () {
  SB.i18n({
    zh: {
      "hr.title": "日夜服务切换", "hr.calendar": "日历", "hr.mode": "模式", "hr.now": "当前",
      "hr.auto": "自动（按工作时间）", "hr.day": "强制日间", "hr.night": "强制夜间",
      "hr.open": "服务中", "hr.closed": "非服务时间", "hr.none": "没有配置日历。",
      "hr.switched": "{name} 已切换为：{mode}", "hr.readonly": "只有主管或管理员可以切换。",
      "hr.confirm_night": "将 {name} 强制切换为夜间？来电将按非服务时间处理，直到切回。"
    },
    en: {
      "hr.title": "Day / night switch", "hr.calendar": "Calendar", "hr.mode": "Mode", "hr.now": "Now",
      "hr.auto": "auto (by business hours)", "hr.day": "forced day", "hr.night": "forced night",
      "hr.open": "open", "hr.closed": "closed", "hr.none": "No calendars are configured.",
      "hr.switched": "{name} switched to: {mode}", "hr.readonly": "Only a supervisor or an admin can switch.",
      "hr.confirm_night": "Force {name} to night? Calls are treated as out of hours until it is switched back."
    }
  });
  const MODES = ["auto", "day", "night"];
  let box, can = false;

  function build() {
    box = document.createElement("section");
    box.id = "hr";
    box.className = "card";
    box.setAttribute("aria-labelledby", "hr-title");
    box.innerHTML = '<h2 id="hr-title"></h2><p id="hr-status" role="status" aria-live="polite" class="muted"></p>' +
      '<table id="hr-list"><thead><tr><th scope="col" id="hr-h-cal"></th><th scope="col" id="hr-h-now"></th><th scope="col" id="hr-h-mode"></th></tr></thead><tbody></tbody></table>';
    document.querySelector("main").appendChild(box);
    box.querySelector("#hr-title").textContent = SB.t("hr.title");
    box.querySelector("#hr-h-cal").textContent = SB.t("hr.calendar");
    box.querySelector("#hr-h-now").textContent = SB.t("hr.now");
    box.querySelector("#hr-h-mode").textContent = SB.t("hr.mode");
  }

  function say(msg) { box.querySelector("#hr-status").textContent = msg; }

  async function load() {
    const data = await SB.api("GET", "/api/v1/calendars");
    const body = box.querySelector("tbody");
    body.textContent = "";
    if (!data.calendars.length) {
      const td = body.insertRow().insertCell();
      td.colSpan = 3;
      td.textContent = SB.t("hr.none");
      return;
    }
    for (const c of data.calendars) {
      const tr = body.insertRow();
      tr.dataset.calendar = c.name;
      tr.insertCell().textContent = c.name;
      const now = tr.insertCell();
      now.className = "hr-now " + (c.open ? "level-green" : "level-amber");
      now.textContent = SB.t(c.open ? "hr.open" : "hr.closed");
      const td = tr.insertCell();
      // One radio group per calendar: arrow keys move, the choice applies.
      const group = document.createElement("div");
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-label", SB.t("hr.mode") + " " + c.name);
      for (const m of MODES) {
        const id = "hr-" + c.name + "-" + m;
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "hr-" + c.name;
        input.id = id;
        input.value = m;
        input.checked = c.mode === m;
        input.disabled = !can;
        input.addEventListener("change", () => choose(c.name, m, input));
        const label = document.createElement("label");
        label.htmlFor = id;
        label.className = "hr-mode";
        label.append(input, " " + SB.t("hr." + m));
        group.appendChild(label);
      }
      td.appendChild(group);
    }
    if (!can) say(SB.t("hr.readonly"));
  }

  async function choose(name, mode, input) {
    if (mode === "night" && !window.confirm(SB.t("hr.confirm_night", { name }))) {
      await load();
      return;
    }
    try {
      await SB.api("PUT", "/api/v1/calendars/" + encodeURIComponent(name) + "/mode", { mode });
      await load();
      say(SB.t("hr.switched", { name, mode: SB.t("hr." + mode) }));
      const again = document.getElementById("hr-" + name + "-" + mode);
      if (again) again.focus();
    } catch (e) {
      say(e.message || String(e));
      input.checked = false;
      await load();
    }
  }

  async function main() {
    const me = await SB.ready;
    if (!["team_lead", "supervisor", "admin"].includes(me.role)) return;
    can = me.role === "supervisor" || me.role === "admin";
    build();
    await load();
    // Another supervisor's switch, or the hours turning: the mode command
    // is a record on the live feed; the hours themselves are re-read each
    // minute.
    SB.live("/api/v1/live?topics=records", {
      record(r) { if (r && r.type === "command" && r.data && r.data.op === "mode") load(); },
      reset() { load(); },
    });
    setInterval(load, 60000);
  }

  main().catch((e) => console.error(e));
})();
