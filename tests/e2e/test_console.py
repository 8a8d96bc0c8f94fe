"""The operations console in Debian's chromium against one local stack with the demo data.

- `npm run e2e` (frontend/e2e/console.e2e.mjs) signs in and walks every entry of the main
  nav. Each screen gets a screenshot under frontend/test-results/ and an axe run, and the
  demo viewer must see no mutation controls.
- `npm run e2e:flows` (frontend/e2e/flows.e2e.mjs) uploads an FEP file from the browser and
  watches its rows reach ACK, NACK and invalid. It repairs the invalid row and resubmits a
  NACKed one, and sees both ACKed. Then a second tenant's user must see none of the first
  tenant's data.
- `npm run e2e:approvals` (frontend/e2e/approvals.e2e.mjs) runs four-eyes approval: the admin
  sets the policy, an operator's repair is held, a second operator approves it.

The stack runs its cron a little fast (one cron minute every few seconds), so that a batch of
a few events goes to the TR within seconds instead of at the next minute.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from shared.domain.model import TradeEvent
from shared.domain.obligations.entities import EntityBook, EntityKind, LegalEntity
from shared.domain.obligations.routing import route
from swaprep.local.demo import (
    CCP_LEI,
    CSV_COLUMNS,
    DEMO_TENANT,
    DEMO_TENANT_NAME,
    UNREGISTERED_LEI,
    demo_files,
    demo_lei,
    kst_today,
)
from swaprep.local.stack import LocalStack
from tests.support.fep_rows import csv_cells, fep_row

pytestmark = pytest.mark.e2e
FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
RESULTS = FRONTEND / "test-results"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CRON_SPEEDUP = 15  # a cron minute every 4 s: generate's flush and the monitor's sweep
UNFINISHED = ("received", "valid", "reported", "submitted")


def _missing() -> str | None:
    if shutil.which("npm") is None:
        return "npm is not installed"
    if not (FRONTEND / "node_modules" / "playwright-core").is_dir():
        return "frontend/node_modules is missing: run `npm ci` in frontend/ (./dev test does)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: apt-get install chromium (./dev test does)"
    return None


def _build_if_stale() -> None:
    """frontend/dist as `./dev up` keeps it: rebuilt when a source is newer than it."""
    built = FRONTEND / "dist" / "index.html"
    sources = [FRONTEND / "index.html", FRONTEND / "package-lock.json", FRONTEND / "vite.config.ts",
               *(p for p in (FRONTEND / "src").rglob("*") if p.is_file())]
    if built.is_file() and all(p.stat().st_mtime <= built.stat().st_mtime for p in sources):
        return
    subprocess.run(["npm", "run", "--silent", "build"], cwd=FRONTEND, check=True, timeout=300)


def _fast_clock():
    start = time.time()
    return lambda: start + (time.time() - start) * CRON_SPEEDUP


def _events(stack: LocalStack) -> dict[str, int]:
    with stack.db.system() as conn:
        return {r["state"]: r["n"] for r in conn.execute(
            "SELECT state, count(*) AS n FROM trade_events GROUP BY state")}


def _trade_refreshes(stack: LocalStack) -> int:
    """Trades whose new state a stage noted and nobody has applied yet (the list lags)."""
    with stack.db.system() as conn:
        return conn.execute("SELECT count(*) AS n FROM trade_refresh_pending").fetchone()["n"]


def _wait_for_demo(stack: LocalStack, timeout_s: float = 150) -> dict[str, int]:
    """Until the demo has settled: ACKs, NACKs and invalid events, nothing on its way, and
    the trades list showing their states."""
    deadline = time.monotonic() + timeout_s
    while True:
        states = _events(stack)
        if all(states.get(s) for s in ("acked", "nacked", "invalid")) \
                and not set(states) & set(UNFINISHED) and not _trade_refreshes(stack):
            return states
        assert time.monotonic() < deadline, f"the demo did not settle: {states}"
        time.sleep(1)


@pytest.fixture(scope="module")
def console_stack() -> Iterator[LocalStack]:
    reason = _missing()
    if reason:
        # `./dev test` (and so CI) installs all of it: there a missing piece is a failure,
        # not a pass. A bare `pytest` on a machine without Node may skip.
        if os.environ.get("CI") or os.environ.get("SWAPREP_REQUIRE_CONSOLE"):
            pytest.fail(f"the console's browser test cannot run: {reason}")
        pytest.skip(reason)
    _build_if_stale()
    # Not under pytest's 0700 tmp dir: the embedded server may run as the `postgres` user.
    base = Path(tempfile.mkdtemp(prefix="swaprep-ui-"))
    os.chmod(base, 0o755)
    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    try:
        with LocalStack(state_dir=base / "state", ports=ports,
                        bucket_prefix=f"ui{uuid.uuid4().hex[:8]}", write_endpoints=False,
                        frontend_dist=FRONTEND / "dist", cron_clock=_fast_clock()) as stack:
            stack.seed_demo()
            print("demo events:", _wait_for_demo(stack))
            yield stack
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def routed_uti(console_stack: LocalStack) -> str:
    """A demo trade whose latest event carries a routing decision, as the pipeline stores it in
    `trade_events.routing`: made here by the domain against a Seoul head office (KRX, and a CFTC
    swap dealer) with a London branch, since the demo sets up no entities. Only that column of
    one acknowledged event changes: nothing the pipeline or the other flows read."""
    book = EntityBook([
        LegalEntity("SEOUL-HO", "Demo Bank Seoul", EntityKind.HEAD_OFFICE, "KR", lei=TENANT_LEI,
                    statuses={"krx": "REPORTING", "cftc-part45": "SD"}),
        LegalEntity("LONDON-BR", "Demo Bank London", EntityKind.BRANCH, "GB", parent="SEOUL-HO",
                    statuses={"uk-emir": "FC"})])
    with console_stack.db.system() as conn:
        row = conn.execute(
            "SELECT e.id, e.uti, e.payload, t.regimes FROM trades tr"
            " JOIN trade_events e ON e.id = tr.last_event_id JOIN tenants t ON t.id = tr.tenant_id"
            " WHERE t.slug = %s AND e.state = 'acked'"
            " AND e.payload->'counterparty_1'->>'identifier' = %s ORDER BY tr.uti LIMIT 1",
            (DEMO_TENANT, TENANT_LEI)).fetchone()
        assert row is not None, "the demo has no acknowledged trade of its own LEI"
        routing = route(TradeEvent.model_validate(row["payload"]), book, enabled=row["regimes"])
        assert routing.reports and routing.skipped, routing  # a table and a list to show
        conn.execute("UPDATE trade_events SET routing = %s WHERE id = %s",
                     (Jsonb(routing.as_dict()), row["id"]))
    return row["uti"]


def _npm(script: str, env: dict[str, str], timeout_s: float) -> subprocess.CompletedProcess:
    run = subprocess.run(["npm", "run", "--silent", script], cwd=FRONTEND,
                         env={**os.environ, "CHROMIUM": CHROMIUM, **env},
                         capture_output=True, text=True, timeout=timeout_s)
    print(run.stdout[-8000:], run.stderr[-4000:])
    return run


def _manifest(name: str, started: float) -> dict[str, Any]:
    path = RESULTS / name
    assert path.is_file() and path.stat().st_mtime >= started, f"{name} was not written"
    manifest = json.loads(path.read_text())
    for screen in manifest["screens"]:  # each screenshot written by this run
        shot = RESULTS / screen["file"]
        assert shot.is_file() and shot.stat().st_mtime >= started, screen
    return manifest


def test_console_walkthrough_in_chromium(console_stack, routed_uti):
    stack, started = console_stack, time.time()
    run = _npm("e2e", {"SWAPREP_URL": stack.endpoints["api"], "SWAPREP_USER": "demo-admin",
                       "SWAPREP_PASSWORD": stack.secret("password_demo-admin", 12),
                       "SWAPREP_VIEWER_PASSWORD": stack.secret("password_demo-viewer", 12),
                       "SWAPREP_ROUTED_UTI": routed_uti},
               timeout_s=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    manifest = _manifest("screens.json", started)
    nav = [entry["route"] for entry in manifest["nav"]]
    assert {"dashboard", "trades", "errors", "files"} <= set(nav), nav
    layouts = [tuple(layout) for layout in manifest["layouts"]]
    assert {(lang, width) for lang in ("en", "ko") for width in (1280, 1920)} <= set(layouts)
    for lang, width in layouts:
        # One screenshot (and axe run) per nav entry the console showed, in every layout,
        # plus the sign-in screen and a trade's detail.
        shown = [s for s in manifest["screens"] if (s.get("lang"), s.get("width")) == (lang, width)]
        walked = {s["route"]: s for s in shown if s.get("nav")}
        assert set(walked) == set(nav), (lang, width, nav, sorted(walked))
        assert {"sign-in", "trades/<uti>"} <= {s["route"] for s in shown}, (lang, width)
        # the trade with a routing: its reporting obligations shown, in the layout's language
        [routed] = [s for s in shown if s.get("routing")]
        assert routed["routing"]["reports"] >= 1 and routed["routing"]["skipped"] >= 1, routed
        assert all(s["title"] for s in walked.values()), "every nav screen has an <h1>"
    assert "07-viewer-errors.png" in {s["file"] for s in manifest["screens"]}


def test_a_tr_rejection_fixed_from_the_dashboard_in_chromium(console_stack):
    """The work queue on the demo data: numbers that agree, rejections first, one TR-rejected
    record repaired from the dashboard in at most six actions and followed to its ACK, then
    the rest of its group corrected at once."""
    stack, started = console_stack, time.time()
    run = _npm("e2e:queue", {"SWAPREP_URL": stack.endpoints["api"], "SWAPREP_USER": "demo-admin",
                             "SWAPREP_PASSWORD": stack.secret("password_demo-admin", 12),
                             "SWAPREP_BAD_LEI": UNREGISTERED_LEI, "SWAPREP_FIX_LEI": KNOWN_CP},
               timeout_s=420)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    figures = _manifest("queue.json", started)
    print("actions:", figures["actions"], "seconds:", figures["seconds"])
    assert len(figures["actions"]) <= 6, figures["actions"]
    assert figures["bulk_repaired"] > 0
    assert {"20-queue-en-1280.png", "21-drawer-en-1280.png",
            "23-bulk-preview-en-1280.png"} <= {s["file"] for s in figures["screens"]}


# -- the flows ----------------------------------------------------------------------------------

TENANT_LEI = demo_lei(1)  # the demo tenant's (swaprep/local/demo.py)
KNOWN_CP = demo_lei(100)  # a demo counterparty: in the TR's LEI register
LATE_CP = demo_lei(198)  # well-formed, registered only after the first NACK (the resubmit)
TENANT2_LEI = demo_lei(2)
# The register the TR simulator holds during the flows: every LEI the demo and the flows use,
# but LATE_CP (UNREGISTERED_LEI is never registered: swaprep/trsim/checks.py).
REGISTER = {TENANT_LEI, TENANT2_LEI, CCP_LEI, *(demo_lei(n) for n in range(100, 106))}


def _row(lei: str, trade_id: str, **overrides: str) -> dict[str, str]:
    """A KRW fixed/float IRS NEWT in the demo FEP's CSV profile, executed three hours ago."""
    executed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    return fep_row(lei, trade_id, executed=executed, **{
        "counterparty_lei": KNOWN_CP, "counterparty_name": "Alpha Global Bank", **overrides})


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_cells(row) for row in rows)
    return out.getvalue().encode()


