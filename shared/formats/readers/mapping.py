"""Turning one flat source record (column -> text) into a `TradeEvent`, or into errors.

Shared by the CSV reader and the JSON Lines reader. Error codes are `PARSE-<FMT>-<nnn>`; the
value-level numbers are the same in every format, so PARSE-CSV-006 and PARSE-JSONL-006 are
both "not a date or timestamp" (docs/FEP-FORMATS.md has the table).

Blank cells are missing values, not errors. An optional sub-object left without its required
value (a notional with a currency but a blank amount, a counterparty with a name but no
identifier) is left out as a whole, so the event says "missing" and a validation rule flags
it with its own rule id, instead of the record failing to parse.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.domain.model import PeriodUnit, SourcePosition, TradeEvent, utc
from shared.formats.profiles import ColumnTarget, FieldSpec, Profile, _unwrap, parse_decimal
from shared.formats.readers.base import RecordError

__all__ = ["Kind", "RecordMapper", "build_event", "code", "validation_errors"]


class Kind(StrEnum):
    """The number part of PARSE-<FMT>-<nnn>."""

    DECODE = "001"  # undecodable bytes in the record's line(s)
    TOO_LONG = "002"  # a line longer than the reader's limit
    STRUCTURE = "003"  # CSV: wrong number of columns; JSONL: not JSON
    TRUNCATED = "004"  # the file's last record is cut off
    SHAPE = "005"  # CSV: malformed or unbalanced quoting; JSONL: not a JSON object
    DATE = "006"  # not a date or timestamp in the expected format
    NUMBER = "007"  # not a number
    BOOLEAN = "008"  # not a yes/no value
    CODE = "009"  # not one of the allowed codes (action type, event type, asset class ...)
    MISSING = "010"  # a required value is missing
    VALUE = "011"  # a value the model rejects for another reason
    PERIOD = "012"  # not a period such as 3M, 1Y
    UNKNOWN_FIELD = "013"  # JSONL: a field the canonical model does not have


def code(fmt: str, kind: Kind) -> str:
    return f"PARSE-{fmt}-{kind.value}"


class ConversionError(ValueError):
    def __init__(self, kind: Kind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


_PERIOD_UNITS = {
    **dict.fromkeys(("D", "DAY", "DAYS", "DAIL"), PeriodUnit.DAY),
    **dict.fromkeys(("W", "WEEK", "WEEKS"), PeriodUnit.WEEK),
    **dict.fromkeys(("M", "MONTH", "MONTHS", "MNTH"), PeriodUnit.MONTH),
    **dict.fromkeys(("Y", "YEAR", "YEARS"), PeriodUnit.YEAR),
}
_PERIOD = re.compile(r"(\d+)\s*(" + "|".join(sorted(_PERIOD_UNITS, key=len, reverse=True)) + ")")
_STRPTIME_HINTS = {"iso": "ISO 8601, e.g. 2026-11-20 or 2026-11-20T09:30:00+09:00"}


def _hint(formats: Iterable[str]) -> str:
    return " or ".join(_STRPTIME_HINTS.get(f, f) for f in formats)


class RecordMapper:
    """Converts cells to typed values and builds the nested dict the model validates."""

    def __init__(self, profile: Profile, fmt: str) -> None:
        self.profile = profile
        self.fmt = fmt
        # column -> (target, its converter): the kind of every target is known once the
        # profile is loaded, so the per-cell work is only the conversion itself.
        self._converters = {
            column: tuple((target, self._converter(target)) for target in targets)
            for column, targets in profile.columns.items()}

    def _converter(self, target: ColumnTarget) -> Callable[[str], Any]:
        """`lambda text: self.convert(target, text)`, specialised for the common kinds."""
        spec = target.spec
        if spec.many or spec.kind not in ("str", "any", "enum", "decimal", "date", "datetime"):
            return lambda text: self.convert(target, text)
        if target.codes:
            translate = target.translate
            read: Callable[[str], str] = lambda text: translate(text.strip())  # noqa: E731
        else:
            read = str.strip
        if spec.kind == "enum":
            enum = spec.enum
            return lambda text: _enum(enum, read(text))
        if spec.kind == "decimal":
            profile, scale = self.profile, target.scale
            if scale is None:
                return lambda text: _number(read(text), profile)
            return lambda text: _number(read(text), profile) * scale
        if spec.kind == "date":
            dates = target.formats or self.profile.date_formats
            return lambda text: self._date(read(text), dates)
        if spec.kind == "datetime":
            stamps = target.formats or self.profile.timestamp_formats
            return lambda text: self._timestamp(read(text), stamps)
        return read

    # -- one cell
    def convert(self, target: ColumnTarget, text: str) -> Any:
        spec = target.spec
        if spec.many:
            parts = [p for p in text.split(self.profile.list_separator) if p.strip()]
            return [self._scalar(spec, target, p) for p in parts]
        return self._scalar(spec, target, text)

    def _scalar(self, spec: FieldSpec, target: ColumnTarget, text: str) -> Any:
        value = target.translate(text.strip())
        kind = spec.kind
        if kind in ("str", "any"):
            return value
        if kind == "enum":
            return _enum(spec.enum, value)
        if kind == "decimal":
            number = _number(value, self.profile)
            return number * target.scale if target.scale is not None else number
        if kind == "int":
            number = _number(value, self.profile)
            if number != number.to_integral_value():
                raise ConversionError(Kind.NUMBER, f"{value!r} is not a whole number")
            return int(number)
        if kind == "bool":
            upper = value.upper()
            if upper in self.profile.true_values:
                return True
            if upper in self.profile.false_values:
                return False
            raise ConversionError(Kind.BOOLEAN, f"{value!r} is not a yes/no value (expected "
                                  f"{'/'.join(sorted(self.profile.true_values))} or "
                                  f"{'/'.join(sorted(self.profile.false_values))})")
        if kind == "date":
            return self._date(value, target.formats or self.profile.date_formats)
        if kind == "datetime":
            return self._timestamp(value, target.formats or self.profile.timestamp_formats)
        if kind == "period":
            return _period(value)
        raise AssertionError(kind)

    def _date(self, value: str, formats: Iterable[str]) -> date:
        for fmt in formats:
            try:
                if fmt == "iso":
                    return date.fromisoformat(value)
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise ConversionError(Kind.DATE, f"{value!r} is not a date ({_hint(formats)})")

    def _timestamp(self, value: str, formats: Iterable[str]) -> datetime:
        for fmt in formats:
            try:
                parsed = (datetime.fromisoformat(value) if fmt == "iso"
                          else datetime.strptime(value, fmt))
            except ValueError:
                continue
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=self.profile.timezone)
            return utc(parsed)
        raise ConversionError(Kind.DATE, f"{value!r} is not a timestamp ({_hint(formats)})")

    # -- one record
    def map_record(self, cells: dict[str, str], position: SourcePosition
                   ) -> tuple[TradeEvent | None, list[RecordError]]:
        """`cells`: normalised column name -> text, for the profile's columns present."""
        data: dict[Any, Any] = {}
        errors: list[RecordError] = []
        filled: set[tuple[str | int, ...]] = set()
        converters = self._converters
        for column, text in cells.items():
            targets = converters.get(column)
            if targets is None or text is None or not text or text.isspace():
                continue  # blank (what strip() would empty): a missing value
            for target, convert in targets:
                try:
                    value = convert(text)
                except ConversionError as exc:
                    errors.append(RecordError(
                        code(self.fmt, exc.kind),
                        f"{self._where(position, column)}: {exc}", target.spec.dotted))
                    continue
                path = target.spec.path
                if len(path) == 1:
                    data[path[0]] = value
                else:
                    _put(data, path, value)
                filled.add(path)
        for spec, value in self.profile.defaults.items():
            if spec.path not in filled:
                _put(data, spec.path, value)
        if errors:
            return None, errors
        return build_event(_finalise(data), position, self.fmt, self.profile)

    def _where(self, position: SourcePosition, column: str) -> str:
        name = self.profile.column_names.get(column, column)
        return f"line {position.line}, column {name!r}"


