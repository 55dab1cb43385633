// Browser test e: least privilege, CSRF, session expiry, sign-in limits and
// escaping, as a real browser sees them.
import { base, check, login, run, shot, step } from "./lib.mjs";

run(async (ctx) => {
  const page = await ctx.newPage();

  // A wrong password is refused with a message at the form.
  await page.goto(base + "/ui/login");
  await page.fill("#username", "ada");
  await page.fill("#password", "not-the-password");
  await page.click("button[type=submit]");
  await page.locator(".sb-field-error").waitFor();

  // The agent signs in and lands on their desk; the nav shows the name
  // escaped (it holds HTML).
  await login(page, "ada", process.env.SB_AGENT_PW);
  check(page.url().includes("/ui/desk"), "agent lands on the desk, got " + page.url());
  const who = await page.locator("#sb-nav .sb-who").textContent();
  check(who.includes("<b>Ada</b>"), "name shown as text: " + who);
  check((await page.locator("#sb-nav b").count()) === 0, "no <b> element injected from a name");

  // Every supervisor and admin route answers 403 to the agent's session.
  const me = await (await page.request.get(base + "/api/v1/auth/me")).json();
  const h = { "X-CSRF-Token": me.csrf, "Content-Type": "application/json" };
  const refused = [
    ["GET", "/api/v1/events"], ["GET", "/api/v1/users"], ["POST", "/api/v1/tokens"], ["GET", "/api/v1/audit"],
    ["POST", "/api/v1/config/reload"], ["PUT", "/api/v1/calendars/office/mode"], ["POST", "/api/v1/agents/1002/approve"],
    ["GET", "/api/v1/calls/x/events"], ["GET", "/api/v1/calls/x/decisions"], ["PUT", "/api/v1/agents/1002/state"],
    ["GET", "/api/v1/reports"], ["GET", "/api/v1/exports/runs"], ["POST", "/api/v1/users"],
  ];
  for (const [method, path] of refused) {
    const r = await page.request.fetch(base + path, { method, headers: h, data: method === "GET" ? undefined : "{}" });
    check(r.status() === 403, `${method} ${path} as agent: ${r.status()}`);
  }
  // Their own agent is theirs.
  const own = await page.request.get(base + "/api/v1/agents/1001");
  check(own.status() === 200, "own agent: " + own.status());

  // A change without the CSRF token is refused; with it, accepted.
  const noCSRF = await page.request.fetch(base + "/api/v1/auth/me/lang", { method: "PUT", headers: { "Content-Type": "application/json" }, data: '{"lang":"zh"}' });
  check(noCSRF.status() === 403 && (await noCSRF.json()).error.code === "csrf", "missing CSRF: " + noCSRF.status());
  const withCSRF = await page.request.fetch(base + "/api/v1/auth/me/lang", { method: "PUT", headers: h, data: '{"lang":"en"}' });
  check(withCSRF.status() === 204, "with CSRF: " + withCSRF.status());
  await shot(page, "auth-agent-desk");

  // Idle past session_idle: the session is gone, the page sends the agent
  // back to sign in.
  step("idle");
  await page.waitForTimeout(Number(process.env.SB_IDLE_MS) + 500);
  const expired = await page.request.get(base + "/api/v1/auth/me");
  check(expired.status() === 401, "expired session: " + expired.status());
  await page.goto(base + "/ui/desk");
  await page.waitForURL((u) => u.pathname === "/ui/login");

  // Brute force: after the limit, even the right password is refused for
  // a while, and the page says so.
  for (let i = 0; i < 6; i++) {
    await page.fill("#username", "bo");
    await page.fill("#password", "guess-" + i);
    const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login")), page.click("button[type=submit]")]);
    if (resp.status() === 429) break;
  }
  await page.fill("#password", process.env.SB_BO_PW);
  const [last] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login")), page.click("button[type=submit]")]);
  check(last.status() === 429, "right password while limited: " + last.status());
  await page.locator(".sb-field-error").waitFor();
  await shot(page, "auth-rate-limited");
  step("done");
});
