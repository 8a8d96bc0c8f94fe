// A back-load with four eyes in Debian's chromium, against a running local stack with the demo data
// and a policy that holds every back-load (set by tests/e2e/test_console.py):
//   1. an admin plans a back-load of every open trade on the Back-loads screen: the dry run shows how
//      many trades and what changes, then creates it: the console says it waits for approval;
//   2. a second admin, in a Korean browser, approves it on the Approvals screen;
//   3. on the Back-loads screen the job starts as the monitor's tick works it off (its progress bar
//      moves), is paused (the progress stops), and is resumed.
// Every screen it stops on gets a screenshot (test-results/backloads-*.png) and an axe run.
//
//   SWAPREP_URL=... SWAPREP_BACKLOAD_PLAN=plan.json npm run e2e:backloads
import { readFileSync } from "node:fs";
import { Run, launch, newPage, settled, signIn, until } from "./lib.mjs";

const PLAN_FILE = process.env.SWAPREP_BACKLOAD_PLAN;
if (!PLAN_FILE) throw new Error("set SWAPREP_BACKLOAD_PLAN (a plan JSON, see tests/e2e/test_console.py)");
const plan = JSON.parse(readFileSync(PLAN_FILE, "utf8"));
const { requester, approver, reason } = plan;

const run = new Run("backloads");

async function openBackloads(page) {
  await page.locator("header nav a[href='#/backloads']").click();
  await settled(page);
}

/** "12 of 80" from the job's row: the trades worked so far. */
async function worked(row) {
  const bar = row.getByRole("progressbar");
  return Number(await bar.getAttribute("value"));
}

async function planAndCreate(page) {
  run.step(`${requester.user} plans a back-load of every open trade, then creates it`);
  await openBackloads(page);
  await page.getByLabel("Reason").fill(reason);
  await page.getByLabel("Batch size (trades)").fill(String(plan.batch_size));
  await page.getByLabel("At most (trades a second)").fill(String(plan.rate_per_s));
  const create = page.getByRole("button", { name: "Create the job" });
  if (!(await create.isDisabled())) run.fail("Create is on before the dry run was seen");
  await page.getByRole("button", { name: "Plan (dry run)" }).click();
  const result = page.getByTestId("backload-plan");
  await result.waitFor();
  const said = (await result.innerText()).replace(/\s+/g, " ");
  run.step(`plan: ${said.slice(0, 300)}`);
  const total = Number((/([\d,]+) open trade\(s\) would be reported again/.exec(said)?.[1] ?? "0").replace(/,/g, ""));
  if (!(total > 0)) run.fail(`the dry run should count the demo's open trades: ${said}`);
  if (!said.includes("MODI/UPDT")) run.fail(`the dry run should say each is re-reported as MODI/UPDT: ${said}`);
  if (!/event_type: \S+ → UPDT/.test(said)) run.fail(`the sample should show event_type becoming UPDT: ${said}`);
  await run.check(page, "backloads-01-plan", { route: "backloads", user: requester.user });
  await create.click();
  const held = page.getByTestId("held");
  await held.waitFor();
  const heldText = (await held.innerText()).replace(/\s+/g, " ");
  if (!/another user must approve it/.test(heldText)) run.fail(`the held back-load should say so: ${heldText}`);
  if (!heldText.includes(`(${total.toLocaleString("en-US")} event(s) in the request)`)) run.fail(`the held request should count the open trades: ${heldText}`);
  await page.getByRole("heading", { name: "Jobs" }).waitFor();
  if (await page.locator("main table tbody tr").filter({ hasText: reason }).count()) run.fail("a held back-load is listed as a job");
  await run.check(page, "backloads-02-held", { route: "backloads", user: requester.user });
  return total;
}

async function approveIt(page) {
  run.step(`${approver.user} (Korean) approves it`);
  await page.locator("header nav a[href='#/approvals']").click();
  await settled(page);
  const card = page.locator("article.approval").filter({ hasText: requester.user }).filter({ hasText: reason });
  await card.waitFor();
  await card.locator("button.approve").click();
  const done = page.locator("main p.ok[role=status]");
  await done.filter({ hasText: "승인했습니다" }).waitFor();
  run.step(`approved: ${await done.innerText()}`);
}

async function watchPauseResume(page, total) {
  run.step("the job on the Back-loads screen: the monitor's tick moves it on; pause, then resume");
  await openBackloads(page);
  const row = page.locator("main table tbody tr").filter({ hasText: reason });
  await until(page, "the job's progress moves", async () => {
    const n = await worked(row);
    return n > 0 ? true : `worked ${n}: ${(await row.innerText()).replace(/\s+/g, " ")}`;
  });
  await run.check(page, "backloads-03-running-ko", { route: "backloads", user: approver.user, lang: "ko" });
  const status = (await row.locator(".badge").innerText()).trim();
  if (status === "완료") {
    run.fail(`the job of ${total} trades ended before it could be paused: slow it down in the plan`);
    return;
  }
  await row.getByRole("button", { name: `백로드 일시 중지: ${reason}` }).click();
  await row.locator(".badge").filter({ hasText: "일시 중지됨" }).waitFor();
  const paused = await worked(row);
  run.step(`paused at ${paused} of ${total}`);
  await page.waitForTimeout(plan.paused_wait_ms); // longer than a monitor tick: nothing moves
  await page.reload();
  await settled(page);
  if ((await worked(row)) !== paused) run.fail(`a paused job moved on: ${paused} -> ${await worked(row)}`);
  await run.check(page, "backloads-04-paused-ko", { route: "backloads", user: approver.user, lang: "ko" });
  await row.getByRole("button", { name: `백로드 재개: ${reason}` }).click();
  await until(page, "the resumed job moves on", async () => {
    const n = await worked(row);
    return n > paused ? true : `still ${n}`;
  });
  run.step(`resumed: ${await worked(row)} of ${total}`);
}

const browser = await launch();
let page;
try {
  page = await newPage(browser);
  run.watch(page);
  await signIn(page, requester.user, requester.password);
  await settled(page);
  const total = await planAndCreate(page);

  page = await newPage(browser, { locale: "ko-KR" });
  run.watch(page);
  await signIn(page, approver.user, approver.password);
  await settled(page);
  await approveIt(page);
  await watchPauseResume(page, total);
} catch (exc) {
  await run.stopped(page, exc);
} finally {
  await browser.close();
}
run.writeManifest("backloads.json", {});
run.finish();
