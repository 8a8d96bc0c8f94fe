// The work a TR rejection asks of ops staff, in Debian's chromium on the demo data (#14):
// - the numbers agree: the dashboard's Late and Parse-error tiles equal the screens they link to
//   (the trades list filtered due=late; today's files), and the errors screen's parse groups;
// - the work queue puts rejections before warnings;
// - from the dashboard to one TR-rejected record repaired, counted in actions a person takes
//   (clicks and typing) and timed, then followed to the TR's ACK of its new version;
// - the repair drawer is in view at 1280 px, beside the list, with the field's current value;
// - the rest of the group, sharing the same wrong LEI, corrected at once (preview, then apply);
// - trade detail newest first; the trades table sorts and says "of N".
// It writes test-results/queue.json (actions, seconds, screens), which tests/e2e/test_console.py
// checks.
//
//   SWAPREP_URL=... SWAPREP_PASSWORD=... SWAPREP_BAD_LEI=... SWAPREP_FIX_LEI=... npm run e2e:queue
import { BASE, Run, launch, newPage, settled, signIn, until } from "./lib.mjs";

const USER = process.env.SWAPREP_USER ?? "demo-admin";
const PASSWORD = process.env.SWAPREP_PASSWORD;
const BAD_LEI = process.env.SWAPREP_BAD_LEI; // the demo's counterparty LEI the TR does not know
const FIX_LEI = process.env.SWAPREP_FIX_LEI; // one it knows
const TR_CODE = process.env.SWAPREP_TR_CODE ?? "TR-ID-003";
if (!PASSWORD || !BAD_LEI || !FIX_LEI) throw new Error("set SWAPREP_PASSWORD, SWAPREP_BAD_LEI and SWAPREP_FIX_LEI");

const run = new Run("queue");
const figures = { actions: [], seconds: {} };
/** One thing a person does (a click, typing a value): counted, and said in the log. */
async function act(what, fn) {
  figures.actions.push(what);
  run.step(`action ${figures.actions.length}: ${what}`);
  await fn();
}
const count = (text) => Number((text ?? "").replace(/[^\d]/g, "") || NaN);

async function numbersAgree(page) {
  await page.goto(`${BASE}/#/`);
  await settled(page);
  await page.getByTestId("tile-late").waitFor();
  const late = count(await page.getByTestId("tile-late").locator(".value").innerText());
  const parse = count(await page.getByTestId("tile-parse_errors").locator(".value").innerText());
  await page.getByTestId("tile-late").locator("a").click();
  await page.waitForURL(/due=late/);
  await settled(page);
  const pager = await page.locator("main p.pager").first().innerText();
  const listed = /of\s+([\d,]+)/.exec(pager)?.[1];
  run.step(`late: tile ${late}, trades list "${pager.trim()}"`);
  if (late > 0 ? count(listed) !== late : !/no|0/i.test(pager) && count(listed) !== 0) {
    run.fail(`the Late tile says ${late} but its trades list says "${pager.trim()}"`);
  }
  // the parse-error tile links to today's files, each with its parse errors
  await page.goto(`${BASE}/#/`);
  await settled(page);
  await page.getByTestId("tile-parse_errors").locator("a").click();
  await page.waitForURL(/received=today/);
  await settled(page);
  await page.locator("main table tbody tr").first().waitFor();
  const perFile = await page.locator("main table a[href*='kind=parse']").evaluateAll((as) =>
    as.reduce((n, a) => n + Number((a.firstChild?.textContent ?? "").replace(/[^\d]/g, "") || 0), 0));
  run.step(`parse errors: tile ${parse}, today's files ${perFile}`);
  if (parse !== perFile) run.fail(`the Parse errors tile says ${parse} but today's files hold ${perFile}`);
  await page.goto(`${BASE}/#/errors`);
  await settled(page);
  await page.locator("ul.groups li").first().waitFor();
  const facts = await page.locator("ul.groups li").evaluateAll((lis) => lis.map((li) => ({
    kind: li.querySelector(".badge:not([class*='severity-'])")?.textContent ?? "",
    severity: [...(li.querySelector("[class*='severity-']")?.classList ?? [])].find((c) => c.startsWith("severity-")) ?? "",
    key: li.querySelector("strong")?.textContent ?? "",
    facts: li.querySelector(".group-facts")?.textContent ?? "",
  })));
  const parsed = facts.filter((g) => /parse/i.test(g.kind)).reduce((n, g) => n + count(/(\d[\d,]*) open/.exec(g.facts)?.[1]), 0);
  // all of the demo's files came in today: its parse groups hold the same rows
  run.step(`parse errors: errors screen ${parsed}`);
  if (parse !== parsed) run.fail(`today's ${parse} parse errors are not the errors screen's ${parsed}`);
  // the work queue: no rejection below a warning
  const firstWarn = facts.findIndex((g) => g.severity === "severity-warn");
  const lateReject = facts.findIndex((g, i) => i > firstWarn && g.severity === "severity-reject");
  run.step(`queue order: ${facts.map((g) => `${g.key}(${g.severity.replace("severity-", "")})`).join(", ")}`);
  if (firstWarn >= 0 && lateReject >= 0) run.fail(`the work queue lists ${facts[lateReject].key} (a rejection) after ${facts[firstWarn].key} (a warning)`);
  if (!facts.some((g) => g.key === TR_CODE)) run.fail(`the work queue has no ${TR_CODE} group`);
  await run.check(page, "20-queue-en-1280", { route: "errors" });
}

