"""KRX TR report writer: a CSV profile on the CPMI-IOSCO critical data elements.

The KRX TR member specification (file layout, field codes) is not public, so this is our own,
documented profile (docs/KRX-PROFILE.md), kept behind the `ReportWriter` interface so that
the real layout can replace it without touching the pipeline.

File layout:
- encoding UTF-8 with a BOM (default: Excel and Korean desktop tools detect it) or CP949
  (the legacy Korean code page most FEP and host systems still use), as configured;
- a header row with the column names of `COLUMNS`, in that order;
- one data row per event, record type `D`;
- a trailer row `T,<record count>,<reporting timestamp>` whose count equals the data rows;
- CRLF line ends, comma separated, RFC 4180 quoting.

Values: dates `YYYY-MM-DD`; timestamps UTC `YYYY-MM-DDThh:mm:ssZ`; amounts and rates as
plain decimals exactly as held (never exponent notation, rates as decimal fractions:
0.0253 = 2.53 %); booleans `Y`/`N`; codes as their ISO 20022 / CDE values; absent: empty.

A value the configured encoding cannot hold (a name in a script CP949 lacks) is an error
naming the UTI and the column, never a silent `?`: a regulatory report is not altered.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from itertools import groupby
from typing import Any, BinaryIO

from shared.domain.model import Leg, TradeEvent, utc

__all__ = ["COLUMNS", "ENCODINGS", "Column", "KrxBatch", "KrxCsvWriter", "KrxEncodingError",
           "parse_batch"]

ENCODINGS = ("utf-8-sig", "utf-8", "cp949")
DATA, TRAILER = "D", "T"


class KrxEncodingError(ValueError):
    """A value cannot be written in the file's encoding."""


@dataclass(frozen=True)
class Column:
    name: str
    label_ko: str
    source: str  # the canonical field it comes from, for the profile document
    get: Callable[[TradeEvent, datetime], object]
    # When the column reads one part of the event (a party, a leg, the collateral ...): its
    # name, and how the value is read from it; `get` gives None for an event without it. A row
    # reads such a part once for all its columns, and leaves them blank when it is absent.
    part: str | None = None
    read: Callable[[Any], object] | None = None


def _part_of(name: str) -> Callable[[TradeEvent], object]:
    """The part of an event a `Column.part` names: an attribute, or `legs[<index>]`."""
    if name.startswith("legs["):
        index = int(name[len("legs["):-1])
        return lambda event: event.legs[index] if len(event.legs) > index else None
    return lambda event: getattr(event, name, None)


def _in_part(part: str, read: Callable[[Any], object]) -> Callable[[TradeEvent, datetime], object]:
    part_of = _part_of(part)

    def get(event: TradeEvent, _: datetime) -> object:
        found = part_of(event)
        return read(found) if found is not None else None

    return get


def _part_column(name: str, label_ko: str, source: str, part: str,
                 read: Callable[[Any], object]) -> Column:
    return Column(name, label_ko, source, _in_part(part, read), part, read)


def _party_column(name: str, label_ko: str, party: str, attr: str) -> Column:
    return _part_column(name, label_ko, f"{party}.{attr}", party, _steps([attr]))


def _steps(path: list[str]) -> Callable[[object], object]:
    """Attributes read in turn; None as soon as a step is None."""

    def read(value: object) -> object:
        for step in path:
            value = getattr(value, step, None)
            if value is None:
                return None
        return value

    _STEPS[read] = tuple(path)
    return read


def _field(name: str) -> Callable[[TradeEvent, datetime], object]:
    def get(event: TradeEvent, _: datetime) -> object:
        return getattr(event, name, None)

    _STEPS[get] = (name,)
    return get


# The attribute path each `_steps` reader and `_field` getter reads, so that the compiled row
# (`_compile_row`) reads it inline instead of calling it: the same value, from the same
# definition. Filled as COLUMNS is built (~100 entries), never after.
_STEPS: dict[Callable[..., object], tuple[str, ...]] = {}