def _second_tenant(stack: LocalStack, slug: str, password: str) -> str:
    """The second tenant and its admin, as the demo seeds its own (a tenant row: there is no
    tenant service; the user through the auth service, audited). Returns the username."""
    from shared.services.identity.auth import create_user
    from shared.services.operations.base import Actor

    with stack.db.system() as conn:
        tenant_id = conn.execute(
            "INSERT INTO tenants (slug, name, lei) VALUES (%s, 'Flow Securities', %s)"
            " RETURNING id", (slug, TENANT2_LEI)).fetchone()["id"]
    actor = Actor(id="cli:e2e", name="cli:e2e", kind="system", role="admin")
    username = f"{slug}-admin"
    with stack.db.tenant(tenant_id) as conn:
        create_user(conn, actor, tenant_id=tenant_id, username=username, password=password,
                    role="admin", display_name="Flow Securities Admin")
    return username


def flow_plan(stack: LocalStack, folder: Path) -> dict[str, Any]:
    """What flows.e2e.mjs does and expects: the first tenant's FEP file (written to `folder`)
    with its rows' UTIs and intended outcomes, the repair and the resubmission, and a second
    tenant (created here, with its own file dropped over the S3 API as an FEP would)."""
    run_id = uuid.uuid4().hex[:6].upper()
    prefix = f"FLOW-{run_id}"
    rows = {  # trade id -> (row, the state the console must show after the upload)
        "A1": (_row(TENANT_LEI, f"{prefix}-A1"), "acked"),
        "A2": (_row(TENANT_LEI, f"{prefix}-A2", notional_1="25000000000", fixed_rate="3.1"),
               "acked"),
        "NK": (_row(TENANT_LEI, f"{prefix}-NK", counterparty_lei=UNREGISTERED_LEI,
                    counterparty_name="Omega Capital Partners"), "nacked"),
        "LT": (_row(TENANT_LEI, f"{prefix}-LT", counterparty_lei=LATE_CP,
                    counterparty_name="Late Registrant Bank"), "nacked"),
        # a sign lost in the FEP's export: both legs of the swap carry the negative notional
        "RP": (_row(TENANT_LEI, f"{prefix}-RP", notional_1="-10000000000"), "invalid"),
    }
    uti = {key: row["uti"] for key, (row, _) in rows.items()}
    file_name = f"flow-{run_id.lower()}.csv"
    (folder / file_name).write_bytes(_csv([row for row, _ in rows.values()]))

    slug, password = f"flow-{run_id.lower()}", secrets.token_urlsafe(12)
    username = _second_tenant(stack, slug, password)
    file2 = f"flow-b-{run_id.lower()}.csv"
    stack.s3_client().put_object(
        Bucket=stack.buckets["inbound"], ContentType="text/csv",
        Key=f"{slug}/{datetime.now(UTC):%Y-%m-%d}/{file2}",
        Body=_csv([_row(TENANT2_LEI, f"{prefix}-B1"),
                   _row(TENANT2_LEI, f"{prefix}-B2", notional_currency_1="KRX")]))
    demo_names = [f.key.rsplit("/", 1)[1] for f in demo_files(kst_today())]
    return {
        "file": str(folder / file_name), "file_name": file_name, "trade_id_prefix": prefix,
        "file_events": {"acked": 2, "nacked": 2, "invalid": 1},
        "states": {uti[key]: state for key, (_, state) in rows.items()},
        "repair": {"uti": uti["RP"], "rule": "SR-EC-022", "changes": [
            {"field": f"legs[{leg}].notional.amount", "value": "10000000000"} for leg in (0, 1)]},
        "resubmit": {"uti": uti["LT"], "code": "TR-ID-003", "register": {
            "url": f"{stack.trsim.admin_url}/admin/leis",
            "known": sorted(REGISTER | {LATE_CP})}},
        "tenant2": {
            "user": username, "password": password, "slug": slug,
            "own": {"trades": f"{TENANT2_LEI}{prefix.replace('-', '')}B1", "files": file2,
                    "errors": "SR-EC-023"},
            # Every first-tenant UTI starts with its LEI; its files and name besides.
            "foreign": [TENANT_LEI, DEMO_TENANT, DEMO_TENANT_NAME, file_name, *demo_names],
            "foreign_uti": uti["A1"],
        },
        "settle_s": 120,
    }


