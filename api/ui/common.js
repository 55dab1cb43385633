// Switchboard UI shell: session check, nav, API calls with CSRF, i18n,
// live feed, small helpers. Plain ES2020, no dependencies (see PLAN in
// docs/ui.md). Every page loads this first.
(function () {
  "use strict";
  const dict = { zh: {}, en: {} };
  let me = null;
  let csrf = "";

  function lang() {
    return (me && me.lang) || localStorage.getItem("sb.lang") || "zh";
  }

  function i18n(d) {
    for (const l of Object.keys(d)) Object.assign(dict[l] = dict[l] || {}, d[l]);
  }

  function t(key, vars) {
    let s = (dict[lang()] || {})[key];
    if (s === undefined) s = dict.zh[key];
    if (s === undefined) s = key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  function applyI18n(root) {
    root = root || document;
    root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    for (const attr of ["title", "placeholder", "aria-label"]) {
      const key = "i18n" + attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase());
      root.querySelectorAll("[data-i18n-" + attr + "]").forEach((el) => { el.setAttribute(attr, t(el.dataset[key])); });
    }
    document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  }

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || ("HTTP " + status));
      this.status = status;
      this.code = e.code || "";
      this.field = e.field || "";
    }
  }

  async function api(method, path, body) {
    const opts = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET" && method !== "HEAD") opts.headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    if (res.status === 204) return null;
    let data = null;
    const ct = res.headers.get("Content-Type") || "";
    if (ct.includes("json")) data = await res.json().catch(() => null);
    if (!res.ok) {
      if (res.status === 401 && !path.startsWith("/api/v1/auth/login")) toLogin();
      throw new ApiError(res.status, data);
    }
    return data;
  }

  function toLogin() {
    const next = location.pathname + location.search;
    if (location.pathname !== "/ui/login") location.href = "/ui/login?next=" + encodeURIComponent(next);
  }

  // Pages each role may open, in nav order.
  const pages = [
    { page: "desk", roles: ["agent", "team_lead"] },
    { page: "wallboard", roles: ["team_lead", "supervisor"] },
    { page: "supervisor", roles: ["team_lead", "supervisor"] },
    { page: "callbacks", roles: ["team_lead", "supervisor", "quality"] },
    { page: "tickets", roles: ["agent", "team_lead", "supervisor", "quality"] },
    { page: "schedule", roles: ["agent", "team_lead", "supervisor"] },
    { page: "handover", roles: ["team_lead", "supervisor"] },
    { page: "followups", roles: ["agent", "team_lead", "supervisor", "quality"] },
    { page: "reports", roles: ["team_lead", "supervisor", "quality", "admin"] },
    { page: "recordings", roles: ["team_lead", "supervisor", "quality"] },
    { page: "quality", roles: ["agent", "team_lead", "supervisor", "quality"] },
    { page: "devices", roles: ["team_lead", "supervisor", "admin"] },
    { page: "admin", roles: ["admin"] },
  ];

  i18n({
    zh: {
      "nav.desk": "坐席工作台", "nav.wallboard": "监控大屏", "nav.supervisor": "班长/主管", "nav.callbacks": "回电",
      "nav.tickets": "工单", "nav.followups": "回访", "nav.schedule": "排班", "nav.handover": "交接日志", "nav.devices": "设备档案", "nav.reports": "报表", "nav.recordings": "录音", "nav.quality": "质检", "nav.admin": "系统管理", "nav.signout": "退出登录", "nav.lang": "English",
      "role.agent": "坐席", "role.team_lead": "值班长", "role.supervisor": "主管", "role.quality": "质检员", "role.admin": "管理员",
      "state.signed_out": "已签出", "state.ready": "就绪", "state.not_ready": "未就绪", "state.reserved": "预占",
      "state.ringing": "振铃", "state.on_call": "通话中", "state.wrap_up": "话后整理",
      "live.connected": "实时", "live.reconnecting": "重新连接中…", "common.error": "出错了",
      "common.forbidden": "您没有此页面的权限。",
    },
    en: {
      "nav.desk": "Agent desk", "nav.wallboard": "Wallboard", "nav.supervisor": "Supervisor", "nav.callbacks": "Callbacks",
      "nav.tickets": "Tickets", "nav.followups": "Follow-ups", "nav.schedule": "Schedule", "nav.handover": "Handover log", "nav.devices": "Devices", "nav.reports": "Reports", "nav.recordings": "Recordings", "nav.quality": "Quality", "nav.admin": "Admin", "nav.signout": "Log out", "nav.lang": "中文",
      "role.agent": "Agent", "role.team_lead": "Team lead", "role.supervisor": "Supervisor", "role.quality": "Quality", "role.admin": "Admin",
      "state.signed_out": "Signed out", "state.ready": "Ready", "state.not_ready": "Not ready", "state.reserved": "Reserved",
      "state.ringing": "Ringing", "state.on_call": "On call", "state.wrap_up": "Wrap-up",
      "live.connected": "Live", "live.reconnecting": "Reconnecting…", "common.error": "Something went wrong",
      "common.forbidden": "You do not have access to this page.",
    },
  });

  function drawNav(page) {
    const nav = document.getElementById("sb-nav");
    if (!nav || !me) return;
    nav.textContent = "";
    const brand = document.createElement("span");
    brand.className = "sb-brand";
    brand.textContent = "Switchboard";
    nav.appendChild(brand);
    const ul = document.createElement("ul");
    for (const p of pages) {
      if (!p.roles.includes(me.role)) continue;
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/ui/" + p.page;
      a.textContent = t("nav." + p.page);
      if (p.page === page) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      ul.appendChild(li);
    }
    nav.appendChild(ul);
    const who = document.createElement("span");
    who.className = "sb-who";
    who.textContent = (me.name || me.username) + " · " + t("role." + me.role);
    nav.appendChild(who);
    const langBtn = document.createElement("button");
    langBtn.type = "button";
    langBtn.id = "sb-lang";
    langBtn.textContent = t("nav.lang");
    langBtn.addEventListener("click", async () => {
      const next = lang() === "zh" ? "en" : "zh";
      localStorage.setItem("sb.lang", next);
      if (me.user_id) { try { await api("PUT", "/api/v1/auth/me/lang", { lang: next }); } catch (e) { /* token sessions */ } }
      location.reload();
    });
    nav.appendChild(langBtn);
    const out = document.createElement("button");
    out.type = "button";
    out.id = "sb-signout";
    out.textContent = t("nav.signout");
    out.addEventListener("click", async () => {
      try { await api("POST", "/api/v1/auth/logout"); } finally { location.href = "/ui/login"; }
    });
    nav.appendChild(out);
  }

  // ready resolves with the user once init has drawn the page: a page's
  // second script waits for it instead of calling init again.
  let readyResolve;
  const ready = new Promise((r) => { readyResolve = r; });

  async function init(opts) {
    opts = opts || {};
    try {
      me = await api("GET", "/api/v1/auth/me");
    } catch (e) {
      if (e.status === 401) { toLogin(); return new Promise(() => {}); }
      throw e;
    }
    csrf = me.csrf || "";
    if (me.lang) localStorage.setItem("sb.lang", me.lang);
    drawNav(opts.page);
    applyI18n(document);
    const p = pages.find((x) => x.page === opts.page);
    if (p && !p.roles.includes(me.role)) {
      const main = document.querySelector("main");
      if (main) { main.textContent = t("common.forbidden"); }
      return new Promise(() => {});
    }
    readyResolve(me);
    return me;
  }

  // live opens an EventSource and reconnects after errors (the browser
  // retries by itself; a stream the server closed is reopened here).
  function live(path, handlers) {
    let es = null, closed = false, timer = null;
    const status = handlers.onstatus || (() => {});
    function open() {
      es = new EventSource(path, { withCredentials: true });
      es.onopen = () => status(true);
      es.onerror = () => {
        status(false);
        if (es.readyState === EventSource.CLOSED && !closed) {
          clearTimeout(timer);
          timer = setTimeout(open, 1000);
        }
      };
      for (const name of Object.keys(handlers)) {
        if (name === "onstatus") continue;
        es.addEventListener(name, (ev) => {
          let data = ev.data;
          try { data = JSON.parse(ev.data); } catch (e) { /* plain text */ }
          handlers[name](data, ev);
        });
      }
    }
    open();
    return { close() { closed = true; clearTimeout(timer); if (es) es.close(); } };
  }

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function dur(sec) {
    sec = Math.max(0, Math.floor(sec || 0));
    const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  // fieldError shows an API error next to the input it names, or at the
  // top of the form.
  function fieldError(form, err) {
    form.querySelectorAll(".sb-field-error").forEach((el) => el.remove());
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const msg = document.createElement("p");
    msg.className = "sb-field-error";
    msg.setAttribute("role", "alert");
    msg.textContent = err.message || t("common.error");
    const input = err.field && form.querySelector('[name="' + CSS.escape(err.field) + '"]');
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.insertAdjacentElement("afterend", msg);
      input.focus();
    } else {
      form.prepend(msg);
    }
  }

  function toast(msg) {
    let box = document.getElementById("sb-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "sb-toast";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    const p = document.createElement("p");
    p.textContent = msg;
    box.appendChild(p);
    setTimeout(() => p.remove(), 5000);
  }

  window.SB = { init, ready, api, i18n, t, applyI18n, live, esc, dur, fieldError, toast, ApiError,
    get me() { return me; }, get lang() { return lang(); } };
})();
