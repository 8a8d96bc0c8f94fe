"""FEP mapping profiles: how one FEP's flat records become canonical `TradeEvent`s.

A profile is a TOML file in `shared/formats/profiles/` (or TOML text / a dict stored per tenant)
naming, for each source column, the canonical field path it fills (`legs.0.notional.amount`),
plus the file's format (delimiter, encoding, date and time formats, decimal separator), code
translations (`P` -> `MAKE`, `매수` -> `BYER`) and default values. docs/FEP-FORMATS.md
describes the keys; `default.toml` reads the demo FEP file.

Field paths are checked against the canonical model when the profile is loaded, and each
path's type (date, timestamp, decimal, code list, period...) is taken from the model, so a
profile says *where* a value goes and the model says *what* it must be. A field added to the
model later is mappable without code changes.
"""

from __future__ import annotations

import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.domain.model import Period, TradeEvent
from shared.formats.readers.base import ProfileError
from shared.formats.readers.encoding import normalise_encoding

__all__ = [
    "PROFILE_DIR",
    "ColumnTarget",
    "FieldSpec",
    "Profile",
    "ProfileError",
    "available_profiles",
    "load_profile",
    "parse_profile",
    "profile_from_dict",
    "resolve_field",
]

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "default"
Kind = Literal["str", "date", "datetime", "decimal", "int", "bool", "enum", "period", "any"]


# ---------------------------------------------------------------------------- field paths


@dataclass(frozen=True)
class FieldSpec:
    """A canonical field path and what kind of value it holds."""

    path: tuple[str | int, ...]
    kind: Kind
    enum: type[Enum] | None = None
    many: bool = False  # a list of scalars: the cell holds several values

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] (X | None) down to the value type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _scalar_kind(annotation: Any) -> tuple[Kind, type[Enum] | None] | None:
    if annotation is Any or annotation is str:
        return ("any" if annotation is Any else "str"), None
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return "enum", annotation
        if issubclass(annotation, bool):
            return "bool", None
        if issubclass(annotation, datetime):
            return "datetime", None
        if issubclass(annotation, date):
            return "date", None
        if issubclass(annotation, Decimal | float):
            return "decimal", None
        if issubclass(annotation, int):
            return "int", None
        if issubclass(annotation, str):
            return "str", None
        if issubclass(annotation, Period):
            return "period", None
    return None


@cache
def resolve_field(dotted: str, root: type[BaseModel] = TradeEvent) -> FieldSpec:
    """The FieldSpec of `dotted` (e.g. legs.0.notional.amount); ProfileError if it is not one."""
    parts = [p for p in dotted.strip().split(".") if p]
    if not parts:
        raise ProfileError("empty field path")
    path: list[str | int] = []
    annotation: Any = root
    i = 0
    while i < len(parts):
        part = parts[i]
        model = annotation if isinstance(annotation, type) and issubclass(
            annotation, BaseModel) else None
        if model is None:
            raise ProfileError(f"field path {dotted!r}: {'.'.join(map(str, path))!r} "
                               "holds a value, it has no sub-fields")
        if part not in model.model_fields:
            raise ProfileError(f"field path {dotted!r}: {model.__name__} has no field {part!r}")
        path.append(part)
        annotation = _unwrap(model.model_fields[part].annotation)
        i += 1
        origin = typing.get_origin(annotation)
        if origin is list:
            (item,) = typing.get_args(annotation)
            item = _unwrap(item)
            if i == len(parts):  # the whole list from one cell: scalars only
                scalar = _scalar_kind(item)
                if scalar is None or scalar[0] == "period":
                    raise ProfileError(f"field path {dotted!r}: a list of objects needs an "
                                       "index, e.g. legs.0.notional.amount")
                return FieldSpec(tuple(path), scalar[0], scalar[1], many=True)
            if not parts[i].isdigit():
                raise ProfileError(f"field path {dotted!r}: {part!r} is a list, "
                                   f"expected an index after it, got {parts[i]!r}")
            path.append(int(parts[i]))
            annotation = item
            i += 1
        elif origin is dict:
            if i == len(parts):
                raise ProfileError(f"field path {dotted!r}: name a key inside {part!r}")
            path.append(parts[i])
            annotation = _unwrap(typing.get_args(annotation)[1])
            i += 1
    scalar = _scalar_kind(annotation)
    if scalar is None:
        raise ProfileError(f"field path {dotted!r} names an object; map its fields instead "
                           f"(e.g. {dotted}.amount)")
    return FieldSpec(tuple(path), scalar[0], scalar[1])


