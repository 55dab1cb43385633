// Wallboard: scheduled vs signed in vs ready now per team, from the
// published schedules (GET /api/v1/workforce/floor); a team with agents
// scheduled and fewer ready than its minimum is flagged
// (就餐时间务必保证不空岗). Hidden when the server keeps no schedules.
(function () {
  "use strict";
  const { api, t, esc } = SB;
  SB.i18n({
    zh: { "wbf.title": "排班在岗", "wbf.line": "排班 {scheduled} · 签入 {signed_in} · 就绪 {ready} / 最少 {minimum}", "wbf.below": "低于最少就绪" },
    en: { "wbf.title": "Scheduled now", "wbf.line": "scheduled {scheduled} · signed in {signed_in} · ready {ready} / min {minimum}", "wbf.below": "below minimum" },
  });
  const box = document.getElementById("wb-floor-box");
  async function poll() {
    try {
      const r = await api("GET", "/api/v1/workforce/floor");
      box.style.display = "flex";
      document.getElementById("wb-floor").innerHTML = r.teams.map((f) => "<li class=\"wb-floor-team\" data-team=\"" + esc(f.team) +
        "\"" + (f.below ? " style=\"color:var(--red);font-weight:600\"" : "") + "><strong>" + esc(f.team) + "</strong> " +
        esc(t("wbf.line", f)) + (f.below ? " · <span class=\"wbf-below\" role=\"alert\">" + esc(t("wbf.below")) + "</span>" : "") + "</li>").join("");
    } catch (e) {
      if (e.status === 501) { box.style.display = "none"; }
    }
  }
  // After the page's own SB.init (same tick order: wallboard.js first).
  setTimeout(poll, 500);
  setInterval(poll, 15000);
})();
