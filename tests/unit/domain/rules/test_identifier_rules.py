from __future__ import annotations

import pytest

from shared.domain.issues import Severity
from shared.domain.model import ActionType, Cleared, Clearing, Collateral, IdType, Party, Product
from shared.domain.rules import validate
from shared.domain.rules.identifiers import isin_reason, lei_reason, upi_reason, uti_reason
from tests.unit.domain.rules import factory as f


def _ids(event, **ctx) -> dict[str, list]:
    found: dict[str, list] = {}
    for issue in validate(event, f.context(**ctx)):
        found.setdefault(issue.rule_id, []).append(issue)
    return found


@pytest.mark.parametrize(("value", "expected"), [
    ("5299 00ORI6ALO8ABW676", "contains spaces"),
    ("529900ORI6ALO8ABW67", "19 characters"),
    ("529900ori6alo8abw676", "lower-case"),
    ("529900ORI6ALO8ABW6AB", "18 characters A-Z 0-9 followed by 2 check digits"),
    ("529900ORI6ALO8ABW677", "check digits do not match"),
])
def test_lei_reasons_say_what_is_wrong(value: str, expected: str) -> None:
    en, ko = lei_reason(value)
    assert expected in en and ko


def test_each_lei_field_is_checked_and_named() -> None:
    bad = "529900ORI6ALO8ABW677"
    event = f.newt(submitting_entity=bad, broker=bad,
                   clearing=Clearing(cleared=Cleared.YES, ccp=bad, clearing_member=f.LEI_CM),
                   counterparty_2=Party(identifier=bad))
    fields = [i.field for i in _ids(event)["SR-ID-004"]]
    assert fields == ["counterparty_2.identifier", "submitting_entity", "broker", "clearing.ccp"]


def test_a_bad_lei_in_any_field_that_must_hold_one_is_refused() -> None:
    """SR-ID-004 checks the LEIs before naming any path (a fast path); whatever `lei_fields`
    lists, a bad LEI there must still be found, and named."""
    from shared.domain.model import copy_model
    from shared.domain.rules.identifiers import lei_fields

    event = f.newt(submitting_entity=f.LEI_1, entity_responsible=f.LEI_1, broker=f.LEI_2,
                   clearing=Clearing(cleared=Cleared.YES, ccp=f.LEI_CCP,
                                     clearing_member=f.LEI_CM),
                   counterparty_1=Party(identifier=f.LEI_1, execution_agent=f.LEI_2),
                   counterparty_2=Party(identifier=f.LEI_2, execution_agent=f.LEI_1))
    paths = [path for path, _ in lei_fields(event)]
    assert len(paths) == 9 and "SR-ID-004" not in _ids(event)
    for path in paths:
        wrong = copy_model(event)
        parent, _, name = path.rpartition(".")
        setattr(getattr(wrong, parent) if parent else wrong, name, "529900ORI6ALO8ABW677")
        assert [i.field for i in _ids(wrong).get("SR-ID-004", [])] == [path], path


def test_a_counterparty_not_identified_by_lei_is_not_checked_as_one() -> None:
    event = f.newt(counterparty_2=Party(identifier="CLIENT-77", id_type=IdType.CLIENT_CODE))
    assert "SR-ID-004" not in _ids(event)


def test_uti_reasons() -> None:
    assert "53 characters" in uti_reason("A" * 53)[0]
    assert "'-'" in uti_reason("ABC-1")[0]
    assert "lower-case" in uti_reason("abc")[0]


def test_prior_uti_is_checked_with_its_own_field() -> None:
    issues = _ids(f.newt(prior_uti="OLD-UTI"))["SR-ID-002"]
    assert [i.field for i in issues] == ["prior_uti"] and issues[0].value == "OLD-UTI"


def test_portfolio_margin_update_needs_no_uti() -> None:
    margin = f.maru(uti=None, collateral=Collateral(portfolio_code="PORT001"))
    assert "SR-ID-001" not in _ids(margin)
    assert "SR-ID-001" in _ids(f.maru(uti=None))


def test_lapsed_lei_warns_retired_rejects_unknown_passes() -> None:
    lapsed = _ids(f.newt(), lei_status={f.LEI_2: "lapsed"})["SR-ID-005"]
    assert [i.severity for i in lapsed] == [Severity.WARN]
    assert "LAPSED" in lapsed[0].message_en and "갱신" in lapsed[0].message_ko
    assert _ids(f.newt(), lei_status={f.LEI_2: "MERGED"})["SR-ID-005"][0].severity is (
        Severity.REJECT)
    assert "SR-ID-005" not in _ids(f.newt(), lei_status={"OTHER": "RETIRED"})


def test_upi_and_isin_reasons() -> None:
    assert "a UPI has 12" in upi_reason("QZ1")[0]
    assert "start with QZ" in upi_reason("AB0000000001")[0]
    assert "country code" in isin_reason("ZZ9311421039")[0]
    assert "Luhn" in isin_reason("US9311421038")[0]


@pytest.mark.parametrize(("regime", "venue", "isin", "fires"), [
    ("emir", "XOFF", None, True),
    ("emir", "XLON", "US9311421039", False),  # on venue: an ISIN identifies it under EMIR
    ("cftc-part45", "XLON", "US9311421039", True),  # CFTC wants the UPI
    ("krx", "XOFF", None, False),  # KRX's UPI use is not known: not required
    ("uk-emir", "XLON", "US9311421039", False),  # UK EMIR kept EMIR's venue ISIN
    ("uk-emir", "XOFF", None, True),
    ("jfsa", "XOFF", None, True),  # the Asia-Pacific regimes require the UPI since 2024-25
    ("mas", "XOFF", None, True),
    ("hkma", "XLON", "US9311421039", True),
    ("asic", "XOFF", None, True),
    ("cftc-part43", "XOFF", None, True),  # the UPI is disseminated too
])
def test_product_identifier_by_regime(regime, venue, isin, fires) -> None:
    event = f.newt(execution_venue=venue,
                   product=Product(asset_class="INTR", contract_type="SWAP", isin=isin))
    found = _ids(event, regimes=(regime,)).get("SR-ID-009", [])
    assert bool(found) is fires
    if fires:
        assert found[0].regime == regime


def test_product_identifier_not_needed_for_valuations() -> None:
    event = f.valu(product=Product())
    assert event.action_type is ActionType.VALU and "SR-ID-009" not in _ids(event)


def test_dsb_derivative_isins_with_the_ez_prefix_are_valid() -> None:
    product = Product(asset_class="INTR", contract_type="SWAP", upi=f.UPI, isin="EZ1HPK330CY9")
    assert "SR-ID-008" not in _ids(f.newt(product=product))
    wrong = product.model_copy(update={"isin": "EZ1HPK330CY8"})
    assert "Luhn" in _ids(f.newt(product=wrong))["SR-ID-008"][0].message_en


def test_execution_agent_may_be_not_applicable() -> None:
    event = f.newt(counterparty_1=Party(identifier=f.LEI_1, execution_agent="NOAP"))
    assert "SR-ID-004" not in _ids(event)
    event = f.newt(counterparty_1=Party(identifier=f.LEI_1, execution_agent="NOPE"))
    assert _ids(event)["SR-ID-004"][0].field == "counterparty_1.execution_agent"
