(async function () {
  "use strict";
  const home = { agent: "/ui/desk", team_lead: "/ui/supervisor", supervisor: "/ui/wallboard", quality: "/ui/reports", admin: "/ui/admin" };
  const me = await SB.init({ page: "home" });
  location.replace(home[me.role] || "/ui/reports");
})();
