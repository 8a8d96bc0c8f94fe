"""CFTC Part 43 real-time public dissemination report, as JSON with DRR's field names.

Part 43 publishes a swap's economic terms anonymously, as soon as technologically practicable
(17 CFR 43.3(a)). The CFTC Technical Specification for Parts 43 and 45 (v2.0, 2020) marks each
data element as Part 43, Part 45 or both: the Part 43 elements (appendix A to Part 43) are a
subset of Part 45's, so this writer builds the Part 45 report and keeps the Part 43 subset,
as DRR's `CFTCPart43TransactionReport` does. It does not round or cap notionals: rounding
(43.4(g)) and capping (43.4(h)) are applied by the swap data repository when it disseminates,
not by the reporting counterparty, and DRR reports the unrounded amounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.domain.model import TradeEvent
from shared.formats.writers.cftc import CftcPart45Writer

# Part 45 data elements that are not Part 43 data elements (Tech Spec "Part 43" column blank):
# who is on which side and their regulatory status, plus terms the public record does not carry.
# The counterparties, UTI and execution agents stay: DRR sends them to the SDR, which keeps
# them out of what it disseminates (43.4(d), anonymity of the parties).
PART45_ONLY_FIELDS: frozenset[str] = frozenset({
    "allocationIndicator",               # Tech Spec 2.x "Allocation indicator": Part 45 only
    "buyerIdentifier",                   # Tech Spec "Buyer identifier": Part 45 only
    "sellerIdentifier",                  # Tech Spec "Seller identifier": Part 45 only
    "cdSIndexAttachmentPoint",           # Tech Spec "CDS index attachment point": Part 45 only
    "cdSIndexDetachmentPoint",           # Tech Spec "CDS index detachment point": Part 45 only
    "counterparty1FederalEntityIndicator",
    "counterparty2FederalEntityIndicator",
    "counterparty1FinancialEntityIndicator",
    "counterparty2FinancialEntityIndicator",
    "eventIdentifier",                   # Tech Spec "Event identifier": Part 45 only
    "finalContractualSettlementDate",    # Tech Spec: Part 45 only
    "jurisdiction",                      # DRR's Part 45 routing field, no Part 43 element
    "optionPremiumPaymentDate",          # Tech Spec "Option premium payment date": Part 45 only
    "packageIdentifier",                 # Part 43 has only the package indicator and price
})

# Leg-level Part 45 elements: the payer / receiver of each leg (and their identifier format)
# name the parties; "Fixing date" is a Part 45 element only.
PART45_ONLY_LEG_FIELDS: frozenset[str] = frozenset({
    "payerIdentifier", "payerIdentifierFormat",
    "receiverIdentifier", "receiverIdentifierFormat",
    "fixingDate",
})

# DRR's CFTC guidebook message type of every Part 43 submission: a real-time ("RT") message,
# where Part 45 sends "Trade State", "Valuation" or "Collateral".
REAL_TIME_MESSAGE_TYPE = "RT"


class CftcPart43Writer(CftcPart45Writer):
    regime = "cftc-part43"

    def report(self, event: TradeEvent, *, reporting_timestamp: datetime) -> dict[str, Any]:
        return part43_projection(super().report(event, reporting_timestamp=reporting_timestamp))


def part43_projection(part45: dict[str, Any]) -> dict[str, Any]:
    """The Part 43 report for a Part 45 report of the same event (keys stay sorted)."""
    out: dict[str, Any] = {}
    for key, value in part45.items():
        if key in PART45_ONLY_FIELDS:
            continue
        if key in ("leg1", "leg2"):
            leg = {k: v for k, v in value.items() if k not in PART45_ONLY_LEG_FIELDS}
            if leg:  # a leg with no Part 43 term is left out, not sent empty
                out[key] = leg
            continue
        if key == "cftcGuidebook":
            value = {**value, "messageType": REAL_TIME_MESSAGE_TYPE}
        out[key] = value
    return out
