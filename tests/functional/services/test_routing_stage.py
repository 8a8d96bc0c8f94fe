"""Process routes every event over the tenant's entities (issue 17): the regimes it is reported
in and the decision with its reasons are stored on the event, read from real PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from shared.adapters.db import entities
from shared.adapters.queue import OutgoingMessage
from shared.domain.model import ActionType, Party, TradeEvent
from shared.services.pipeline.process import Prepared, insert_events, prepare, tenant_settings
from swaprep.local.demo import demo_lei
from tests.functional.services import pipeline_support
from tests.functional.services.pipeline_support import (
    HEADER,
    TENANT_LEI,
    csv_row,
    event_states,
    row_states,
    uti,
)

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant

UK_BANK, UK_CLIENT, SG_BANK = demo_lei(301), demo_lei(303), demo_lei(311)
FOREIGN_A, FOREIGN_B = demo_lei(401), demo_lei(402)  # neither is the tenant
ROUTING_HEADER = (HEADER + ",booking_entity,counterparty_2_country,counterparty_2_nature,"
                  "counterparty_2_clearing_threshold")


def _set_up_entities(db, tenant_id) -> None:
    """Seoul head office (KRX), London branch (UK EMIR FC), Singapore branch (MAS), and a UK
    NFC- client London reports for by law, stored through the adapter as the API would."""
    with db.tenant(tenant_id) as conn:
        conn.execute("UPDATE tenants SET regimes = '{krx,uk-emir,mas}'")
        for entity in (
            {"entity_id": "SEOUL-HO", "name": "Alpha Seoul", "kind": "head_office",
             "country": "KR", "lei": TENANT_LEI, "parent": None,
             "statuses": {"krx": "REPORTING"}},
            {"entity_id": "LONDON-BR", "name": "Alpha London", "kind": "branch",
             "country": "GB", "lei": None, "parent": "SEOUL-HO", "statuses": {"uk-emir": "FC"}},
            {"entity_id": "SINGAPORE-BR", "name": "Alpha Singapore", "kind": "branch",
             "country": "SG", "lei": None, "parent": "SEOUL-HO",
             "statuses": {"mas": "REPORTING"}}):
            entities.upsert_entity(conn, entity)
        entities.insert_agreement(conn, {
            "client_lei": UK_CLIENT, "client_name": "Zeta Manufacturing UK", "regime": "uk-emir",
            "capacity": "mandatory", "delegate": "LONDON-BR", "valid_from": date(2026, 1, 1),
            "valid_to": None, "client_status": "NFC-", "opted_out": False})


def routed_row(n: int, *, booking: str = "", country: str = "", nature: str = "",
               threshold: str = "", counterparty: str | None = None, **kwargs) -> str:
    """A fixture row with a UPI (UK EMIR and MAS require one) and the routing columns."""
    row = csv_row(n, counterparty=counterparty, upi="QZDEMOIRSKRW", **kwargs)
    return ",".join([row, booking, country, nature, threshold])


def routed_file(*rows: str) -> bytes:
    return ("\n".join([ROUTING_HEADER, *rows]) + "\n").encode()


def _between_others(row: str) -> str:
    """The fixture row with another firm as counterparty 1: a trade the tenant is not party
    to (a misdirected record)."""
    return row.replace(f",{TENANT_LEI},", f",{FOREIGN_A},", 1)


def _events(db, tenant_id) -> dict[tuple[str, str], dict]:
    with db.tenant(tenant_id) as conn:
        return {(e["uti"], e["action_type"]): e for e in conn.execute(
            "SELECT id, uti, action_type, state, regimes, routing, deadline_at"
            " FROM trade_events")}


def _reports(event: dict) -> list[tuple[str, str, str, str | None]]:
    return [(r["regime"], r["capacity"], r["submitting_entity"], r["entity_id"])
            for r in event["routing"]["reports"]]


def test_a_chunk_is_routed_by_the_booking_entity_and_the_decision_stored_per_event(
        pipeline, db, tenant):
    _set_up_entities(db, tenant)
    outcome = pipeline.upload("alpha-bank/branches.csv", routed_file(
        routed_row(1),  # Seoul: the record names no booking; the head office holds the LEI
        routed_row(2, booking="LONDON-BR", counterparty=UK_BANK, country="GB", nature="F"),
        routed_row(3, booking="LONDON-BR", counterparty=UK_CLIENT, country="GB", nature="N",
                   threshold="N"),
    ))
    pipeline.process()
    events = _events(db, tenant)
    seoul, london, client = (events[(uti(n), "NEWT")] for n in (1, 2, 3))
    assert [e["state"] for e in (seoul, london, client)] == ["valid"] * 3
    assert seoul["regimes"] == ["krx"]
    assert seoul["routing"]["basis"] == "entities"
    assert seoul["routing"]["booking_entity"] == "SEOUL-HO"
    assert _reports(seoul) == [("krx", "self", TENANT_LEI, "SEOUL-HO")]
    assert "SEOUL-HO is REPORTING under KRX TR" in seoul["routing"]["reports"][0]["reason_en"]

    assert london["regimes"] == ["krx", "uk-emir"]
    assert london["routing"]["booking_entity"] == "LONDON-BR"
    assert _reports(london) == [("krx", "self", TENANT_LEI, "LONDON-BR"),
                                ("uk-emir", "self", TENANT_LEI, "LONDON-BR")]
    # the UK EMIR deadline (T+1 London) is no later than KRX's (T+1 Seoul): the earliest
    assert london["deadline_at"] <= seoul["deadline_at"]

    # the client's side is owed too, by London, and listed as such (reported in a later slice)
    assert client["regimes"] == ["krx", "uk-emir"]
    on_behalf = [r for r in client["routing"]["reports"] if r["capacity"] != "self"]
    assert [(r["regime"], r["capacity"], r["reporting_counterparty"], r["entity_responsible"])
            for r in on_behalf] == [("uk-emir", "mandatory", UK_CLIENT, TENANT_LEI)]
    assert "Zeta Manufacturing UK is a client: LONDON-BR reports for it" in on_behalf[0][
        "reason_en"] and on_behalf[0]["reason_ko"]

    with db.tenant(tenant) as conn:
        trades = {t["uti"]: t["regimes"] for t in conn.execute("SELECT uti, regimes FROM trades")}
    assert trades == {uti(1): ["krx"], uti(2): ["krx", "uk-emir"], uti(3): ["krx", "uk-emir"]}
    assert sorted(b["regime"] for b in pipeline.bodies("generate")) == ["krx", "uk-emir"]
    assert {b["key"] for b in pipeline.bodies("generate")} == {
        f"{outcome.file_id}:0:krx", f"{outcome.file_id}:0:uk-emir"}


def test_json_lines_name_the_booking_entity_canonically_or_by_the_profiles_column(
        pipeline, db, tenant):
    _set_up_entities(db, tenant)
    stamp = "2026-11-20T01:00:00Z"
    canonical = {
        "uti": uti(4), "trade_id": "T4", "action_type": "NEWT", "event_type": "TRAD",
        "execution_timestamp": stamp, "event_timestamp": stamp, "booking_entity": "SINGAPORE-BR",
        "counterparty_1": {"identifier": TENANT_LEI},
        "counterparty_2": {"identifier": SG_BANK, "nature": "F", "country": "SG"}}
    pipeline.upload("alpha-bank/canonical.jsonl", (json.dumps(canonical) + "\n").encode())
    flat = {"trade_id": "T5", "uti": uti(5), "action_type": "NEWT",
            "execution_timestamp": stamp, "counterparty_1_lei": TENANT_LEI,
            "counterparty_2_lei": SG_BANK, "booking_entity": "SINGAPORE-BR",
            "counterparty_2_country": "SG", "counterparty_2_nature": "F"}
    pipeline.upload("alpha-bank/flat.jsonl", (json.dumps(flat) + "\n").encode(),
                    metadata={"profile": "default"})
    pipeline.process()
    events = _events(db, tenant)
    for n in (4, 5):
        event = events[(uti(n), "NEWT")]
        assert event["regimes"] == ["krx", "mas"], n
        assert _reports(event) == [("krx", "self", TENANT_LEI, "SINGAPORE-BR"),
                                   ("mas", "self", TENANT_LEI, "SINGAPORE-BR")]


def test_a_tenant_without_entities_keeps_its_regimes_and_says_why(pipeline, db, tenant):
    pipeline.upload("alpha-bank/plain.csv", routed_file(
        routed_row(1),
        routed_row(2, booking="LONDON-BR", counterparty=UK_BANK, country="GB", nature="F")))
    # a record that names its regime (the default profile's `regimes` column)
    pipeline.upload("alpha-bank/named.csv", f"{HEADER},regimes\n{csv_row(3)},EMIR\n".encode())
    pipeline.process()
    events = _events(db, tenant)
    for n in (1, 2):  # no book: the booking hint changes nothing, the tenant's regimes apply
        event = events[(uti(n), "NEWT")]
        assert event["regimes"] == ["krx"] and event["state"] == "valid"
        assert (event["routing"]["basis"], event["routing"]["booking_entity"]) == ("tenant", None)
        assert _reports(event) == [("krx", "self", TENANT_LEI, None)]
        assert event["routing"]["reports"][0]["reason_en"] == (
            "no entities are set up: the tenant's regimes")
    named = events[(uti(3), "NEWT")]
    assert named["regimes"] == ["emir"] and named["routing"]["basis"] == "record"


def test_an_event_owed_in_no_regime_is_kept_and_ends_not_reportable_with_the_reason(
        pipeline, db, tenant):
    _set_up_entities(db, tenant)
    pipeline.upload("alpha-bank/foreign.csv", pipeline_support.csv_file(
        _between_others(csv_row(1, counterparty=FOREIGN_B)),
        _between_others(csv_row(1, "MODI", event_ts="2026-11-20T05:00:00Z",
                                notional="20000000000", counterparty=FOREIGN_B)),
        # the same kind of record, but broken: it waits for repair rather than vanishing
        _between_others(csv_row(2, counterparty=FOREIGN_B[:-2] + "00")),
        csv_row(3),
    ))
    pipeline.run()
    assert row_states(db, tenant) == {"event": 4}
    assert event_states(db, tenant) == {"not_reportable": 2, "invalid": 1, "valid": 1}
    events = _events(db, tenant)
    newt, modi = events[(uti(1), "NEWT")], events[(uti(1), "MODI")]
    for event in (newt, modi):  # the MODI follows its NEWT: no "MODI of an unknown UTI"
        assert event["state"] == "not_reportable" and event["regimes"] == []
        assert event["deadline_at"] is None and event["routing"]["reports"] == []
        skipped = event["routing"]["skipped"]
        assert [s["regime"] for s in skipped] == ["krx", "uk-emir", "mas"]
        assert skipped[0]["reason_en"].startswith(f"neither counterparty ({FOREIGN_A}, ...) is "
                                                  "one of the tenant's entities")
        assert skipped[0]["reason_ko"]
    broken = events[(uti(2), "NEWT")]
    assert broken["state"] == "invalid" and broken["regimes"] == []
    assert pipeline_support.issues_by_uti(db, tenant) == {f"{uti(2)}:NEWT": {"SR-ID-004"}}
    with db.tenant(tenant) as conn:
        shown = {t["uti"]: (t["state"], t["regimes"], t["lifecycle"]) for t in conn.execute(
            "SELECT uti, state, regimes, lifecycle FROM trades")}
        items = conn.execute("SELECT count(*) AS n FROM report_items").fetchone()["n"]
    assert shown[uti(1)] == ("not_reportable", [], "unreported")
    assert shown[uti(2)][0] == "invalid" and shown[uti(3)][0] == "valid"
    assert items == 0
    # only the reportable event's regime is nudged; nothing waits
    assert [b["regime"] for b in pipeline.bodies("generate")] == ["krx"]
    assert pipeline.depth("validate") == 0


def test_a_booking_entity_the_tenant_does_not_have_is_refused_naming_it(pipeline, db, tenant):
    _set_up_entities(db, tenant)
    pipeline.upload("alpha-bank/typo.csv", routed_file(
        routed_row(1, booking="LONDN-BR", counterparty=UK_BANK, country="GB", nature="F"),
        routed_row(2, booking="LONDON-BR", counterparty=UK_BANK, country="GB", nature="F")))
    pipeline.process()
    with db.tenant(tenant) as conn:
        rows = conn.execute("SELECT row_no, state, errors FROM raw_rows ORDER BY row_no"
                            ).fetchall()
    assert [r["state"] for r in rows] == ["parse_error", "event"]
    [error] = rows[0]["errors"]
    assert (error["code"], error["field"]) == ("PROC-004", "booking_entity")
    assert error["message"] == ("booking entity 'LONDN-BR' is none of the tenant's entities "
                                "(LONDON-BR, SEOUL-HO, SINGAPORE-BR)")
    assert "부킹법인" in error["message_ko"]


def test_online_events_are_routed_when_stored_or_else_by_process(pipeline, db, tenant):
    _set_up_entities(db, tenant)
    stamp = datetime(2026, 11, 20, 1, tzinfo=UTC)

    def london(n: int) -> TradeEvent:
        return TradeEvent(uti=uti(n), trade_id=f"T{n}", action_type=ActionType.NEWT,
                          execution_timestamp=stamp, event_timestamp=stamp,
                          booking_entity="LONDON-BR",
                          counterparty_1=Party(identifier=TENANT_LEI),
                          counterparty_2=Party(identifier=UK_BANK, nature="F", country="GB"))

    with db.tenant(tenant) as conn:
        settings = tenant_settings(conn, tenant)
        routed = prepare(london(1), settings)  # as POST /api/ingest/events stores them
        assert isinstance(routed, Prepared)
        bare = Prepared(london(2), (), (), None, london(2).payload_hash())  # stored undecided
        stored = insert_events(conn, settings, [(routed, None, None), (bare, None, None)],
                               source="api")
    pipeline.queue.send("process", [OutgoingMessage(
        {"event_ids": [str(i) for i, _ in stored]}, tenant_id=tenant)])
    pipeline.process()
    events = _events(db, tenant)
    for n in (1, 2):
        event = events[(uti(n), "NEWT")]
        assert event["regimes"] == ["krx", "uk-emir"], n
        assert event["routing"]["booking_entity"] == "LONDON-BR"
        assert event["deadline_at"] is not None
    with db.tenant(tenant) as conn:
        trades = {t["uti"]: t["regimes"] for t in conn.execute("SELECT uti, regimes FROM trades")}
    assert trades == {uti(1): ["krx", "uk-emir"], uti(2): ["krx", "uk-emir"]}