def _column(name: str, label_ko: str, source: str,
            get: Callable[[TradeEvent, datetime], object] | None = None) -> Column:
    """A column of `get`, else of the dotted attribute path `source`."""
    if get is not None:
        return Column(name, label_ko, source, get)
    part, _, rest = source.partition(".")
    if not rest:
        return Column(name, label_ko, source, _field(part))
    return _part_column(name, label_ko, source, part, _steps(rest.split(".")))


def _leg_columns(n: int) -> list[Column]:
    p, leg = f"L{n}_", f"legs[{n - 1}]"

    def column(name: str, label_ko: str, field: str, read: Callable[[Leg], object]) -> Column:
        return _part_column(p + name, f"레그{n} {label_ko}", f"{leg}.{field}", leg, read)

    return [
        column("PAYER", "지급자", "payer", _steps(["payer"])),
        column("RECEIVER", "수취자", "receiver", _steps(["receiver"])),
        column("DIRECTION", "방향(MAKE/TAKE)", "direction", _steps(["direction"])),
        column("NOTIONAL", "명목금액", "notional.amount", _steps(["notional", "amount"])),
        column("NOTIONAL_CCY", "명목금액 통화", "notional.currency",
               _steps(["notional", "currency"])),
        column("QUANTITY", "수량", "quantity", _steps(["quantity"])),
        column("FIXED_RATE", "고정금리", "fixed_rate", _steps(["fixed_rate"])),
        column("FLOAT_INDEX", "변동금리 지표", "floating_index_code (else floating_index)",
               lambda g: g.floating_index_code or g.floating_index),
        column("FLOAT_TENOR_PERIOD", "지표 만기 단위", "floating_tenor.unit",
               _steps(["floating_tenor", "unit"])),
        column("FLOAT_TENOR_MULT", "지표 만기 배수", "floating_tenor.multiplier",
               _steps(["floating_tenor", "multiplier"])),
        column("SPREAD", "스프레드", "spread", _steps(["spread"])),
        column("SPREAD_CCY", "스프레드 통화", "spread_currency", _steps(["spread_currency"])),
        column("DAY_COUNT", "일수계산방식", "day_count", _steps(["day_count"])),
        column("PAY_FREQ_PERIOD", "지급주기 단위", "payment_frequency.unit",
               _steps(["payment_frequency", "unit"])),
        column("PAY_FREQ_MULT", "지급주기 배수", "payment_frequency.multiplier",
               _steps(["payment_frequency", "multiplier"])),
        column("SETTLEMENT_CCY", "결제통화", "settlement_currency",
               _steps(["settlement_currency"])),
    ]


def _quantity_columns(n: int) -> list[Column]:
    leg = f"legs[{n - 1}]"
    return [_part_column(f"L{n}_{name}", f"레그{n} {label_ko}", f"{leg}.{field}", leg,
                         _steps([field]))
            for name, label_ko, field in (
                ("TOTAL_QUANTITY", "총 명목수량", "total_quantity"),
                ("QUANTITY_UNIT", "수량 단위", "quantity_unit"),
                ("QUANTITY_FREQ", "수량 주기", "quantity_frequency"))]


def _underlier(attr: str) -> Callable[[TradeEvent, datetime], object]:
    def get(event: TradeEvent, _: datetime) -> object:
        underliers = event.product.underliers
        return getattr(underliers[0], attr) if underliers else None

    return get


