(function () {
  "use strict";
  SB.i18n({
    zh: { "login.title": "登录", "login.username": "用户名", "login.password": "密码", "login.submit": "登录",
      "login.limited": "登录失败次数过多，请稍后再试。", "login.bad": "用户名或密码错误。" },
    en: { "login.title": "Sign in", "login.username": "Username", "login.password": "Password", "login.submit": "Sign in",
      "login.limited": "Too many failed sign-ins; try again later.", "login.bad": "Wrong username or password." },
  });
  const home = { agent: "/ui/desk", team_lead: "/ui/supervisor", supervisor: "/ui/wallboard", quality: "/ui/reports", admin: "/ui/admin" };
  const form = document.getElementById("login");
  const langBtn = document.getElementById("lang");
  langBtn.textContent = SB.lang === "zh" ? "English" : "中文";
  langBtn.addEventListener("click", () => {
    localStorage.setItem("sb.lang", SB.lang === "zh" ? "en" : "zh");
    location.reload();
  });
  SB.applyI18n(document);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { username: form.username.value.trim(), password: form.password.value };
    try {
      const me = await SB.api("POST", "/api/v1/auth/login", body);
      if (me.lang) localStorage.setItem("sb.lang", me.lang);
      const next = new URLSearchParams(location.search).get("next");
      location.href = next && next.startsWith("/ui/") ? next : (home[me.role] || "/ui/");
    } catch (e) {
      if (e.status === 429) e.message = SB.t("login.limited");
      else if (e.status === 401) e.message = SB.t("login.bad");
      SB.fieldError(form, e);
    }
  });
})();