def build_event(data: dict[str, Any], position: SourcePosition, fmt: str,
                profile: Profile | None = None, *, prune: bool = True
                ) -> tuple[TradeEvent | None, list[RecordError]]:
    """Validate `data` as a TradeEvent placed at `position`, or explain why it is not one.

    `prune`: leave out optional sub-objects that lack a required value (flat sources, where a
    blank cell is a missing value); canonical JSON keeps them, so the error is reported.
    """
    if prune:
        _prune(data, TradeEvent)
    data["source"] = position
    try:
        event = TradeEvent.model_validate(data)
    except ValidationError as exc:
        return None, validation_errors(exc, position, fmt, profile)
    return event, []


def validation_errors(exc: ValidationError, position: SourcePosition, fmt: str,
                      profile: Profile | None = None) -> list[RecordError]:
    errors = []
    for err in exc.errors(include_url=False):
        dotted = ".".join(str(p) for p in err["loc"])
        kind = _KIND_BY_PYDANTIC_TYPE.get(err["type"], Kind.VALUE)
        where = f"line {position.line}"
        column = profile.column_for(dotted) if profile else None
        if column:
            where += f", column {column!r}"
        if kind is Kind.CODE and "expected" in err.get("ctx", {}):
            detail = f"{err['input']!r} is not an allowed code (expected {err['ctx']['expected']})"
        elif kind is Kind.MISSING:
            detail = "required value is missing"
        elif kind is Kind.UNKNOWN_FIELD:
            detail = "not a field of the canonical trade event"
        else:
            detail = f"{err['msg']} (got {_short(err.get('input'))})"
        errors.append(RecordError(code(fmt, kind), f"{where}, {dotted}: {detail}", dotted))
    return errors


