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
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from functools import cache
from typing import Any

from pydantic import AfterValidator, BaseModel, ValidationError

from shared.domain.model import (
    Code,
    Period,
    PeriodUnit,
    SourcePosition,
    TradeEvent,
    _upper_stripped,
    utc,
)
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


_REMEMBERED = 256  # texts per column: codes columns hold a handful of distinct values
_NOT_SEEN: Any = object()


def _remembered(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """`convert`, remembering its result per text: for the columns of codes (enum members and
    translated codes, immutable values), where a file repeats a few texts thousands of times.
    The conversion is a pure function of the text for the mapper's lifetime (one profile); a
    text that does not convert raises each time, as before. Bounded: emptied when full."""
    seen: dict[str, Any] = {}

    def converted(text: str) -> Any:
        value = seen.get(text, _NOT_SEEN)
        if value is _NOT_SEEN:
            value = convert(text)
            if len(seen) >= _REMEMBERED:
                seen.clear()
            seen[text] = value
        return value

    return converted


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
        # field path -> its spec, for every path a column or a default fills
        self._specs = {t.spec.path: t.spec for ts in profile.columns.values() for t in ts}
        self._specs.update({spec.path: spec for spec in profile.defaults})
        # (path, the default as written, the value validation makes of it)
        self._defaults = tuple((spec.path, raw, _typed_default(spec, raw))
                               for spec, raw in profile.defaults.items())
        # Events are built by a plan per record shape (which fields are filled) when every
        # default has a value the plan can vouch for; otherwise pydantic validates each one.
        self._fast = all(typed is not _UNTRUSTED for _, _, typed in self._defaults)
        self._plans = _PLANS
        self._row_mappers: dict[tuple[tuple[int, str], ...], Any] = {}  # per header

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
            return _remembered(lambda text: _enum(enum, read(text)))
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
        return _remembered(read) if target.codes else read

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
        values: dict[tuple[str | int, ...], Any] = {}  # field path -> typed value, cell order
        errors: list[RecordError] = []
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
                values[target.spec.path] = value
        return self._event_of(values, errors, position)

    def row_mapper(self, columns: tuple[tuple[int, str], ...]
                   ) -> Callable[[list[str], SourcePosition],
                                 tuple[TradeEvent | None, list[RecordError]]]:
        """`lambda row, position: self.map_record({name: row[i] for i, name in columns},
        position)` for one header (`columns`: (cell index, profile column) in header order),
        compiled once: the cells read by index and converted in the same order into the same
        values, without the per-cell dict and lookups. A record with a cell that does not
        convert is mapped by `map_record` itself, so its errors are the same, word for word."""
        mapper = self._row_mappers.get(columns)
        if mapper is None:
            mapper = self._compile_row_mapper(columns)
            if len(self._row_mappers) >= 16:  # one per header a reader meets: a handful
                self._row_mappers.clear()
            self._row_mappers[columns] = mapper
        return mapper

    def _compile_row_mapper(self, columns: tuple[tuple[int, str], ...]
                            ) -> Callable[[list[str], SourcePosition],
                                          tuple[TradeEvent | None, list[RecordError]]]:
        namespace: dict[str, Any] = {"ConversionError": ConversionError}
        lines = ["def values_of(row):", "    values = {}"]
        for index, column in columns:
            targets = self._converters.get(column)
            if targets is None:
                continue
            lines += [f"    text = row[{index}]", "    if text and not text.isspace():"]
            for number, (target, convert) in enumerate(targets):
                namespace[f"P{index}_{number}"] = target.spec.path
                namespace[f"C{index}_{number}"] = convert
                lines.append(f"        values[P{index}_{number}] = C{index}_{number}(text)")
        lines.append("    return values")
        exec(compile("\n".join(lines), "<row values>", "exec"), namespace)
        values_of: Callable[[list[str]], dict[_Path, Any]] = namespace["values_of"]
        map_record, event_of = self.map_record, self._event_of

        def map_row(row: list[str], position: SourcePosition
                    ) -> tuple[TradeEvent | None, list[RecordError]]:
            try:
                values = values_of(row)
            except ConversionError:  # map_record names every cell that does not convert
                return map_record({name: row[i] for i, name in columns}, position)
            return event_of(values, [], position)

        return map_row

    def _event_of(self, values: dict[_Path, Any], errors: list[RecordError],
                  position: SourcePosition) -> tuple[TradeEvent | None, list[RecordError]]:
        """The event of a record's converted `values` (field path -> typed value, cell
        order), with the profile's defaults; or its conversion `errors`."""
        defaulted: list[tuple[tuple[str | int, ...], Any]] = []
        for path, raw, typed in self._defaults:
            if path not in values:
                values[path] = typed
                defaulted.append((path, raw))
        if errors:
            return None, errors
        if self._fast:
            plan = self._plans.get(key := tuple(values), _NOT_COMPILED)
            if plan is _NOT_COMPILED:
                plan = self._plans.compile(key, self._specs)
            if plan is not None:
                try:
                    return plan(values, position), []
                except _Untrusted:  # a value the plan does not vouch for: pydantic judges it
                    values.pop(_SOURCE, None)
        data: dict[Any, Any] = {}
        for path, value in values.items():
            _put(data, path, value)
        for path, raw in defaulted:
            _put(data, path, raw)  # as the profile wrote it: pydantic converts it
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


# ---------------------------------------------------------------------------- record plans
#
# Validating every record's nested dict with pydantic was most of the cost of mapping it. The
# converters above already make every value what validation would make of it (a stripped str,
# an enum member, a finite Decimal, an aware UTC datetime, a date, a bool, a Period's unit and
# multiplier), so what is left for validation depends only on which fields a record fills: its
# shape. A plan is compiled once per shape by running `_finalise` and `_prune` on placeholders
# (which sub-objects are kept, required fields, unknown fields, list lengths); where all of it
# holds, the plan builds the models directly, as `copy_model` does: the same values, types
# and fields set as `model_validate` gives (tests/unit/formats/readers/test_mapping_plans.py
# holds the two to each other). Any shape, field or value it cannot vouch for goes to
# pydantic as before, so a bad record gets the same errors, in the same order, word for word.


class _Untrusted(Exception):
    """A value the plan does not vouch for: validate the record with pydantic instead."""


_UNTRUSTED: Any = object()
_Path = tuple[str | int, ...]
_Getter = Callable[[dict[_Path, Any]], Any]


def _typed_default(spec: FieldSpec, raw: Any) -> Any:
    """The value validation makes of a profile default, or _UNTRUSTED where it is not plain."""
    if spec.many:
        return _UNTRUSTED
    if spec.kind in ("str", "any") and isinstance(raw, str):
        return raw  # a str field's plan checks it is stripped, as every str value
    if spec.kind == "enum" and isinstance(raw, str) and spec.enum is not None:
        return next((m for m in spec.enum if m.value == raw), _UNTRUSTED)
    if spec.kind == "bool" and type(raw) is bool:
        return raw
    if spec.kind == "date" and type(raw) is date:
        return raw
    return _UNTRUSTED


class _Slot:
    """The placeholder of one filled field path while a shape's plan is compiled."""

    __slots__ = ("key", "path")

    def __init__(self, path: _Path, key: str | None = None) -> None:
        self.path, self.key = path, key


# How a plan vouches for one converted value: nothing to check (Any), its exact type, and for
# text also that it is stripped (pydantic's whitespace stripping differs from str.strip at the
# edges, so text that is not is left to it), and for a Code its upper-casing.
_AS_IS, _EXACT, _TEXT, _CODE = 0, 1, 2, 3
_Leaf = tuple[type, int]


def _checked(value: Any, kind: type, mode: int) -> Any:
    """The validated value of a converted one (what `_builder` does inline)."""
    if mode:
        if type(value) is not kind:
            raise _Untrusted
        if mode >= _TEXT:
            text = typing.cast(str, value)
            if text.strip() != text:
                raise _Untrusted
            if mode == _CODE:
                return _upper_stripped(text)
    return value


def _leaf(annotation: Any, spec: FieldSpec) -> _Leaf | None:
    """How a converted value of `spec` is the field's validated value (None: the plan cannot
    vouch for this field; pydantic validates the record)."""
    if annotation == Code:
        return (str, _CODE) if spec.kind == "str" else None
    if annotation is Any:
        return (object, _AS_IS) if spec.kind == "any" else None
    kinds: dict[Any, str] = {str: "str", Decimal: "decimal", date: "date",
                             datetime: "datetime", int: "int", bool: "bool"}
    if annotation in kinds:
        if spec.kind != kinds[annotation]:
            return None
        return annotation, _TEXT if annotation is str else _EXACT
    if isinstance(annotation, type) and issubclass(annotation, Enum) and spec.kind == "enum" \
            and spec.enum is annotation:
        return annotation, _EXACT
    return None


def _optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


_IMMUTABLE_DEFAULTS = (str, int, bool, Decimal, date, Enum, type(None))


def _model_plan(model: type[BaseModel], node: dict[str, Any],
                specs: dict[_Path, FieldSpec]) -> _Getter | None:
    """A function building `model` from a record's values as validation builds it from
    `node` (a finalised, pruned dict of _Slot placeholders); None where it cannot."""
    decorators = model.__pydantic_decorators__
    if (decorators.validators or decorators.field_validators or decorators.model_validators
            or decorators.root_validators or model.model_config.get("extra") != "forbid"
            or model.__pydantic_post_init__ or model.__private_attributes__):
        return None
    fields = model.model_fields
    if any(name not in fields for name in node) or any(
            info.is_required() and name not in node for name, info in fields.items()):
        return None  # an unknown field, a missing value: pydantic says which, as always
    base: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, info in fields.items():
        if name in node:
            base[name] = None  # filled per record; here for the field order
        elif info.default_factory is not None:
            if info.default_factory_takes_validated_data:
                return None
            base[name] = None
            factories.append((name, typing.cast(Callable[[], Any], info.default_factory)))
        elif isinstance(info.default, _IMMUTABLE_DEFAULTS):
            base[name] = info.default
        else:
            return None
    leaves: list[tuple[str, _Path, type, int]] = []
    getters: list[tuple[str, _Getter]] = []
    for name, value in node.items():
        plan = _field_plan(fields[name], value, specs)
        if plan is None:
            return None
        if isinstance(plan, tuple):
            leaves.append((name, value.path, *plan))
        else:
            getters.append((name, plan))
    return _builder(model, base, tuple(factories), tuple(leaves), tuple(getters))


def _builder(model: type[BaseModel], base: dict[str, Any],
             factories: tuple[tuple[str, Callable[[], Any]], ...],
             leaves: tuple[tuple[str, _Path, type, int], ...],
             getters: tuple[tuple[str, _Getter], ...]) -> _Getter:
    """What `copy_model` sets (shared.domain.model), with the fields a record fills as set:
    `leaves`, values of the record checked as `_checked` does, and `getters`, sub-models."""
    filled = frozenset([name for name, *_ in leaves] + [name for name, _ in getters])
    new, set_attr = model.__new__, object.__setattr__

    def build(values: dict[_Path, Any]) -> Any:
        state = base.copy()
        for name, factory in factories:
            state[name] = factory()
        for name, path, kind, mode in leaves:
            value = values[path]
            if mode:
                if type(value) is not kind:
                    raise _Untrusted
                if mode >= _TEXT:
                    text = typing.cast(str, value)
                    if text.strip() != text:
                        raise _Untrusted
                    if mode == _CODE:
                        value = _upper_stripped(text)
            state[name] = value
        for name, get in getters:
            state[name] = get(values)
        built = new(model)
        set_attr(built, "__dict__", state)
        set_attr(built, "__pydantic_fields_set__", set(filled))
        set_attr(built, "__pydantic_extra__", None)
        set_attr(built, "__pydantic_private__", None)
        return built

    return build


_SOURCE: _Path = ("source",)  # where a plan finds the record's position (no profile path)


def _field_plan(info: Any, value: Any, specs: dict[_Path, FieldSpec]
                ) -> _Getter | _Leaf | None:
    """A scalar field's _Leaf, a getter building anything else, or None (pydantic's)."""
    annotation = _optional(info.annotation)
    if isinstance(value, _Slot):
        if value.key == "position":  # build_event puts the record's position as it is
            return None if annotation is not SourcePosition else (
                lambda values: values[_SOURCE])
        if value.key is not None:
            return None
        if info.metadata:  # `currency: Code` comes as str with Code's validator beside it
            if info.metadata != [AfterValidator(_upper_stripped)] or annotation is not str:
                return None
            annotation = Code
        path, spec = value.path, specs[value.path]
        if spec.many:
            if typing.get_origin(annotation) is not list:
                return None
            item = _leaf(_optional(typing.get_args(annotation)[0]),
                         FieldSpec(spec.path, spec.kind, spec.enum))
            if item is None:
                return None
            kind, mode = item
            return lambda values: [_checked(v, kind, mode) for v in values[path]]
        return _leaf(annotation, spec)
    if typing.get_origin(annotation) is list and isinstance(value, list):
        (item,) = typing.get_args(annotation)
        item = _optional(item)
        if not (isinstance(item, type) and issubclass(item, BaseModel)) or any(
                not isinstance(v, dict) for v in value):
            return None
        limits = [getattr(m, "max_length", None) for m in info.metadata]
        if any(limit is None or len(value) > limit for limit in limits):
            return None
        items = [_model_plan(item, v, specs) for v in value]
        if any(i is None for i in items):
            return None
        plans = tuple(typing.cast(list[_Getter], items))
        return lambda values: [plan(values) for plan in plans]
    if typing.get_origin(annotation) is dict and isinstance(value, dict) and not info.metadata:
        key_type, item_type = typing.get_args(annotation)
        if key_type is not str or not all(
                isinstance(slot, _Slot) and slot.key is None for slot in value.values()):
            return None
        checks = [(key, slot.path, _leaf(_optional(item_type), specs[slot.path]))
                  for key, slot in value.items()]
        if any(check is None for _, _, check in checks):
            return None
        entries = typing.cast(list[tuple[str, _Path, _Leaf]], checks)
        return lambda values: {key: _checked(values[path], *leaf) for key, path, leaf in entries}
    if isinstance(value, dict) and not info.metadata and isinstance(annotation, type) and \
            issubclass(annotation, BaseModel):
        if annotation is Period and _period_node(value):
            return _period_plan(value["unit"].path)
        return _model_plan(annotation, value, specs)
    return None


def _period_node(node: dict[str, Any]) -> bool:
    """A period cell's converted {unit, multiplier}, as one placeholder pair."""
    unit, multiplier = node.get("unit"), node.get("multiplier")
    return (len(node) == 2 and isinstance(unit, _Slot) and isinstance(multiplier, _Slot)
            and unit.key == "unit" and multiplier.key == "multiplier"
            and unit.path == multiplier.path)


def _period_plan(path: _Path) -> _Getter:
    # _period makes a PeriodUnit member and an int >= 0 (the field's only constraint)
    build = _builder(Period, {"unit": None, "multiplier": None}, (), (), (
        ("unit", lambda values: values[path]["unit"]),
        ("multiplier", lambda values: values[path]["multiplier"])))

    def checked(values: dict[_Path, Any]) -> Any:
        value = values[path]
        if type(value) is not dict or type(value.get("unit")) is not PeriodUnit or type(
                multiplier := value.get("multiplier")) is not int or multiplier < 0:
            raise _Untrusted
        return build(values)

    return checked


Plan = Callable[[dict[_Path, Any], SourcePosition], TradeEvent]
_NOT_COMPILED: Any = object()


class _Plans:
    """One compiled plan per record shape: the tuple of filled field paths, in cell order.

    A plan is a pure function of the shape: a field path names one field of TradeEvent and so
    one FieldSpec (resolve_field), whatever the profile, and the values are converted before
    the plan sees them. So the plans are shared by every mapper of the process (an online
    request's mapper finds them compiled). Bounded: files have a few dozen shapes; past the
    bound the plans are dropped and compiled again (about 2 ms each)."""

    MAX = 1024

    def __init__(self) -> None:
        self._plans: dict[tuple[_Path, ...], Plan | None] = {}

    def get(self, key: tuple[_Path, ...], missing: Any) -> Any:
        return self._plans.get(key, missing)

    def compile(self, key: tuple[_Path, ...], specs: dict[_Path, FieldSpec]) -> Plan | None:
        data: dict[Any, Any] = {}
        for path in key:
            spec = specs[path]
            _put(data, path, {"unit": _Slot(path, "unit"), "multiplier": _Slot(path, "multiplier")}
                 if spec.kind == "period" and not spec.many else _Slot(path))
        finalised = _finalise(data)
        _prune(finalised, TradeEvent)
        finalised["source"] = _Slot(_SOURCE, "position")  # as build_event sets it
        build = _model_plan(TradeEvent, finalised, specs)
        plan: Plan | None = None
        if build is not None:
            def plan(values: dict[_Path, Any], position: SourcePosition) -> TradeEvent:
                values[_SOURCE] = position
                return typing.cast(TradeEvent, build(values))
        if len(self._plans) >= self.MAX:
            self._plans.clear()
        self._plans[key] = plan
        return plan


_PLANS = _Plans()
