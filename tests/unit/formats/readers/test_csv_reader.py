"""CSV reader: the demo FEP file, malformed input, positions, encodings, streaming."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.identifiers import check_lei
from shared.domain.model import ActionType, AssetClass, PeriodUnit
from shared.formats.readers import reader_for
from shared.formats.readers.base import ParsedRecord, UnreadableFile
from shared.formats.readers.csv_reader import CsvReader
from swaprep.local.demo import CSV_COLUMNS, generate_fep_csv

HEADER = ("trade_id,uti,action_type,execution_timestamp,effective_date,counterparty_2_name,"
          "notional_1\n")


def read(data: bytes, **options) -> list[ParsedRecord]:
    return list(CsvReader(**options).read(io.BytesIO(data), file_name="fep.csv"))


def codes(record: ParsedRecord) -> list[str]:
    return [e.code for e in record.errors]


class Trickle(io.RawIOBase):
    """A stream that hands out at most a few bytes per read, like a slow network body."""

    def __init__(self, data: bytes, step: int = 3) -> None:
        self._data, self._pos, self._step = data, 0, step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._pos:self._pos + n]
        self._pos += len(chunk)
        return chunk


# ------------------------------------------------------------------ the demo FEP file


@pytest.fixture(scope="module")
def demo() -> tuple[bytes, list[ParsedRecord]]:
    data, counts = generate_fep_csv()
    records = list(reader_for("csv").read(io.BytesIO(data), file_name="fep-demo.csv"))
    assert len(records) == counts["rows"]
    return data, records


def test_demo_file_reads_every_row_as_an_event(demo):
    data, records = demo
    assert all(r.ok for r in records), [r.errors for r in records if not r.ok][:3]
    assert [r.position.record for r in records] == list(range(1, len(records) + 1))
    assert [r.position.line for r in records] == list(range(2, len(records) + 2))
    assert records[0].raw == data.decode().splitlines()[1]
    first = records[0].event
    assert first.source == records[0].position
    assert first.source.file == "fep-demo.csv"
    assert first.action_type is ActionType.NEWT
    assert first.execution_timestamp.tzinfo is not None
    assert {r.event.action_type for r in records} >= {ActionType.NEWT, ActionType.MODI}


def test_demo_economics_are_mapped(demo):
    _data, records = demo
    swaps = [r.event for r in records if r.event.product.asset_class is AssetClass.INTR]
    fx = [r.event for r in records if r.event.product.asset_class is AssetClass.CURR]
    assert swaps and fx
    swap = next(s for s in swaps if s.legs[0].notional is not None)
    assert swap.legs[0].notional.currency == "KRW"
    assert Decimal("0.02") < swap.legs[0].fixed_rate < Decimal("0.04")  # percent -> fraction
    assert swap.legs[1].floating_tenor.unit is PeriodUnit.MONTH
    assert swap.legs[0].direction in ("MAKE", "TAKE")
    forward = fx[0]
    assert forward.legs[1].notional.currency == "KRW"


def test_demo_mistakes_are_events_that_rules_can_flag(demo):
    """Broken LEIs, currency KRX, empty notional, expiration before effective: all parse."""
    _data, records = demo
    events = [r.event for r in records]
    assert any(check_lei(e.counterparty_2.identifier) for e in events)
    assert any(leg.notional and leg.notional.currency == "KRX" for e in events for leg in e.legs)
    assert any(e.legs and e.legs[0].notional is None for e in events)  # empty: missing
    assert any(e.expiration_date == date(2020, 1, 1) and e.effective_date > e.expiration_date
               for e in events)
    korean = next(e for e in events if e.counterparty_2.name == "한국데모증권")
    assert korean.counterparty_2.identifier


def test_demo_columns_are_all_mapped_by_the_default_profile():
    profile = CsvReader().profile
    unmapped = [c for c in CSV_COLUMNS if profile.normalise_column(c) not in profile.columns]
    assert unmapped == []


# ------------------------------------------------------------------ encodings, BOM, CRLF


def test_utf8_bom_and_crlf():
    data = ("\ufeff" + HEADER + "T1,,NEWT,2026-11-20T01:00:00Z,2026-11-22,A,100\n"
            ).replace("\n", "\r\n").encode()
    [record] = read(data)
    assert record.ok
    assert record.raw == "T1,,NEWT,2026-11-20T01:00:00Z,2026-11-22,A,100"
    assert record.event.trade_id == "T1"


def test_cp949_with_hangul_names_is_detected():
    text = HEADER + "T1,,NEWT,,,한국데모증권,1\nT2,,NEWT,,,서울자산운용,2\n"
    records = read(text.encode("cp949"))
    assert [r.event.counterparty_2 for r in records] == [None, None]  # name without LEI: none
    assert [r.raw.split(",")[5] for r in records] == ["한국데모증권", "서울자산운용"]


def test_cp949_names_land_in_the_event():
    text = ("trade_id,action_type,counterparty_2_lei,counterparty_2_name\n"
            "T1,NEWT,9884DEMO000000010017,한국데모증권\n")
    [record] = read(text.encode("euc-kr"))
    assert record.ok
    assert record.event.counterparty_2.name == "한국데모증권"


def test_one_undecodable_byte_spoils_only_its_record():
    good = (HEADER + "T1,,NEWT,,,한국,1\n").encode()
    data = good + b"T2,,NEWT,,,\xff\xfe,2\n" + "T3,,NEWT,,,서울,3\n".encode()
    records = read(data)
    assert [r.ok for r in records] == [True, False, True]
    assert codes(records[1]) == ["PARSE-CSV-001"]
    assert "line 3" in records[1].errors[0].message
    assert "\ufffd" in records[1].raw


def test_file_in_no_supported_encoding_is_unreadable():
    data = (HEADER + "T1,,NEWT,,,caf\xe9 cr\xe8me \xe0 la,1\n" * 5).encode("latin-1")
    with pytest.raises(UnreadableFile, match="neither UTF-8 nor CP949"):
        read(data)


def test_declared_encoding_wins_over_detection():
    text = HEADER + "T1,,NEWT,,,한국데모증권,1\n"
    [record] = read(text.encode("cp949"), encoding="utf-8")
    assert codes(record) == ["PARSE-CSV-001"]  # the profile said UTF-8: each bad line says so


# ------------------------------------------------------------------ structure


def test_quoted_newlines_keep_physical_line_numbers():
    data = (HEADER + 'T1,,NEWT,,,"two\nlines",1\r\nT2,,NEWT,,,"a ""quoted"" name",2\n'
            "T3,,NEWT,,,C,3\n").encode()
    records = read(data)
    assert [r.position.line for r in records] == [2, 4, 5]
    assert [r.position.record for r in records] == [1, 2, 3]
    assert records[0].raw == 'T1,,NEWT,,,"two\nlines",1'
    assert all(r.ok for r in records)


def test_ragged_rows_are_record_errors_and_the_file_goes_on():
    data = (HEADER + "T1,,NEWT,,,A,1,surplus\nT2,,NEWT\nT3,,NEWT,,,C,3\n").encode()
    records = read(data)
    assert [codes(r) for r in records] == [["PARSE-CSV-003"], ["PARSE-CSV-003"], []]
    assert "8 columns, the header has 7" in records[0].errors[0].message
    assert records[1].raw == "T2,,NEWT"
    assert records[0].event is None


def test_blank_trailing_cells_from_spreadsheets_are_tolerated():
    [record] = read((HEADER + "T1,,NEWT,,,A,1,,,\n").encode())
    assert record.ok


def test_truncated_last_line():
    data = (HEADER + "T1,,NEWT,,,A,1\nT2,,NEW").encode()
    records = read(data)
    assert records[0].ok
    assert codes(records[1]) == ["PARSE-CSV-004"]
    assert "truncated" in records[1].errors[0].message


def test_truncated_inside_a_quoted_field():
    records = read((HEADER + 'T1,,NEWT,,,"Alpha Glo').encode())
    assert codes(records[0]) == ["PARSE-CSV-004"]


def test_last_line_without_newline_is_fine_when_complete():
    records = read((HEADER + "T1,,NEWT,,,A,1").encode())
    assert records[0].ok


def test_unbalanced_quote_costs_one_record_only():
    rows = "".join(f"T{i},,NEWT,,,N{i},{i}\n" for i in range(2, 40))
    data = (HEADER + 'T1,,NEWT,,,"stray,1\n' + rows).encode()
    records = read(data, max_record_lines=10)
    assert codes(records[0]) == ["PARSE-CSV-005"]
    assert records[0].raw == 'T1,,NEWT,,,"stray,1'
    assert [r.event.trade_id for r in records[1:]] == [f"T{i}" for i in range(2, 40)]
    assert [r.position.line for r in records[1:]] == list(range(3, 41))


def test_over_long_line_is_skipped_without_buffering_it():
    data = (HEADER + "T1,,NEWT,,,A,1\nT2,,NEWT,,," + "x" * 5000 + ",2\nT3,,NEWT,,,C,3\n").encode()
    records = read(data, max_line_bytes=1000)
    assert [codes(r) for r in records] == [[], ["PARSE-CSV-002"], []]
    assert len(records[1].raw) == 1000


# ------------------------------------------------------------------ values


def test_bad_values_name_line_column_and_field():
    data = (HEADER + "T1,,BOGUS,2026-13-40,20261122,A,12x\n").encode()
    [record] = read(data)
    assert record.event is None
    by_code = {e.code: e for e in record.errors}
    assert set(by_code) == {"PARSE-CSV-009", "PARSE-CSV-006", "PARSE-CSV-007"}
    assert by_code["PARSE-CSV-009"].field == "action_type"
    assert "line 2, column 'action_type'" in by_code["PARSE-CSV-009"].message
    assert "NEWT" in by_code["PARSE-CSV-009"].message
    assert by_code["PARSE-CSV-006"].field == "execution_timestamp"
    assert by_code["PARSE-CSV-007"].field == "legs.0.notional.amount"
    assert record.raw == "T1,,BOGUS,2026-13-40,20261122,A,12x"


def test_missing_action_type_value():
    [record] = read((HEADER + "T1,,,,,A,1\n").encode())
    assert codes(record) == ["PARSE-CSV-010"]
    assert record.errors[0].field == "action_type"


def test_code_translation_and_formats():
    data = (HEADER + "T1,,NEW,20261120093000,2026/11/22,A,1\n").encode()
    [record] = read(data)
    assert record.event.action_type is ActionType.NEWT
    assert record.event.execution_timestamp == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert record.event.effective_date == date(2026, 11, 22)


# ------------------------------------------------------------------ header and file level


def test_empty_file_is_unreadable():
    with pytest.raises(UnreadableFile, match="empty"):
        read(b"")


def test_header_only_file_has_no_records():
    assert read(HEADER.encode()) == []
    assert read(HEADER.encode().rstrip(b"\n")) == []


def test_blank_lines_are_not_records():
    records = read((HEADER + "\nT1,,NEWT,,,A,1\n\n,,,,,,\nT2,,NEWT,,,B,2\n").encode())
    assert [(r.position.line, r.position.record) for r in records] == [(3, 1), (6, 2)]


def test_missing_required_columns_name_them():
    with pytest.raises(UnreadableFile) as info:
        read(b"trade_ref;action\nT1;NEWT\n")
    message = str(info.value)
    assert "action_type" in message and "uti or trade_id" in message
    assert "'default'" in message


def test_duplicate_mapped_column_is_unreadable():
    with pytest.raises(UnreadableFile, match="twice"):
        read(b"trade_id,action_type,trade_id\nT1,NEWT,T1\n")


def test_unknown_columns_are_ignored():
    [record] = read(b"trade_id,action_type,desk_comment\nT1,NEWT,whatever\n")
    assert record.ok


def test_trickling_stream_gives_the_same_records(monkeypatch):
    monkeypatch.setattr("shared.formats.readers.lines.CHUNK_BYTES", 5)
    data = ("\ufeff" + HEADER + 'T1,,NEWT,,,"한국\n데모",1\r\nT2,,NEWT,,,서울,2\n').encode()
    expected = read(data)
    got = list(CsvReader().read(Trickle(data), file_name="fep.csv"))
    assert [(r.position, r.raw, r.errors) for r in got] == [
        (r.position, r.raw, r.errors) for r in expected]
    assert all(r.ok for r in got)


def test_text_after_a_closing_quote_is_a_record_error():
    records = read(b'trade_id,action_type\nT1,"NEWT"x\nT2,NEWT\n')
    assert codes(records[0]) == ["PARSE-CSV-005"]
    assert "closing quote" in records[0].errors[0].message
    assert records[1].ok


def test_bare_cr_line_endings_are_explained():
    with pytest.raises(UnreadableFile, match="carriage return"):
        read(b"trade_id,action_type\rT1,NEWT\r")


names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, st.sampled_from(["\n", "\r\n"])), min_size=1, max_size=8))
def test_any_csv_writer_output_round_trips_with_positions(rows):
    """Names with commas, quotes, newlines and Hangul: every row comes back, in place."""
    out = io.StringIO()
    out.write("trade_id,action_type,counterparty_2_name\n")
    expected = []
    line = 2
    for i, (name, ending) in enumerate(rows, 1):
        start = out.tell()
        csv.writer(out, lineterminator=ending).writerow([f"T{i}", "NEWT", name])
        text = out.getvalue()[start:]
        expected.append((line, text[:-len(ending)]))
        line += text.count("\n")
    records = read(out.getvalue().encode())
    assert [(r.position.line, r.raw) for r in records] == expected
    assert [r.event.trade_id for r in records] == [f"T{i}" for i in range(1, len(rows) + 1)]
