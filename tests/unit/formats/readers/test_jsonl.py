"""JSON Lines reader: canonical events, flat records with a profile, malformed lines."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from shared.domain.model import ActionType
from shared.formats.readers import reader_for
from shared.formats.readers.base import ParsedRecord
from shared.formats.readers.jsonl import JsonlReader

EVENT = {
    "uti": "9884DEMO000000000123DEMO1", "trade_id": "T1", "action_type": "NEWT",
    "execution_timestamp": "2026-11-20T09:30:00+09:00",
    "counterparty_1": {"identifier": "9884DEMO000000000123"},
    "counterparty_2": {"identifier": "9884DEMO000000010017", "name": "한국데모증권"},
    "legs": [{"notional": {"amount": 12345678.10, "currency": "KRW"}, "fixed_rate": 0.0325}],
}


def read(data: bytes, **options) -> list[ParsedRecord]:
    return list(JsonlReader(**options).read(io.BytesIO(data), file_name="events.jsonl"))


def jsonl(*objects) -> bytes:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n"
                   for o in objects).encode()


def test_canonical_event():
    [record] = read(jsonl(EVENT))
    assert record.ok
    event = record.event
    assert event.action_type is ActionType.NEWT
    assert event.execution_timestamp == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
    assert event.legs[0].notional.amount == Decimal("12345678.10")  # no float rounding
    assert event.legs[0].fixed_rate == Decimal("0.0325")
    assert event.counterparty_2.name == "한국데모증권"
    assert event.source.line == 1 and event.source.file == "events.jsonl"
    assert record.raw == json.dumps(EVENT, ensure_ascii=False)


def test_naive_timestamps_are_utc():
    [record] = read(jsonl({**EVENT, "execution_timestamp": "2026-11-20T09:30:00"}))
    assert record.event.execution_timestamp == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_reader_for_and_bom_and_crlf():
    data = b"\xef\xbb\xbf" + jsonl(EVENT, EVENT).replace(b"\n", b"\r\n")
    records = list(reader_for("jsonl").read(io.BytesIO(data)))
    assert [r.ok for r in records] == [True, True]
    assert not records[0].raw.endswith("\r")


def test_bad_lines_are_record_errors_and_the_file_goes_on():
    data = jsonl(
        EVENT,
        "",
        "this is not json",
        "[1, 2, 3]",
        {**EVENT, "action_type": "SEND"},
        {**EVENT, "colour": "blue", "effective_date": "2026-02-30"},
        {k: v for k, v in EVENT.items() if k != "action_type"},
        {**EVENT, "counterparty_2": {"name": "no identifier"}},
        EVENT,
    )
    records = read(data)
    got = [(r.position.line, r.position.record, sorted(e.code for e in r.errors))
           for r in records]
    assert got == [
        (1, 1, []),
        (3, 2, ["PARSE-JSONL-003"]),
        (4, 3, ["PARSE-JSONL-005"]),
        (5, 4, ["PARSE-JSONL-009"]),
        (6, 5, ["PARSE-JSONL-006", "PARSE-JSONL-013"]),
        (7, 6, ["PARSE-JSONL-010"]),
        (8, 7, ["PARSE-JSONL-010"]),  # canonical JSON: a named object must be complete
        (9, 8, []),
    ]
    unknown_action = records[3].errors[0]
    assert unknown_action.field == "action_type" and "SEND" in unknown_action.message
    assert "line 5" in unknown_action.message
    assert records[6].errors[0].field == "counterparty_2.identifier"
    assert records[1].raw == "this is not json"


def test_truncated_last_line():
    data = jsonl(EVENT) + b'{"uti": "X", "action_type": "NE'
    first, last = read(data)
    assert first.ok
    assert [e.code for e in last.errors] == ["PARSE-JSONL-004"]
    assert "truncated" in last.errors[0].message


def test_complete_last_line_without_newline_is_fine():
    records = read(jsonl(EVENT, EVENT).rstrip(b"\n"))
    assert [r.ok for r in records] == [True, True]


def test_undecodable_bytes_spoil_one_line():
    data = jsonl(EVENT) + b'{"uti": "\xff"}\n' + jsonl(EVENT)
    records = read(data)
    assert [[e.code for e in r.errors] for r in records] == [[], ["PARSE-JSONL-001"], []]


def test_cp949_lines():
    records = read(jsonl(EVENT).decode().encode("cp949"))
    assert records[0].event.counterparty_2.name == "한국데모증권"


def test_over_long_line():
    records = read(jsonl(EVENT, {**EVENT, "trade_id": "x" * 5000}, EVENT), max_line_bytes=2000)
    assert [[e.code for e in r.errors] for r in records] == [[], ["PARSE-JSONL-002"], []]


def test_empty_file_has_no_records():
    assert read(b"") == []
    assert read(b"\n\n") == []


def test_flat_records_with_a_profile():
    flat = {"trade_id": "T9", "action_type": "NEW", "notional_1": 1500000.25,
            "notional_currency_1": "USD", "fixed_rate": 3.1, "execution_timestamp": None,
            "cleared": True}
    records = read(jsonl(flat, {**flat, "effective_date": "soon"}), profile="default")
    event = records[0].event
    assert event.action_type is ActionType.NEWT
    assert event.legs[0].notional.amount == Decimal("1500000.25")
    assert event.legs[0].fixed_rate == Decimal("0.031")
    assert event.clearing.cleared.value == "Y"
    assert [e.code for e in records[1].errors] == ["PARSE-JSONL-006"]
    assert records[1].errors[0].field == "effective_date"
