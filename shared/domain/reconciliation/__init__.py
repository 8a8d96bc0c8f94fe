"""The trade repository's own view of what a firm reported, and where it differs (issue 17).

Pure domain, shared by the TR simulator (which produces the TR's end-of-day reports) and the
`tr-reports` stage (which reads them and finds the breaks):
- `model`: what the TR reports each day under EMIR Refit (RTS 2022/1858 Art. 4): the state
  of each open trade (`TrTrade`), its reconciliation status against the other side's report
  (`ReconStatus`: paired?, matched?, the fields that differ, `FieldDifference`) and its
  warnings (`TrWarning`);
- `matching`: the fields the TR compares between the two sides, each with its rule (exact,
  opposite, same amount, timestamps within a tolerance), pairing, and the other side as it
  would report the same trade;
- `warnings`: open trades whose valuation is missing or older than 14 days;
- `breaks`: our books (`OurTrade`) against the TR's view: at the TR but not with us, with us
  but not at the TR, terminated here but open there, and fields the other side reports
  differently.
"""

from shared.domain.reconciliation.breaks import (
    ENDING_ACTIONS,
    Break,
    BreakKind,
    OurTrade,
    breaks,
)
from shared.domain.reconciliation.matching import (
    FIELDS,
    MatchingField,
    Rule,
    SideReport,
    compare,
    other_side,
    paired,
    reconcile,
)
from shared.domain.reconciliation.model import (
    FieldDifference,
    ReconStatus,
    TrTrade,
    TrWarning,
    WarningKind,
)
from shared.domain.reconciliation.warnings import STALE_AFTER_DAYS, valuation_warnings

# The regimes whose TRs send the end-of-day reports read here (EMIR Refit's messages; the
# FCA's UK EMIR uses the same). KRX publishes no layout.
ISO_REGIMES = ("emir", "uk-emir")
# CFTC: the SDR's open swaps report (17 CFR 49.11), one layout of the SDR's own
# (shared.formats.tr_reports.open_swaps): open trades only, no pairing with the other side.
OPEN_SWAPS_REGIMES = ("cftc-part45",)
REGIMES = ISO_REGIMES + OPEN_SWAPS_REGIMES
# Where those reports land in the feedback bucket:
# tr-reports/<tenant slug or LEI>/<regime>/<yyyy-mm-dd>/<file>; the feedback stage leaves
# these keys to the tr-reports stage.
OBJECT_PREFIX = "tr-reports/"

__all__ = [
    "ENDING_ACTIONS",
    "FIELDS",
    "ISO_REGIMES",
    "OBJECT_PREFIX",
    "OPEN_SWAPS_REGIMES",
    "REGIMES",
    "STALE_AFTER_DAYS",
    "Break",
    "BreakKind",
    "FieldDifference",
    "MatchingField",
    "OurTrade",
    "ReconStatus",
    "Rule",
    "SideReport",
    "TrTrade",
    "TrWarning",
    "WarningKind",
    "breaks",
    "compare",
    "other_side",
    "paired",
    "reconcile",
    "valuation_warnings",
]
