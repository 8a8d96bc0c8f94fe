"""UPI attributes derived from a trade (shared.domain.upi), on the conformance corpus's trades."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from shared.domain.identifiers import check_upi
from shared.domain.model import TradeEvent
from shared.domain.upi import (
    MissingAttribute,
    ProductAttributes,
    Unavailable,
    UnavailableReason,
    product_attributes,
    user_type,
)

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))


def _event(relative: str) -> TradeEvent:
    from shared.domain.enrichment import enrich
    from shared.domain.refdata import load
    from shared.formats.readers import reader_for

    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"no conformance corpus at {CORPUS}")
    [record] = reader_for("fpml", refdata=load()).read(io.BytesIO(path.read_bytes()),
                                                       file_name=str(path))
    assert record.ok
    return enrich(record.event).event


@pytest.mark.parametrize(("relative", "expected"), [
    ("input/rates/IR-IRS-Fixed-Float-ex01.xml",
     {"asset_class": "INTR", "instrument_type": "Swap", "use_case": "Fixed_Float",
      "notional_currency": "USD", "reference_rate": "LIBO", "reference_rate_term": "3MNTH"}),
    ("input/rates/IR-IRS-Basis-ex01.xml",
     {"asset_class": "INTR", "instrument_type": "Swap", "use_case": "Basis",
      "notional_currency": "USD", "reference_rate": "EFFR", "reference_rate_term": "1DAIL",
      "delivery_type": "CASH"}),
    ("input/rates/IR-IRS-Fixed-Float-ex06-OIS.xml",
     {"asset_class": "INTR", "instrument_type": "Swap", "use_case": "OIS",
      "notional_currency": "USD", "reference_rate": "EFFR", "reference_rate_term": "1DAIL"}),
    ("input/rates/IR-CCS-Fixed-Float-ex04.xml",
     {"asset_class": "INTR", "instrument_type": "Swap", "use_case": "Cross_Currency_Fixed_Float",
      "notional_currency": "EUR", "other_notional_currency": "USD", "reference_rate": "LIBO",
      "reference_rate_term": "3MNTH"}),
    ("input/rates/IR-Option-Swaption-ex01-Bermuda.xml",
     {"asset_class": "INTR", "instrument_type": "Option", "use_case": "Swaption",
      "notional_currency": "USD", "reference_rate": "LIBO", "reference_rate_term": "3MNTH",
      "option_type": "CALL", "exercise_style": "BERM"}),
    ("input/credit/Credit-Index-CDX-ex02.xml",
     {"asset_class": "CRDT", "instrument_type": "Swap", "use_case": "Index",
      "notional_currency": "USD", "underlier": "USM17X16X151", "delivery_type": "OPTL"}),
    ("input/fx/FX-NDF-ex01.xml",
     {"asset_class": "CURR", "instrument_type": "Forward", "use_case": "NDF",
      "notional_currency": "KRW", "other_notional_currency": "USD",
      "settlement_currency": "USD", "delivery_type": "CASH"}),
    ("input/fx/FX-VanillaOption-ex05-American.xml",
     {"asset_class": "CURR", "instrument_type": "Option", "use_case": "Vanilla_Option",
      "notional_currency": "EUR", "other_notional_currency": "USD", "delivery_type": "PHYS",
      "option_type": "OTHR", "exercise_style": "AMER"}),
    ("input/equity/Equity-Swap-Price-Return-Index-ex01.xml",
     {"asset_class": "EQUI", "instrument_type": "Swap", "use_case": "Index",
      "notional_currency": "USD", "underlier": "IE0031442068", "delivery_type": "CASH"}),
    ("input/equity/Equity-Swap-Price-Return-Basket-ex01.xml",
     {"asset_class": "EQUI", "instrument_type": "Swap", "use_case": "Basket",
      "notional_currency": "USD", "underlier": "BASKET", "delivery_type": "CASH"}),
    ("input/equity/Equity-Option-Price-Return-Stock-ex01-American-Call.xml",
     {"asset_class": "EQUI", "instrument_type": "Option", "use_case": "Single_Name",
      "notional_currency": "EUR", "underlier": "STM-FP", "delivery_type": "OPTL",
      "option_type": "CALL", "exercise_style": "AMER"}),
    ("extra/input/commodity/Commodity-Swap-Metals-Precious-ex01-Cash.xml",
     {"asset_class": "COMM", "instrument_type": "Swap", "use_case": "Single_Commodity",
      "notional_currency": "USD", "underlier": "GOLD-LBMA PRICE PM", "delivery_type": "CASH",
      "commodity": "METL/PRME/GOLD"}),
])
def test_the_attributes_a_upi_stands_for_come_from_the_trade(relative, expected):
    assert product_attributes(_event(relative)).as_dict() == expected


@pytest.mark.parametrize(("relative", "missing"), [
    # an equity swap that says nothing of how it settles
    ("input/equity/Equity-Swap-Price-Return-Single-Name-ex01-Amend.xml", "delivery_type"),
    # an oil swap whose legs carry quantities, not a notional currency
    ("extra/input/commodity/Commodity-Swap-Energy-Oil-ex01-Cash.xml", "notional_currency"),
])
def test_a_trade_lacking_an_attribute_is_told_which(relative, missing):
    with pytest.raises(MissingAttribute) as caught:
        product_attributes(_event(relative))
    assert caught.value.attribute == missing
    assert missing in str(caught.value) and missing in caught.value.message_ko


def test_a_swap_without_its_floating_rate_names_the_reference_rate():
    event = _event("input/rates/IR-IRS-Fixed-Float-ex01.xml")
    for leg in event.legs:
        leg.floating_index = leg.floating_index_code = None
        leg.rate_type = "FIXED" if leg.rate_type == "FIXED" else None
    event.legs[1].rate_type = "FLOATING"
    with pytest.raises(MissingAttribute, match="reference rate"):
        product_attributes(event)


def test_the_same_product_has_one_key_whatever_the_order_or_case_of_its_attributes():
    one = ProductAttributes.from_dict({"asset_class": "intr", "instrument_type": "Swap",
                                       "use_case": "Fixed_Float", "notional_currency": "usd"})
    two = ProductAttributes.from_dict({"notional_currency": "USD", "use_case": "Fixed_Float",
                                       "instrument_type": "Swap", "asset_class": "INTR"})
    assert one.key == two.key and len(one.key) == 64
    other = ProductAttributes.from_dict({**one.as_dict(), "notional_currency": "EUR"})
    assert other.key != one.key


def test_an_unknown_attribute_name_is_refused_by_name():
    with pytest.raises(ValueError, match="tenor"):
        ProductAttributes.from_dict({"asset_class": "INTR", "tenor": "3M"})


def test_user_types_follow_the_dsb_table():
    free, power = user_type("registered"), user_type("Power")
    assert (free.max_records, free.can_create, free.free) == (5, False, True)
    assert (power.max_records, power.create_cap, power.cap_period) == (500, 6000, "week")
    assert user_type("search_only_api").can_create is False
    with pytest.raises(ValueError, match="known"):
        user_type("gold")


def test_why_there_is_no_upi_is_said_in_english_and_korean():
    text = Unavailable(UnavailableReason.NOT_FOUND, "INTR Swap Fixed_Float USD",
                       "user type registered", "사용자 유형 registered").as_extension()
    assert text["reason"] == "not_found" and "may not create" in text["why"]
    assert "생성할 수 없습니다" in text["why_ko"]


def test_a_upi_is_twelve_characters_after_qz():
    assert check_upi("QZ4TJ0H6XB0W") is None
    assert "12" in check_upi("QZ4TJ0H6XB0")