@contextlib.contextmanager
def register(stack: LocalStack, leis: set[str]) -> Iterator[None]:
    """The TR simulator's LEI register for the flows (none otherwise: every LEI known)."""
    stack.trsim.set_known_leis(leis)
    try:
        yield
    finally:
        stack.trsim.set_known_leis(None)


def test_upload_to_ack_repair_resubmit_and_a_second_tenant_in_chromium(console_stack, tmp_path):
    stack, started = console_stack, time.time()
    print("before the flows:", _wait_for_demo(stack))
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(flow_plan(stack, tmp_path), indent=2))
    with register(stack, REGISTER):
        run = _npm("e2e:flows", {
            "SWAPREP_URL": stack.endpoints["api"], "SWAPREP_USER": "demo-admin",
            "SWAPREP_PASSWORD": stack.secret("password_demo-admin", 12),
            "SWAPREP_FLOW_PLAN": str(plan_file)}, timeout_s=420)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    manifest = _manifest("flows.json", started)
    shots = {s["file"] for s in manifest["screens"]}
    assert {"flow-01-files.png", "flow-03-repaired.png", "flow-04-resubmitted.png",
            "flow-05-repaired-acked.png", "flow-06-resubmitted-acked.png",
            "tenant2-foreign-trade.png"} <= shots, sorted(shots)
    assert any(s.startswith("tenant2-") and "trades" in s for s in shots), sorted(shots)


