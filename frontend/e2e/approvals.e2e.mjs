// Four-eyes approval in Debian's chromium, against a running local stack with the demo data, as
// three people of the same bank would do it:
//   1. the admin sets the tenant's policy on the Approvals screen (a repair of one event or more
//      needs a second user, requests valid 24 h), after the form refused a threshold of 0;
//   2. an operator repairs an invalid event in the repair drawer: the console says the repair was
//      sent for approval, until when, and links to the approvals; the nav counts one waiting; on
//      the Approvals screen the operator cannot approve their own request (and is told why) but
//      may withdraw it;
//   3. a second operator, in a Korean browser, sees the request with its event and changes,
//      approves it, and sees it among the decided ones, approved by them, with its new version;
//   4. the admin clears the policy again.
// Every screen it stops on gets a screenshot (test-results/approvals-*.png) and an axe run.
// tests/e2e/test_console.py writes the plan (the users it made and the event to repair) and
// checks the database afterwards.
//
//   SWAPREP_URL=... SWAPREP_APPROVAL_PLAN=plan.json npm run e2e:approvals
import { readFileSync } from "node:fs";
import { BASE, Run, launch, newPage, settled, signIn } from "./lib.mjs";

const PLAN_FILE = process.env.SWAPREP_APPROVAL_PLAN;
if (!PLAN_FILE) throw new Error("set SWAPREP_APPROVAL_PLAN (a plan JSON, see tests/e2e/test_console.py)");
const plan = JSON.parse(readFileSync(PLAN_FILE, "utf8"));
const [requester, approver] = plan.operators;

const run = new Run("approvals");
const HANGUL = /[\uAC00-\uD7A3]/;

/** The Approvals screen, from the main nav as a person gets there. */
async function openApprovals(page) {
  await page.locator("header nav a[href='#/approvals']").click();
  await settled(page);
}

/** The nav's count of requests waiting for a second user ("" when none is shown). */
async function navCount(page) {
  const badge = page.locator("header nav a[href='#/approvals'] .nav-count");
  return (await badge.count()) ? (await badge.innerText()).trim() : "";
}

/** Waits (a few seconds: the count is read after each act) for the nav to count `expected`. */
async function expectNavCount(page, expected, who) {
  await page.waitForFunction((want) => (document.querySelector("header nav a[href='#/approvals'] .nav-count")?.textContent ?? "") === want,
    expected, { timeout: 10_000 })
    .catch(async () => run.fail(`${who}'s nav should count "${expected}" waiting, shows "${await navCount(page)}"`));
}

async function setPolicy(page) {
  run.step(`${plan.admin.user} sets the policy: a repair of ${plan.policy.repair} event(s) or more waits for a second user`);
  await openApprovals(page);
  const threshold = page.getByLabel("Repair: from how many events", { exact: true });
  await threshold.fill("0");
  await page.getByRole("button", { name: "Save the policy" }).click();
  // refused before it is sent, beside the field, in words
  await page.getByText("A whole number of events from 1 to 1, or empty.").waitFor();
  if ((await threshold.getAttribute("aria-invalid")) !== "true") run.fail("policy: the threshold of 0 is not marked invalid");
  await threshold.fill(String(plan.policy.repair));
  await page.getByLabel("Validity (hours)").fill(String(plan.policy.validity_hours));
  await page.getByRole("button", { name: "Save the policy" }).click();
  await page.getByRole("status").filter({ hasText: "Policy saved." }).waitFor();
  const summary = await page.getByTestId("policy-summary").innerText();
  if (!summary.includes(`Repair: from ${plan.policy.repair} event(s)`)) run.fail(`policy: the summary does not say it: ${summary}`);
  await run.check(page, "approvals-01-policy", { route: "approvals", user: plan.admin.user });
}

