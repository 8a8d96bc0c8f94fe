"""Report values the CFTC and EMIR writers derive the same way from a canonical event:
number and timestamp formatting without float artefacts, leg kinds, the jurisdiction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from shared.domain.model import Leg, Period, TradeEvent


def number(value: Decimal | int) -> int | float | Decimal:
    """A JSON-ready number: integral values as int, others as the exact Decimal."""
    if isinstance(value, int):
        return value
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return int(normal)
    return normal


def decimal_text(value: Decimal | int, places: int | None = None) -> str:
    """Plain decimal notation (never exponent form), trailing zeros dropped."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z; fractional seconds kept only when present."""
    if value is None:
        return None
    return _utc_text(value.replace(tzinfo=UTC) if value.tzinfo is None
                     else value.astimezone(UTC))


# The text of UTC instants, remembered (strftime is ~3 us): a batch repeats its reporting
# timestamp in every report and a trade's timestamps in each of its events. Safe: the key
# is the instant in UTC (an aware UTC datetime, equal to another only when their instants,
# to the microsecond, are), and the text a pure function of it.
@lru_cache(maxsize=4096)
def _utc_text(value: datetime) -> str:
    if value.microsecond:
        fraction = f"{value.microsecond:06d}".rstrip("0")
        return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{fraction}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = (value.astimezone(UTC) if value.tzinfo else value).date()
    return value.isoformat()


def basis_points(value: Decimal) -> Decimal:
    """A decimal-fraction spread in whole basis points."""
    return (value * 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def percent(value: Decimal) -> Decimal:
    return value * 100


def leg_kind(leg: Leg) -> str | None:
    """FIXED or FLOATING for the interest-rate sections; None for other legs."""
    kind = (leg.rate_type or "").upper()
    if kind in ("FIXED",) or (not kind and leg.fixed_rate is not None):
        return "FIXED"
    if kind in ("FLOATING", "INFLATION") or (not kind and leg.floating_index):
        return "FLOATING"
    return None


def frequency(period: Period | None) -> tuple[str, int | None] | None:
    """(unit, multiplier); an ad hoc frequency (ADHO) has no multiplier."""
    if period is None:
        return None
    unit = str(period.unit.value if hasattr(period.unit, "value") else period.unit)
    return unit, (None if unit == "ADHO" else period.multiplier)


JURISDICTIONS = {frozenset({"CFTC"}): "CFTC", frozenset({"CFTC", "SEC"}): "MIXX",
                 frozenset({"SEC"}): "SECH"}


def jurisdiction(event: TradeEvent) -> str | None:
    """CFTC, SECH (SEC only) or MIXX (both): the US regulators the counterparties report to."""
    bodies: set[str] = set()
    for party in (event.counterparty_1, event.counterparty_2):
        if party is not None:
            bodies.update(party.supervisory_bodies)
    return JURISDICTIONS.get(frozenset(bodies & {"CFTC", "SEC"}))


def is_lei(value: str | None) -> bool:
    return value is not None and len(value) == 20 and value.isalnum()