# -- four-eyes approval (issue 17) --------------------------------------------------------------

def _demo_tenant_id(stack: LocalStack) -> str:
    with stack.db.system() as conn:
        return str(conn.execute("SELECT id FROM tenants WHERE slug = %s",
                                (DEMO_TENANT,)).fetchone()["id"])


def _operators(stack: LocalStack, tenant_id: str, run_id: str) -> list[dict[str, str]]:
    """Two operators of the demo bank, made as the demo makes its users (through the auth
    service, audited): the one who asks and the second pair of eyes."""
    from shared.services.identity.auth import create_user
    from shared.services.operations.base import Actor

    actor = Actor(id="cli:e2e", name="cli:e2e", kind="system", role="admin")
    made = []
    for n in (1, 2):
        username, password = f"oper{n}-{run_id}", secrets.token_urlsafe(12)
        with stack.db.tenant(tenant_id) as conn:
            create_user(conn, actor, tenant_id=tenant_id, username=username, password=password,
                        role="operator", display_name=f"Operator {n}")
        made.append({"user": username, "password": password})
    return made


def _unknown_currency_event(stack: LocalStack, tenant_id: str) -> dict[str, Any]:
    """A demo event refused only for an unknown currency (SR-EC-023, "KRX"): set to KRW, it
    passes validation. The oldest such event, so that the choice does not depend on the clock."""
    with stack.db.tenant(tenant_id) as conn:
        row = conn.execute(
            "SELECT e.id, e.uti, array_agg(DISTINCT i.field ORDER BY i.field) AS fields"
            " FROM trade_events e JOIN validation_issues i ON i.event_id = e.id"
            " WHERE e.state = 'invalid' AND i.status <> 'resolved'"
            " GROUP BY e.id, e.uti, e.created_at"
            " HAVING bool_and(i.rule_id = 'SR-EC-023' AND i.field LIKE '%%currency')"
            " ORDER BY e.created_at, e.id LIMIT 1").fetchone()
    assert row is not None, "the demo has no event refused only for its currency"
    return {"event_id": str(row["id"]), "uti": row["uti"], "rule": "SR-EC-023",
            "changes": [{"field": field, "value": "KRW"} for field in row["fields"]]}


