"""Enrichment: UTI generation (ISO 23897) and derived fields."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enrichment import enrich, generate_uti
from shared.domain.identifiers import check_uti, uti_generator_lei
from shared.domain.model import (
    ActionType,
    AssetClass,
    Leg,
    Money,
    Party,
    Product,
    TradeEvent,
    copy_model,
)
from shared.formats.readers.csv_reader import CsvReader
from swaprep.local.demo import generate_fep_csv

LEI = "529900ORI6ALO8ABW676"
CP2 = "7LTWFZYICNSX8D621K86"


def swap(**changes) -> TradeEvent:
    fields = dict(
        trade_id="FEP-20261120-00001", action_type=ActionType.NEWT,
        execution_timestamp=datetime(2026, 11, 20, 1, tzinfo=UTC),
        counterparty_1=Party(identifier=LEI), counterparty_2=Party(identifier=CP2),
        product=Product(product_name="InterestRate:IRSwap:FixedFloat"),
        legs=[Leg(notional=Money(amount=Decimal("1e9"), currency="KRW"),
                  fixed_rate=Decimal("0.03"), direction="MAKE"),
              Leg(floating_index="KRW-CD-KSDA-BLOOMBERG")],
    )
    fields.update(changes)
    return TradeEvent(**fields)


def test_canonical_trade_id_is_kept_readable():
    assert generate_uti(LEI, "TRADE000123") == LEI + "TRADE000123"


def test_other_trade_ids_get_a_readable_prefix_and_a_hash():
    uti = generate_uti(LEI, "FEP-20261120-00001")
    assert uti.startswith(LEI + "FEP2026112000001")
    assert check_uti(uti) is None and len(uti) <= 52
    assert uti == generate_uti(LEI, "FEP-20261120-00001")  # deterministic
    assert uti != generate_uti(LEI, "FEP2026112000001")  # punctuation matters
    assert generate_uti(LEI, "fep1") != generate_uti(LEI, "FEP1")
    assert generate_uti(LEI, "X-1") != generate_uti(CP2, "X-1")


def test_uti_needs_a_valid_lei_and_a_trade_id():
    with pytest.raises(ValueError, match="check digits"):
        generate_uti(LEI[:-2] + "00", "T1")
    with pytest.raises(ValueError, match="trade id"):
        generate_uti(LEI, "  ")


@given(st.text(min_size=1, max_size=200).filter(str.strip))
def test_any_trade_id_gives_a_valid_uti(trade_id):
    uti = generate_uti(LEI, trade_id)
    assert check_uti(uti) is None
    assert uti_generator_lei(uti) == LEI


def test_enrich_generates_the_uti_from_counterparty_1():
    result = enrich(swap(uti=None))
    assert result.event.uti == generate_uti(LEI, "FEP-20261120-00001")
    assert any(f.startswith("uti:") for f in result.filled)


def test_enrich_prefers_the_generating_lei_and_keeps_a_given_uti():
    assert enrich(swap(), generating_lei=CP2).event.uti == generate_uti(CP2, "FEP-20261120-00001")
    assert enrich(swap(uti="GIVEN1")).event.uti == "GIVEN1"


def test_enrich_reports_what_it_cannot_derive():
    result = enrich(swap(counterparty_1=Party(identifier=LEI[:-2] + "00")))
    assert result.event.uti is None
    assert "no valid generating LEI" in result.problems[0]
    assert "no trade id" in enrich(swap(trade_id=None)).problems[0]


def test_enrich_does_not_touch_its_input():
    original = swap()
    enrich(original)
    assert original.uti is None and original.product.asset_class is None


def test_enrich_in_place_fills_the_callers_event_and_gives_the_same_result():
    copied = enrich(swap())
    original = swap()
    in_place = enrich(original, in_place=True)
    assert in_place.event is original and original.uti is not None
    assert in_place.event.model_dump() == copied.event.model_dump()
    assert (in_place.filled, in_place.problems) == (copied.filled, copied.problems)
    assert in_place.event.payload_hash() == copied.event.payload_hash()


def test_enrich_fills_derived_fields():
    event = enrich(swap()).event
    assert event.event_timestamp == event.execution_timestamp  # NEWT
    assert event.product.asset_class is AssetClass.INTR
    assert event.product.contract_type == "SWAP"
    assert event.legs[1].direction == "TAKE"
    assert event.legs[1].notional == event.legs[0].notional  # single-currency swap
    assert (event.legs[0].payer, event.legs[0].receiver) == (LEI, CP2)
    assert (event.legs[1].payer, event.legs[1].receiver) == (CP2, LEI)
    assert [leg.rate_type for leg in event.legs] == ["FIXED", "FLOATING"]


def test_buy_sell_code_gives_buyer_and_seller():
    event = enrich(swap(legs=[], extensions={"direction": "SLLR"})).event
    assert (event.buyer, event.seller) == (CP2, LEI)
    kept = enrich(swap(legs=[], extensions={"direction": "BYER"}, buyer="X", seller="Y")).event
    assert (kept.buyer, kept.seller) == ("X", "Y")


def test_enrich_leaves_bad_values_for_the_rules():
    event = enrich(swap(counterparty_2=Party(identifier="NOT-A-LEI"))).event
    assert event.counterparty_2.identifier == "NOT-A-LEI"
    modi = enrich(swap(action_type=ActionType.MODI)).event
    assert modi.event_timestamp is None  # only a new trade's event is its execution


def test_fx_forward_taxonomy():
    event = enrich(swap(product=Product(product_name="ForeignExchange:Forward"),
                        legs=[])).event
    assert event.product.asset_class is AssetClass.CURR
    assert event.product.contract_type == "FORW"


def test_demo_file_enriches_cleanly():
    data, _ = generate_fep_csv(rows=60)
    events = [r.event for r in CsvReader().read(io.BytesIO(data))]
    enriched = [enrich(e.model_copy(update={"uti": None})).event for e in events]
    assert all(check_uti(e.uti) is None for e in enriched)
    # every lifecycle event of a trade gets the same UTI
    by_trade = {}
    for event in enriched:
        assert by_trade.setdefault(event.trade_id, event.uti) == event.uti


def test_the_copy_is_what_dump_and_validate_made():
    # enrich() copies with copy_model instead of model_validate(model_dump()): same result.
    event = swap(extensions={"conflicting_utis": ["A1", "B2"], "desk": {"book": ["X"]}},
                 regimes=["krx"], option=None)
    copied = copy_model(event)
    revalidated = TradeEvent.model_validate(event.model_dump())
    assert repr(copied) == repr(revalidated)
    assert copied.model_fields_set == revalidated.model_fields_set
    assert copied.legs[0].model_fields_set == revalidated.legs[0].model_fields_set
    assert copied.model_dump_json() == event.model_dump_json()


def test_the_copy_shares_nothing_that_can_change():
    event = swap(extensions={"conflicting_utis": ["A1"]}, regimes=["krx"])
    copied = copy_model(event)
    copied.legs[0].notional.amount = Decimal(1)
    copied.legs.append(Leg())
    copied.counterparty_1.sectors.append("CDTI")
    copied.extensions["conflicting_utis"].append("B2")
    copied.regimes.append("emir")
    assert event == swap(extensions={"conflicting_utis": ["A1"]}, regimes=["krx"])


def test_the_copy_still_validates_assignments():
    copied = copy_model(swap())
    with pytest.raises(ValueError):
        copied.action_type = "NOPE"
