// The console's working flows in Debian's chromium, against a running local stack, as an
// operator would do them:
//   1. upload an FEP file on the Files screen, see the upload's progress and the file in
//      the list, and watch its rows reach ACK, NACK and invalid (the screens are re-read,
//      never the database);
//   2. open the invalid row's error, repair it in the repair form, and see the new version
//      ACKed in the trade's detail;
//   3. a row the TR NACKed because it did not know the counterparty's LEI: once the TR's
//      register lists it, select the row on the Errors screen, resubmit it, and see it ACKed;
//   4. a second tenant's user sees its own data and none of the first tenant's on every
//      screen, and a first-tenant trade's URL shows "not found".
// Every screen it stops on gets a screenshot (test-results/flow-*.png, tenant2-*.png) and an
// axe run. tests/e2e/test_console.py writes the plan: the file, its rows' UTIs and intended
// outcomes, the second tenant's user.
//
//   SWAPREP_URL=... SWAPREP_USER=demo-admin SWAPREP_PASSWORD=... SWAPREP_FLOW_PLAN=plan.json npm run e2e:flows
import { readFileSync } from "node:fs";
import { BASE, Run, launch, navEntries, newPage, settled, signIn, until } from "./lib.mjs";

const PLAN_FILE = process.env.SWAPREP_FLOW_PLAN;
const USER = process.env.SWAPREP_USER ?? "demo-admin";
const PASSWORD = process.env.SWAPREP_PASSWORD;
if (!PLAN_FILE || !PASSWORD) throw new Error("set SWAPREP_FLOW_PLAN (a plan JSON, see tests/e2e/test_console.py) and SWAPREP_PASSWORD");
const plan = JSON.parse(readFileSync(PLAN_FILE, "utf8"));
const SETTLE_MS = (plan.settle_s ?? 150) * 1000;

const run = new Run("flows");

/** The Files screen's row of a file, by the end of its object key. */
const fileRow = (page, name) => page.locator("main table tbody tr").filter({ has: page.locator("code", { hasText: name }) });

/** The trade's state as the detail screen's summary shows it. */
async function tradeState(page) {
  return (await page.locator("main .trade-summary span.badge[class*='state-']").first().innerText({ timeout: 2000 })).trim();
}

/** The state of the trade's latest version, as its timeline (newest first) shows it. */
async function latestEventState(page) {
  const latest = page.locator("ol.timeline > li").first();
  return /\bstate-(\w+)/.exec((await latest.getAttribute("class", { timeout: 2000 })) ?? "")?.[1] ?? null;
}

async function openTrade(page, uti) {
  await page.goto(`${BASE}/#/trades/${encodeURIComponent(uti)}`);
  await settled(page);
}

/** The Errors screen's group `key` (a rule id or a TR code), then the item of `uti` in it
 * (its row in the group's items). */
async function openErrorItem(page, key, uti) {
  await page.goto(`${BASE}/#/errors`);
  await settled(page);
  await page.locator("ul.groups a").filter({ hasText: key }).first().click();
  const items = page.getByRole("region", { name: `Items of ${key}` });
  const item = items.getByRole("row").filter({ hasText: uti });
  await until(page, `${uti} among the items of ${key}`, async () => (await item.count()) > 0
    || (await items.innerText()).replace(/\s+/g, " ").slice(0, 300), { timeoutMs: 15_000, everyMs: 500, reload: false });
  return item.first();
}