def _clear_four_eyes(stack: LocalStack, tenant_id: str) -> None:
    """The demo tenant without a policy again, whatever the script got to: the other flows
    expect an operator to act alone."""
    with stack.db.tenant(tenant_id) as conn:
        conn.execute("UPDATE tenants SET four_eyes = '{}' WHERE id = app.current_tenant()")


def test_four_eyes_approval_in_chromium(console_stack, tmp_path):
    """The admin sets the policy on the Approvals screen, an operator's repair is held (the
    console says so), a second operator approves it in a Korean browser; the repair then ran
    as the approver, both in the audit."""
    stack, started = console_stack, time.time()
    tenant_id = _demo_tenant_id(stack)
    run_id = uuid.uuid4().hex[:6]
    plan = {
        "admin": {"user": "demo-admin", "password": stack.secret("password_demo-admin", 12)},
        "operators": _operators(stack, tenant_id, run_id),
        "repair": _unknown_currency_event(stack, tenant_id),
        "policy": {"repair": 1, "validity_hours": 24},
    }
    plan_file = tmp_path / "approvals.json"
    plan_file.write_text(json.dumps(plan, indent=2))
    try:
        run = _npm("e2e:approvals", {"SWAPREP_URL": stack.endpoints["api"],
                                     "SWAPREP_APPROVAL_PLAN": str(plan_file)}, timeout_s=300)
    finally:
        _clear_four_eyes(stack, tenant_id)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    manifest = _manifest("approvals.json", started)
    assert {"approvals-01-policy.png", "approvals-02-held.png", "approvals-03-own-request.png",
            "approvals-04-waiting-ko.png", "approvals-05-approved-ko.png"} <= {
        s["file"] for s in manifest["screens"]}

    requester, approver = (o["user"] for o in plan["operators"])
    event_id = plan["repair"]["event_id"]
    with stack.db.tenant(tenant_id) as conn:
        [request] = conn.execute(
            "SELECT status, requested_by_name, decided_by_name, outcome FROM approval_requests"
            " WHERE request->>'event_id' = %s", (event_id,)).fetchall()
        state = conn.execute("SELECT state FROM trade_events WHERE id = %s",
                             (event_id,)).fetchone()["state"]
        # the policy is this test's alone; the operators were made for it
        trail = conn.execute(
            "SELECT action, actor FROM audit_log WHERE action LIKE 'approval%%'"
            " OR (action = 'event.repair' AND actor = ANY(%s)) ORDER BY id",
            ([requester, approver],)).fetchall()
    assert (request["status"], request["requested_by_name"], request["decided_by_name"]) == (
        "approved", requester, approver)
    assert request["outcome"]["version"] >= 2
    assert state == "superseded"  # the repair ran: a new version replaced the event
    assert [(r["action"], r["actor"]) for r in trail] == [
        ("approvals.policy", "demo-admin"), ("approval.request", requester),
        ("event.repair", approver), ("approval.approve", approver),
        ("approvals.policy", "demo-admin")]


# -- reconciliation with the TR's end-of-day reports (issue 17) ------------------------------

