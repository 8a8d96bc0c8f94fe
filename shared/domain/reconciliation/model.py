"""What a TR's end-of-day reports say about one trade (EMIR Refit, RTS 2022/1858 Art. 4).

The layouts (ISO 20022 auth.107 trade state, auth.091 reconciliation, auth.106 warnings; a
CFTC SDR's open swaps report, read as the trade state) are in `shared.formats.tr_reports`;
these are their contents, as the pipeline keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True)
class FieldDifference:
    """A matching field the two sides reported differently: `ours` is the value the TR holds
    from us (auth.091 `Val1`), `theirs` the other counterparty's (`Val2`); None: not
    reported by that side."""

    field: str  # a key of matching.FIELDS, e.g. "NtnlAmtFrstLeg"
    ours: str | None
    theirs: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "ours": self.ours, "theirs": self.theirs}


# ISO 20022 Reconciliation3Code (auth.107 TechAttrbts/RcncltnFlg) that one TR holding both
# sides, or only ours, gives a trade.
FLAG_NOT_RECONCILED = "NORE"  # not submitted to reconciliation: the other side does not report
FLAG_UNPAIRED = "SSUN"  # one side only so far: the other side's report was not found
FLAG_MATCHED = "DSMA"  # both sides, every matching field agrees
FLAG_NOT_MATCHED = "DSNM"  # both sides, some matching field differs


@dataclass(frozen=True)
class ReconStatus:
    """The reconciliation status of one UTI at the TR (auth.091 categories and the fields
    that did not match)."""

    uti: str
    two_sided: bool  # both sides must report (auth.091 RptgTp TWOS), so the TR pairs them
    paired: bool  # the other side's report was found (Pairg PARD)
    matched: bool  # paired and every matching field agrees (Rcncltn RECO)
    differences: tuple[FieldDifference, ...] = ()
    other_counterparty: str | None = None
    revived: bool = False  # the trade was revived (auth.091 Rvvd)
    further_modified: bool = False  # modified since it was last reconciled (FrthrMod)

    def __post_init__(self) -> None:
        if self.matched and (not self.paired or self.differences):
            raise ValueError(f"{self.uti}: matched needs paired and no differences")
        if self.paired and not self.two_sided:
            raise ValueError(f"{self.uti}: a single-sided trade is not paired")

    @property
    def pairing(self) -> str:
        return "not_applicable" if not self.two_sided else "paired" if self.paired \
            else "unpaired"

    @property
    def matching(self) -> str:
        if not self.paired:
            return "not_applicable"
        return "matched" if self.matched else "unmatched"

    @property
    def flag(self) -> str:
        if not self.two_sided:
            return FLAG_NOT_RECONCILED
        if not self.paired:
            return FLAG_UNPAIRED
        return FLAG_MATCHED if self.matched else FLAG_NOT_MATCHED


@dataclass(frozen=True)
class TrTrade:
    """One open trade in the TR's trade state report: the latest state it holds."""

    uti: str
    last_action: str | None  # ActionType of the latest report it accepted (CtrctMod/ActnTp)
    level: str | None = None  # TCTN | PSTN
    reporting_counterparty: str | None = None
    other_counterparty: str | None = None
    received_at: datetime | None = None  # when the TR received that report (RptRctTmStmp)
    valuation_amount: Decimal | None = None  # signed
    valuation_currency: str | None = None
    valuation_timestamp: datetime | None = None
    reconciliation_flag: str | None = None  # Reconciliation3Code
    # the matching fields as reported (matching.FIELDS keys -> text)
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


class WarningKind(StrEnum):
    NO_VALUATION = "no_valuation"  # an open trade never valued
    OUTDATED_VALUATION = "outdated_valuation"  # its last valuation is over 14 days old


@dataclass(frozen=True)
class TrWarning:
    """An auth.106 warning about one open trade."""

    uti: str
    kind: WarningKind
    other_counterparty: str | None = None
    valuation_amount: Decimal | None = None
    valuation_currency: str | None = None
    valuation_timestamp: datetime | None = None
