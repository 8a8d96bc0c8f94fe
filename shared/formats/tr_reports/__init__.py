"""A trade repository's end-of-day reports (EMIR Refit, RTS 2022/1858 Art. 4; UK EMIR the
same messages), written by the TR simulator and read by the `tr-reports` stage:

- trade_state (`state_report`): auth.107 DerivativesTradeStateReport, the latest state of
  each open trade;
- reconciliation (`recon_report`): auth.091 DerivativesTradeReconciliationStatisticalReport,
  pairing, matching and the fields that differ;
- warnings (`warnings_report`): auth.106 DerivativesTradeWarningsReport, open trades with no
  or a stale valuation.

`read_report(body)` tells the kind from the document's namespace (any version of the
message) and returns its contents; a document that is not one of them, or not XML, is a
`TrReportError` naming why. Records that cannot be read (no UTI, listed twice) do not stop the
rest: each report lists them in `problems`.

A CFTC SDR's open swaps report (17 CFR 49.11; its layout is the SDR's own) is read by
`open_swaps.read_open_swaps` in the layout documented there, into the same `StateReport`.
KRX publishes no layout of its reconciliation file: it is not read here (docs/TR-SIMULATOR.md).
"""

from __future__ import annotations

from lxml import etree

from shared.formats import xmlsafe
from shared.formats.tr_reports.common import MESSAGES, TrReportError, message_of
from shared.formats.tr_reports.open_swaps import (
    HeldSwap,
    OpenSwapsFields,
    is_open_swaps_report,
    read_open_swaps,
    write_open_swaps,
)
from shared.formats.tr_reports.recon_report import (
    ReconEntry,
    ReconReport,
    read_recon_report,
    write_recon_report,
)
from shared.formats.tr_reports.state_report import (
    HeldTrade,
    StateReport,
    read_state_report,
    write_state_report,
)
from shared.formats.tr_reports.warnings_report import (
    WarningsReport,
    read_warnings_report,
    write_warnings_report,
)

KINDS = ("trade_state", "reconciliation", "warnings")
TrReport = StateReport | ReconReport | WarningsReport

__all__ = [
    "KINDS",
    "HeldSwap",
    "HeldTrade",
    "OpenSwapsFields",
    "ReconEntry",
    "ReconReport",
    "StateReport",
    "TrReport",
    "TrReportError",
    "WarningsReport",
    "is_open_swaps_report",
    "read_open_swaps",
    "read_report",
    "write_open_swaps",
    "write_recon_report",
    "write_state_report",
    "write_warnings_report",
]


def read_report(body: bytes) -> TrReport:
    """The contents of one TR report (see the module docstring)."""
    try:
        root = xmlsafe.fromstring(body)
    except (etree.XMLSyntaxError, xmlsafe.UnsafeXml, ValueError) as exc:
        raise TrReportError(f"not a readable XML document: {exc}") from exc
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    message = message_of(namespace)
    if qname.localname != "Document" or message not in MESSAGES:
        raise TrReportError(
            f"not a TR report: root {qname.localname!r} in namespace {namespace!r}; expected "
            "an ISO 20022 Document of auth.107 (trade state), auth.091 (reconciliation) or "
            "auth.106 (warnings)")
    kind = MESSAGES[message]
    if kind == "trade_state":
        return read_state_report(root, namespace)
    if kind == "reconciliation":
        return read_recon_report(root, namespace)
    return read_warnings_report(root, namespace)