RECON_CP, RECON_TERM_CP = demo_lei(100), demo_lei(104)


def _emir_event(lei: str, trade_id: str, counterparty: str, **overrides: str) -> dict[str, Any]:
    """A canonical EMIR event as an FEP sends it online: the FEP CSV row read by the CSV
    reader, with the UPI EMIR requires and the other side's reporting obligation (so the TR
    pairs it with the other side's report)."""
    from shared.formats.readers import reader_for

    executed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    row = fep_row(lei, trade_id, executed=executed, counterparty_lei=counterparty,
                  counterparty_name="Alpha Global Bank", **overrides)
    [record] = reader_for("csv").read(io.BytesIO(_csv([row])), file_name="recon.csv")
    event = record.event
    event.product.upi = "QZDEMOIRSKRW"
    event.counterparty_2.reporting_obligation = True
    return json.loads(event.model_dump_json(exclude_none=True))


def _ingest(stack: LocalStack, key: str, events: list[dict[str, Any]]) -> None:
    import requests

    answer = requests.post(f"{stack.endpoints['api']}/api/ingest/events", json={"events": events},
                           headers={"X-API-Key": key}, timeout=30)
    assert answer.status_code == 202 and not answer.json()["rejected"], answer.text


def _wait_states(stack: LocalStack, tenant_id: Any, wanted: dict[tuple[str, str], str],
                 timeout_s: float = 150) -> None:
    """Until each (UTI, action) has its event in the wanted state."""
    deadline = time.monotonic() + timeout_s
    while True:
        with stack.db.tenant(tenant_id) as conn:
            states = {(r["uti"], r["action_type"]): r["state"] for r in conn.execute(
                "SELECT uti, action_type, state FROM trade_events")}
        if all(states.get(k) == v for k, v in wanted.items()):
            return
        assert time.monotonic() < deadline, f"not reached: {wanted} vs {states}"
        time.sleep(1)


