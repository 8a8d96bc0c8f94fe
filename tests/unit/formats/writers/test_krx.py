from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    Leg,
    Money,
    Party,
    Period,
    PeriodUnit,
    Product,
    TradeEvent,
    Valuation,
    ValuationMethod,
)
from shared.formats.writers.base import ReportWriter, writer_for
from shared.formats.writers.krx import (
    COLUMNS,
    HEADER,
    KrxCsvWriter,
    KrxEncodingError,
    format_value,
    parse_batch,
)

REPORTED = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
LEI_1, LEI_2 = "529900ORI6ALO8ABW676", "9884DEMO000000010001"


def event(**overrides) -> TradeEvent:
    values = dict(
        uti=LEI_1 + "T0001", trade_id="T-0001", action_type=ActionType.NEWT, event_type="TRAD",
        execution_timestamp=datetime(2026, 11, 20, 1, 2, 3, 456789, tzinfo=UTC),
        effective_date=date(2026, 11, 24), expiration_date=date(2031, 11, 24),
        counterparty_1=Party(identifier=LEI_1), counterparty_2=Party(identifier=LEI_2),
        product=Product(asset_class="INTR", contract_type="SWAP", upi="QZ0000000001"),
        legs=[Leg(notional=Money(amount=Decimal("10000000000"), currency="KRW"),
                  fixed_rate=Decimal("0.0325"),
                  payment_frequency=Period(unit=PeriodUnit.MONTH, multiplier=3)),
              Leg(notional=Money(amount=Decimal("1E+10"), currency="KRW"),
                  floating_index="KRW-CD-KSDA-BLOOMBERG", floating_index_code="OTHR")],
        clearing=Clearing(cleared=Cleared.YES, ccp=LEI_2, clearing_member=LEI_1),
        valuation=Valuation(amount=Money(amount=Decimal("-1250000.50"), currency="KRW"),
                            method=ValuationMethod.CCP,
                            timestamp=datetime(2026, 11, 20, 9, tzinfo=UTC)),
        block_trade=True,
    )
    values.update(overrides)
    return TradeEvent(**values)


def test_writer_for_krx_satisfies_the_protocol() -> None:
    writer: ReportWriter = writer_for("krx")
    assert isinstance(writer, KrxCsvWriter)
    assert (writer.regime, writer.extension) == ("krx", ".csv")
    assert writer.media_type.startswith("text/csv")


def test_one_record_document_has_bom_header_row_and_trailer() -> None:
    data = KrxCsvWriter().write_one(event(), reporting_timestamp=REPORTED)
    assert data.startswith(b"\xef\xbb\xbfREC_TP,ACTION_TYPE,")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[-1] == "" and lines[-2] == "T,1,2026-11-21T00:30:00Z"
    row = parse_batch(data).rows[0]
    assert row["REC_TP"] == "D" and row["UTI"] == LEI_1 + "T0001"
    assert row["REPORTING_TS"] == "2026-11-21T00:30:00Z"
    assert row["EXECUTION_TS"] == "2026-11-20T01:02:03Z"  # UTC, whole seconds
    assert row["EFFECTIVE_DATE"] == "2026-11-24"
    assert row["L1_NOTIONAL"] == "10000000000" and row["L2_NOTIONAL"] == "10000000000"
    assert row["L1_FIXED_RATE"] == "0.0325"
    assert (row["L1_PAY_FREQ_PERIOD"], row["L1_PAY_FREQ_MULT"]) == ("MNTH", "3")
    assert row["L2_FLOAT_INDEX"] == "OTHR" and row["L2_NOTIONAL_CCY"] == "KRW"
    assert (row["CLEARED"], row["CCP"], row["VAL_METHOD"]) == ("Y", LEI_2, "CCPV")
    assert row["VAL_AMT"] == "-1250000.50" and row["PRIOR_UTI"] == ""


def test_batch_trailer_counts_the_rows_written() -> None:
    out = io.BytesIO()
    events = (event(uti=f"{LEI_1}T{n:04d}") for n in range(250))  # a generator: streamed
    count = KrxCsvWriter().write_batch(events, out, reporting_timestamp=REPORTED)
    batch = parse_batch(out.getvalue())
    assert count == batch.trailer_count == len(batch.rows) == 250
    assert out.getvalue().count(b"\xef\xbb\xbf") == 1  # one BOM, at the start


def test_empty_batch_is_a_header_and_a_zero_trailer() -> None:
    out = io.BytesIO()
    assert KrxCsvWriter().write_batch([], out, reporting_timestamp=REPORTED) == 0
    assert parse_batch(out.getvalue()).trailer_count == 0