/** Dashboard → the TR code → repair the first record → its new value → apply. */
async function repairOne(page) {
  await page.goto(`${BASE}/#/`);
  await settled(page);
  await page.locator("ol[aria-labelledby=rej-tr] a").first().waitFor();
  const started = Date.now();
  await act(`open ${TR_CODE} from the dashboard's top rejections`, () =>
    page.locator("ol[aria-labelledby=rej-tr] a", { hasText: TR_CODE }).click());
  const items = page.locator("main table.items tbody tr");
  await items.first().waitFor();
  const uti = (await items.first().locator("td a[href*='#/trades/']").first().getAttribute("href"))?.split("/").pop();
  await act("Repair on the first record", () => items.first().locator("a[href*='event=']").click());
  const form = page.locator(".repair-drawer form.repair");
  await form.waitFor();
  const box = await form.boundingBox();
  const viewport = page.viewportSize();
  run.step(`drawer at x=${Math.round(box.x)} y=${Math.round(box.y)} (${Math.round(box.width)}×${Math.round(box.height)}) in ${viewport.width}×${viewport.height}`);
  if (box.y < 0 || box.y > viewport.height - 200) run.fail(`the repair drawer opens at y=${Math.round(box.y)}, out of view`);
  if (box.x < viewport.width / 2) run.fail("the repair drawer is not beside the list");
  const field = await form.locator("input[id$='-0-field']").inputValue();
  const current = await page.getByTestId("repair-current").first().innerText().catch(() => "");
  run.step(`drawer: field ${field}, ${current.replace(/\s+/g, " ")}`);
  if (!field) run.fail("the drawer does not name the field the TR rejected");
  if (!current.includes(BAD_LEI)) run.fail(`the drawer does not show the current value ${BAD_LEI}: ${current}`);
  await act("type the registered LEI", () => form.locator("input[id$='-0-value']").fill(FIX_LEI));
  await form.locator("[data-testid=repair-preview] p.ok").waitFor();
  await run.check(page, "21-drawer-en-1280", { route: "errors" });
  await act("Apply", () => form.locator(".repair-acts button[type=submit]").first().click());
  await form.locator("p.ok[role=status]").waitFor();
  figures.seconds.dashboard_to_applied = (Date.now() - started) / 1000;
  // its new version goes through validation, the report and the TR without anyone
  await page.goto(`${BASE}/#/trades/${uti}`);
  await settled(page);
  await until(page, `the TR's ACK of ${uti}'s repair`, async () => {
    const state = await page.locator(".trade-summary [class*='state-']").first().getAttribute("class");
    return /state-acked/.test(state ?? "") || state;
  }, { timeoutMs: 150_000, everyMs: 2000 });
  figures.seconds.dashboard_to_acked = (Date.now() - started) / 1000;
  run.step(`repaired in ${figures.actions.length} actions, ${figures.seconds.dashboard_to_applied.toFixed(1)} s; ACKed after ${figures.seconds.dashboard_to_acked.toFixed(1)} s`);
  // trade detail: the newest version first
  const seqs = await page.locator("ol.timeline > li").evaluateAll((lis) => lis.map((li) => Number(li.getAttribute("data-seq") ?? NaN)));
  if (seqs.length > 1 && !(seqs[0] > seqs[seqs.length - 1])) run.fail(`trade detail is not newest first: ${seqs.join(",")}`);
  await run.check(page, "22-trade-repaired-en-1280", { route: "trades/<uti>" });
  return uti;
}