def recon_plan(stack: LocalStack) -> dict[str, Any]:
    """An EMIR tenant's trades through the whole stack and the TR's end-of-day reports of
    them, with one break of each kind: B's notional reported differently by the other side,
    C's termination refused by the TR (so open there), D refused by the TR (never open
    there), E at the TR from elsewhere in the tenant's name."""
    from shared.domain.model import TradeEvent
    from shared.formats.writers.base import writer_for
    from shared.services.identity.apikeys import create_key
    from shared.services.identity.auth import create_user
    from shared.services.operations.base import Actor

    run_id = uuid.uuid4().hex[:6].upper()
    slug, lei = f"recon-{run_id.lower()}", demo_lei(3)
    with stack.db.system() as conn:
        tenant_id = conn.execute(
            "INSERT INTO tenants (slug, name, lei, regimes) VALUES (%s, 'Recon Bank', %s,"
            " '{emir}') RETURNING id", (slug, lei)).fetchone()["id"]
    username, password = f"{slug}-ops", secrets.token_urlsafe(12)
    with stack.db.tenant(tenant_id) as conn:
        create_user(conn, Actor(id="cli:e2e", name="cli:e2e", kind="system", role="admin"),
                    tenant_id=tenant_id, username=username, password=password,
                    role="operator", display_name="Recon Operator")
        key = create_key(conn, tenant_id, "recon-fep")
    trade = {name: f"RC{run_id}-{name}" for name in "ABCDE"}
    uti = {name: f"{lei}{t.replace('-', '')}" for name, t in trade.items()}
    _ingest(stack, key, [_emir_event(lei, trade["A"], RECON_CP),
                         _emir_event(lei, trade["B"], RECON_CP),
                         _emir_event(lei, trade["C"], RECON_TERM_CP),
                         _emir_event(lei, trade["D"], UNREGISTERED_LEI)])
    _wait_states(stack, tenant_id, {(uti["A"], "NEWT"): "acked", (uti["B"], "NEWT"): "acked",
                                    (uti["C"], "NEWT"): "acked", (uti["D"], "NEWT"): "nacked"})
    # C's counterparty leaves the TR's LEI register: our TERM of C is refused (TR-ID-003)
    terminated = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    with register(stack, REGISTER - {RECON_TERM_CP} | {lei, RECON_CP}):
        _ingest(stack, key, [_emir_event(lei, trade["C"], RECON_TERM_CP, action_type="TERM",
                                         event_type="ETRM",
                                         event_timestamp=terminated.isoformat(),
                                         early_termination_date=terminated.date().isoformat())])
        _wait_states(stack, tenant_id, {(uti["C"], "TERM"): "nacked"})
    # E reaches the TR in the tenant's name from elsewhere: no file of ours carries it
    outside = io.BytesIO()
    writer_for("emir").write_batch([TradeEvent(**_emir_event(lei, trade["E"], RECON_CP))],
                                   outside, reporting_timestamp=datetime.now(UTC))
    status, _ = stack.trsim.receive(regime="emir", submitter=lei, report_file_id=f"out-{run_id}",
                                    body=outside.getvalue(), content_type="application/xml",
                                    folder=slug)
    assert status == 202
    stack.trsim.set_counterparty(mode="mirror", differences={uti["B"]: {
        "NtnlAmtFrstLeg": "12000000000 KRW"}})
    try:
        written = stack.trsim.end_of_day(again=True)
    finally:
        stack.trsim.set_counterparty(mode="none")
    assert len([k for k in written if f"/{slug}/" in k]) == 3, written
    deadline = time.monotonic() + 60
    while True:
        with stack.db.tenant(tenant_id) as conn:
            loaded = conn.execute("SELECT count(*) AS n FROM tr_report_files"
                                  " WHERE status = 'loaded'").fetchone()["n"]
            found = {r["uti"]: r for r in conn.execute("SELECT id, uti, kind FROM tr_breaks")}
        if loaded == 3:
            break
        assert time.monotonic() < deadline, f"the TR's reports were not loaded ({loaded})"
        time.sleep(1)
    assert {u: found[u]["kind"] for u in found} == {
        uti["B"]: "field_mismatch", uti["C"]: "open_at_tr", uti["D"]: "missing_at_tr",
        uti["E"]: "at_tr_only"}, found
    return {
        "tenant_id": str(tenant_id), "user": username, "password": password,
        "expected": {uti["E"]: "At the TR, not with us", uti["C"]: "Ended here, open at the TR",
                     uti["D"]: "With us, not at the TR",
                     uti["B"]: "Fields differ from the other side"},
        "mismatch": {"uti": uti["B"], "field": "Notional amount of leg 1",
                     "ours": "10000000000 KRW", "theirs": "12000000000 KRW"},
        "resolve": {"uti": uti["C"], "id": found[uti["C"]]["id"],
                    "note": "EROR sent to the TR after its LEI register listed the counterparty"},
        "labels": {"breaks": "Breaks", "figures": "The TRs' latest reports",
                   "title_ko": "TR 대사"},
        # issue 17 item 4: what "Verify now" finds and clocks (EMIR: the tenant's target of
        # five business days, just started), and what the drafted notification says
        "corrections": {
            "expected": {uti["E"]: "At the TR, not with us", uti["C"]: "Ended here, open at the TR",
                         uti["D"]: "With us, not at the TR",
                         uti["B"]: "Fields differ from the other side"},
            "left": "5 business day(s) left",
            "notice": ["Notification of errors and omissions in reporting",
                       "Scope of the affected reports", uti["E"], uti["D"]]},
    }


