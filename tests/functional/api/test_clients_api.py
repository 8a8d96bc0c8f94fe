"""The client view of delegated reporting through the real authorizer and api actions on real
PostgreSQL and the S3 API: the clients the tenant reports for, what was reported for one,
its daily file; a client_viewer sees its own client only, and the database refuses it any
other client's items even when asked through the adapter directly (migration 0027)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from click.testing import CliRunner

from shared.adapters.db import clients as clients_db
from shared.adapters.db import entities
from shared.platform import tokens
from shared.services.pipeline.generate import GenerateSettings, generate_reports
from swaprep.local.demo import demo_lei
from tests.functional.api.test_auth import PASSWORD, SECRET, add_user
from tests.functional.api.test_security_matrix import api  # noqa: F401  (fixture)
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import HEADER, TENANT_LEI, csv_row, uti

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant
CLIENT, OTHER = demo_lei(303), demo_lei(304)
OUTBOUND = "swaprep-outbound"
ROUTED = (HEADER + ",booking_entity,counterparty_2_country,counterparty_2_nature,"
          "counterparty_2_clearing_threshold")


def _row(n: int, counterparty: str) -> str:
    return csv_row(n, counterparty=counterparty, upi="QZDEMOIRSKRW") + ",,DE,N,N"


@pytest.fixture
def reported(db, tenant, pipeline, store) -> date:
    """Frankfurt (EMIR FC, the tenant's LEI) reports by law for two NFC- clients; one trade
    with each, generated: the day the report file was made."""
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE tenants SET regimes = '{emir}'")
        entities.upsert_entity(conn, {
            "entity_id": "FRANKFURT-HO", "name": "Alpha Frankfurt", "kind": "head_office",
            "country": "DE", "lei": TENANT_LEI, "parent": None, "statuses": {"emir": "FC"}})
        for lei, name in ((CLIENT, "Zeta Manufacturing"), (OTHER, "Omega Retail")):
            entities.insert_agreement(conn, {
                "client_lei": lei, "client_name": name, "regime": "emir",
                "capacity": "mandatory", "delegate": "FRANKFURT-HO",
                "valid_from": date(2026, 1, 1), "valid_to": None, "client_status": "NFC-",
                "opted_out": False})
    store.ensure_buckets([OUTBOUND])
    pipeline.upload("alpha-bank/clients.csv",
                    ("\n".join([ROUTED, _row(1, CLIENT), _row(2, OTHER)]) + "\n").encode())
    pipeline.run()
    with db.tenant(tenant) as conn:
        outcome = generate_reports(
            conn, tenant_id=tenant, regime="emir", store=store, bucket=OUTBOUND,
            send=lambda *args: None, flush=True, settings=GenerateSettings(batch_size=50),
            now=pipeline_support.REPORTING_NOW)
        assert len(outcome.files) == 1 and not outcome.invalid
        # the day the database stamped the file with: what the daily file is keyed by
        return conn.execute("SELECT (created_at AT TIME ZONE 'UTC')::date AS d"
                            " FROM report_files").fetchone()["d"]


@pytest.fixture
def people(db, tenant, api):  # noqa: F811
    """alice (admin), victor (viewer); carla, a client_viewer of CLIENT, created by alice
    through the admin API as an admin would."""
    def token(user_id: str, role: str) -> str:
        return tokens.mint(SECRET, subject=user_id, tenant_id=str(tenant),
                           tenant_slug="alpha-bank", role=role)

    out = {"alice": token(add_user(db, tenant, "alice", "admin"), "admin"),
           "victor": token(add_user(db, tenant, "victor", "viewer"), "viewer")}
    status, refused, _ = api.json("POST", "/api/admin/users", {
        "username": "nobody", "password": PASSWORD, "role": "client_viewer"},
        token=out["alice"])
    assert status == 422 and refused["errors"][0]["field"] == "client_lei", refused
    status, carla, _ = api.json("POST", "/api/admin/users", {
        "username": "carla", "password": PASSWORD, "role": "client_viewer",
        "client_lei": CLIENT.lower()}, token=out["alice"])
    assert status == 201, carla
    assert (carla["role"], carla["client_lei"]) == ("client_viewer", CLIENT)
    out["carla"] = token(carla["id"], "client_viewer")
    return out


def test_the_tenant_sees_every_client_and_a_client_viewer_only_its_own(
        api, people, reported):  # noqa: F811
    status, listed, _ = api.json("GET", "/api/clients", token=people["victor"])
    assert status == 200, listed
    assert [(c["lei"], c["name"], c["kind"], c["capacities"], c["reports"], c["pending"])
            for c in listed["items"]] == [
        (OTHER, "Omega Retail", "client", ["mandatory"], 1, 1),
        (CLIENT, "Zeta Manufacturing", "client", ["mandatory"], 1, 1)]

    status, own, _ = api.json("GET", "/api/clients", token=people["carla"])
    assert status == 200 and [c["lei"] for c in own["items"]] == [CLIENT]

    status, page, _ = api.json("GET", f"/api/clients/{CLIENT}/reports", token=people["carla"])
    assert status == 200, page
    [item] = page["items"]
    assert (item["uti"], item["regime"], item["action_type"], item["status"],
            item["client_lei"], item["position"]) == (uti(1), "emir", "NEWT", "pending",
                                                      CLIENT, 2)
    assert page["next_cursor"] is None

    # another client's LEI is no client of carla's; the tenant's own reads are not hers
    status, _, _ = api.json("GET", f"/api/clients/{OTHER}/reports", token=people["carla"])
    assert status == 404
    status, refused, _ = api.json("GET", "/api/trades", token=people["carla"])
    assert status == 403 and "client" in refused["detail"]
    status, _, _ = api.json("GET", f"/api/clients/{OTHER}/reports", token=people["victor"])
    assert status == 200


def test_the_client_reports_filter_by_status_regime_and_day(api, people, reported):  # noqa: F811
    def count(query: str) -> int:
        status, page, _ = api.json("GET", f"/api/clients/{CLIENT}/reports", query=query,
                                   token=people["alice"])
        assert status == 200, page
        return len(page["items"])

    assert count("status=pending&regime=emir") == 1
    assert count("status=acked") == 0
    assert count("regime=krx") == 0
    assert count(f"date_from={reported}&date_to={reported}") == 1
    assert count("date_to=2026-01-01") == 0
    status, refused, _ = api.json("GET", f"/api/clients/{CLIENT}/reports",
                                  query="status=done", token=people["alice"])
    assert status == 422 and refused["errors"][0]["parameter"] == "status"
    status, refused, _ = api.json("GET", "/api/clients/NOT-AN-LEI/reports",
                                  token=people["alice"])
    assert status == 422 and refused["errors"][0]["field"] == "lei"


def test_the_database_hides_other_clients_items_from_a_client_transaction(
        db, tenant, reported):
    with db.client(tenant, CLIENT) as conn:
        # only the client's item: neither the tenant's own reports nor the other client's
        assert [r["reporting_counterparty"] for r in conn.execute(
            "SELECT reporting_counterparty FROM report_items")] == [CLIENT]
        assert clients_db.client_items(conn, OTHER, day_from=None, day_to=None, regimes=[],
                                       statuses=[], after=None, limit=10) == []
        assert clients_db.client_day_items(conn, OTHER, *_day(reported)) == []
    with db.tenant(tenant) as conn:  # the tenant's transaction sees them all
        assert conn.execute("SELECT count(*) AS n FROM report_items").fetchone()["n"] == 4


def _day(day: date):
    from datetime import UTC, datetime, time, timedelta

    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def test_the_daily_file_lists_what_was_reported_for_the_client(
        api, people, reported, db, tenant, tmp_path, database_url):  # noqa: F811
    status, text, headers = api.json("GET", f"/api/clients/{CLIENT}/daily",
                                     query=f"date={reported}", token=people["carla"])
    assert status == 200, text
    assert headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"] == (
        f'attachment; filename="client-{CLIENT}-{reported}.csv"')
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["uti"], r["regime"], r["action_type"], r["reporting_counterparty"],
             r["other_counterparty"], r["status"], r["position"]) for r in rows] == [
        (uti(1), "emir", "NEWT", CLIENT, TENANT_LEI, "pending", "2")]
    # a day with nothing reported: the header alone
    status, empty, _ = api.json("GET", f"/api/clients/{CLIENT}/daily", query="date=2026-01-01",
                                token=people["carla"])
    assert status == 200 and empty.splitlines() == [text.splitlines()[0]]
    status, refused, _ = api.json("GET", f"/api/clients/{CLIENT}/daily", query="date=today",
                                  token=people["carla"])
    assert status == 422 and refused["errors"][0]["parameter"] == "date"

    # the command writes one such file per client
    from swaprep.commands.clients import command as group

    result = CliRunner().invoke(group, ["daily", "--tenant", "alpha-bank", "--date",
                                        str(reported), "--out", str(tmp_path)],
                                env={"SWAPREP_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted([f"client-{CLIENT}-{reported}.csv",
                              f"client-{OTHER}-{reported}.csv"])
    assert (tmp_path / f"client-{CLIENT}-{reported}.csv").read_text() == text