COLUMNS: tuple[Column, ...] = (
    Column("REC_TP", "레코드구분", "D (data row); T in the trailer", lambda e, _: DATA),
    _column("ACTION_TYPE", "조치유형", "action_type"),
    _column("EVENT_TYPE", "이벤트유형", "event_type"),
    _column("LEVEL", "보고수준", "level"),
    _column("UTI", "거래고유식별기호(UTI)", "uti"),
    _column("PRIOR_UTI", "이전 UTI", "prior_uti"),
    _column("TRADE_ID", "내부 거래번호", "trade_id"),
    _column("EVENT_ID", "이벤트 식별자", "event_id"),
    Column("REPORTING_TS", "보고시각", "the file's reporting timestamp", lambda e, ts: ts),
    _column("EXECUTION_TS", "체결시각", "execution_timestamp"),
    _column("EVENT_TS", "이벤트시각", "event_timestamp"),
    _column("EFFECTIVE_DATE", "효력발생일", "effective_date"),
    _column("EXPIRATION_DATE", "만기일", "expiration_date"),
    _column("EARLY_TERMINATION_DATE", "조기종료일", "early_termination_date"),
    _column("FINAL_SETTLEMENT_DATE", "최종결제일", "final_settlement_date"),
    _party_column("CP1_ID", "거래상대방1 식별자", "counterparty_1", "identifier"),
    _party_column("CP1_ID_TYPE", "거래상대방1 식별자 유형", "counterparty_1", "id_type"),
    _party_column("CP1_NATURE", "거래상대방1 성격", "counterparty_1", "nature"),
    _party_column("CP1_COUNTRY", "거래상대방1 국가", "counterparty_1", "country"),
    _party_column("CP2_ID", "거래상대방2 식별자", "counterparty_2", "identifier"),
    _party_column("CP2_ID_TYPE", "거래상대방2 식별자 유형", "counterparty_2", "id_type"),
    _party_column("CP2_NATURE", "거래상대방2 성격", "counterparty_2", "nature"),
    _party_column("CP2_COUNTRY", "거래상대방2 국가", "counterparty_2", "country"),
    _column("SUBMITTING_ENTITY", "보고제출기관", "submitting_entity"),
    _column("ENTITY_RESPONSIBLE", "보고책임기관", "entity_responsible"),
    _column("BROKER", "중개회사", "broker"),
    _column("EXECUTION_VENUE", "거래장소(MIC)", "execution_venue"),
    _column("ASSET_CLASS", "자산유형", "product.asset_class"),
    _column("CONTRACT_TYPE", "계약유형", "product.contract_type"),
    _column("UPI", "상품식별기호(UPI)", "product.upi"),
    _column("ISIN", "ISIN", "product.isin"),
    _column("CFI", "CFI 코드", "product.classification"),
    Column("UNDERLYING_ID", "기초자산 식별자", "product.underliers[0].identifier",
           _underlier("identifier")),
    Column("UNDERLYING_ID_SOURCE", "기초자산 식별자 유형", "product.underliers[0].source",
           _underlier("source")),
    _column("DELIVERY_TYPE", "결제방식", "product.delivery_type"),
    _column("SETTLEMENT_CCY", "결제통화", "product.settlement_currency"),
    *_leg_columns(1),
    *_leg_columns(2),
    _column("PRICE", "가격", "price.value"),
    _column("PRICE_CCY", "가격 통화", "price.currency"),
    _column("PRICE_NOTATION", "가격 표시방식", "price.notation"),
    _column("EXCHANGE_RATE", "환율", "exchange_rate"),
    _column("EXCHANGE_RATE_BASIS", "환율 기준통화쌍", "exchange_rate_basis"),
    _column("OPTION_TYPE", "옵션 유형", "option.option_type"),
    _column("EXERCISE_STYLE", "행사 방식", "option.exercise_style"),
    _column("STRIKE", "행사가격", "option.strike"),
    _column("STRIKE_CCY", "행사가격 통화", "option.strike_currency"),
    _column("PREMIUM_AMT", "옵션 프리미엄", "option.premium.amount"),
    _column("PREMIUM_CCY", "옵션 프리미엄 통화", "option.premium.currency"),
    _column("FIRST_EXERCISE_DATE", "최초 행사일", "option.first_exercise_date"),
    _column("CLEARED", "청산여부", "clearing.cleared"),
    _column("CCP", "청산소(CCP)", "clearing.ccp"),
    _column("CLEARING_MEMBER", "청산회원", "clearing.clearing_member"),
    _column("CLEARING_TS", "청산시각", "clearing.clearing_timestamp"),
    _column("CONFIRMATION", "확인 방식", "confirmation"),
    _column("CONFIRMATION_TS", "확인시각", "confirmation_timestamp"),
    _column("MASTER_AGREEMENT", "기본계약 유형", "master_agreement.type"),
    _column("PACKAGE_ID", "패키지 식별자", "package_id"),
    _column("VAL_AMT", "평가금액", "valuation.amount.amount"),
    _column("VAL_CCY", "평가금액 통화", "valuation.amount.currency"),
    _column("VAL_METHOD", "평가방법", "valuation.method"),
    _column("VAL_TS", "평가시각", "valuation.timestamp"),
    _column("DELTA", "델타", "valuation.delta"),
    _column("COLL_CATEGORY", "담보 유형", "collateral.category"),
    _column("COLL_PORTFOLIO", "담보 포트폴리오 코드", "collateral.portfolio_code"),
    _column("IM_POSTED", "개시증거금 지급액", "collateral.initial_margin_posted.amount"),
    _column("IM_POSTED_CCY", "개시증거금 지급 통화", "collateral.initial_margin_posted.currency"),
    _column("IM_COLLECTED", "개시증거금 수취액", "collateral.initial_margin_collected.amount"),
    _column("IM_COLLECTED_CCY", "개시증거금 수취 통화",
            "collateral.initial_margin_collected.currency"),
    _column("VM_POSTED", "변동증거금 지급액", "collateral.variation_margin_posted.amount"),
    _column("VM_POSTED_CCY", "변동증거금 지급 통화", "collateral.variation_margin_posted.currency"),
    _column("VM_COLLECTED", "변동증거금 수취액", "collateral.variation_margin_collected.amount"),
    _column("VM_COLLECTED_CCY", "변동증거금 수취 통화",
            "collateral.variation_margin_collected.currency"),
    _column("COLL_TS", "담보 기준시각", "collateral.timestamp"),
    # commodities (appended, so that earlier column positions stay): the ISO 20022 / EMIR
    # commodity classification and each leg's quantity in its unit of measure (CDE total
    # notional quantity, quantity unit of measure)
    _column("COMMODITY_BASE", "원자재 기본분류", "product.commodity.base_product"),
    _column("COMMODITY_SUB", "원자재 세부분류", "product.commodity.sub_product"),
    _column("COMMODITY_FURTHER_SUB", "원자재 추가세부분류",
            "product.commodity.further_sub_product"),
    *_quantity_columns(1),
    *_quantity_columns(2),
)

