// The console in Debian's chromium against a running local stack with the demo data. In four
// layouts (English and Korean, 1280 and 1920 px wide; the language is the browser's, as a
// Korean user's would be) it signs in as the demo admin and walks every entry of the main nav:
// it clicks the entry, waits for the <h1> and for loading to end, saves
// test-results/NN-<route>-<lang>-<width>.png and runs axe (serious or critical violations
// fail). Some screens get a closer look: trades (a filter, then a trade's detail), errors (a
// repair preview), files (the upload control); with SWAPREP_ROUTED_UTI, that trade's reporting
// obligations (its latest event's routing) in each layout. On the Korean screens, states and actions must
// be Korean words drawn with a Korean font. It writes the screens it walked to
// test-results/screens.json, which tests/e2e/test_console.py checks against the files. With
// SWAPREP_VIEWER_PASSWORD set, it also checks that the demo viewer sees no mutation controls.
//
//   SWAPREP_URL=http://127.0.0.1:8780 SWAPREP_USER=demo-admin SWAPREP_PASSWORD=... npm run e2e
import { rmSync } from "node:fs";
import { BASE, OUT, Run, launch, navEntries, newPage, settled, signIn } from "./lib.mjs";

const USER = process.env.SWAPREP_USER ?? "demo-admin";
const PASSWORD = process.env.SWAPREP_PASSWORD;
const VIEWER_PASSWORD = process.env.SWAPREP_VIEWER_PASSWORD;
// A trade whose latest event carries its routing (tests/e2e/test_console.py stores one)
const ROUTED_UTI = process.env.SWAPREP_ROUTED_UTI;
if (!PASSWORD) throw new Error("set SWAPREP_PASSWORD (the demo admin's password; `swaprep up` prints it)");

// Screens that had screenshots before the walk became generic keep their names; any other
// nav entry is numbered from 08 in nav order.
const KNOWN = { dashboard: "02-dashboard", trades: "03-trades", errors: "05-errors", files: "06-files" };
const MANIFEST = "screens.json";

const run = new Run("e2e");
rmSync(`${OUT}${MANIFEST}`, { force: true }); // a stale manifest must not pass for this run

// What a screen must show before its screenshot, beyond its <h1> and the end of loading.
// Selectors are by structure and test id, not by words, so they hold in both languages.
const prepare = {
  async dashboard(page) {
    await page.getByTestId("tile-received").waitFor();
    const received = Number((await page.getByTestId("tile-received").locator(".value").innerText()).replace(/\D/g, ""));
    run.step(`dashboard: received today ${received}`);
    // The demo's files were uploaded today: the front page must show them at once.
    if (!(received > 0)) run.fail("dashboard: 'received' today is 0 right after the demo's upload");
  },
  async trades(page) {
    const rows = page.locator("main table tbody tr");
    await rows.first().waitFor();
    if ((await rows.count()) < 2) run.fail("trades: expected the demo's trades in the table");
  },
  async errors(page) {
    await openRepairPreview(page);
    if (!(await page.locator("form.repair button[type=submit]").count())) run.fail("errors: the admin should see Apply repair");
  },
  async files(page) {
    await page.locator("main table tbody tr").first().waitFor();
    if (!(await page.locator("#upload-file").count())) run.fail("files: the admin should see the upload control");
  },
  // Delegated reporting: the demo's London branch reports for its UK NFC- client by law, so
  // the client is listed with the reports made for it once the pipeline has run.
  async clients(page) {
    const rows = page.locator("main table tbody tr");
    await rows.first().waitFor();
    const reports = Number((await rows.first().locator("td.num").first().innerText()).replace(/\D/g, ""));
    run.step(`clients: ${await rows.count()} client(s), the first with ${reports} report(s)`);
    if (!(reports > 0)) run.fail("clients: the demo's UK client shows no report made on its behalf");
  },
};

// What to look at after the screen's screenshot: deeper screens reached from it.
const explore = {
  // A client's reports and its daily file (a CSV download).
  async clients(page, layout) {
    run.step("client reports");
    await page.locator("main table tbody tr").first().click();
    await page.locator("form.daily-file").waitFor();
    await page.locator("main table tbody tr").first().waitFor();
    await settled(page);
    await run.check(page, `08b-client-reports${layout.suffix}`, { route: "clients/<lei>", lang: layout.lang, width: layout.width });
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("form.daily-file button[type=submit]").click()]);
    const name = download.suggestedFilename();
    run.step(`daily file ${name}`);
    if (!/^client-[0-9A-Z]{20}-\d{4}-\d{2}-\d{2}\.csv$/.test(name)) run.fail(`clients: the daily file is named ${name}`);
  },
  async trades(page, layout) {
    await page.locator("#f-state").selectOption(["invalid"]);
    await page.locator("form[role=search] button[type=submit]").click();
    await page.waitForURL(/state=invalid/);
    // The filtered list replaces the unfiltered one: wait for it, then judge what it shows.
    const badges = "main table tbody tr [class*='state-']";
    await page.waitForFunction((sel) => {
      const found = [...document.querySelectorAll(sel)];
      return found.length > 0 && found.every((e) => e.classList.contains("state-invalid"));
    }, badges, { timeout: 15_000 }).catch(() => {});
    const classes = await page.locator(badges).evaluateAll((es) => es.map((e) => e.className));
    if (!classes.length || classes.some((c) => !/\bstate-invalid\b/.test(c))) run.fail(`trades filter state=invalid showed ${classes.join(",")}`);
    run.step("trade detail");
    await page.locator("main table tbody tr").first().focus();
    await page.keyboard.press("Enter"); // rows open from the keyboard
    await page.locator("ol.timeline > li").first().waitFor();
    await settled(page);
    await run.check(page, `04-trade-detail${layout.suffix}`, { route: "trades/<uti>", lang: layout.lang, width: layout.width });
  },
};