def test_the_reconciliation_screen_in_chromium(console_stack, tmp_path):
    stack, started = console_stack, time.time()
    plan = recon_plan(stack)
    plan_file = tmp_path / "recon.json"
    plan_file.write_text(json.dumps(plan, indent=2))
    run = _npm("e2e:recon", {"SWAPREP_URL": stack.endpoints["api"],
                             "SWAPREP_RECON_PLAN": str(plan_file)}, timeout_s=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    manifest = _manifest("recon.json", started)
    assert {f"recon-0{n}-{name}.png" for n, name in (
        (1, "breaks"), (2, "assigned"), (3, "resolving"), (4, "resolved"), (5, "ko"),
        (6, "corrections"), (7, "notice"))} <= {
        s["file"] for s in manifest["screens"]}
    with stack.db.tenant(plan["tenant_id"]) as conn:
        resolved = conn.execute("SELECT status, resolution_note, resolved_by FROM tr_breaks"
                                " WHERE id = %s", (plan["resolve"]["id"],)).fetchone()
        trail = conn.execute("SELECT action, actor FROM audit_log WHERE entity_type = 'tr_break'"
                             " ORDER BY id").fetchall()
    assert (resolved["status"], resolved["resolution_note"], resolved["resolved_by"]) == (
        "resolved", plan["resolve"]["note"], plan["user"])
    assert [(r["action"], r["actor"]) for r in trail] == [
        ("tr_break.assign", plan["user"]), ("tr_break.resolve", plan["user"])]
    with stack.db.tenant(plan["tenant_id"]) as conn:  # the operator's verification, logged
        runs = conn.execute("SELECT regime, status, trigger, run_by, findings FROM"
                            " verifications").fetchall()
        clocked = {(r["uti"], r["kind"]) for r in conn.execute(
            "SELECT uti, kind FROM correction_clocks WHERE state <> 'resolved'")}
    assert [(r["regime"], r["status"], r["trigger"], r["run_by"]) for r in runs] == [
        ("emir", "completed", "manual", plan["user"])]
    expected = plan["corrections"]["expected"]
    assert {uti for uti, _ in clocked} >= set(expected)


# -- back-loads with four eyes (issue 17 item 6) ------------------------------------------------

def test_a_backload_held_approved_and_paused_in_chromium(console_stack, tmp_path):
    """An admin plans and creates a back-load, the policy holds it, a second admin approves it
    in a Korean browser; the monitor's tick works it off, pause stops it, resume continues it.
    No trade is reported twice; request, approval and controls are in the audit."""
    from shared.services.identity.auth import create_user
    from shared.services.operations.base import Actor

    stack, started = console_stack, time.time()
    tenant_id = _demo_tenant_id(stack)
    run_id = uuid.uuid4().hex[:6]
    requester = {"user": f"admin-{run_id}", "password": secrets.token_urlsafe(12)}
    with stack.db.tenant(tenant_id) as conn:
        create_user(conn, Actor(id="cli:e2e", name="cli:e2e", kind="system", role="admin"),
                    tenant_id=tenant_id, username=requester["user"],
                    password=requester["password"], role="admin", display_name="Second admin")
        # every back-load waits for a second admin; each request judged on its own
        conn.execute("UPDATE tenants SET four_eyes = %s WHERE id = app.current_tenant()",
                     (Jsonb({"thresholds": {"backload": 1}, "validity_hours": 24,
                             "window_hours": 0}),))
    plan = {"requester": requester,
            "approver": {"user": "demo-admin",
                         "password": stack.secret("password_demo-admin", 12)},
            "reason": f"e2e re-report {run_id}", "batch_size": 1, "rate_per_s": 0.5,
            "paused_wait_ms": 60_000}
    plan_file = tmp_path / "backloads.json"
    plan_file.write_text(json.dumps(plan, indent=2))
    try:
        run = _npm("e2e:backloads", {"SWAPREP_URL": stack.endpoints["api"],
                                     "SWAPREP_BACKLOAD_PLAN": str(plan_file)}, timeout_s=600)
    finally:
        _clear_four_eyes(stack, tenant_id)
        with stack.db.tenant(tenant_id) as conn:  # the other flows need the pipeline to themselves
            conn.execute("UPDATE backload_jobs SET status = 'cancelled' WHERE reason = %s"
                         " AND status <> 'done'", (plan["reason"],))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    manifest = _manifest("backloads.json", started)
    assert {"backloads-01-plan.png", "backloads-02-held.png", "backloads-03-running-ko.png",
            "backloads-04-paused-ko.png"} <= {s["file"] for s in manifest["screens"]}
    with stack.db.tenant(tenant_id) as conn:
        [job] = conn.execute("SELECT id, created_by, done FROM backload_jobs WHERE reason = %s",
                             (plan["reason"],)).fetchall()
        [request] = conn.execute(
            "SELECT status, requested_by_name, decided_by_name FROM approval_requests"
            " WHERE kind = 'backload' AND request->>'reason' = %s", (plan["reason"],)).fetchall()
        sent = conn.execute("SELECT count(*) AS n, count(DISTINCT uti) AS utis FROM trade_events"
                            " WHERE source = 'backload' AND event_timestamp = (SELECT as_of FROM"
                            " backload_jobs WHERE id = %s)", (job["id"],)).fetchone()
        trail = conn.execute("SELECT action, actor FROM audit_log WHERE entity_id = %s OR"
                             " (action LIKE 'approval.%%' AND actor = ANY(%s)) ORDER BY id",
                             (str(job["id"]), [requester["user"], "demo-admin"])).fetchall()
    assert (request["status"], request["requested_by_name"], request["decided_by_name"]) == (
        "approved", requester["user"], "demo-admin")
    assert job["created_by"] == "demo-admin" and job["done"] > 0
    assert sent["n"] == sent["utis"] >= job["done"]  # each trade once
    actions = [(r["action"], r["actor"]) for r in trail]
    assert actions[:2] == [("approval.request", requester["user"]),
                           ("backload.create", "demo-admin")]
    assert ("backload.paused", "demo-admin") in actions
    assert ("backload.ready", "demo-admin") in actions