/** The rest of the group share the wrong LEI: one correction for all, previewed first. */
async function repairTheRest(page) {
  await page.goto(`${BASE}/#/errors?kind=tr_code&key=${TR_CODE}`);
  await settled(page);
  const table = page.locator("main table.items");
  await table.locator("tbody tr").first().waitFor();
  await table.locator("thead input[type=checkbox]").check();
  const more = page.locator("main .select-all-matching button");
  if (await more.count()) await more.click();
  const bulk = page.locator("main section.bulk-repair");
  await bulk.waitFor();
  await bulk.locator("input").fill(FIX_LEI);
  await bulk.locator("button[type=submit]").click();
  const summary = bulk.locator(".bulk-preview p[role=status]");
  await summary.waitFor();
  const said = await summary.innerText();
  run.step(`bulk preview: ${said}`);
  const pass = count(/pass:\s*([\d,]+)/i.exec(said)?.[1]);
  if (!(pass > 0)) run.fail(`the bulk preview says no record would pass: ${said}`);
  await run.check(page, "23-bulk-preview-en-1280", { route: "errors" });
  await bulk.getByRole("button", { name: /^Apply to/ }).click();
  const outcome = page.getByRole("list", { name: "Outcome per item" });
  await outcome.waitFor({ timeout: 120_000 });
  // BulkOutcomes sums up "Done N, refused M."
  const done = await page.getByText(/^Done [\d,]+, refused [\d,]+\.$/).first().innerText();
  const repaired = count(/Done ([\d,]+)/.exec(done)?.[1]);
  run.step(`bulk repair: ${repaired} repaired`);
  figures.bulk_repaired = repaired;
  if (repaired !== pass) run.fail(`the preview said ${pass} would pass, ${repaired} were repaired`);
  await run.check(page, "24-bulk-done-en-1280", { route: "errors" });
}

async function tables(page) {
  await page.goto(`${BASE}/#/trades`);
  await settled(page);
  await page.locator("main table tbody tr").first().waitFor();
  const pager = await page.locator("main p.pager").first().innerText();
  if (!/\bof\s+[\d,]+/.test(pager)) run.fail(`the trades list does not say how many in all: "${pager}"`);
  await page.locator("main table thead button.sort").first().click();
  await page.waitForURL(/sort=/);
  await settled(page);
  const sorted = await page.locator("main table thead th[aria-sort]").count();
  if (sorted !== 1) run.fail(`after a sort, ${sorted} columns say they are sorted`);
}

const browser = await launch();
let page;
try {
  page = await newPage(browser, { width: 1280 });
  run.watch(page);
  await signIn(page, USER, PASSWORD);
  await numbersAgree(page);
  await repairOne(page);
  await repairTheRest(page);
  await tables(page);
} catch (exc) {
  await run.stopped(page, exc);
} finally {
  await browser.close();
}
run.writeManifest("queue.json", figures);
run.finish();
