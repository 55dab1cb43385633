// Shared helpers for the browser tests. A test is a node script the Go e2e
// test runs (testbed/browser_e2e_test.go): it prints "STEP <name> [json]"
// when it reaches a point the Go side waits for, and reads a line from
// stdin when the Go side must act first (place a call, force a state).
import { chromium } from "playwright-core";
import readline from "node:readline";
import path from "node:path";

const rl = readline.createInterface({ input: process.stdin });
const lines = rl[Symbol.asyncIterator]();

export const base = process.env.SB_URL;
const shots = process.env.SB_SHOTS || ".";

export function step(name, data) {
  console.log("STEP " + name + (data === undefined ? "" : " " + JSON.stringify(data)));
}

// waitGo blocks until the Go side writes a line; returns it.
export async function waitGo() {
  const { value, done } = await lines.next();
  if (done) throw new Error("stdin closed before the Go side answered");
  return value;
}

export function check(cond, msg) {
  if (!cond) throw new Error("check failed: " + msg);
}

export async function shot(page, name) {
  const file = path.join(shots, name + ".png");
  await page.screenshot({ path: file, fullPage: false });
  step("shot", { file });
}

export async function login(page, username, password) {
  await page.goto(base + "/ui/login");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/ui/login")), page.click("button[type=submit]")]);
}

// run launches Debian's chromium (never a downloaded browser), runs fn,
// and exits 0 on success, 1 with the error on failure.
export async function run(fn) {
  const browser = await chromium.launch({
    executablePath: process.env.SB_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  let code = 0;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN" });
    ctx.setDefaultTimeout(10000);
    await fn(ctx, browser);
  } catch (e) {
    console.log("FAIL " + (e && e.stack ? e.stack : e));
    code = 1;
  } finally {
    await browser.close().catch(() => {});
    rl.close();
  }
  process.exit(code);
}