/** On the Errors screen: a rule group the demo always has (an unknown currency, a reject
 * rule, so its events can be repaired), then the first item's repair form and its preview. */
async function openRepairPreview(page) {
  await page.locator("ul.groups a").filter({ hasText: "SR-EC-023" }).first().click();
  await page.locator("main a[href*='event=']").first().click();
  await page.locator("form.repair").waitFor();
  await page.getByTestId("repair-preview").locator("p").first().waitFor();
}

/** A screen's problem box on arrival means the screen is broken for this user. */
async function noProblem(page, route) {
  const alerts = await page.getByRole("alert").allInnerTexts();
  if (alerts.length) run.fail(`${route}: the screen shows a problem: ${alerts.join(" | ").replace(/\s+/g, " ").slice(0, 400)}`);
}

/** Every nav entry's screen: click, settle, prepare, screenshot + axe, explore. */
async function walk(page, layout) {
  const nav = await navEntries(page);
  run.step(`nav: ${nav.map((n) => n.route).join(", ")}`);
  let next = 8;
  for (const entry of nav) {
    const name = (KNOWN[entry.route] ?? `${String(next++).padStart(2, "0")}-${entry.route}`) + layout.suffix;
    run.step(`${entry.route} (${entry.label})`);
    try {
      await page.locator(`header nav a[href='${entry.href}']`).click();
      await settled(page);
      await noProblem(page, entry.route);
      await prepare[entry.route]?.(page, layout);
      await settled(page);
      await run.check(page, name, { route: entry.route, nav: true, lang: layout.lang, width: layout.width });
      await explore[entry.route]?.(page, layout);
    } catch (exc) {
      await run.stopped(page, new Error(`${entry.route}: ${exc.message}`));
    }
  }
  return nav;
}

/** The reporting obligations of the trade whose latest event carries its routing: the section
 * in the layout's language with its reports and the regimes left out; a screenshot and axe. */
async function obligations(page, layout) {
  run.step(`reporting obligations of ${ROUTED_UTI}`);
  try {
    await page.goto(`${BASE}/#/trades/${encodeURIComponent(ROUTED_UTI)}`);
    const section = page.locator("ol.timeline > li").first().locator("section.routing");
    await section.waitFor();
    await settled(page);
    const title = await section.locator("h4").innerText();
    const reasons = await section.locator("td.reason").allInnerTexts();
    const skipped = await section.locator("ul.routing-skipped > li").allInnerTexts();
    run.step(`${title}: ${reasons.length} report(s), ${skipped.length} regime(s) left out`);
    if (!reasons.length) run.fail(`${ROUTED_UTI}: the routing shows no report`);
    const inLanguage = (text) => (layout.lang === "ko" ? HANGUL.test(text) : !HANGUL.test(text));
    if (![title, ...reasons, ...skipped].every(inLanguage)) {
      run.fail(`${layout.suffix}: the reporting obligations are not in ${layout.lang}: ${[title, ...reasons].join(" | ").slice(0, 300)}`);
    }
    await section.scrollIntoViewIfNeeded();
    await run.check(page, `04b-trade-routing${layout.suffix}`, {
      route: "trades/<uti>", lang: layout.lang, width: layout.width, routing: { reports: reasons.length, skipped: skipped.length } });
  } catch (exc) {
    await run.stopped(page, new Error(`reporting obligations: ${exc.message}`));
  }
}

const HANGUL = /[\uAC00-\uD7A3]/;
// Faces that draw Hangul: Noto Sans CJK KR (Debian's fonts-noto-cjk, which ./dev test installs),
// Apple SD Gothic Neo, Malgun Gothic, Nanum and the older Korean faces.
const KOREAN_FACE = /CJK|Korean|\bKR\b|Gothic|Nanum|Hangul|Malgun|Gulim|Dotum|Batang|Myeongjo|Baekmuk|^Un[A-Z]/i;