# ---------------------------------------------------------------------------- TOML schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ColumnConfig(_Strict):
    field: str
    codes: str | dict[str, str] | None = None  # a [codes.NAME] table, or inline
    scale: Decimal | None = None  # multiply numbers: 0.01 for percent, 0.0001 for basis points
    formats: list[str] | None = None  # date/timestamp formats for this column only


class _FormatConfig(_Strict):
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "auto"
    skip_lines: int = Field(default=0, ge=0)  # title lines before the header
    decimal_separator: str = "."
    thousands_separator: str = ""
    date_formats: list[str] = ["iso"]
    timestamp_formats: list[str] = ["iso"]
    timezone: str = "UTC"  # for timestamps without an offset: UTC, +09:00, Asia/Seoul
    list_separator: str = "|"
    true_values: list[str] = ["Y", "YES", "TRUE", "T", "1"]
    false_values: list[str] = ["N", "NO", "FALSE", "F", "0"]

    @field_validator("delimiter", "quotechar")
    @classmethod
    def _one_char(cls, value: str) -> str:
        if value == "\\t":
            value = "\t"
        if len(value) != 1:
            raise ValueError("must be exactly one character")
        return value


class _HeaderConfig(_Strict):
    required: list[str] = []  # columns that must be in the header
    required_one_of: list[list[str]] = []  # at least one column of each group


class _ProfileConfig(_Strict):
    name: str
    description: str = ""
    format: _FormatConfig = _FormatConfig()
    header: _HeaderConfig = _HeaderConfig()
    columns: dict[str, str | _ColumnConfig | list[str | _ColumnConfig]]
    codes: dict[str, dict[str, str]] = {}
    defaults: dict[str, Any] = {}


# ---------------------------------------------------------------------------- compiled


@dataclass(frozen=True)
class ColumnTarget:
    """One canonical field that one source column fills."""

    spec: FieldSpec
    codes: dict[str, str] | None = None  # keys normalised: stripped, upper-cased
    scale: Decimal | None = None
    formats: tuple[str, ...] | None = None

    def translate(self, value: str) -> str:
        if not self.codes:
            return value
        return self.codes.get(value, self.codes.get(value.strip().upper(), value))


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    delimiter: str
    quotechar: str
    encoding: str | None  # None: detect
    skip_lines: int
    decimal_separator: str
    thousands_separator: str
    date_formats: tuple[str, ...]
    timestamp_formats: tuple[str, ...]
    timezone: tzinfo
    list_separator: str
    true_values: frozenset[str]
    false_values: frozenset[str]
    required: tuple[str, ...]
    required_one_of: tuple[tuple[str, ...], ...]
    columns: dict[str, tuple[ColumnTarget, ...]]  # key: normalised column name
    column_names: dict[str, str]  # normalised -> as written in the profile
    defaults: dict[FieldSpec, Any] = field(default_factory=dict)

    @staticmethod
    def normalise_column(name: str) -> str:
        return " ".join(name.replace("\ufeff", "").split()).casefold()

    def column_for(self, dotted: str) -> str | None:
        """The source column that fills `dotted`, for error messages."""
        for key, targets in self.columns.items():
            if any(t.spec.dotted == dotted for t in targets):
                return self.column_names[key]
        return None


def _zone(name: str) -> tzinfo:
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc  # noqa: UP017 - a tzinfo instance, not datetime.UTC's alias
    if text[:1] in "+-" and ":" in text:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = text[1:].split(":", 1)
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(f"unknown time zone {name!r}") from exc


def _normalise_codes(table: dict[str, str]) -> dict[str, str]:
    out = dict(table)
    out.update({k.strip().upper(): v for k, v in table.items()})
    return out


