"""CFTC Part 43 real-time public dissemination report, as JSON with DRR's field names.

Part 43 publishes a swap's economic terms anonymously, as soon as technologically practicable;
its field set is a subset of Part 45's plus the dissemination-only fields, so this writer
starts from the Part 45 builder.
"""

from __future__ import annotations

from shared.formats.writers.cftc import CftcPart45Writer


class CftcPart43Writer(CftcPart45Writer):
    regime = "cftc-part43"