HEADER = tuple(c.name for c in COLUMNS)


@dataclass(frozen=True)
class _Run:
    """Consecutive columns that read the same part of the event (None: the event itself)."""

    part: Callable[[TradeEvent], object] | None
    columns: tuple[Column, ...]
    reads: tuple[Callable[[Any], object], ...]  # each column's value from the part
    blanks: tuple[str, ...]  # the cells when the event has no such part


def _runs(columns: Iterable[Column]) -> tuple[_Run, ...]:
    runs: list[_Run] = []
    for part, group in groupby(columns, key=lambda c: c.part):
        members = tuple(group)
        reads = tuple(c.read for c in members if c.read is not None)
        runs.append(_Run(_part_of(part) if part else None, members, reads,
                         ("",) * len(members)))
    return tuple(runs)


_RUNS = _runs(COLUMNS)


def format_value(value: object) -> str:
    """A value as the profile writes it (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Enum):
        return str(value._value_)  # what .value returns, without the property's call
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        stamp = utc(value)
        if stamp.year >= 1000:  # isoformat is ~3x faster; it pads years below 1000, strftime not
            return stamp.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Formatting of the values that are neither text nor absent, by exact type (what format_value
# does for that type, without its isinstance chain); enum classes are added as they are met.
def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _enum_text(value: Enum) -> str:
    return str(value._value_)


# Timestamps in UTC (as the readers and enrichment make them) remembered per instant: a batch
# repeats its reporting timestamp on every row and a trade's timestamps on each of its events.
# The text is a pure function of the instant (aware UTC datetimes are equal only when their
# instants are).
def _stamp_text(value: datetime) -> str:
    if value.tzinfo is not UTC:
        return format_value(value)
    return _utc_stamp_text(value)


@lru_cache(maxsize=4096)
def _utc_stamp_text(value: datetime) -> str:
    return format_value(value)


_FORMAT_BY_TYPE: dict[type, Callable[[Any], str]] = {
    Decimal: _decimal_text, datetime: _stamp_text, date: date.isoformat,
    bool: format_value, int: str,
}
_FORMAT_TYPES_MAX = 64  # a handful of enum classes besides


def _formatted(value: object) -> str:
    """`format_value(value)` for a value that is not None."""
    format_ = _FORMAT_BY_TYPE.get(type(value))
    if format_ is not None:
        return format_(value)
    if isinstance(value, Enum) and len(_FORMAT_BY_TYPE) < _FORMAT_TYPES_MAX:
        _FORMAT_BY_TYPE[type(value)] = _enum_text
    return format_value(value)


RowFunction = Callable[[TradeEvent, datetime], list[str]]


def _compile_row() -> RowFunction:
    """`KrxCsvWriter.row` as one function of straight-line code, compiled once from COLUMNS:
    each part of the event read once, the attribute paths of `_steps` and `_field` read inline
    (the other getters called as they are), a cell formatted only when it is neither text nor
    absent. The same cells as the columns' getters and format_value (tests/unit/formats/writers/
    test_krx.py holds the two to each other)."""
    namespace: dict[str, Any] = {"F": _formatted}
    lines = ["def row(event, ts):"]
    cell = 0

    def read(source: str, steps: tuple[str, ...], indent: str) -> None:
        lines.append(f"{indent}v = {source}.{steps[0]}")
        for depth, step in enumerate(steps[1:]):
            pad = indent + "    " * depth
            lines.append(f"{pad}if v is not None:")
            lines.append(f"{pad}    v = v.{step}")

    def emit(getter: Callable[..., Any], source: str, arguments: str, indent: str) -> None:
        """The next cell: its attribute path read inline, or its getter called."""
        nonlocal cell
        steps = _STEPS.get(getter)
        if steps is not None:
            read(source, steps, indent)
        else:
            namespace[f"X{cell}"] = getter
            lines.append(f"{indent}v = X{cell}({arguments})")
        lines.append(f"{indent}c{cell} = '' if v is None else v if type(v) is str else F(v)")
        cell += 1

    for run in _RUNS:
        part = run.columns[0].part
        if part is None:
            for column in run.columns:
                emit(column.get, "event", "event, ts", "    ")
            continue
        if part.startswith("legs["):
            index = int(part[len("legs["):-1])
            lines.append(f"    p = event.legs[{index}] if len(event.legs) > {index} else None")
        else:
            lines.append(f"    p = event.{part}")
        first = cell
        lines.append("    if p is None:")
        lines.append("        " + " = ".join(f"c{first + i}" for i in range(len(run.columns)))
                     + " = ''")
        lines.append("    else:")
        for column in run.columns:
            assert column.read is not None
            emit(column.read, "p", "p", "        ")
    lines.append("    return [" + ", ".join(f"c{i}" for i in range(cell)) + "]")
    exec(compile("\n".join(lines), "<krx row>", "exec"), namespace)
    compiled: RowFunction = namespace["row"]
    _ROW.append(compiled)
    return compiled


_ROW: list[RowFunction] = []  # the compiled row, once compiled


class KrxCsvWriter:
    regime = "krx"
    media_type = "text/csv"
    extension = ".csv"

    def __init__(self, *, encoding: str = "utf-8-sig", line_terminator: str = "\r\n") -> None:
        encoding = encoding.lower().replace("_", "-")
        if encoding in ("utf8", "utf-8-bom"):
            encoding = "utf-8-sig" if encoding == "utf-8-bom" else "utf-8"
        if encoding not in ENCODINGS:
            raise ValueError(f"KRX CSV encoding {encoding!r}: expected one of {ENCODINGS}")
        self.encoding = encoding
        self.line_terminator = line_terminator
        self.media_type = f"text/csv; charset={'cp949' if encoding == 'cp949' else 'utf-8'}"

    def row(self, event: TradeEvent, *, reporting_timestamp: datetime) -> list[str]:
        """`[format_value(c.get(event, reporting_timestamp)) for c in COLUMNS]`, faster: the
        compiled row (`_compile_row`) reads each part of the event (a leg, a party ...) once
        and leaves its cells blank at once when absent; an absent value or a text needs no
        formatting call. Most cells of a row are one or the other."""
        compiled = _ROW[0] if _ROW else _compile_row()
        try:
            return compiled(event, reporting_timestamp)
        except AttributeError:  # an attribute the getters' getattr(..., None) would miss
            return self._row_by_runs(event, reporting_timestamp)

    def _row_by_runs(self, event: TradeEvent, reporting_timestamp: datetime) -> list[str]:
        cells: list[str] = []
        for run in _RUNS:
            if run.part is None:
                values = [column.get(event, reporting_timestamp) for column in run.columns]
            else:
                found = run.part(event)
                if found is None:
                    cells += run.blanks
                    continue
                values = [read(found) for read in run.reads]
            cells += ["" if value is None else value if type(value) is str
                      else format_value(value) for value in values]
        return cells

    def write_one(self, event: TradeEvent, *, reporting_timestamp: datetime) -> bytes:
        out = io.BytesIO()
        self.write_batch([event], out, reporting_timestamp=reporting_timestamp)
        return out.getvalue()

    def write_batch(self, events: Iterable[TradeEvent], out: BinaryIO, *,
                    reporting_timestamp: datetime) -> int:
        """Stream header, one row per event and the trailer to `out`; return the row count."""
        encoder = codecs.getincrementalencoder(self.encoding)()  # a BOM once, at the start
        lines: list[str] = []  # what the csv writer writes of one row: its one line
        writer = csv.writer(_Appender(lines.append), lineterminator=self.line_terminator)
        write, encode, writerow = out.write, encoder.encode, writer.writerow

        def emit(fields: list[str], what: str) -> None:
            writerow(fields)
            line = "".join(lines)
            lines.clear()
            try:
                write(encode(line))
            except UnicodeEncodeError as exc:
                raise KrxEncodingError(self._encoding_problem(fields, exc, what)) from exc

        emit(list(HEADER), "the header")
        count = 0
        row = self.row
        for event in events:  # emit() inline, the record's name made only for an error
            fields = row(event, reporting_timestamp=reporting_timestamp)
            writerow(fields)
            line = "".join(lines)
            lines.clear()
            try:
                write(encode(line))
            except UnicodeEncodeError as exc:
                what = f"the record of UTI {event.uti or event.trade_id or '?'}"
                raise KrxEncodingError(self._encoding_problem(fields, exc, what)) from exc
            count += 1
        emit([TRAILER, str(count), format_value(reporting_timestamp)], "the trailer")
        out.write(encoder.encode("", final=True))
        return count

    def _encoding_problem(self, fields: list[str], exc: UnicodeEncodeError, what: str) -> str:
        bad = exc.object[exc.start:exc.end]
        column = next((HEADER[i] for i, f in enumerate(fields) if bad in f and i < len(HEADER)),
                      "?")
        return (f"{what}: column {column} holds {bad!r}, which {self.encoding} cannot encode; "
                "correct the value or write the file in UTF-8")


class _Appender:
    """A csv writer's file that hands each line written to `write` (a list's append)."""

    __slots__ = ("write",)

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


@dataclass(frozen=True)
class KrxBatch:
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    trailer_count: int
    reporting_timestamp: str


def parse_batch(data: bytes, *, encoding: str = "utf-8-sig") -> KrxBatch:
    """Read a KRX profile file back, checking its layout and that the trailer count matches."""
    reader = csv.reader(io.StringIO(data.decode(encoding), newline=""))
    lines = list(reader)
    if not lines or tuple(lines[0]) != HEADER:
        raise ValueError("not a KRX profile file: the header row does not match COLUMNS")
    body, trailer = lines[1:-1], lines[-1] if len(lines) > 1 else []
    if len(trailer) != 3 or trailer[0] != TRAILER or not trailer[1].isdigit():
        raise ValueError("the file has no trailer row T,<count>,<timestamp>")
    if any(row[:1] != [DATA] or len(row) != len(HEADER) for row in body):
        raise ValueError("a data row does not start with D or has the wrong number of fields")
    if int(trailer[1]) != len(body):
        raise ValueError(f"trailer count {trailer[1]} does not match {len(body)} data rows")
    return KrxBatch(HEADER, tuple(dict(zip(HEADER, row, strict=True)) for row in body),
                    int(trailer[1]), trailer[2])