async function requestRepair(page) {
  const { event_id, uti, rule, changes } = plan.repair;
  run.step(`${requester.user} repairs ${uti} (${changes.map((c) => `${c.field} = ${c.value}`).join(", ")})`);
  // the link the trade's detail and the error list give for this event (the Errors screen's URL contract)
  const query = new URLSearchParams({ kind: "rule", key: rule, event: event_id, field: changes[0].field });
  await page.goto(`${BASE}/#/errors?${query}`);
  await settled(page);
  await page.locator("form.repair").waitFor();
  await page.getByLabel("New value").first().fill(changes[0].value);
  for (const change of changes.slice(1)) {
    await page.getByRole("button", { name: "Add a field" }).click();
    await page.getByLabel("Field path").last().fill(change.field);
    await page.getByLabel("New value").last().fill(change.value);
  }
  await page.getByTestId("repair-preview").getByText("The repaired event passes validation.").waitFor();
  await page.getByRole("button", { name: "Apply repair" }).click();
  const held = page.getByTestId("held");
  await held.waitFor();
  const said = (await held.innerText()).replace(/\s+/g, " ");
  run.step(`held: ${said}`);
  if (!/Sent for approval: another user must approve it before .+\./.test(said)) run.fail(`the held repair should say so: ${said}`);
  if (await page.getByRole("status").filter({ hasText: /Saved as version/ }).count()) run.fail("a held repair is shown as saved");
  if (!(await page.getByRole("button", { name: "Apply repair" }).isDisabled())) run.fail("Apply stays on after the repair was held");
  await expectNavCount(page, "1", requester.user);
  await run.check(page, "approvals-02-held", { route: "errors", user: requester.user });

  run.step("the requester on the Approvals screen: no approving one's own request, withdrawing offered");
  await held.getByRole("link", { name: "Open the approvals" }).click();
  await settled(page);
  const card = page.locator("article.approval").filter({ hasText: requester.user });
  await card.waitFor();
  const approve = card.getByRole("button", { name: `Approve: Repair requested by ${requester.user}` });
  if (!(await approve.isDisabled())) run.fail("the requester can press Approve on their own request");
  const why = await card.locator(".why").innerText().catch(() => "");
  if (!why.includes("another user must approve it")) run.fail(`the requester is not told why: "${why}"`);
  if (!(await card.getByRole("button", { name: "Withdraw your request: Repair" }).count())) run.fail("the requester is not offered Withdraw");
  const text = await card.innerText();
  for (const change of changes) if (!text.includes(change.field)) run.fail(`the request does not show the change of ${change.field}`);
  await run.check(page, "approvals-03-own-request", { route: "approvals", user: requester.user });
}

async function approve(page) {
  run.step(`${approver.user} (Korean) approves it`);
  await expectNavCount(page, "1", approver.user);
  await openApprovals(page);
  const heading = await page.locator("main h1").innerText();
  if (!HANGUL.test(heading)) run.fail(`the Korean approvals screen's heading is ${heading}`);
  const card = page.locator("article.approval").filter({ hasText: requester.user });
  await card.waitFor();
  const text = await card.innerText();
  if (!text.includes(plan.repair.event_id.slice(0, 10))) run.fail(`the request does not show its event: ${text}`);
  await run.check(page, "approvals-04-waiting-ko", { route: "approvals", user: approver.user, lang: "ko" });
  await card.locator("button.approve").click();
  const done = page.locator("main p.ok[role=status]");
  await done.filter({ hasText: "승인했습니다" }).waitFor();
  const said = await done.innerText();
  run.step(`approved: ${said}`);
  if (!/버전 \d+/.test(said)) run.fail(`the approval should say the repair's new version: ${said}`);
  await page.getByText("승인을 기다리는 요청이 없습니다.").waitFor();
  const row = page.locator("main table tbody tr").filter({ hasText: approver.user }).first();
  await row.waitFor();
  const rowText = await row.innerText();
  if (!rowText.includes("승인됨") || !rowText.includes(requester.user)) run.fail(`the decided row should say approved, by whom, for whom: ${rowText}`);
  await expectNavCount(page, "", approver.user);
  await run.check(page, "approvals-05-approved-ko", { route: "approvals", user: approver.user, lang: "ko" });
}

async function clearPolicy(page) {
  run.step(`${plan.admin.user} clears the policy`);
  await page.reload();
  await settled(page);
  await page.getByLabel("Repair: from how many events", { exact: true }).fill("");
  await page.getByRole("button", { name: "Save the policy" }).click();
  await page.getByRole("status").filter({ hasText: "Policy saved." }).waitFor();
  const summary = await page.getByTestId("policy-summary").innerText();
  if (!summary.includes("No action waits for a second user")) run.fail(`the cleared policy's summary: ${summary}`);
}

const browser = await launch();
let page;
try {
  const admin = await newPage(browser);
  page = admin;
  run.watch(admin);
  await signIn(admin, plan.admin.user, plan.admin.password);
  await settled(admin);
  await setPolicy(admin);

  page = await newPage(browser);
  run.watch(page);
  await signIn(page, requester.user, requester.password);
  await settled(page);
  await requestRepair(page);

  page = await newPage(browser, { locale: "ko-KR" });
  run.watch(page);
  await signIn(page, approver.user, approver.password);
  await settled(page);
  await approve(page);

  page = admin;
  await clearPolicy(admin);
} catch (exc) {
  await run.stopped(page, exc);
} finally {
  await browser.close();
}
run.writeManifest("approvals.json", {});
run.finish();
