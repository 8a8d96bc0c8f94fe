"""Who reports a trade, under which regimes, and why: what ops staff read on the trade detail."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest

from shared.domain import regimes as registry
from shared.domain.model import (
    ActionType,
    Nature,
    Party,
    RegimeClassification,
    TradeEvent,
)
from shared.domain.obligations.entities import (
    Capacity,
    DelegationAgreement,
    EntityBook,
    EntityError,
    EntityKind,
    LegalEntity,
)
from shared.domain.obligations.routing import route
from shared.domain.obligations.status import counterparty_status, has_reporting_obligation

BANK = "5493001KJTIIGC8Y1R12"  # the tenant's legal entity (Seoul head office)
US_SUB = "5493002KJTIIGC8Y1R34"
UK_BANK = "213800ABCDEFGHIJKL12"
UK_CORP = "213800ZYXWVUTSRQPO98"
US_DEALER = "549300USDEALER000012"
KR_BANK = "9884003KRBANK0000012"
ALL = registry.keys()


def book(*agreements: DelegationAgreement, us_sub: bool = False) -> EntityBook:
    entities = [
        LegalEntity("SEOUL-HO", "Bank Seoul", EntityKind.HEAD_OFFICE, "KR", lei=BANK,
                    statuses={"krx": "REPORTING", "cftc-part45": "SD"}),
        LegalEntity("LONDON-BR", "Bank London branch", EntityKind.BRANCH, "GB",
                    parent="SEOUL-HO", statuses={"uk-emir": "FC"}),
        LegalEntity("SINGAPORE-BR", "Bank Singapore branch", EntityKind.BRANCH, "SG",
                    parent="SEOUL-HO", statuses={"mas": "REPORTING"}),
    ]
    if us_sub:
        entities.append(LegalEntity("NEWYORK-SUB", "Bank US", EntityKind.SUBSIDIARY, "US",
                                    lei=US_SUB, statuses={"cftc-part45": "MSP"}))
    return EntityBook(entities, agreements)


def trade(*, country: str = "KR", other: Party | None = None, hint: str | None = None,
          regimes: list[str] | None = None) -> TradeEvent:
    return TradeEvent(
        uti="UTI1", action_type=ActionType.NEWT,
        execution_timestamp=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        counterparty_1=Party(identifier=BANK, nature=Nature.FINANCIAL, country=country),
        counterparty_2=other or Party(identifier=KR_BANK, nature=Nature.FINANCIAL, country="KR"),
        booking_entity=hint, regimes=regimes or [])


def reports(routing):
    return [(r.regime, r.reporting_counterparty, r.submitting_entity, r.entity_responsible,
             r.capacity) for r in routing.reports]


def test_a_seoul_trade_with_a_korean_bank_goes_to_krx_only():
    routing = route(trade(), book(), enabled=ALL)
    assert routing.booking_entity == "SEOUL-HO"
    assert reports(routing) == [("krx", BANK, BANK, BANK, Capacity.SELF)]
    assert routing.regimes == ("krx",)
    krx = routing.reports[0]
    assert "SEOUL-HO is REPORTING under KRX TR" in krx.reason_en
    # a Korean reader gets the regime's Korean name, not the English one
    assert "한국거래소 TR" in krx.reason_ko and "KRX TR" not in krx.reason_ko
    # the SD registration does not reach a swap with no US person: said, not silently dropped
    cftc = [s for s in routing.skipped if s.regime == "cftc-part45"]
    assert cftc and "outside its reach" in cftc[0].reason_en


def test_the_london_branch_books_it_so_krx_and_uk_emir_both_apply():
    other = Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="GB",
                  clearing_threshold_exceeded=True)
    routing = route(trade(country="GB", other=other), book(), enabled=ALL)
    assert routing.booking_entity == "LONDON-BR"  # found by the party's country
    assert routing.regimes == ("krx", "uk-emir")
    uk = next(r for r in routing.reports if r.regime == "uk-emir")
    assert "LONDON-BR is FC under UK EMIR" in uk.reason_en
    # the counterparty, a UK FC, reports its own side: nothing on its behalf
    assert routing.on_behalf == ()


def test_the_record_names_the_booking_branch():
    routing = route(trade(hint="SINGAPORE-BR"), book(), enabled=ALL)
    assert routing.booking_entity == "SINGAPORE-BR"
    assert routing.regimes == ("krx", "mas")


def test_cftc_one_side_reports_by_the_45_8_hierarchy():
    dealer = Party(identifier=US_DEALER, nature=Nature.FINANCIAL, country="US",
                   entity_classifications={"CFTC": "SD"})
    routing = route(trade(other=dealer), book(), enabled=ALL)
    cftc = [r for r in routing.reports if r.regime.startswith("cftc")]
    # both SDs: the rule leaves it to agreement, and this side reports; Part 43 follows
    assert [(r.regime, r.reporting_counterparty) for r in cftc] == [
        ("cftc-part45", BANK), ("cftc-part43", BANK)]
    assert "both SD" in cftc[0].reason_en and "§45.8" in cftc[0].reason_en
    # a US end user ranks below the SD: still this side
    user = Party(identifier=US_DEALER, nature=Nature.NON_FINANCIAL, country="US")
    assert "cftc-part45" in route(trade(other=user), book(), enabled=ALL).regimes


def test_part_43_owed_but_not_connected_is_said_not_reported():
    dealer = Party(identifier=US_DEALER, nature=Nature.FINANCIAL, country="US",
                   entity_classifications={"CFTC": "SD"})
    routing = route(trade(other=dealer), book(), enabled=("krx", "cftc-part45"))
    assert routing.regimes == ("krx", "cftc-part45")
    skipped = {s.regime: s.reason_en for s in routing.skipped}
    assert "no CFTC Part 43 connection" in skipped["cftc-part43"]


def test_cftc_a_higher_ranked_counterparty_reports_instead():
    book_msp = EntityBook([LegalEntity("SEOUL-HO", "Bank", EntityKind.HEAD_OFFICE, "KR",
                                       lei=BANK, statuses={"cftc-part45": "MSP"})])
    dealer = Party(identifier=US_DEALER, nature=Nature.FINANCIAL, country="US",
                   entity_classifications={"CFTC": "SD"})
    routing = route(trade(other=dealer), book_msp, enabled=ALL)
    assert routing.reports == ()
    skipped = {s.regime: s.reason_en for s in routing.skipped}
    assert "ranks above" in skipped["cftc-part45"]
    assert "cftc-part43" in skipped  # follows Part 45, said so


def test_both_sides_are_the_tenants_own_entities():
    # Seoul (SD) faces its US subsidiary (MSP): CFTC picks the SD; KRX: only Seoul has a status
    other = Party(identifier=US_SUB, nature=Nature.FINANCIAL, country="US")
    routing = route(trade(other=other), book(us_sub=True), enabled=ALL)
    assert [(r.regime, r.reporting_counterparty, r.capacity) for r in routing.reports] == [
        ("krx", BANK, Capacity.SELF), ("cftc-part45", BANK, Capacity.SELF),
        ("cftc-part43", BANK, Capacity.SELF)]
    # and from the subsidiary's record the same trade: the SD (Seoul) is the group's reporter
    flipped = TradeEvent(**{**trade(other=other).model_dump(),
                            "counterparty_1": other.model_dump(),
                            "counterparty_2": Party(identifier=BANK, country="KR",
                                                    nature=Nature.FINANCIAL).model_dump()})
    routing = route(flipped, book(us_sub=True), enabled=ALL)
    cftc = next(r for r in routing.reports if r.regime == "cftc-part45")
    assert (cftc.reporting_counterparty, cftc.capacity, cftc.entity_id) == (
        BANK, Capacity.GROUP, "SEOUL-HO")


def test_both_sides_report_when_the_counterparty_is_another_of_our_entities():
    two_uk = EntityBook([
        LegalEntity("SEOUL-HO", "Bank", EntityKind.HEAD_OFFICE, "KR", lei=BANK),
        LegalEntity("LONDON-BR", "London", EntityKind.BRANCH, "GB", parent="SEOUL-HO",
                    statuses={"uk-emir": "FC"}),
        LegalEntity("UK-SUB", "Bank UK Ltd", EntityKind.SUBSIDIARY, "GB", lei=UK_BANK,
                    statuses={"uk-emir": "FC"}),
    ])
    other = Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="GB")
    routing = route(trade(country="GB", other=other), two_uk, enabled=ALL)
    assert [(r.reporting_counterparty, r.capacity) for r in routing.reports] == [
        (BANK, Capacity.SELF), (UK_BANK, Capacity.GROUP)]


def nfc_minus(**extra) -> Party:
    return Party(identifier=UK_CORP, nature=Nature.NON_FINANCIAL, country="GB",
                 clearing_threshold_exceeded=False, **extra)


def test_an_fc_reports_for_its_small_nfc_counterparty_by_law():
    routing = route(trade(country="GB", other=nfc_minus()), book(), enabled=ALL)
    assert reports(routing)[1:] == [
        ("uk-emir", BANK, BANK, BANK, Capacity.SELF),
        ("uk-emir", UK_CORP, BANK, BANK, Capacity.MANDATORY)]
    assert "Art. 9(1a)" in routing.on_behalf[0].reason_en


def test_an_nfc_minus_that_opted_out_reports_itself():
    opted = DelegationAgreement(UK_CORP, "UK Corp", "uk-emir", Capacity.MANDATORY,
                                "LONDON-BR", date(2025, 1, 1), opted_out=True)
    routing = route(trade(country="GB", other=nfc_minus()), book(opted), enabled=ALL)
    assert routing.on_behalf == ()


def test_a_voluntary_delegation_leaves_the_client_responsible():
    client = Party(identifier=UK_CORP, nature=Nature.NON_FINANCIAL, country="GB",
                   clearing_threshold_exceeded=True)
    agreement = DelegationAgreement(UK_CORP, "UK Corp", "uk-emir", Capacity.VOLUNTARY,
                                    "LONDON-BR", date(2025, 1, 1), date(2026, 12, 31))
    routing = route(trade(country="GB", other=client), book(agreement), enabled=ALL)
    assert routing.on_behalf[0].capacity is Capacity.VOLUNTARY
    assert (routing.on_behalf[0].submitting_entity, routing.on_behalf[0].entity_responsible) == (
        BANK, UK_CORP)
    # before the agreement starts, nothing is reported for the NFC+ (it reports itself)
    early = trade(country="GB", other=client).model_copy(
        update={"execution_timestamp": datetime(2024, 6, 1, tzinfo=UTC)})
    assert route(early, book(agreement), enabled=ALL).on_behalf == ()


def test_our_nfc_minus_is_reported_for_by_its_financial_counterparty():
    corp = EntityBook([LegalEntity("CORP", "Corp", EntityKind.HEAD_OFFICE, "GB", lei=BANK,
                                   statuses={"uk-emir": "NFC-"})])
    fc = Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="GB")
    routing = route(trade(country="GB", other=fc), corp, enabled=ALL)
    assert routing.reports == ()
    assert "reports for it" in routing.skipped[0].reason_en


def test_a_regime_owed_but_not_connected_is_said_not_dropped():
    routing = route(trade(country="GB", other=nfc_minus()), book(), enabled=("krx",))
    assert routing.regimes == ("krx",)
    uk = [s for s in routing.skipped if s.regime == "uk-emir"]
    assert len(uk) == 2 and all("no UK EMIR connection" in s.reason_en for s in uk)


def test_the_record_naming_its_regimes_restricts_the_decision():
    routing = route(trade(country="GB", regimes=["UKEMIR"]), book(), enabled=ALL)
    assert routing.regimes == ("uk-emir",)


def test_without_entities_the_tenant_regimes_apply_as_before():
    routing = route(trade(), EntityBook([]), enabled=("krx", "emir"))
    assert (routing.basis, routing.regimes) == ("tenant", ("krx", "emir"))
    named = route(trade(regimes=["cftc"]), EntityBook([]), enabled=("krx",))
    assert (named.basis, named.regimes) == ("record", ("cftc-part45",))


def test_a_trade_of_nobody_in_the_tenant_is_not_reported_and_says_why():
    stranger = trade().model_copy(update={"counterparty_1": Party(identifier=UK_BANK)})
    routing = route(stranger, book(), enabled=("krx",))
    assert routing.reports == () and "neither counterparty" in routing.skipped[0].reason_en


@pytest.mark.parametrize(("party", "regime", "status"), [
    (Party(identifier=UK_CORP, nature=Nature.FINANCIAL, country="DE"), "emir", "FC"),
    (Party(identifier=UK_CORP, nature=Nature.FINANCIAL, country="GB"), "emir", None),
    (Party(identifier=UK_CORP, nature=Nature.NON_FINANCIAL, country="FR",
           clearing_threshold_exceeded=False), "emir", "NFC-"),
    (Party(identifier=UK_CORP, nature=Nature.NON_FINANCIAL, country="FR"), "emir", "NFC+"),
    (Party(identifier=UK_CORP, nature=Nature.CCP, country="GB"), "uk-emir", "CCP"),
    # the regime's own classification wins over the party's country and EMIR nature
    (Party(identifier=UK_CORP, nature=Nature.FINANCIAL, country="US",
           regime_classifications={"UKEMIR": RegimeClassification(
               nature=Nature.NON_FINANCIAL, clearing_threshold_exceeded=False)}),
     "uk-emir", "NFC-"),
    (Party(identifier=US_DEALER, country="US", entity_classifications={"CFTC": "MSP"}),
     "cftc-part45", "MSP"),
    (Party(identifier=US_DEALER, country="DE", financial_entity=True), "cftc-part45", "FE"),
    (Party(identifier=US_DEALER, country="US"), "cftc-part45", "NFE"),
    (Party(identifier=US_DEALER, country="JP"), "cftc-part45", None),
    (Party(identifier=KR_BANK, nature=Nature.FINANCIAL, country="SG"), "mas", "REPORTING"),
    (Party(identifier=KR_BANK, nature=Nature.NON_FINANCIAL, country="SG"), "mas", None),
])
def test_what_the_record_says_the_counterparty_is(party, regime, status):
    assert counterparty_status(party, regime) == status


@pytest.mark.parametrize(("make", "field"), [
    (lambda: LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "KR", lei=BANK,
                         statuses={"uk-emir": "SD"}), "statuses.uk-emir"),
    (lambda: LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "KR", lei=BANK,
                         statuses={"mifid": "FC"}), "statuses"),
    (lambda: LegalEntity("X", "x", EntityKind.BRANCH, "GB"), "parent"),
    (lambda: LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "KR"), "lei"),
    (lambda: LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "Korea", lei=BANK), "country"),
    (lambda: LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "KR", lei="NOT-AN-LEI"), "lei"),
    (lambda: DelegationAgreement(UK_CORP, "c", "uk-emir", Capacity.SELF, "X",
                                 date(2025, 1, 1)), "capacity"),
    (lambda: DelegationAgreement(UK_CORP, "c", "uk-emir", Capacity.VOLUNTARY, "X",
                                 date(2025, 1, 1), date(2024, 1, 1)), "valid_to"),
    (lambda: EntityBook([LegalEntity("B", "b", EntityKind.BRANCH, "GB", parent="HO")]),
     "parent"),
    (lambda: LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "ÄÖ", lei=BANK), "country"),
    (lambda: EntityBook([LegalEntity("HO", "h", EntityKind.HEAD_OFFICE, "KR", lei=BANK),
                         LegalEntity("B1", "b", EntityKind.BRANCH, "GB", parent="HO"),
                         LegalEntity("B2", "b", EntityKind.BRANCH, "SG", parent="B1")]),
     "parent"),
    (lambda: EntityBook([LegalEntity("B", "b", EntityKind.BRANCH, "GB", parent="B")]),
     "parent"),
])
def test_an_entity_that_cannot_be_saved_names_its_field(make, field):
    with pytest.raises(EntityError) as caught:
        make()
    assert caught.value.field == field


def test_statuses_are_stored_by_regime_key_whatever_the_spelling():
    entity = LegalEntity("X", "x", EntityKind.HEAD_OFFICE, "KR", lei=BANK.lower(),
                         statuses={"UKEMIR": "fc", "CFTC": "sd"})
    assert dict(entity.statuses) == {"uk-emir": "FC", "cftc-part45": "SD"}
    assert entity.lei == BANK


def test_the_decision_serialises_for_the_event_row():
    routing = route(trade(country="GB", other=nfc_minus()), book(), enabled=ALL)
    stored = routing.as_dict()
    # every field of each report and skip, as process stores it and the trade detail reads it
    assert stored == {"basis": "entities", "booking_entity": "LONDON-BR",
                      "reports": [{**asdict(r), "capacity": r.capacity.value}
                                  for r in routing.reports],
                      "skipped": [asdict(s) for s in routing.skipped]}
    assert stored["booking_entity"] == "LONDON-BR"
    assert {r["capacity"] for r in stored["reports"]} == {"self", "mandatory"}
    assert all(r["reason_en"] and r["reason_ko"] for r in stored["reports"])


def test_a_router_decides_once_for_events_that_route_alike_and_apart_for_the_rest():
    """Process routes a chunk through one Router: its shared decisions must be exactly what
    `route` decides for each event, over the demo tenant's book and every demo record."""
    import io

    from shared.domain.enrichment import enrich
    from shared.domain.obligations.routing import Router
    from shared.formats.readers import reader_for
    from swaprep.local import demo

    day = date(2026, 11, 23)
    files = {f.key.rsplit("/", 1)[1]: f.data for f in demo.demo_files(day)}
    events = []
    for name, fmt, profile in (("fep-demo-irs-fx.csv", "csv", None),
                               ("kr-fep-demo.csv", "csv", "kr-fep"),
                               ("fpml-demo.xml", "fpml", None),
                               ("fep-branches.csv", "csv", None)):
        reader = reader_for(fmt, profile=profile) if profile else reader_for(fmt)
        events += [enrich(r.event, generating_lei=demo.demo_lei(1)).event
                   for r in reader.read(io.BytesIO(files[name])) if r.ok]
    # and one trade with each input routing reads changed in turn (a key that left one out
    # would share a decision that differs)
    base = trade(country="GB", other=nfc_minus())
    us = base.counterparty_2.model_copy(update={"country": "US", "nature": None,
                                                "clearing_threshold_exceeded": None})
    for other in (
            *(base.counterparty_2.model_copy(update=change) for change in (
                {"nature": Nature.FINANCIAL}, {"clearing_threshold_exceeded": True},
                {"country": "DE"}, {"identifier": UK_BANK},
                {"regime_classifications": {"UKEMIR": RegimeClassification(
                    nature=Nature.FINANCIAL)}})),
            us, us.model_copy(update={"financial_entity": True}),
            us.model_copy(update={"entity_classifications": {"CFTC": "SD"}})):
        events.append(base.model_copy(update={"counterparty_2": other}))
    events += [base, *(base.model_copy(update=change) for change in (
        {"booking_entity": "SEOUL-HO"}, {"regimes": ["krx"]},
        {"execution_timestamp": datetime(2024, 1, 2, tzinfo=UTC)},
        {"counterparty_1": base.counterparty_1.model_copy(update={"country": "SG"})},
        {"submitting_entity": UK_BANK}))]
    voluntary = DelegationAgreement(UK_CORP, "UK Corp", "uk-emir", Capacity.VOLUNTARY,
                                    "LONDON-BR", date(2025, 1, 1), date(2026, 12, 31))
    for the_book in (demo.demo_book(), book(), book(voluntary), EntityBook(())):
        router = Router(the_book, enabled=ALL)
        decided = [router.route(e) for e in events]
        assert decided == [route(e, the_book, enabled=ALL) for e in events]
        assert len({id(d) for d in decided}) < len(events) / 10  # shared, not recomputed


@pytest.mark.parametrize(("party", "regime", "obliged"), [
    # EMIR field 1.13: an EU financial counterparty is; a small NFC, whose FC reports for it
    # by law, is not (as DRR reads FpML); a large NFC is
    (Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="DE"), "emir", True),
    (Party(identifier=UK_BANK, nature=Nature.NON_FINANCIAL, country="FR",
           clearing_threshold_exceeded=False), "emir", False),
    (Party(identifier=UK_BANK, nature=Nature.NON_FINANCIAL, country="FR",
           clearing_threshold_exceeded=True), "emir", True),
    # a UK bank is obliged under UK EMIR, not under EMIR
    (Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="GB"), "uk-emir", True),
    (Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="GB"), "emir", False),
    # what the record says wins; nothing known is not obliged
    (Party(identifier=UK_BANK, nature=Nature.FINANCIAL, country="DE",
           reporting_obligation=False), "emir", False),
    (Party(identifier=UK_BANK), "emir", False),
    (None, "emir", False),
])
def test_the_other_sides_reporting_obligation_follows_the_regimes_reach(party, regime, obliged):
    assert has_reporting_obligation(party, regime) is obliged
