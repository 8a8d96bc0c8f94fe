// The console in Debian's chromium against a running local stack (playwright-core: no
// browser download). Signs in as the demo admin, walks dashboard -> trades -> trade detail ->
// errors (a repair preview) -> files, saves a screenshot of each screen under test-results/
// and runs axe on each (no serious or critical violations). With SWAPREP_VIEWER_PASSWORD set,
// also checks that the demo viewer sees no mutation controls.
//
//   SWAPREP_URL=http://127.0.0.1:8780 SWAPREP_USER=demo-admin SWAPREP_PASSWORD=... npm run e2e
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const BASE = (process.env.SWAPREP_URL ?? "http://127.0.0.1:8780").replace(/\/$/, "");
const USER = process.env.SWAPREP_USER ?? "demo-admin";
const PASSWORD = process.env.SWAPREP_PASSWORD;
const VIEWER_PASSWORD = process.env.SWAPREP_VIEWER_PASSWORD;
const OUT = new URL("../test-results/", import.meta.url).pathname;
const TIMEOUT = 30_000;
if (!PASSWORD) throw new Error("set SWAPREP_PASSWORD (the demo admin's password; `swaprep up` prints it)");
mkdirSync(OUT, { recursive: true });

const failures = [];
const step = (name) => console.log(`[e2e] ${name}`);

async function check(page, name) {
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result) console.log(`[axe] ${name}: ${v.impact} ${v.id} — ${v.help} @ ${v.nodes.join(", ")}`);
  if (bad.length) failures.push(`${name}: ${bad.length} serious/critical axe violation(s): ${bad.map((v) => v.id).join(", ")}`);
}

async function signIn(page, username, password) {
  await page.goto(`${BASE}/#/`);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("form button[type=submit]").click();
  await page.locator("nav a[href='#/trades']").waitFor({ timeout: TIMEOUT });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  headless: true,
});
try {
  const context = await browser.newContext({ locale: "en-US", timezoneId: "Asia/Seoul", viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));

  step("sign-in screen");
  await page.goto(`${BASE}/#/`);
  await page.locator("#username").waitFor();
  await check(page, "01-sign-in");
  await page.locator("#username").fill(USER);
  await page.locator("#password").fill("not-the-password-1");
  await page.locator("form button[type=submit]").click();
  await page.getByRole("alert").waitFor();
  const refusal = await page.getByRole("alert").innerText();
  if (!/401/.test(refusal) || !/Request id|요청 ID/.test(refusal)) failures.push(`a wrong password should show the 401 with its request id: ${refusal}`);

  step("dashboard");
  await signIn(page, USER, PASSWORD);
  await page.getByTestId("tile-received").waitFor();
  const received = Number((await page.getByTestId("tile-received").locator(".value").innerText()).replace(/\D/g, ""));
  console.log(`[e2e] dashboard: received today ${received}`);
  await page.locator("figure.trend, #trend-title ~ .empty").first().waitFor();
  await check(page, "02-dashboard");

  step("trades");
  await page.locator("nav a[href='#/trades']").click();
  const rows = page.locator("table tbody tr");
  await rows.first().waitFor();
  if ((await rows.count()) < 2) failures.push("trades: expected the demo's trades in the table");
  await check(page, "03-trades");
  await page.locator("#f-state").selectOption(["invalid"]);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/state=invalid/);
  await page.locator("table tbody tr .state-invalid").first().waitFor();
  const states = await page.locator("table tbody tr td:nth-child(3)").allInnerTexts();
  if (!states.length || states.some((s) => s.trim() !== "invalid")) failures.push(`trades filter state=invalid showed ${states.join(",")}`);

  step("trade detail");
  await rows.first().focus();
  await page.keyboard.press("Enter");
  await page.locator("ol.timeline > li").first().waitFor();
  await check(page, "04-trade-detail");

  step("errors");
  await page.locator("nav a[href='#/errors']").click();
  const group = page.locator("ul.groups a").first();
  await group.waitFor();
  await group.click();
  const repair = page.locator("ul.items a.button").first();
  await repair.waitFor();
  await repair.click();
  await page.locator("form.repair").waitFor();
  await page.locator("[data-testid=repair-preview] p").first().waitFor();
  if (!(await page.getByRole("button", { name: "Apply repair" }).count())) failures.push("errors: the admin should see Apply repair");
  await check(page, "05-errors");

  step("files");
  await page.locator("nav a[href='#/files']").click();
  await page.locator("table tbody tr").first().waitFor();
  if (!(await page.locator("#upload-file").count())) failures.push("files: the admin should see the upload control");
  await check(page, "06-files");

  step("Korean");
  await page.getByLabel("Language").selectOption("ko");
  await page.locator("nav a[href='#/trades']", { hasText: "거래" }).waitFor();

  if (VIEWER_PASSWORD) {
    step("viewer: no mutation controls");
    const viewer = await (await browser.newContext({ locale: "en-US" })).newPage();
    await signIn(viewer, "demo-viewer", VIEWER_PASSWORD);
    await viewer.goto(`${BASE}/#/files`);
    await viewer.locator("table tbody tr").first().waitFor();
    if (await viewer.locator("#upload-file").count()) failures.push("viewer sees the upload control");
    await viewer.locator("nav a[href='#/errors']").click();
    await viewer.locator("ul.groups a").first().click();
    await viewer.locator("ul.items a.button").first().click();
    await viewer.locator("[data-testid=repair-preview] p").first().waitFor();
    if (await viewer.getByRole("button", { name: "Apply repair" }).count()) failures.push("viewer sees Apply repair");
    if (await viewer.getByRole("button", { name: /Resubmit/ }).count()) failures.push("viewer sees Resubmit");
    await viewer.screenshot({ path: `${OUT}07-viewer-errors.png`, fullPage: true });
  }
} catch (exc) {
  failures.push(`stopped: ${exc.message}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`[e2e] FAILED\n - ${failures.join("\n - ")}`);
  process.exit(1);
}
console.log(`[e2e] passed; screenshots in ${OUT}`);
