// What the console's browser scripts share: Debian's chromium through playwright-core (no
// browser download), sign-in, waiting for a screen to settle, polling a screen until it shows
// something, axe + a screenshot per screen, and a failure report that says what the screen
// showed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const BASE = (process.env.SWAPREP_URL ?? "http://127.0.0.1:8780").replace(/\/$/, "");
export const OUT = new URL("../test-results/", import.meta.url).pathname;
export const TIMEOUT = 30_000;
mkdirSync(OUT, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    headless: true,
  });
}

/** A fresh context (no stored session or language): `locale` picks the console's language on
 * first load (ko-KR: Korean), `width` the viewport. */
export async function newPage(browser, { locale = "en-US", width = 1280 } = {}) {
  const context = await browser.newContext({ locale, timezoneId: "Asia/Seoul", viewport: { width, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  return context.newPage();
}

/** One script's run: its steps, failures (collected, so one run reports every problem) and
 * the screens it checked. */
export class Run {
  constructor(name) {
    this.name = name;
    this.failures = [];
    this.screens = [];
    rmSync(`${OUT}failure-${name}.png`, { force: true }); // an earlier run's, not this one's
  }

  step(text) {
    console.log(`[${this.name}] ${text}`);
  }

  fail(text) {
    console.log(`[${this.name}] FAIL ${text}`);
    this.failures.push(text);
  }

  watch(page) {
    page.on("pageerror", (e) => this.fail(`page error: ${e.message}`));
  }

  /** Screenshot `<name>.png` and an axe run (serious or critical violations fail). */
  async check(page, name, extra = {}) {
    const file = `${name}.png`;
    await page.screenshot({ path: `${OUT}${file}`, fullPage: true });
    await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
    });
    const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    for (const v of violations) console.log(`[axe] ${name}: ${v.impact} ${v.id} — ${v.help} @ ${v.nodes.join(", ")}`);
    if (bad.length) this.fail(`${name}: ${bad.length} serious/critical axe violation(s): ${bad.map((v) => v.id).join(", ")}`);
    this.screens.push({ name, file, url: page.url(), title: await heading(page), axe_violations: violations.length, axe_serious: bad.length, ...extra });
  }

  /** After an exception: what the screen showed, and a screenshot of it. */
  async stopped(page, exc) {
    this.failures.push(`stopped: ${exc.message.split("\n")[0]}`);
    if (!page || page.isClosed()) return;
    console.log(`[${this.name}] the screen when it stopped:\n${await describe(page)}`);
    await page.screenshot({ path: `${OUT}failure-${this.name}.png`, fullPage: true }).catch(() => {});
  }

  writeManifest(file, extra) {
    writeFileSync(`${OUT}${file}`, JSON.stringify({ script: this.name, screens: this.screens, failures: this.failures, ...extra }, null, 2));
  }

  finish() {
    if (this.failures.length) {
      console.error(`[${this.name}] FAILED\n - ${this.failures.join("\n - ")}`);
      process.exit(1);
    }
    console.log(`[${this.name}] passed; screenshots in ${OUT}`);
  }
}

export async function heading(page) {
  return (await page.locator("main h1").first().textContent({ timeout: 1000 }).catch(() => null))?.trim() ?? null;
}

/** The screen in words: URL, heading, problems and statuses shown, the start of the text. */
export async function describe(page) {
  const alerts = await page.getByRole("alert").allInnerTexts().catch(() => []);
  const text = await page.locator("main").innerText({ timeout: 2000 }).catch(() => "");
  return [`  url: ${page.url()}`, `  h1: ${await heading(page)}`,
    ...alerts.map((a) => `  alert: ${a.replace(/\s+/g, " ").slice(0, 400)}`),
    `  main: ${text.replace(/\s+/g, " ").slice(0, 1500)}`].join("\n");
}

export async function signIn(page, username, password) {
  await page.goto(`${BASE}/#/`);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("form button[type=submit]").click();
  await page.locator("header nav a").first().waitFor();
}

/** A screen is ready when its <h1> is shown and nothing is loading any more. */
export async function settled(page) {
  await page.locator("main h1").first().waitFor();
  await page.waitForFunction(() => !document.querySelector("main .loading"));
}

/** The main nav's entries, in order: [{href, route, label}] ("#/" is the dashboard). */
export async function navEntries(page) {
  const links = await page.locator("header nav a").evaluateAll((as) =>
    as.map((a) => ({ href: a.getAttribute("href") ?? "", label: (a.textContent ?? "").trim() })));
  return links.map((l) => ({ ...l, route: l.href.replace(/^#\/?/, "").split(/[/?]/)[0] || "dashboard" }));
}

/** Re-check `probe` (true: done; anything else: what the screen shows instead) until it
 * holds, reloading the screen between checks (most screens load once, as a person's would
 * until they refresh). Throws with the last thing seen. */
export async function until(page, what, probe, { timeoutMs = 150_000, everyMs = 2000, reload = true } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let seen;
    try {
      seen = await probe();
    } catch (exc) {
      seen = `(${exc.message.split("\n")[0]})`;
    }
    if (seen === true) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; the screen showed ${JSON.stringify(seen)}`);
    await page.waitForTimeout(everyMs); // the poll interval: the condition is checked again, not assumed
    if (reload) {
      await page.reload();
      await settled(page);
    }
  }
}