/** The faces chromium drew an element's text with (DevTools' CSS.getPlatformFontsForNode). */
async function facesOf(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument");
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    return (await cdp.send("CSS.getPlatformFontsForNode", { nodeId })).fonts.map((f) => f.familyName);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** The Korean console (a ko-KR browser): state words and actions in Korean on the trades list
 * and a trade's detail, Hangul drawn with a Korean face, not as empty boxes. */
async function korean(page) {
  try {
    await page.locator("header nav a[href='#/']").click();
    await settled(page);
    const heading = await page.locator("main h1").first().innerText();
    if (!HANGUL.test(heading)) run.fail(`Korean dashboard: the heading is not Korean: ${heading}`);
    const faces = await facesOf(page, "main h1");
    run.step(`Korean dashboard: "${heading}" drawn with ${faces.join(", ")}`);
    if (!faces.some((f) => KOREAN_FACE.test(f))) {
      run.fail(`Korean text is drawn with ${faces.join(", ") || "no face"}: no Korean font on this machine (apt-get install fonts-noto-cjk; ./dev test does)`);
    }
    await page.locator("header nav a[href='#/trades']").click();
    await settled(page);
    await page.locator("main table tbody tr").first().waitFor();
    const states = (await page.locator("main table tbody tr [class*='state-']").allInnerTexts()).map((s) => s.trim());
    if (!states.length || !states.every((s) => HANGUL.test(s))) run.fail(`Korean trades: the states should be Korean words: ${states.slice(0, 10).join(", ")}`);
    const actions = (await page.locator("main table tbody tr td").allInnerTexts()).filter((c) => /^[A-Z]{4} \(/.test(c.trim()));
    if (!actions.length || !actions.every((a) => HANGUL.test(a))) run.fail("Korean trades: the actions should read like NEWT (신규)");
    await page.locator("main table tbody tr").first().focus();
    await page.keyboard.press("Enter");
    await page.locator("ol.timeline > li").first().waitFor();
    await settled(page);
    const version = await page.locator("ol.timeline > li h3").first().innerText();
    if (!HANGUL.test(version)) run.fail(`Korean trade detail: the first version's action and state should be Korean words: ${version}`);
  } catch (exc) {
    await run.stopped(page, new Error(`Korean: ${exc.message}`));
  }
}

// Every screen in both languages at a laptop's and a desktop's width: a screenshot and an axe run
// each, named NN-<route>-<lang>-<width>.png.
const LAYOUTS = [["en", 1280], ["ko", 1280], ["en", 1920], ["ko", 1920]];
const LOCALE = { en: "en-US", ko: "ko-KR" };

const browser = await launch();
let page;
let nav = [];
try {
  page = await newPage(browser);
  run.watch(page);

  run.step("sign-in screen");
  await page.goto(`${BASE}/#/`);
  await page.locator("#username").waitFor();
  await page.locator("#username").fill(USER);
  await page.locator("#password").fill("not-the-password-1");
  await page.locator("form button[type=submit]").click();
  await page.getByRole("alert").waitFor();
  const refusal = await page.getByRole("alert").innerText();
  if (!/401/.test(refusal) || !/Request id|요청 ID/.test(refusal)) run.fail(`a wrong password should show the 401 with its request id: ${refusal}`);
  await page.context().close();

  for (const [lang, width] of LAYOUTS) {
    const layout = { lang, width, suffix: `-${lang}-${width}` };
    run.step(`layout ${lang} ${width} px`);
    page = await newPage(browser, { locale: LOCALE[lang], width });
    run.watch(page);
    try {
      await page.goto(`${BASE}/#/`);
      await page.locator("#username").waitFor();
      await run.check(page, `01-sign-in${layout.suffix}`, { route: "sign-in", lang, width });
      await signIn(page, USER, PASSWORD);
      await settled(page);
      const lang_ = await page.evaluate(() => document.documentElement.lang);
      if (lang_ !== lang) run.fail(`${layout.suffix}: the console came up in ${lang_}, not ${lang}`);
      nav = await walk(page, layout);
      if (ROUTED_UTI) await obligations(page, layout);
      if (lang === "ko" && width === 1280) await korean(page);
    } catch (exc) {
      await run.stopped(page, new Error(`${layout.suffix}: ${exc.message}`));
    } finally {
      await page.context().close();
    }
  }

  if (VIEWER_PASSWORD) {
    run.step("viewer: no mutation controls");
    const viewer = await newPage(browser);
    page = viewer;
    run.watch(viewer);
    await signIn(viewer, "demo-viewer", VIEWER_PASSWORD);
    await viewer.goto(`${BASE}/#/files`);
    await viewer.locator("main table tbody tr").first().waitFor();
    if (await viewer.locator("#upload-file").count()) run.fail("viewer sees the upload control");
    await viewer.locator("header nav a[href='#/errors']").click();
    await openRepairPreview(viewer);
    if (await viewer.locator("form.repair button[type=submit]").count()) run.fail("viewer sees Apply repair");
    if (await viewer.locator("main .bulk-actions button").count()) run.fail("viewer sees bulk actions");
    if (await viewer.locator("main").getByRole("checkbox").count()) run.fail("viewer can select error items");
    await run.check(viewer, "07-viewer-errors", { route: "errors", user: "viewer" });
  }
} catch (exc) {
  await run.stopped(page, exc);
} finally {
  await browser.close();
}
run.writeManifest(MANIFEST, { nav, layouts: LAYOUTS });
run.finish();
