// The reconciliation screen in Debian's chromium, against a running local stack whose TR
// simulator has written its end-of-day reports (tests/e2e/test_console.py prepares them: an
// EMIR tenant's trades through the pipeline, the TR's view of them, the other side's reports):
//   1. an operator opens #/reconciliation and sees each kind of break: at the TR but not with
//      us, terminated here but open at the TR, with us but not at the TR, and a field the
//      other side reports differently, with both values; and the TRs' figures;
//   2. assigns the terminated-here break to themself, resolves it with a note, and finds it
//      among the resolved breaks with that note;
//   3. the same screen in Korean;
//   4. (issue 17 item 4) on #/corrections, verifies now: a correction clock for each error the
//      verification and the breaks found, with its business days left; then drafts the EMIR
//      notification from them.
// Each step gets a screenshot (test-results/recon-*.png) and an axe run.
//
//   SWAPREP_URL=... SWAPREP_RECON_PLAN=plan.json npm run e2e:recon
import { readFileSync } from "node:fs";
import { BASE, Run, launch, newPage, settled, signIn, until } from "./lib.mjs";

const PLAN_FILE = process.env.SWAPREP_RECON_PLAN;
if (!PLAN_FILE) throw new Error("set SWAPREP_RECON_PLAN (a plan JSON, see tests/e2e/test_console.py)");
const plan = JSON.parse(readFileSync(PLAN_FILE, "utf8"));
const run = new Run("recon");

/** The breaks table's row of a UTI. */
const breakRow = (page, uti) => page.getByRole("table", { name: plan.labels.breaks }).getByRole("row")
  .filter({ has: page.locator(`[title="${uti}"]`) });

async function openScreen(page, query = "") {
  await page.goto(`${BASE}/#/reconciliation${query}`);
  await settled(page);
}

async function breaks(page) {
  run.step("the breaks of each kind");
  await openScreen(page);
  await until(page, "every expected break listed", async () => {
    for (const [uti, label] of Object.entries(plan.expected)) {
      const row = breakRow(page, uti);
      if ((await row.count()) !== 1) return `no row for ${uti}`;
      if (!(await row.innerText()).includes(label)) return `${uti}: ${await row.innerText()}`;
    }
    return true;
  }, { timeoutMs: 60_000 });
  const mismatch = await breakRow(page, plan.mismatch.uti).innerText();
  for (const text of [plan.mismatch.field, plan.mismatch.ours, plan.mismatch.theirs]) {
    if (!mismatch.includes(text)) run.fail(`the mismatch row does not show ${JSON.stringify(text)}: ${mismatch}`);
  }
  const figures = await page.getByRole("table", { name: plan.labels.figures }).innerText();
  if (!figures.includes("EMIR")) run.fail(`the figures name no EMIR report: ${figures}`);
  await run.check(page, "recon-01-breaks", { lang: "en" });
}

async function resolve(page) {
  const { uti, id, note } = plan.resolve;
  run.step(`assign and resolve break ${id} (${uti})`);
  await page.getByRole("button", { name: `Assign to me: break ${id} (${uti})` }).click();
  await page.getByRole("status").filter({ hasText: `Break ${id} assigned to ${plan.user}.` }).waitFor();
  await until(page, "the break shown assigned", async () => (await breakRow(page, uti).innerText()).includes(`assigned to ${plan.user}`)
    || await breakRow(page, uti).innerText(), { timeoutMs: 20_000, everyMs: 500, reload: false });
  await run.check(page, "recon-02-assigned", { lang: "en" });
  await page.getByRole("button", { name: `Resolve… break ${id} (${uti})` }).click();
  await page.getByLabel("How it was resolved").fill(note);
  await run.check(page, "recon-03-resolving", { lang: "en" });
  await page.getByRole("button", { name: "Resolve", exact: true }).click();
  await page.getByRole("status").filter({ hasText: `Break ${id} resolved.` }).waitFor();
  await openScreen(page, "?status=resolved");
  const row = breakRow(page, uti);
  await until(page, "the break among the resolved ones, with its note", async () => {
    const text = (await row.count()) ? await row.innerText() : "(no row)";
    return (text.includes("Resolved") && text.includes(note)) || text;
  }, { timeoutMs: 20_000, everyMs: 500, reload: false });
  await run.check(page, "recon-04-resolved", { lang: "en" });
}

async function korean(browser) {
  run.step("the screen in Korean");
  const page = await newPage(browser, { locale: "ko-KR" });
  run.watch(page);
  await signIn(page, plan.user, plan.password);
  await openScreen(page);
  await page.locator(`main [title="${plan.mismatch.uti}"]`).first().waitFor();
  const heading = await page.locator("main h1").innerText();
  if (heading !== plan.labels.title_ko) run.fail(`the Korean heading is ${JSON.stringify(heading)}`);
  await run.check(page, "recon-05-ko", { lang: "ko" });
  await page.context().close();
}

/** The correction clocks' row of a UTI showing `label` (a trade may have several clocks). */
const clockRow = (page, uti, label) => page.getByRole("table", { name: "Correction clocks" }).getByRole("row")
  .filter({ has: page.locator(`[title="${uti}"]`) }).filter({ hasText: label });

async function corrections(page) {
  run.step("verify now: the correction clocks, and the drafted notice");
  await page.goto(`${BASE}/#/corrections`);
  await settled(page);
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByRole("status").filter({ hasText: "verification(s) run" }).waitFor();
  await until(page, "a clock for each error", async () => {
    for (const [uti, label] of Object.entries(plan.corrections.expected)) {
      const row = clockRow(page, uti, label);
      if ((await row.count()) !== 1) return `no single ${label} clock for ${uti}`;
      if (!(await row.innerText()).includes(plan.corrections.left)) return `${uti}: ${await row.innerText()}`;
    }
    return true;
  }, { timeoutMs: 30_000, everyMs: 1000, reload: false });
  const log = await page.getByRole("table", { name: "Verification log" }).innerText();
  if (!log.includes(plan.user)) run.fail(`the verification log does not name ${plan.user}: ${log}`);
  await run.check(page, "recon-06-corrections", { lang: "en" });
  await page.getByLabel("Regime").selectOption("emir");
  await page.getByRole("button", { name: "Draft notice" }).click();
  const text = page.getByLabel("Notice text");
  await text.waitFor();
  const draft = await text.inputValue();
  for (const needle of plan.corrections.notice) {
    if (!draft.includes(needle)) run.fail(`the notice does not say ${JSON.stringify(needle)}: ${draft}`);
  }
  await run.check(page, "recon-07-notice", { lang: "en" });
}

const browser = await launch();
let page;
try {
  page = await newPage(browser);
  run.watch(page);
  await signIn(page, plan.user, plan.password);
  await breaks(page);
  await resolve(page);
  await korean(browser);
  await corrections(page);
} catch (exc) {
  await run.stopped(page, exc);
} finally {
  run.writeManifest("recon.json", {});
  await browser.close();
}
run.finish();
