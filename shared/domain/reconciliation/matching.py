"""Pairing and matching: how a TR reconciles the two sides' reports of one trade.

EMIR Refit (RTS 2022/1858 Art. 3; FCA EMIRR 2.3 for UK EMIR): a TR pairs two reports when
both sides must report ("Reporting obligation of counterparty 2" true), the UTI is the same and
each side's counterparty 1 is the other's counterparty 2; a paired trade is matched when every
reconcilable field agrees within its tolerance. The regulation lists about 89 such fields
(more from its second stage); `FIELDS` is the subset this system compares, the most common
causes of breaks, each named by its element under auth.091's matching criteria
(`MtchgCrit/<group>/<key>`) and listed in that schema's order.

Values are text as the report carries them: codes and dates as written, amounts as
"<amount> <currency>", timestamps in ISO 8601 UTC. The rules:
- EXACT: the same text;
- OPPOSITE: each side states its own side (BYER / SLLR, MAKE / TAKE), so they must differ;
- DECIMAL: the same number (0.6 and 0.60 agree);
- AMOUNT: the same currency and number;
- TIMESTAMP: at most `TIMESTAMP_TOLERANCE` apart. ESMA's validation rules give a tolerance per
  field; this one hour is this system's choice, not ESMA's figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from shared.domain.reconciliation.model import FieldDifference, ReconStatus

TIMESTAMP_TOLERANCE = timedelta(hours=1)


class Rule(StrEnum):
    EXACT = "exact"
    OPPOSITE = "opposite"
    DECIMAL = "decimal"
    AMOUNT = "amount"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class MatchingField:
    key: str  # the element under its group in auth.091 MtchgCrit
    group: str  # CtrPtyMtchgCrit | CtrctMtchgCrit | TxMtchgCrit
    rule: Rule
    name: str  # the field's name in RTS 2022/1855's tables (what an operator knows it by)


FIELDS: tuple[MatchingField, ...] = (
    MatchingField("DrctnOrSd", "CtrPtyMtchgCrit", Rule.OPPOSITE, "Direction"),
    MatchingField("ISIN", "CtrctMtchgCrit", Rule.EXACT, "ISIN"),
    MatchingField("UnqPdctIdr", "CtrctMtchgCrit", Rule.EXACT, "Unique product identifier (UPI)"),
    MatchingField("PdctClssfctn", "CtrctMtchgCrit", Rule.EXACT, "Product classification (CFI)"),
    MatchingField("CtrctTp", "CtrctMtchgCrit", Rule.EXACT, "Contract type"),
    MatchingField("AsstClss", "CtrctMtchgCrit", Rule.EXACT, "Asset class"),
    MatchingField("SttlmCcy", "CtrctMtchgCrit", Rule.EXACT, "Settlement currency 1"),
    MatchingField("MstrAgrmtTp", "TxMtchgCrit", Rule.EXACT, "Master agreement type"),
    MatchingField("PltfmIdr", "TxMtchgCrit", Rule.EXACT, "Venue of execution"),
    MatchingField("ExctnTmStmp", "TxMtchgCrit", Rule.TIMESTAMP, "Execution timestamp"),
    MatchingField("FctvDt", "TxMtchgCrit", Rule.EXACT, "Effective date"),
    MatchingField("XprtnDt", "TxMtchgCrit", Rule.EXACT, "Expiration date"),
    MatchingField("EarlyTermntnDt", "TxMtchgCrit", Rule.EXACT, "Early termination date"),
    MatchingField("DlvryTp", "TxMtchgCrit", Rule.EXACT, "Delivery type"),
    MatchingField("NtnlAmtFrstLeg", "TxMtchgCrit", Rule.AMOUNT, "Notional amount of leg 1"),
    MatchingField("NtnlAmtScndLeg", "TxMtchgCrit", Rule.AMOUNT, "Notional amount of leg 2"),
    MatchingField("IntrstFxdRateFrstLeg", "TxMtchgCrit", Rule.DECIMAL, "Fixed rate of leg 1"),
    MatchingField("IntrstRateFxdScndLeg", "TxMtchgCrit", Rule.DECIMAL, "Fixed rate of leg 2"),
    MatchingField("Lvl", "TxMtchgCrit", Rule.EXACT, "Level"),
)
BY_KEY: dict[str, MatchingField] = {f.key: f for f in FIELDS}
_OPPOSITES = {"BYER": "SLLR", "SLLR": "BYER", "MAKE": "TAKE", "TAKE": "MAKE"}


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def _amount(text: str) -> tuple[Decimal | None, str]:
    number, _, currency = text.strip().partition(" ")
    return _decimal(number), currency.strip()


def _timestamp(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def agrees(rule: Rule, ours: str, theirs: str) -> bool:
    """Whether two reported values of a field agree under its rule. A value that does not
    parse as the rule needs agrees only with the same text."""
    if rule is Rule.OPPOSITE:
        return _OPPOSITES.get(ours) == theirs
    if ours == theirs:
        return True
    if rule is Rule.DECIMAL:
        a, b = _decimal(ours), _decimal(theirs)
        return a is not None and a == b
    if rule is Rule.AMOUNT:
        (a, ccy_a), (b, ccy_b) = _amount(ours), _amount(theirs)
        return a is not None and a == b and ccy_a == ccy_b
    if rule is Rule.TIMESTAMP:
        ta, tb = _timestamp(ours), _timestamp(theirs)
        return ta is not None and tb is not None and abs(ta - tb) <= TIMESTAMP_TOLERANCE
    return False


def compare(ours: Mapping[str, str], theirs: Mapping[str, str]) -> tuple[FieldDifference, ...]:
    """The matching fields the two sides report differently, in `FIELDS` order. A field
    neither side reports is no difference; one side only is. Keys outside `FIELDS` are not
    compared."""
    differences = []
    for spec in FIELDS:
        a, b = ours.get(spec.key), theirs.get(spec.key)
        if a is None and b is None:
            continue
        if a is None or b is None or not agrees(spec.rule, a, b):
            differences.append(FieldDifference(spec.key, a, b))
    return tuple(differences)


def other_side(values: Mapping[str, str]) -> dict[str, str]:
    """The same trade's matching values as the other counterparty reports them when it agrees
    with us: its own direction is the opposite of ours; everything else is common."""
    mirrored = dict(values)
    for spec in FIELDS:
        if spec.rule is Rule.OPPOSITE and spec.key in mirrored:
            mirrored[spec.key] = _OPPOSITES.get(mirrored[spec.key], mirrored[spec.key])
    return mirrored


@dataclass(frozen=True)
class SideReport:
    """One side's latest report of a trade, as the TR holds it."""

    uti: str
    reporting_counterparty: str | None
    other_counterparty: str | None
    other_reports: bool  # the report says counterparty 2 has a reporting obligation
    values: Mapping[str, str]
    revived: bool = False
    further_modified: bool = False


def paired(ours: SideReport, theirs: SideReport) -> bool:
    """Both reports name the same trade: same UTI, each side's counterparty 1 is the other's
    counterparty 2 (RTS 2022/1858 Art. 3(1))."""
    return (ours.uti == theirs.uti and ours.reporting_counterparty is not None
            and ours.other_counterparty is not None
            and theirs.reporting_counterparty == ours.other_counterparty
            and theirs.other_counterparty == ours.reporting_counterparty)


def reconcile(ours: SideReport, theirs: SideReport | None) -> ReconStatus:
    """Our side's status: single-sided when the other side does not report (nothing to pair);
    unpaired while no report of the other side pairs with ours; else matched or not, with
    the fields that differ."""
    def status(two_sided: bool, is_paired: bool = False,
               differences: tuple[FieldDifference, ...] = ()) -> ReconStatus:
        return ReconStatus(ours.uti, two_sided, is_paired, is_paired and not differences,
                           differences, ours.other_counterparty, ours.revived,
                           ours.further_modified)

    if not ours.other_reports:
        return status(False)
    if theirs is None or not paired(ours, theirs):
        return status(True)
    return status(True, True, compare(ours.values, theirs.values))