async function upload(page) {
  run.step(`upload ${plan.file_name}`);
  await page.goto(`${BASE}/#/files`);
  await settled(page);
  // Every status line the uploader shows, however briefly (the PUT of a small file is quick).
  await page.evaluate(() => {
    window.__statuses = [];
    const seen = () => {
      for (const s of document.querySelectorAll("main [role=status]")) {
        const text = s.textContent ?? "";
        if (text && !window.__statuses.includes(text)) window.__statuses.push(text);
        if (s.querySelector("progress")) window.__progress = true;
      }
    };
    new MutationObserver(seen).observe(document.querySelector("main"), { subtree: true, childList: true, characterData: true });
  });
  await page.locator("#upload-file").setInputFiles(plan.file);
  await page.getByRole("status").filter({ hasText: `Uploaded ${plan.file_name}` }).waitFor();
  const statuses = await page.evaluate(() => window.__statuses);
  if (!statuses.some((s) => s.includes(`Uploading ${plan.file_name}`)) || !(await page.evaluate(() => window.__progress))) {
    run.fail(`upload: no progress was shown (statuses: ${statuses.join(" | ")})`);
  }
  const problems = await page.getByRole("alert").allInnerTexts();
  if (problems.length) run.fail(`upload: a problem is shown: ${problems.join(" | ")}`);

  run.step("the file in the list, its rows at ACK, NACK and invalid");
  const want = plan.file_events; // e.g. {acked: 2, nacked: 2, invalid: 1}
  await until(page, `the file ${plan.file_name} with events ${JSON.stringify(want)}`, async () => {
    const row = fileRow(page, plan.file_name);
    if (!(await row.count())) return "the file is not in the list yet";
    const text = (await row.innerText()).replace(/\s+/g, " ");
    return Object.entries(want).every(([state, n]) => new RegExp(`\\b${state} ${n}\\b`).test(text)) || text;
  }, { timeoutMs: SETTLE_MS });
  await run.check(page, "flow-01-files", { route: "files" });

  run.step("each row's trade in its state on the Trades screen");
  await page.goto(`${BASE}/#/trades?q=${encodeURIComponent(plan.trade_id_prefix)}`);
  await settled(page);
  for (const [uti, state] of Object.entries(plan.states)) {
    const row = page.locator("main table tbody tr").filter({ hasText: uti });
    if (!(await row.count())) {
      run.fail(`trades: ${uti} is not listed`);
      continue;
    }
    const shown = (await row.locator("[class*='state-']").innerText()).trim();
    if (shown !== state) run.fail(`trades: ${uti} shows ${shown}; its event is ${state} (the Files screen says so)`);
  }
  await run.check(page, "flow-02-trades", { route: "trades" });
}

async function repair(page) {
  const { uti, rule, changes } = plan.repair;
  run.step(`repair ${uti} (${rule}: ${changes.map((c) => `${c.field} = ${c.value}`).join(", ")})`);
  const item = await openErrorItem(page, rule, uti);
  await item.getByRole("link", { name: /^Repair/ }).click();
  await page.locator("form.repair").waitFor();
  // The form starts on the issue's field; the other fields the rule flagged are added.
  const started = await page.getByLabel("Field path").first().inputValue();
  const first = changes.find((c) => c.field === started);
  if (!first) run.fail(`repair: the form should start on one of the issue's fields, shows "${started}"`);
  else await page.getByLabel("New value").first().fill(first.value);
  for (const change of changes.filter((c) => c !== first)) {
    await page.getByRole("button", { name: "Add a field" }).click();
    await page.getByLabel("Field path").last().fill(change.field);
    await page.getByLabel("New value").last().fill(change.value);
  }
  await page.getByTestId("repair-preview").getByText("The repaired event passes validation.").waitFor();
  await page.getByRole("button", { name: "Apply repair" }).click();
  await page.getByRole("status").filter({ hasText: /Saved as version 2/ }).waitFor();
  await run.check(page, "flow-03-repaired", { route: "errors" });
}

async function resubmit(page) {
  const { uti, code, register } = plan.resubmit;
  run.step(`the TR's register now lists the LEI; resubmit ${uti} (${code})`);
  // Outside the console: the counterparty's LEI got registered meanwhile.
  const answer = await fetch(register.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ known: register.known }) });
  if (!answer.ok) throw new Error(`the TR simulator's register did not change: ${answer.status} ${await answer.text()}`);
  const item = await openErrorItem(page, code, uti);
  await item.getByRole("checkbox", { name: `Select ${uti}` }).check();
  await page.getByRole("button", { name: "Resubmit selected (1)" }).click();
  await page.getByRole("status").filter({ hasText: /1, refused 0\./ }).waitFor();
  await run.check(page, "flow-04-resubmitted", { route: "errors" });
}