def profile_from_dict(data: dict[str, Any]) -> Profile:
    """Validate and compile a profile given as a dict (e.g. parsed TOML, or a tenant's JSON)."""
    try:
        config = _ProfileConfig.model_validate(data)
    except ValidationError as exc:
        name = data.get("name", "?") if isinstance(data, dict) else "?"
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ProfileError(f"profile {name!r}: {problems}") from exc
    where = f"profile {config.name!r}"
    fmt = config.format
    try:
        encoding = normalise_encoding(fmt.encoding)
    except ValueError as exc:
        raise ProfileError(f"{where}: {exc}") from exc
    columns: dict[str, tuple[ColumnTarget, ...]] = {}
    names: dict[str, str] = {}
    for column, raw in config.columns.items():
        items = raw if isinstance(raw, list) else [raw]
        targets = []
        for item in items:
            spec_cfg = _ColumnConfig(field=item) if isinstance(item, str) else item
            try:
                spec = resolve_field(spec_cfg.field)
            except ProfileError as exc:
                raise ProfileError(f"{where}, column {column!r}: {exc}") from exc
            codes = spec_cfg.codes
            if isinstance(codes, str):
                if codes not in config.codes:
                    raise ProfileError(f"{where}, column {column!r}: no [codes.{codes}] table")
                codes = config.codes[codes]
            if spec_cfg.scale is not None and spec.kind != "decimal":
                raise ProfileError(f"{where}, column {column!r}: scale needs a number field, "
                                   f"{spec.dotted} is {spec.kind}")
            targets.append(ColumnTarget(
                spec, _normalise_codes(codes) if codes else None, spec_cfg.scale,
                tuple(spec_cfg.formats) if spec_cfg.formats else None,
            ))
        key = Profile.normalise_column(column)
        if key in columns:
            raise ProfileError(f"{where}: column {column!r} is mapped twice")
        columns[key], names[key] = tuple(targets), column
    for column in [*config.header.required, *(c for g in config.header.required_one_of
                                                for c in g)]:
        if Profile.normalise_column(column) not in columns:
            raise ProfileError(f"{where}: required column {column!r} is not mapped")
    defaults = {}
    for dotted, value in config.defaults.items():
        try:
            defaults[resolve_field(dotted)] = value
        except ProfileError as exc:
            raise ProfileError(f"{where}, default {dotted!r}: {exc}") from exc
    # a separator equal to the delimiter is fine: such numbers are quoted ("1,000,000")
    if len(fmt.decimal_separator) != 1 or len(fmt.thousands_separator) > 1 or (
            fmt.decimal_separator == fmt.thousands_separator):
        raise ProfileError(f"{where}: decimal separator must be one character, the thousands "
                           "separator at most one, and they must differ")
    return Profile(
        name=config.name, description=config.description, delimiter=fmt.delimiter,
        quotechar=fmt.quotechar, encoding=encoding, skip_lines=fmt.skip_lines,
        decimal_separator=fmt.decimal_separator, thousands_separator=fmt.thousands_separator,
        date_formats=tuple(fmt.date_formats), timestamp_formats=tuple(fmt.timestamp_formats),
        timezone=_zone(fmt.timezone), list_separator=fmt.list_separator,
        true_values=frozenset(v.upper() for v in fmt.true_values),
        false_values=frozenset(v.upper() for v in fmt.false_values),
        required=tuple(config.header.required),
        required_one_of=tuple(tuple(g) for g in config.header.required_one_of),
        columns=columns, column_names=names, defaults=defaults,
    )


def parse_profile(text: str) -> Profile:
    """A profile from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile is not valid TOML: {exc}") from exc
    return profile_from_dict(data)


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


@cache
def load_profile(name: str = DEFAULT_PROFILE) -> Profile:
    """A built-in profile by name (the file name without .toml)."""
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ProfileError(f"bad profile name {name!r}")
    path = PROFILE_DIR / f"{name}.toml"
    if not path.is_file():
        raise ProfileError(f"no profile {name!r}; built-in: {', '.join(available_profiles())}")
    return parse_profile(path.read_text(encoding="utf-8"))


def parse_decimal(text: str, profile: Profile) -> Decimal:
    """A number as the profile writes it ("1,234.5", "1.234,5"); ValueError if it is none."""
    value = text.strip()
    if profile.thousands_separator:
        value = value.replace(profile.thousands_separator, "")
    if profile.decimal_separator != ".":
        value = value.replace(profile.decimal_separator, ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number
