"""Mapping profiles: loading, validation against the model, and the built-in Korean profile."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shared.domain.model import ActionType, AssetClass, Cleared, EventType, PeriodUnit
from shared.formats.profiles import (
    ProfileError,
    available_profiles,
    load_profile,
    parse_profile,
    profile_from_dict,
    resolve_field,
)
from shared.formats.readers import reader_for
from shared.formats.readers.base import UnreadableFile
from shared.formats.readers.csv_reader import CsvReader

EU_PROFILE = """
name = "eu-semicolon"
[format]
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_formats = ["%d.%m.%Y"]
timestamp_formats = ["%d.%m.%Y %H:%M"]
timezone = "+01:00"
[columns]
Ref = "trade_id"
Art = { field = "action_type", codes = { N = "NEWT", A = "MODI" } }
Abschluss = "execution_timestamp"
Beginn = "effective_date"
Nominal = "legs.0.notional.amount"
Whg = "legs.0.notional.currency"
Satz = { field = "legs.0.fixed_rate", scale = "0.01" }
Intervall = "legs.0.payment_frequency"
Block = "block_trade"
Regime = "regimes"
"""


def test_builtin_profiles_load():
    assert {"default", "kr-fep"} <= set(available_profiles())
    assert load_profile("kr-fep").encoding == "cp949"
    assert load_profile().name == "default"
    with pytest.raises(ProfileError, match="no profile"):
        load_profile("nope")
    with pytest.raises(ProfileError, match="bad profile name"):
        load_profile("../etc/passwd")


def test_field_paths_take_their_type_from_the_model():
    assert resolve_field("legs.0.notional.amount").kind == "decimal"
    assert resolve_field("legs.1.floating_tenor").kind == "period"
    assert resolve_field("legs.0.payment_frequency.multiplier").kind == "int"
    spec = resolve_field("action_type")
    assert (spec.kind, spec.enum) == ("enum", ActionType)
    assert resolve_field("option.exercise_dates").many
    assert resolve_field("extensions.anything").kind == "any"


@pytest.mark.parametrize("path, problem", [
    ("nonsense", "has no field"),
    ("legs.notional", "expected an index"),
    ("legs.0.notional", "names an object"),
    ("uti.more", "no sub-fields"),
    ("extensions", "name a key"),
])
def test_bad_field_paths_are_refused(path, problem):
    with pytest.raises(ProfileError, match=problem):
        resolve_field(path)


def test_profile_problems_are_reported_at_load_time():
    base = {"name": "x", "columns": {"a": "trade_id"}}
    with pytest.raises(ProfileError, match="surprise"):
        profile_from_dict({**base, "surprise": 1})
    with pytest.raises(ProfileError, match="column 'b'"):
        profile_from_dict({**base, "columns": {"b": "no_such_field"}})
    with pytest.raises(ProfileError, match=r"no \[codes.missing\] table"):
        profile_from_dict({**base, "columns": {"a": {"field": "action_type",
                                                     "codes": "missing"}}})
    with pytest.raises(ProfileError, match="scale needs a number"):
        profile_from_dict({**base, "columns": {"a": {"field": "uti", "scale": "0.01"}}})
    with pytest.raises(ProfileError, match="required column 'zz'"):
        profile_from_dict({**base, "header": {"required": ["zz"]}})
    with pytest.raises(ProfileError, match="unsupported encoding"):
        profile_from_dict({**base, "format": {"encoding": "latin-1"}})
    with pytest.raises(ProfileError, match="time zone"):
        profile_from_dict({**base, "format": {"timezone": "Mars/Olympus"}})
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile("name = ")


def test_semicolon_decimal_comma_profile():
    profile = parse_profile(EU_PROFILE)
    data = ("Ref;Art;Abschluss;Beginn;Nominal;Whg;Satz;Intervall;Block;Regime\n"
            "R1;N;20.11.2026 10:15;24.11.2026;1.250.000,50;EUR;3,125;6M;J;emir|cftc-part45\n"
            "R2;A;20.11.2026 10:15;24.11.2026;1,5;;2;1Y;N;\n")
    first, second = CsvReader(profile).read(io.BytesIO(data.encode()))
    assert second.ok
    assert first.errors[0].code == "PARSE-CSV-008"  # "J" is not a yes/no value here
    assert first.errors[0].field == "block_trade"
    event = next(CsvReader(profile).read(io.BytesIO(data.replace(";J;", ";Y;").encode()))).event
    assert event.action_type is ActionType.NEWT
    assert event.execution_timestamp == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert event.effective_date == date(2026, 11, 24)
    assert event.legs[0].notional.amount == Decimal("1250000.50")
    assert event.legs[0].fixed_rate == Decimal("0.03125")
    assert event.legs[0].payment_frequency.unit is PeriodUnit.MONTH
    assert event.regimes == ["emir", "cftc-part45"]
    # an amount without its currency cannot be a notional: left out, for a rule to flag
    assert second.event.legs[0].notional is None


def test_defaults_fill_only_what_is_blank():
    profile = profile_from_dict({
        "name": "d", "columns": {"a": "action_type", "v": "execution_venue"},
        "defaults": {"execution_venue": "XOFF", "regimes": ["krx"]},
    })
    records = list(CsvReader(profile).read(io.BytesIO(b"a,v\nNEWT,\nNEWT,XKRX\n")))
    assert [r.event.execution_venue for r in records] == ["XOFF", "XKRX"]
    assert records[0].event.regimes == ["krx"]


KR_FILE = (
    "거래번호,보고구분,이벤트구분,체결일시,효력발생일,만기일,자산군,상품명,보고기관LEI,"
    "거래상대방LEI,거래상대방명,지급수취구분,매매구분,명목금액1,통화1,고정금리,변동금리지표,"
    "금리재설정주기,스프레드,청산여부\n"
    "KR-0001,신규,거래,20261120093015,20261124,20291124,금리,InterestRate:IRSwap:FixedFloat,"
    '9884DEMO000000000123,9884DEMO000000010017,한국데모증권,지급,,"10,000,000,000",KRW,3.25,'
    "KRW-CD-KSDA-BLOOMBERG,3개월,5,예\n"
    "KR-0002,변경,거래,20261120150000,20261124,20270224,외환,ForeignExchange:Forward,"
    '9884DEMO000000000123,9884DEMO000000010308,서울자산운용,,매도,"5,000,000",USD,,,,,아니오\n'
)


def test_korean_fep_profile_reads_a_cp949_file():
    records = list(reader_for("csv", profile="kr-fep").read(io.BytesIO(KR_FILE.encode("cp949"))))
    assert [r.errors for r in records] == [(), ()]
    swap, forward = (r.event for r in records)
    assert swap.action_type is ActionType.NEWT and swap.event_type is EventType.TRAD
    assert swap.execution_timestamp == datetime(2026, 11, 20, 0, 30, 15, tzinfo=UTC)  # KST
    assert swap.product.asset_class is AssetClass.INTR
    assert swap.counterparty_2.name == "한국데모증권"
    assert swap.legs[0].direction == "MAKE"
    assert swap.legs[0].notional.amount == Decimal("10000000000")
    assert swap.legs[0].fixed_rate == Decimal("0.0325")
    assert (swap.legs[1].floating_tenor.unit, swap.legs[1].floating_tenor.multiplier) == (
        PeriodUnit.MONTH, 3)
    assert swap.legs[1].spread == Decimal("0.0005")
    assert swap.clearing.cleared is Cleared.YES
    assert swap.regimes == ["krx"]
    assert forward.action_type is ActionType.MODI
    assert forward.product.asset_class is AssetClass.CURR
    assert forward.extensions == {"direction": "SLLR"}
    assert forward.clearing.cleared is Cleared.NO


def test_korean_profile_names_missing_korean_columns():
    with pytest.raises(UnreadableFile, match="체결일시"):
        list(CsvReader("kr-fep").read(io.BytesIO("거래번호,보고구분\nK1,신규\n".encode("cp949"))))


def test_the_booking_entity_and_the_other_sides_status_come_from_optional_columns():
    """Routing (issue 17) reads which of the tenant's entities booked the trade and what the
    other side is; CSV, flat JSON Lines and the Korean export name them, or leave them out."""
    default = ("trade_id,action_type,execution_timestamp,booking_entity,counterparty_2_lei,"
               "counterparty_2_country,counterparty_2_nature,counterparty_2_clearing_threshold\n"
               "T1,NEWT,2026-11-20T01:00:00Z,LONDON-BR,9884DEMO000000030351,gb,NFC,N\n"
               "T2,NEWT,2026-11-20T01:00:00Z,,9884DEMO000000030351,,,\n"
               "T3,NEWT,2026-11-20T01:00:00Z,,9884DEMO000000030351,,X,maybe\n")
    london, plain, wrong = reader_for("csv").read(io.BytesIO(default.encode()))
    assert london.event.booking_entity == "LONDON-BR"
    other = london.event.counterparty_2
    assert (other.country, other.nature.value, other.clearing_threshold_exceeded) == (
        "GB", "N", False)
    assert plain.ok and plain.event.booking_entity is None
    assert plain.event.counterparty_2.nature is None
    assert [(e.code, e.field) for e in wrong.errors] == [
        ("PARSE-CSV-009", "counterparty_2.nature"),
        ("PARSE-CSV-008", "counterparty_2.clearing_threshold_exceeded")]

    flat = b'{"trade_id": "T4", "action_type": "NEWT", "booking_entity": "SINGAPORE-BR"}\n'
    [record] = reader_for("jsonl", profile="default").read(io.BytesIO(flat))
    assert record.event.booking_entity == "SINGAPORE-BR"

    korean = "거래번호,보고구분,체결일시,부킹법인\nK1,신규,20261120093015,LONDON-BR\n"
    [record] = reader_for("csv", profile="kr-fep").read(io.BytesIO(korean.encode("cp949")))
    assert record.event.booking_entity == "LONDON-BR"
