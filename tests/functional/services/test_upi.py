"""UPIs from the (simulated) ANNA DSB over real HTTP, cached in real PostgreSQL, and the
process stage filling them in (docs/UPI.md)."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.db import upi_cache
from shared.adapters.dsb.http import HttpDsb, read_eod
from shared.domain.identifiers import check_upi
from shared.domain.model import TradeEvent
from shared.domain.upi import ProductAttributes, Unavailable, UnavailableReason
from shared.services import upi as upi_service
from swaprep.dsbsim import DsbSimulator
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import csv_file, csv_row, uti

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant

MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
KEYS = {"free": "registered", "infrequent": "infrequent", "api": "search_only_api",
        "power": "power"}
SOFR_SWAP = ProductAttributes.from_dict({
    "asset_class": "INTR", "instrument_type": "Swap", "use_case": "Fixed_Float",
    "notional_currency": "USD", "reference_rate": "SOFR", "reference_rate_term": "1DAIL"})


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock(MONDAY)


@pytest.fixture
def dsb(clock):
    with DsbSimulator(api_keys=KEYS, clock=clock) as sim:
        yield sim


def client(sim: DsbSimulator, key: str) -> HttpDsb:
    return HttpDsb(sim.url, key, user_type=KEYS[key])


def _resolve(db, dsb_client, product=SOFR_SWAP, now=MONDAY):
    with db.system() as conn:
        return upi_service.resolve(conn, dsb_client, [product], now=now)[product.key]


def test_a_product_the_dsb_has_is_found_by_search_then_served_from_the_cache(db, dsb):
    code = dsb.seed(SOFR_SWAP.as_dict(), created_at=MONDAY - timedelta(days=30))
    free = client(dsb, "free")
    assert _resolve(db, free) == upi_service.Found(code, "search")
    asked = dsb.requests
    again = _resolve(db, client(dsb, "free"))
    assert again == upi_service.Found(code, "cache") and dsb.requests == asked  # no HTTP
    with db.system() as conn:
        assert upi_cache.by_code(conn, code)["source"] == "search"


def test_a_free_user_cannot_create_and_is_told_why_once_a_day(db, dsb, clock):
    free = client(dsb, "free")
    answer = _resolve(db, free)
    assert isinstance(answer, Unavailable) and answer.reason is UnavailableReason.NOT_FOUND
    assert "may not create" in answer.as_extension()["why"]
    assert "reference rate SOFR" in answer.attributes
    # the stand-in refuses a free user's creation outright, as the DSB does
    with pytest.raises(Exception, match="may not create"):
        free.create(SOFR_SWAP)
    asked = dsb.requests
    with db.system() as conn:
        entry = upi_cache.entries(conn, [SOFR_SWAP.key])[SOFR_SWAP.key]
    # asked again when a free user's view of new UPIs moves: 23:55 UTC
    assert entry["upi"] is None and entry["retry_after"] == datetime(2026, 12, 7, 23, 55,
                                                                     tzinfo=UTC)
    assert isinstance(_resolve(db, free, now=MONDAY + timedelta(hours=2)), Unavailable)
    assert dsb.requests == asked


def test_a_power_user_creates_the_upi_and_a_free_user_sees_it_from_t_plus_1_end_of_day(
        db, dsb, clock):
    created = _resolve(db, client(dsb, "power"))
    assert isinstance(created, upi_service.Found) and created.source == "create"
    assert check_upi(created.upi) is None
    free = client(dsb, "free")
    assert free.search(SOFR_SWAP) == []  # created today: not yet for a free user
    clock.now = datetime(2026, 12, 8, 23, 54, tzinfo=UTC)
    assert free.search(SOFR_SWAP) == []
    clock.now = datetime(2026, 12, 8, 23, 55, tzinfo=UTC)
    assert [r.code for r in free.search(SOFR_SWAP)] == [created.upi]
    assert free.lookup(created.upi).attributes == SOFR_SWAP


def test_a_search_returns_no_more_records_than_the_user_type_may_see(dsb):
    for currency in ("USD", "EUR", "GBP", "JPY", "CHF", "AUD", "CAD"):
        dsb.seed({**SOFR_SWAP.as_dict(), "notional_currency": currency},
                 created_at=MONDAY - timedelta(days=9))
    wide = ProductAttributes.from_dict({**SOFR_SWAP.as_dict()})
    # the stand-in filters by the attributes given: ask for every currency at once over HTTP
    body = json.dumps({"attributes": {"asset_class": "INTR", "use_case": "Fixed_Float"}})
    for key, cap in (("free", 5), ("api", 7)):
        request = urllib.request.Request(dsb.url + "/upi/v1/search", data=body.encode(),
                                         headers={"Authorization": f"Bearer {key}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.loads(response.read())
        assert (len(answer["records"]), answer["total"]) == (cap, 7)
    assert len(client(dsb, "free").search(wide)) == 1


def test_creation_beyond_the_user_types_cap_is_refused_with_the_reason(db, dsb):
    from shared.adapters.dsb import DsbRefused

    infrequent = client(dsb, "infrequent")
    for n in range(12):  # 12 per invoicing period
        infrequent.create(ProductAttributes.from_dict(
            {**SOFR_SWAP.as_dict(), "reference_rate_term": f"{n + 1}MNTH"}))
    with pytest.raises(DsbRefused, match="12 UPIs per invoicing period") as refused:
        infrequent.create(SOFR_SWAP)
    assert refused.value.status == 429
    # a power user at its weekly cap: the trade is told the DSB refused, and why
    dsb.use_creations("power", 6000)
    answer = _resolve(db, client(dsb, "power"))
    assert isinstance(answer, Unavailable) and answer.reason is UnavailableReason.CREATE_REFUSED
    assert "6000 UPIs per week" in answer.detail
    # a GUI-only user type is not asked to create over the API: not found, said so
    assert _resolve(db, infrequent, ProductAttributes.from_dict(
        {**SOFR_SWAP.as_dict(), "notional_currency": "EUR"})).reason is UnavailableReason.NOT_FOUND


def test_an_unreachable_dsb_is_said_and_asked_again_a_quarter_hour_later(db, dsb):
    url = dsb.url
    dsb.stop()
    down = HttpDsb(url, "power", user_type="power", timeout_s=2)
    answer = _resolve(db, down)
    assert isinstance(answer, Unavailable) and answer.reason is UnavailableReason.UNREACHABLE
    with db.system() as conn:
        entry = upi_cache.entries(conn, [SOFR_SWAP.key])[SOFR_SWAP.key]
    assert entry["retry_after"] == MONDAY + timedelta(minutes=15)


def test_the_end_of_day_file_fills_the_cache_so_a_free_user_needs_no_search(db, dsb, clock):
    created = client(dsb, "power").create(SOFR_SWAP)
    free_file = dsb.url + "/upi/v1/eod/2026-12-07"

    def fetch(key):
        request = urllib.request.Request(free_file, headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            return exc.code

    clock.now = datetime(2026, 12, 8, 0, 1, tzinfo=UTC)
    assert fetch("free") == 404 and isinstance(fetch("power"), bytes)
    clock.now = datetime(2026, 12, 8, 23, 55, tzinfo=UTC)
    records, problems = read_eod(fetch("free"))
    assert [r.code for r in records] == [created.code] and problems == []
    with db.system() as conn:
        assert upi_service.load_eod(conn, records, now=clock.now) == 1
    asked = dsb.requests
    assert _resolve(db, client(dsb, "free")) == upi_service.Found(created.code, "cache")
    assert dsb.requests == asked


def test_an_eod_record_without_a_valid_upi_is_named_and_the_others_kept():
    good = {"upi": "QZ4TJ0H6XB0W", "attributes": SOFR_SWAP.as_dict()}
    data = "\n".join(json.dumps(r) for r in (good, {"upi": "QZ123", "attributes": {}})).encode()
    records, problems = read_eod(data)
    assert [r.code for r in records] == ["QZ4TJ0H6XB0W"]
    assert problems == ["record 2: no valid UPI and attributes (QZ123)"]


# -- the process stage ---------------------------------------------------------------------------

def _report_under_emir(db, tenant_id):
    with db.system() as conn:
        conn.execute("UPDATE tenants SET regimes = '{emir}' WHERE id = %s", (tenant_id,))


def _event(db, tenant_id, n):
    with db.tenant(tenant_id) as conn:
        row = conn.execute("SELECT id, state, payload, payload_hash FROM trade_events"
                           " WHERE uti = %s", (uti(n),)).fetchone()
        issues = conn.execute("SELECT rule_id, message, message_ko FROM validation_issues"
                              " WHERE event_id = %s", (row["id"],)).fetchall()
    return row, {i["rule_id"]: i for i in issues}


def test_the_process_stage_fills_the_upi_with_one_search_per_product(
        pipeline, db, tenant, dsb, reporting_clock):
    _report_under_emir(db, tenant)
    pipeline.config.update({"dsb_url": dsb.url, "dsb_api_key": "power",
                            "dsb_user_type": "power"})
    pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1), csv_row(2), csv_row(3)))
    pipeline.process()
    first, issues = _event(db, tenant, 1)
    assert check_upi(first["payload"]["product"]["upi"]) is None
    assert "SR-ID-009" not in issues and "SR-ID-046" not in issues
    # the payload hash is the stored payload's
    assert TradeEvent.model_validate(first["payload"]).payload_hash() == first["payload_hash"]
    # three rows of one product: one search and one creation
    assert dsb.requests == 2
    assert {_event(db, tenant, n)[0]["payload"]["product"]["upi"] for n in (2, 3)} == {
        first["payload"]["product"]["upi"]}


def test_an_event_whose_upi_cannot_be_had_is_kept_with_the_issue_naming_its_product(
        pipeline, db, tenant, dsb, reporting_clock):
    _report_under_emir(db, tenant)
    pipeline.config.update({"dsb_url": dsb.url, "dsb_api_key": "free",
                            "dsb_user_type": "registered"})
    pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1)))
    pipeline.process()
    event, issues = _event(db, tenant, 1)
    assert event["state"] == "invalid" and "upi" not in event["payload"]["product"]
    issue = issues["SR-ID-046"]
    assert "SR-ID-009" not in issues  # the specific issue, not a second, vaguer one
    assert "NEWT has no UPI" in issue["message"]
    assert "asset class INTR, instrument type Swap, use case Fixed_Float" in issue["message"]
    assert "may not create" in issue["message"]
    assert "자산군 INTR" in issue["message_ko"] and "UPI를 얻지 못했습니다" in issue["message_ko"]


def test_an_event_lacking_an_attribute_of_its_upi_is_told_which(
        pipeline, db, tenant, dsb, reporting_clock):
    _report_under_emir(db, tenant)
    pipeline.config.update({"dsb_url": dsb.url, "dsb_api_key": "power",
                            "dsb_user_type": "power"})
    pipeline.upload("alpha-bank/fep.csv", csv_file(
        csv_row(1).replace("KRW-CD-KSDA-BLOOMBERG,3M", ",")))
    pipeline.process()
    event, issues = _event(db, tenant, 1)
    assert event["state"] == "invalid"
    message = issues["SR-ID-046"]["message"]
    assert "reference rate (reference_rate)" in message
    assert "기준금리(reference_rate)" in issues["SR-ID-046"]["message_ko"]
    assert dsb.requests == 0  # nothing to ask the DSB for


# -- the command line ----------------------------------------------------------------------------

def test_the_upi_commands_look_a_trade_up_and_load_an_eod_file(
        pipeline, db, tenant, dsb, database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from swaprep.commands.upi import command as upi_cli

    _report_under_emir(db, tenant)  # without a DSB configured: stored without a UPI
    pipeline.upload("alpha-bank/fep.csv", csv_file(csv_row(1)))
    pipeline.process()
    runner = CliRunner()

    def run(*args):
        return runner.invoke(upi_cli, ["--database-url", database_url, *args])

    for name, value in (("DSB_URL", dsb.url), ("DSB_API_KEY", "free"),
                        ("DSB_USER_TYPE", "registered")):
        monkeypatch.setenv(name, value)
    missing = run("lookup", "--tenant", "alpha-bank", "--uti", uti(1))
    assert missing.exit_code == 1 and "may not create" in missing.output
    assert "use case Fixed_Float, notional currency KRW" in missing.output
    # the EOD file brings the product: the same lookup now answers from the cache
    with db.tenant(tenant) as conn:
        payload = conn.execute("SELECT payload FROM trade_events").fetchone()["payload"]
    from shared.domain.upi import product_attributes

    product = product_attributes(TradeEvent.model_validate(payload))
    eod = tmp_path / "upi-eod-2026-12-07.json"
    eod.write_text(json.dumps({"records": [
        {"upi": "QZ4TJ0H6XB0W", "attributes": product.as_dict()},
        {"upi": "not-a-upi", "attributes": {}}]}))
    loaded = run("eod-load", str(eod))
    assert loaded.exit_code == 0, loaded.output
    assert "1 UPI(s) loaded" in loaded.output and "record 2" in loaded.output
    found = run("lookup", "--tenant", "alpha-bank", "--uti", uti(1))
    assert found.exit_code == 0 and "QZ4TJ0H6XB0W (cache)" in found.output
    by_code = run("--json", "lookup", "--tenant", "alpha-bank", "--code", "QZ4TJ0H6XB0W")
    assert json.loads(by_code.output)["attributes"] == product.as_dict()
    refused = run("lookup", "--tenant", "alpha-bank", "--attr", "asset_class=INTR")
    assert refused.exit_code != 0 and "instrument_type" in refused.output


def test_the_undocumented_api_shape_is_set_by_switches_not_code(db, clock):
    from shared.adapters.dsb import dsb_from_config
    from shared.platform.config import Config
    from swaprep.dsbsim import Switches

    shape = Switches(auth_header="X-Api-Key", auth_scheme="", search_path="/api/search",
                     create_path="/api/create", lookup_path="/api/upi/", records_field="items",
                     code_field="code", attributes_field="product")
    with DsbSimulator(api_keys={"secret-key-1": "power"}, clock=clock, switches=shape) as sim:
        dsb = dsb_from_config(Config({
            "dsb_url": sim.url, "dsb_api_key": "secret-key-1", "dsb_user_type": "power",
            "dsb_auth_header": "X-Api-Key", "dsb_auth_scheme": "none", "dsb_search_path":
            "/api/search", "dsb_create_path": "/api/create", "dsb_lookup_path": "/api/upi/{upi}",
            "dsb_records_field": "items", "dsb_code_field": "code",
            "dsb_attributes_field": "product"}, env={}))
        created = _resolve(db, dsb)
        assert isinstance(created, upi_service.Found) and created.source == "create"
        assert dsb.lookup(created.upi).attributes == SOFR_SWAP
        assert "secret-key-1" not in repr(dsb)
        # the default shape against this DSB: its paths are not there
        assert isinstance(_resolve(db, HttpDsb(sim.url, "secret-key-1", user_type="power"),
                                   ProductAttributes.from_dict(
                                       {**SOFR_SWAP.as_dict(), "notional_currency": "EUR"})),
                          Unavailable)