_KIND_BY_PYDANTIC_TYPE = {
    "missing": Kind.MISSING,
    "enum": Kind.CODE,
    "extra_forbidden": Kind.UNKNOWN_FIELD,
    "date_parsing": Kind.DATE, "date_from_datetime_parsing": Kind.DATE,
    "date_from_datetime_inexact": Kind.DATE, "date_type": Kind.DATE,
    "datetime_parsing": Kind.DATE, "datetime_from_date_parsing": Kind.DATE,
    "datetime_type": Kind.DATE,
    "decimal_parsing": Kind.NUMBER, "decimal_type": Kind.NUMBER, "int_parsing": Kind.NUMBER,
    "int_type": Kind.NUMBER, "int_from_float": Kind.NUMBER, "float_parsing": Kind.NUMBER,
    "finite_number": Kind.NUMBER, "decimal_max_digits": Kind.NUMBER,
    "bool_parsing": Kind.BOOLEAN, "bool_type": Kind.BOOLEAN,
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@cache
def _enum_lookup(enum: type[Enum]) -> dict[str, Enum]:
    lookup: dict[str, Enum] = {m.name: m for m in enum}
    lookup.update({str(m.value): m for m in enum})
    return lookup


def _enum(enum: type[Enum] | None, value: str) -> Enum:
    assert enum is not None
    member = _enum_lookup(enum).get(value.upper())
    if member is None:
        allowed = ", ".join(str(m.value) for m in enum)
        raise ConversionError(Kind.CODE, f"{value!r} is not an allowed {enum.__name__} code "
                              f"(expected {allowed})")
    return member


def _number(value: str, profile: Profile) -> Decimal:
    try:
        return parse_decimal(value, profile)
    except ValueError:
        sep = profile.decimal_separator
        raise ConversionError(Kind.NUMBER, f"{value!r} is not a number (decimal separator "
                              f"{sep!r})") from None


def _period(value: str) -> dict[str, Any]:
    text = value.strip().upper()
    if text in ("ADHO", "EXPI"):  # ad hoc / once at expiry: no multiplier in the source
        return {"unit": PeriodUnit(text), "multiplier": 1 if text == "ADHO" else 0}
    match = _PERIOD.fullmatch(text)
    if not match:
        raise ConversionError(Kind.PERIOD, f"{value!r} is not a period (e.g. 3M, 6M, 1Y, 1D)")
    return {"unit": _PERIOD_UNITS[match.group(2)], "multiplier": int(match.group(1))}


def _put(root: dict[Any, Any], path: tuple[str | int, ...], value: Any) -> None:
    node = root
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _finalise(node: dict[Any, Any]) -> Any:
    """Dicts keyed by list indices (legs.0, legs.1) become lists; gaps become empty objects."""
    # The first key decides for most dicts (named fields): no generator over every key.
    if node and isinstance(next(iter(node)), int) and all(isinstance(k, int) for k in node):
        return [_finalise(node.get(i, {})) for i in range(max(node) + 1)]
    return {k: _finalise(v) if isinstance(v, dict) else v
            for k, v in node.items()}


_STRUCTURES: dict[type[BaseModel], tuple[dict[str, tuple[type[BaseModel], bool, bool]],
                                         tuple[str, ...]]] = {}  # a handful of model classes


def _structure(model: type[BaseModel]) -> tuple[dict[str, tuple[type[BaseModel], bool, bool]],
                                                 tuple[str, ...]]:
    """({field: (sub-model, is a list of it, required)}, required field names), per model."""
    known = _STRUCTURES.get(model)
    if known is not None:
        return known
    nested = {}
    for name, info in model.model_fields.items():
        inner = _unwrap(info.annotation)
        is_list = typing.get_origin(inner) is list
        if is_list:
            inner = _unwrap(typing.get_args(inner)[0])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            nested[name] = (inner, is_list, info.is_required())
    required = tuple(n for n, f in model.model_fields.items() if f.is_required())
    _STRUCTURES[model] = nested, required
    return nested, required


def _prune(data: dict[str, Any], model: type[BaseModel]) -> bool:
    """Drop optional sub-objects missing a required value; True if `data` itself is complete."""
    nested, required = _structure(model)
    for name in [n for n in data if n in nested]:
        sub_model, is_list, is_required = nested[name]
        value = data[name]
        if is_list and isinstance(value, list):
            data[name] = [v for v in value if not isinstance(v, dict) or _prune(v, sub_model)]
        elif isinstance(value, dict) and not _prune(value, sub_model) and not is_required:
            del data[name]
    return all(map(data.__contains__, required))