def test_cp949_file_reads_back_in_cp949() -> None:
    writer = KrxCsvWriter(encoding="cp949")
    data = writer.write_one(event(trade_id="한국데모-0001"), reporting_timestamp=REPORTED)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "한국데모-0001".encode("cp949") in data
    assert parse_batch(data, encoding="cp949").rows[0]["TRADE_ID"] == "한국데모-0001"
    assert writer.media_type == "text/csv; charset=cp949"


def test_a_value_cp949_cannot_hold_is_an_error_naming_uti_and_column() -> None:
    with pytest.raises(KrxEncodingError, match=r"UTI .*T0001: column TRADE_ID holds '😀'"):
        KrxCsvWriter(encoding="cp949").write_one(event(trade_id="T😀"),
                                                  reporting_timestamp=REPORTED)


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        KrxCsvWriter(encoding="latin-1")
    assert KrxCsvWriter(encoding="UTF_8").encoding == "utf-8"


def test_values_with_commas_quotes_and_newlines_survive() -> None:
    tricky = 'A,B "C"\nD'
    data = KrxCsvWriter().write_one(event(trade_id=tricky), reporting_timestamp=REPORTED)
    assert parse_batch(data).rows[0]["TRADE_ID"] == tricky


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "Y"), (False, "N"), (Decimal("1E-7"), "0.0000001"),
    (Decimal("2.50"), "2.50"), (date(2026, 1, 2), "2026-01-02"), (PeriodUnit.YEAR, "YEAR"),
    (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"), (7, "7"),
])
def test_format_value(value, text) -> None:
    assert format_value(value) == text


def test_parse_batch_rejects_a_wrong_count() -> None:
    data = KrxCsvWriter().write_one(event(), reporting_timestamp=REPORTED)
    broken = data.replace(b"\r\nT,1,", b"\r\nT,2,")
    with pytest.raises(ValueError, match="trailer count 2 does not match 1 data rows"):
        parse_batch(broken)
    with pytest.raises(ValueError, match="no trailer"):
        parse_batch(data.rsplit(b"T,1", 1)[0])


def test_columns_are_unique_and_documented_in_order() -> None:
    assert len(HEADER) == len(set(HEADER))
    docs = (Path(__file__).resolve().parents[4] / "docs" / "KRX-PROFILE.md").read_text("utf-8")
    documented = re.findall(r"^\| \d+ \| `([A-Z0-9_]+)` \|", docs, flags=re.MULTILINE)
    assert documented == list(HEADER), "docs/KRX-PROFILE.md column table is out of date"
    assert all(c.label_ko and c.source for c in COLUMNS)


@settings(max_examples=100, deadline=None)
@given(ids=st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                            max_size=20), max_size=8))
def test_any_text_round_trips_in_utf8(ids) -> None:
    out = io.BytesIO()
    events = [event(trade_id=i) for i in ids]
    KrxCsvWriter().write_batch(events, out, reporting_timestamp=REPORTED)
    rows = parse_batch(out.getvalue()).rows
    assert [r["TRADE_ID"] for r in rows] == [e.trade_id or "" for e in events]


def test_every_row_has_every_column() -> None:
    data = KrxCsvWriter().write_one(TradeEvent(action_type="EROR", uti="X"),
                                    reporting_timestamp=REPORTED)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows[0]) == len(rows[1]) == len(COLUMNS)


@pytest.mark.parametrize("changes", [
    {}, {"legs": []}, {"legs": [Leg(fixed_rate=Decimal("0.01"))]}, {"counterparty_2": None},
    {"valuation": None, "clearing": Clearing()},
    {"option": None, "price": None, "collateral": None, "master_agreement": None},
])
def test_a_row_is_every_column_formatted(changes) -> None:
    # row() skips absent parts and formats only what needs it: the same cells as the columns.
    one = event(**changes)
    expected = [format_value(c.get(one, REPORTED)) for c in COLUMNS]
    assert KrxCsvWriter().row(one, reporting_timestamp=REPORTED) == expected


def test_a_row_of_the_demo_file_is_every_column_formatted() -> None:
    from shared.domain.enrichment import enrich
    from shared.formats.readers.csv_reader import CsvReader
    from swaprep.local.demo import generate_fep_csv

    content, _ = generate_fep_csv(300)
    records = CsvReader().read(io.BytesIO(content), file_name="demo.csv")
    for record in records:
        if record.event is not None:
            one = enrich(record.event).event
            expected = [format_value(c.get(one, REPORTED)) for c in COLUMNS]
            assert KrxCsvWriter().row(one, reporting_timestamp=REPORTED) == expected
