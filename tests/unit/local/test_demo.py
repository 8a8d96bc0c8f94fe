"""The demo FEP files: deterministic per day, every intended mistake present, and each record
ending the way the generator meant, judged by the real readers, enrichment, rules and lifecycle
machine record by record (not in totals)."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.calendars import reporting_deadline
from shared.domain.enrichment import enrich
from shared.domain.issues import Severity
from shared.domain.lifecycle import TradeState, replay
from shared.domain.model import ActionType, TradeEvent
from shared.domain.obligations.entities import Capacity
from shared.domain.obligations.routing import route
from shared.domain.rules import ValidationContext, validate
from shared.formats.readers import reader_for
from swaprep.local import demo
from swaprep.trsim.checks import UNREGISTERED_LEIS

DAY = date(2026, 11, 23)  # a Monday: the files' business days are 17-20 Nov
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 KST, the demo started that morning
READERS = {"fep-demo-irs-fx.csv": ("csv", None), "fpml-demo.xml": ("fpml", None),
           "kr-fep-demo.csv": ("csv", "kr-fep"), "fep-branches.csv": ("csv", None)}


@pytest.fixture(scope="module")
def files() -> list[demo.DemoFile]:
    return demo.demo_files(DAY)


@pytest.fixture(scope="module")
def judged(files) -> dict[str, list]:
    return {f.key.rsplit("/", 1)[1]: judge(f) for f in files}


def _read(file: demo.DemoFile):
    fmt, profile = READERS[file.key.rsplit("/", 1)[1]]
    reader = reader_for(fmt, profile=profile) if profile else reader_for(fmt)
    return list(reader.read(io.BytesIO(file.data), file_name=file.key))


def judge(file: demo.DemoFile) -> list[tuple[demo.Intent, str, frozenset[str], TradeEvent | None]]:
    """Per record: (intent, outcome, reject rules or parse codes, event) as validate would
    see it, under the regimes the demo tenant's entities route it to, with each UTI's history
    of accepted events, in file order."""
    book = demo.demo_book()
    accepted: dict[str, list[TradeEvent]] = defaultdict(list)
    seen: set[tuple] = set()
    judged = []
    records = _read(file)
    assert len(records) == len(file.intents)
    for record, intent in zip(records, file.intents, strict=True):
        if not record.ok:
            judged.append((intent, "parse_error", frozenset(e.code for e in record.errors), None))
            continue
        event = enrich(record.event, generating_lei=demo.demo_lei(1)).event
        key = (event.uti, event.action_type, event.event_timestamp, event.payload_hash())
        if key in seen:
            judged.append((intent, "duplicate", frozenset(), event))
            continue
        seen.add(key)
        regimes = route(event, book, enabled=demo.DEMO_REGIMES).regimes
        issues = validate(event, ValidationContext(now=NOW, regimes=regimes,
                                                   history=tuple(accepted[event.uti])))
        rejects = frozenset(i.rule_id for i in issues if i.severity is Severity.REJECT)
        if not rejects:
            accepted[event.uti].append(event)
        judged.append((intent, "invalid" if rejects else "valid", rejects, event))
    return judged


def test_same_day_same_bytes_another_day_other_trades(files):
    again = demo.demo_files(DAY)
    assert [f.data for f in again] == [f.data for f in files]  # a restart uploads nothing new
    assert [f.key for f in files] == [f"demo-bank/2026-11-23/{name}" for name in READERS]
    tomorrow = demo.demo_files(DAY + timedelta(days=1))
    assert all(a.data != b.data for a, b in zip(files, tomorrow, strict=True))


def test_the_files_are_a_few_thousand_events_of_rates_and_fx(files):
    main, fpml, korean, _branches = files
    assert len(main.intents) == demo.DEMO_CSV_ROWS and len(fpml.intents) == demo.DEMO_FPML_TRADES
    events = [r.event for r in _read(main) if r.ok]
    products = Counter(e.product.product_name for e in events)
    assert set(products) == {
        "InterestRate:IRSwap:FixedFloat", "InterestRate:IRSwap:OIS", "InterestRate:IRSwap:Basis",
        "ForeignExchange:Forward", "ForeignExchange:Swap", "ForeignExchange:NDF"}
    assert {e.legs[0].notional.currency for e in events
            if e.product.asset_class == "INTR" and e.legs and e.legs[0].notional} >= {"KRW", "USD"}
    actions = Counter(e.action_type for e in events)
    assert set(actions) == {ActionType.NEWT, ActionType.MODI, ActionType.TERM, ActionType.VALU,
                            ActionType.EROR, ActionType.REVI}
    fpml_products = {r.event.product.contract_type for r in _read(fpml)}
    assert fpml_products == {"SWAP", "FORW"}
    # the Korean export: CP949 with Korean headers, no UTIs (generated in enrichment)
    assert korean.data.decode("cp949").startswith("거래번호,보고구분,")
    assert korean.metadata["profile"] == "kr-fep"
    assert all(r.event.uti is None for r in _read(korean) if r.ok)


def test_every_intended_mistake_is_there_in_a_realistic_share(files):
    main = files[0]
    mistakes = Counter(i.mistake for i in main.intents if i.mistake)
    assert set(mistakes) == {
        "lei-check-digits", "unknown-currency", "missing-notional", "expiration-before-effective",
        "modi-unknown-uti", "lifecycle-of-refused-trade", "modi-after-term", "cleared-not-ccpv",
        "amount-with-separators", "impossible-date", "unknown-action-code", "resent-row",
        "lei-not-registered", "stale-valuation"}
    outcomes = Counter(i.outcome for i in main.intents)
    errors = (outcomes["invalid"] + outcomes["parse_error"]) / len(main.intents)
    assert 0.08 <= errors <= 0.12, outcomes
    assert outcomes["nack"] and outcomes["duplicate"]
    assert {i.outcome for f in files[1:] for i in f.intents} >= {"ack", "invalid"}
    assert "parse_error" in {i.outcome for i in files[2].intents}


@pytest.mark.parametrize("name", list(READERS))
def test_each_record_ends_the_way_the_generator_meant(judged, name):
    wrong = []
    for n, (intent, outcome, found, _event) in enumerate(judged[name], start=1):
        expected = {"ack": ("valid", frozenset()), "nack": ("valid", frozenset()),
                    "invalid": ("invalid", intent.rules),
                    "parse_error": ("parse_error", intent.parse_codes),
                    "duplicate": ("duplicate", frozenset())}[intent.outcome]
        if (outcome, found) != expected:
            wrong.append((n, intent.mistake, expected, (outcome, found)))
    assert wrong == []


def test_what_the_tr_will_nack_passes_our_rules_for_the_tr_reason(judged):
    nacked = [(i, e) for i, _, _, e in judged["fep-demo-irs-fx.csv"] if i.outcome == "nack"]
    assert {i.tr_code for i, _ in nacked} == {"TR-ID-003", "TR-VA-001"}
    for intent, event in nacked:
        if intent.tr_code == "TR-ID-003":  # a counterparty the TR's LEI register does not list
            assert event.counterparty_2.identifier in UNREGISTERED_LEIS
        else:  # a valuation older than the TR's 14 days
            assert event.action_type is ActionType.VALU
            assert NOW - event.valuation.timestamp > timedelta(days=14)


def test_lifecycles_are_valid_except_where_a_mistake_is_meant(judged):
    by_uti: dict[str, list[tuple[demo.Intent, TradeEvent]]] = defaultdict(list)
    for intent, outcome, _, event in judged["fep-demo-irs-fx.csv"]:
        if outcome != "parse_error" and intent.outcome != "duplicate":
            by_uti[event.uti].append((intent, event))
    states = Counter()
    for sequence in by_uti.values():
        meant = [e for i, e in sequence if i.outcome in ("ack", "nack")]
        lifecycle, decisions = replay(meant, regime="krx")
        assert all(d.accepted for d in decisions), [d.rule_id for d in decisions]
        states[lifecycle.state] += 1
    assert {TradeState.LIVE, TradeState.TERMINATED, TradeState.ERRORED} <= set(states)


def test_deadlines_make_late_on_time_and_at_risk_reports_at_once(judged):
    """Relative to the upload morning: some reports are late (SR-TM-030 warns), the rest are
    due by the end of the day; those due today that wait for repair are at risk."""
    kinds = Counter()
    for _, outcome, _, event in judged["fep-demo-irs-fx.csv"]:
        if event is None or event.action_type is not ActionType.NEWT or outcome == "duplicate":
            continue
        due = reporting_deadline("krx", event.execution_timestamp)
        late = any(i.rule_id == "SR-TM-030" for i in validate(
            event, ValidationContext(now=NOW, regimes=("krx",))))
        assert late == (due <= NOW)
        at_risk = not late and outcome == "invalid" and due - NOW < timedelta(hours=24)
        kinds["late" if late else "at risk" if at_risk else "on time"] += 1
        kinds[("late", outcome)] += late
    assert kinds["late"] and kinds["at risk"] and kinds["on time"] > kinds["late"]
    assert kinds[("late", "valid")] and kinds[("late", "invalid")]


def test_nothing_is_stamped_after_the_upload_day_began(judged):
    start = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 23 Nov 00:00 KST
    for _, _, _, event in judged["fep-demo-irs-fx.csv"] + judged["kr-fep-demo.csv"]:
        if event is not None:
            assert event.execution_timestamp < start and event.event_timestamp < start


def test_the_reader_compatible_export_has_no_parse_errors_or_duplicates():
    data, counts = demo.generate_fep_csv(rows=300, seed=7)
    records = list(reader_for("csv").read(io.BytesIO(data), file_name="fep.csv"))
    assert len(records) == counts["rows"] == 300 and all(r.ok for r in records)
    assert counts["intended_errors"] == counts["invalid"] > 0
    assert "duplicate" not in counts and "parse_error" not in counts
    assert demo.generate_fep_csv(rows=300, seed=7)[0] == data


def test_the_demo_tenants_entities_route_the_branches_trades_to_more_regimes(files, judged):
    """Seoul's own files go to KRX alone; London's trades to KRX and UK EMIR (with the UK NFC-
    client's side owed by London, by law), Singapore's to KRX and MAS; a UK bank facing the
    head office reports its own side, and the decision says so."""
    book = demo.demo_book()
    decisions: Counter = Counter()
    for name, records in judged.items():
        for intent, outcome, _, event in records:
            if event is None or outcome == "duplicate":
                continue
            routing = route(event, book, enabled=demo.DEMO_REGIMES)
            if name != "fep-branches.csv":
                assert routing.regimes == ("krx",), (name, event.uti, routing.regimes)
                continue
            assert intent.outcome == "ack" and outcome == "valid", (event.uti, outcome)
            behalf = tuple((r.regime, r.capacity, r.submitting_entity) for r in routing.on_behalf)
            key = (routing.booking_entity, routing.regimes, behalf)
            decisions[key if event.action_type is ActionType.NEWT else "amendments"] += 1
            if routing.booking_entity == "SEOUL-HO":
                [skipped] = routing.skipped
                assert skipped.regime == "uk-emir" and "reports its own side" in skipped.reason_en
    client = (("uk-emir", Capacity.MANDATORY, demo.demo_lei(1)),)  # London's LEI: the bank's
    assert decisions == {("LONDON-BR", ("krx", "uk-emir"), ()): 8,
                         ("LONDON-BR", ("krx", "uk-emir"), client): 4,
                         ("SINGAPORE-BR", ("krx", "mas"), ()): 8,
                         ("SEOUL-HO", ("krx",), ()): 2, "amendments": demo.DEMO_BRANCH_MODIS}
    assert len(files[3].intents) == sum(decisions.values())


def test_the_global_tenant_reports_every_trade_under_krx_and_two_foreign_regimes():
    # The console shows the same trades under three regimes: each must be clean in each one,
    # with the UPI that UK EMIR and MAS require (SR-ID-009).
    assert demo.GLOBAL_REGIMES[0] == "krx" and len(demo.GLOBAL_REGIMES) >= 3
    [file] = demo.demo_global_files(DAY)
    assert file.key.startswith(f"{demo.GLOBAL_TENANT}/")
    records = list(reader_for("fpml").read(io.BytesIO(file.data), file_name=file.key))
    assert len(records) == demo.GLOBAL_FPML_TRADES
    for record in records:
        assert record.ok, record.errors
        event = enrich(record.event, generating_lei=demo.demo_lei(2)).event
        assert event.product.upi in demo.DEMO_UPIS.values()
        assert demo.demo_lei(2) in (event.counterparty_1.identifier,
                                    event.counterparty_2.identifier)
        for regime in demo.GLOBAL_REGIMES:
            rejects = [i.rule_id for i in validate(event, ValidationContext(
                now=NOW, regimes=(regime,))) if i.severity is Severity.REJECT]
            assert rejects == [], (regime, event.uti, rejects)


def test_the_demo_tr_disagrees_with_one_uk_emir_trade_and_misses_another(files, judged):
    """The demo's TR end-of-day reports show a field mismatch and an unpaired trade on the
    reconciliation screen: both name London's UK EMIR trades of the day's files, and the
    mismatch is a notional that really differs from what we report."""
    settings = demo.demo_tr_settings(DAY)
    assert settings["eod_schedule"] == demo.DEMO_TR_EOD_QUIET_S > 0
    other_side = settings["counterparty"]
    assert other_side["mode"] == "mirror"
    book = demo.demo_book()
    uk_emir = {event.uti: event for _, outcome, _, event in judged["fep-branches.csv"]
               if event is not None and event.action_type is ActionType.NEWT
               and "uk-emir" in route(event, book, enabled=demo.DEMO_REGIMES).regimes}
    [(differing, fields)] = other_side["differences"].items()
    [unreported] = other_side["unreported"]
    assert {differing, unreported} <= set(uk_emir) and differing != unreported
    ours = uk_emir[differing].notional(0)
    assert ours is not None and Decimal(fields["NtnlAmtFrstLeg"]) != ours.amount
