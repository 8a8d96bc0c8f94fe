"""What the rules may know besides the event: regimes, the clock, reference data, history.

Everything is passed in, nothing is looked up: the caller (a pipeline stage, the CLI, a test)
reads the clock, the database and reference data, so the rules stay pure and repeatable. A rule
whose input is absent (no history, no LEI status table, no deadline) passes: it cannot judge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from functools import cache, cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from shared.domain.lifecycle import TradeLifecycle, lifecycle_after
from shared.domain.model import utc
from shared.domain.refdata import load as load_refdata
from shared.domain.rules.iso4217 import CURRENCIES

if TYPE_CHECKING:
    from shared.domain.model import TradeEvent

__all__ = ["DEFAULT_NOTIONAL_CEILINGS", "DeadlineFunction", "ValidationContext"]

# (regime, reference timestamp, counterparty kind) -> when the report is due (aware UTC)
DeadlineFunction = Callable[..., datetime]

# Above these a notional is "abnormal" (SR-EC-025, a warning): about USD 10 bn at 2025 rates,
# rounded. Not FX-accurate on purpose: it catches unit slips (amounts in cents, KRW read as
# thousands) that make a notional 100 or 1000 times too large. Currencies not listed: no check.
DEFAULT_NOTIONAL_CEILINGS: Mapping[str, Decimal] = MappingProxyType({
    code: Decimal(amount) for code, amount in {
        "USD": "1E10", "EUR": "1E10", "GBP": "1E10", "CHF": "1E10", "JPY": "1.5E12",
        "KRW": "1.5E13", "CNY": "7E10", "HKD": "8E10", "AUD": "1.5E10", "CAD": "1.5E10",
        "SGD": "1.5E10", "NZD": "1.5E10", "SEK": "1E11", "NOK": "1E11", "DKK": "7E10",
        "INR": "1E12", "TWD": "3E11", "MXN": "2E11", "BRL": "5E10", "ZAR": "2E11",
        "PLN": "4E10",
    }.items()
})


@cache
def packaged_commodity_codes() -> frozenset[tuple[str, str | None, str | None]]:
    """Every (base, sub, further) product of the ISO 20022 / EMIR commodity classification, as
    the packaged reference data ships it (refdata/data/commodity_classification.csv)."""
    return frozenset(load_refdata().commodity_codes)


@cache
def packaged_units_of_measure() -> frozenset[str]:
    """The ISO 20022 unit of measure codes the packaged unit table reports."""
    return frozenset(load_refdata().units.values())


@dataclass(frozen=True)
class ValidationContext:
    now: datetime  # the caller's clock: what "reported now" and "14 days old" mean
    regimes: tuple[str, ...] = ()  # regimes to judge under; empty: the event's own `regimes`
    regime: str | None = None  # set by the engine while a per-regime rule runs
    currencies: frozenset[str] = CURRENCIES
    deadline: datetime | None = None  # an explicit deadline (else computed by `deadline_fn`)
    deadline_fn: DeadlineFunction | None = None  # default: shared.domain.calendars
    counterparty_kind: str | None = None  # CFTC SD/MSP/DCO..., KRX CCP: picks T+1 or T+2
    history: Sequence[TradeEvent] | None = None  # this UTI's earlier reports, in order
    lei_status: Mapping[str, str] | None = None  # LEI -> GLEIF registration status
    known_ccps: frozenset[str] = frozenset()  # LEIs of CCPs (reference data)
    notional_ceilings: Mapping[str, Decimal] = field(
        default_factory=lambda: DEFAULT_NOTIONAL_CEILINGS)
    valuation_max_age_days: int = 14  # RTS 2022/1858 Art. 4: valuation older than 14 days
    # commodity classification code list and known quantity units (SR-EC-050, SR-EC-051)
    commodity_codes: frozenset[tuple[str, str | None, str | None]] = field(
        default_factory=packaged_commodity_codes)
    units_of_measure: frozenset[str] = field(default_factory=packaged_units_of_measure)

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", utc(self.now))
        if self.deadline is not None:
            object.__setattr__(self, "deadline", utc(self.deadline))
        object.__setattr__(self, "regimes", tuple(map(str.lower, self.regimes)))

    def for_regime(self, regime: str | None) -> ValidationContext:
        """`dataclasses.replace(self, regime=regime)` without running `__post_init__` again
        (its values are normalised already) and without the replayed `lifecycle`, which
        depends on the regime: the engine makes one per regime for every event."""
        if regime == self.regime:
            return self
        copied = object.__new__(type(self))
        values = copied.__dict__
        for name in _FIELDS:
            values[name] = self.__dict__[name]
        values["regime"] = regime
        return copied

    @cached_property
    def lifecycle(self) -> TradeLifecycle | None:
        """The UTI's lifecycle at the TR after `history`, under `regime`; None without history.

        Replayed once per context (the engine makes one per regime and event), not once per
        sequence rule: the eight of them judge the event against the same lifecycle.
        """
        if self.history is None:
            return None
        return lifecycle_after(self.history, regime=self.regime)


_FIELDS = tuple(f.name for f in fields(ValidationContext))