async function seeAcked(page, uti, name, versions) {
  run.step(`${uti} ACKed in its detail`);
  await openTrade(page, uti);
  await until(page, `trade ${uti}'s latest version acked`, async () => {
    const state = await latestEventState(page);
    return state === "acked" || `the latest version is ${state}`;
  }, { timeoutMs: SETTLE_MS });
  const events = await page.locator("ol.timeline > li").count();
  if (events !== versions) run.fail(`${uti}: expected ${versions} version(s) in the timeline, saw ${events}`);
  const state = await tradeState(page);
  if (state !== "acked") run.fail(`${uti}: its latest version is ACKed, but the detail's header says the trade is ${state}`);
  await run.check(page, name, { route: "trades/<uti>" });
}

async function secondTenant(browser) {
  const other = plan.tenant2;
  run.step(`second tenant: ${other.user} sees none of the first tenant's data`);
  const page = await newPage(browser);
  run.watch(page);
  try {
    await signIn(page, other.user, other.password);
    await settled(page);
    const who = await page.locator("header .who").innerText();
    if (!who.includes(other.slug)) run.fail(`tenant 2: the header should name ${other.slug}: ${who}`);
    const nav = await navEntries(page);
    let n = 1;
    for (const entry of nav) {
      await page.locator(`header nav a[href='${entry.href}']`).click();
      await settled(page);
      const own = other.own[entry.route]; // its own data, where the screen lists it
      if (own) {
        await until(page, `tenant 2's ${entry.route} showing ${own}`, async () => {
          const text = await page.locator("main").innerText();
          return text.includes(own) || text.replace(/\s+/g, " ").slice(0, 300);
        }, { timeoutMs: SETTLE_MS });
      }
      const text = await page.locator("main").innerText();
      const leaked = other.foreign.filter((f) => text.includes(f));
      if (leaked.length) run.fail(`tenant 2's ${entry.route} screen shows the first tenant's ${leaked.join(", ")}`);
      await run.check(page, `tenant2-${String(n++).padStart(2, "0")}-${entry.route}`, { route: entry.route, user: other.user });
    }
    run.step("tenant 2 opens a first-tenant trade's URL");
    await openTrade(page, other.foreign_uti);
    // a 404 reads "No trade <UTI>" (no retry): the same answer as for a UTI nobody has
    const missing = page.getByRole("heading", { level: 1, name: `No trade ${other.foreign_uti}` });
    try {
      await missing.waitFor({ timeout: 5000 });
    } catch {
      run.fail(`tenant 2 on ${other.foreign_uti}: expected "No trade ${other.foreign_uti}", the screen said ${await page.locator("main").innerText()}`);
    }
    if (await page.locator("ol.timeline > li").count()) run.fail(`tenant 2 sees the timeline of ${other.foreign_uti}`);
    await run.check(page, "tenant2-foreign-trade", { route: "trades/<uti>", user: other.user });
  } catch (exc) {
    await run.stopped(page, exc);
  }
}

const browser = await launch();
let page;
try {
  page = await newPage(browser);
  run.watch(page);
  await signIn(page, USER, PASSWORD);
  await settled(page);
  await upload(page);
  await repair(page);
  await resubmit(page);
  await seeAcked(page, plan.repair.uti, "flow-05-repaired-acked", 2);
  await seeAcked(page, plan.resubmit.uti, "flow-06-resubmitted-acked", 1);
} catch (exc) {
  await run.stopped(page, exc);
}
try {
  await secondTenant(browser);
} finally {
  await browser.close();
}
run.writeManifest("flows.json", {});
run.finish();
