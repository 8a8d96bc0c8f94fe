"""The reconciliation status report: ISO 20022 auth.091
DerivativesTradeReconciliationStatisticalReport.

RTS 2022/1858 Art. 4(1)(d): each working day the TR gives each reporting party the
reconciliation status of its derivatives. The trades are grouped by reconciliation category
(one `Rpt` each: `RcncltnCtgrs/RptgRqrmnt` with the reporting type, SWOS or TWOS, pairing
PARD or UNPR, reconciliation RECO or NREC, valuation reconciliation, revived, further
modification), then by reporting counterparty (`TxDtls/CtrPtyId`), then one `RcncltnRpt` per
trade: its identification (`TxId`) and `MtchgCrit`, which holds the fields that did not
match, each with `Val1` (the value this party reported) and `Val2` (the other side's).

This system reconciles no valuations yet (ValtnRcncltn NOAP). A report with no trade says so
with `RcncltnSttstcs/DataSetActn` NOTX.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from lxml import etree

from shared.domain.reconciliation import FIELDS, FieldDifference, ReconStatus
from shared.domain.reconciliation.matching import BY_KEY
from shared.formats.tr_reports.common import (
    NS_RECON,
    ROOTS,
    Builder,
    Finder,
    TrReportError,
    amount_text,
    parse_date,
    serialize,
    signed_amount,
    write_transaction_id,
)

GROUPS = ("CtrPtyMtchgCrit", "ValtnMtchgCrit", "CtrctMtchgCrit", "TxMtchgCrit")


@dataclass(frozen=True)
class ReconEntry:
    """One trade's status as the TR writes it for the party it reports to."""

    status: ReconStatus
    reporting_counterparty: str | None
    last_action: str | None = None


@dataclass(frozen=True)
class ReconReport:
    reference_date: date | None
    statuses: tuple[ReconStatus, ...]
    problems: tuple[str, ...] = ()
    kind: str = "reconciliation"


def _category(status: ReconStatus) -> tuple[str, str, str, bool, bool]:
    return ("TWOS" if status.two_sided else "SWOS", "PARD" if status.paired else "UNPR",
            "RECO" if status.matched else "NREC", status.revived, status.further_modified)


def write_recon_report(reference_date: date, entries: Iterable[ReconEntry]) -> bytes:
    """An auth.091 document: a `Rpt` per category (in the order first met), a `TxDtls` per
    reporting counterparty in it, a `RcncltnRpt` per trade."""
    b = Builder(NS_RECON)
    doc, report = b.document(ROOTS["reconciliation"])
    statistics = b.sub(report, "RcncltnSttstcs")
    categories: dict[tuple[str, str, str, bool, bool], dict[str | None, list[ReconEntry]]] = {}
    for entry in entries:
        categories.setdefault(_category(entry.status), {}).setdefault(
            entry.reporting_counterparty, []).append(entry)
    if not categories:
        b.sub(statistics, "DataSetActn", "NOTX")
    for (reporting_type, pairing, reconciled, revived, modified), parties in categories.items():
        rpt = b.sub(statistics, "Rpt")
        b.sub(rpt, "RefDt", reference_date)
        requirement = b.sub(rpt, "RcncltnCtgrs/RptgRqrmnt")
        b.sub(requirement, "RptgTp", reporting_type)
        b.sub(requirement, "Pairg", pairing)
        b.sub(requirement, "Rcncltn", reconciled)
        b.sub(requirement, "ValtnRcncltn", "NOAP")
        b.sub(requirement, "Rvvd", revived)
        b.sub(requirement, "FrthrMod", modified)
        b.sub(rpt, "TtlNbOfTxs", sum(len(e) for e in parties.values()))
        for party, trades in parties.items():
            details = b.sub(rpt, "TxDtls")
            identification = b.sub(details, "CtrPtyId")
            if party:
                b.sub(identification, "RptgCtrPty/LEI", party)
            b.sub(details, "TtlNbOfTxs", len(trades))
            for entry in trades:
                _record(b, b.sub(details, "RcncltnRpt"), entry)
    return serialize(doc)


def _record(b: Builder, record: etree._Element, entry: ReconEntry) -> None:
    status = entry.status
    write_transaction_id(b, record, last_action=entry.last_action,
                         other_counterparty=status.other_counterparty, uti=status.uti)
    criteria = b.sub(record, "MtchgCrit")
    by_group: dict[str, list[FieldDifference]] = {}
    for difference in status.differences:
        by_group.setdefault(BY_KEY[difference.field].group, []).append(difference)
    for group in GROUPS:  # the schema's order; within a group FIELDS' order is the schema's
        if group in by_group:
            node = b.sub(criteria, group)
            for difference in by_group[group]:
                field = b.sub(node, difference.field)
                for name, value in (("Val1", difference.ours), ("Val2", difference.theirs)):
                    if value is not None:
                        _WRITE_VALUE.get(difference.field, _plain)(b, b.sub(field, name), value)


# -- the Val1 / Val2 shapes of the matching fields ------------------------------------------


def _plain(b: Builder, node: etree._Element, value: str) -> None:
    node.text = value


def _direction(b: Builder, node: etree._Element, value: str) -> None:
    if value in ("MAKE", "TAKE"):
        b.sub(node, "Drctn/DrctnOfTheFrstLeg", value)
    else:
        b.sub(node, "CtrPtySd", value)


def _product(b: Builder, node: etree._Element, value: str) -> None:
    b.sub(node, "Id", value)


def _agreement(b: Builder, node: etree._Element, value: str) -> None:
    b.sub(node, "Tp" if len(value) <= 4 else "Prtry", value)


def _amount(b: Builder, node: etree._Element, value: str) -> None:
    number, _, currency = value.partition(" ")
    negative = number.startswith("-")
    b.sub(node, "Amt", number.lstrip("-"), **({"Ccy": currency} if currency else {}))
    if negative:
        b.sub(node, "Sgn", False)


def _rate(b: Builder, node: etree._Element, value: str) -> None:
    b.sub(node, "Rate", value)


_WRITE_VALUE: dict[str, Callable[[Builder, etree._Element, str], None]] = {
    "DrctnOrSd": _direction, "UnqPdctIdr": _product, "MstrAgrmtTp": _agreement,
    "NtnlAmtFrstLeg": _amount, "NtnlAmtScndLeg": _amount,
    "IntrstFxdRateFrstLeg": _rate, "IntrstRateFxdScndLeg": _rate,
}


def _read_value(f: Finder, key: str, node: etree._Element | None) -> str | None:
    if node is None:
        return None
    if key == "DrctnOrSd":
        return f.text(node, "CtrPtySd") or f.text(node, "Drctn/DrctnOfTheFrstLeg")
    if key == "UnqPdctIdr":
        return f.text(node, "Id") or f.text(node, "Prtry/Id")
    if key == "MstrAgrmtTp":
        return f.text(node, "Tp") or f.text(node, "Prtry")
    if key in ("NtnlAmtFrstLeg", "NtnlAmtScndLeg"):
        return amount_text(*signed_amount(f, node))
    if key in ("IntrstFxdRateFrstLeg", "IntrstRateFxdScndLeg"):
        return f.text(node, "Rate") or f.text(node, "Dcml")
    return node.text.strip() if node.text and node.text.strip() else None


# -- reading ------------------------------------------------------------------------------------


def read_recon_report(root: etree._Element, namespace: str) -> ReconReport:
    f = Finder(namespace)
    report = f.find(root, ROOTS["reconciliation"])
    if report is None:
        raise TrReportError(f"auth.091: no {ROOTS['reconciliation']} under Document")
    statuses: list[ReconStatus] = []
    problems: list[str] = []
    reference: date | None = None
    seen: set[str] = set()
    for number, rpt in enumerate(f.findall(report, "RcncltnSttstcs/Rpt"), start=1):
        day = parse_date(f.text(rpt, "RefDt"))
        if day is None:
            raise TrReportError(f"auth.091: Rpt {number} has no valid RefDt")
        if reference is not None and day != reference:
            raise TrReportError(f"auth.091: Rpt {number} is of {day}, the report of "
                                f"{reference}: one report, one reference date")
        reference = day
        category = f.find(rpt, "RcncltnCtgrs/RptgRqrmnt")
        two_sided = paired = matched = False
        revived = modified = False
        if category is not None:
            two_sided = f.text(category, "RptgTp") == "TWOS"
            paired = f.text(category, "Pairg") == "PARD"
            matched = f.text(category, "Rcncltn") == "RECO"
            revived = f.text(category, "Rvvd") == "true"
            modified = f.text(category, "FrthrMod") == "true"
        elif f.find(rpt, "RcncltnCtgrs/NoRptgRqrmnt") is None:
            raise TrReportError(f"auth.091: Rpt {number} has no RcncltnCtgrs")
        for record_no, record in enumerate(f.findall(rpt, "TxDtls/RcncltnRpt"), start=1):
            where = f"Rpt {number} RcncltnRpt {record_no}"
            uti = f.text(record, "TxId/UnqIdr/UnqTxIdr") or f.text(record, "TxId/UnqIdr/Prtry/Id")
            if uti is None:
                problems.append(f"{where}: no UTI (TxId/UnqIdr)")
                continue
            if uti in seen:
                problems.append(f"{where}: UTI {uti} is listed twice; the first is kept")
                continue
            seen.add(uti)
            differences = tuple(
                FieldDifference(spec.key, _read_value(f, spec.key, f.find(node, "Val1")),
                                _read_value(f, spec.key, f.find(node, "Val2")))
                for spec in FIELDS
                for node in f.findall(record, f"MtchgCrit/{spec.group}/{spec.key}"))
            other = (f.text(record, "TxId/OthrCtrPty/Lgl/Id/LEI")
                     or f.text(record, "TxId/OthrCtrPty/Ntrl/Id/Id/Id"))
            try:
                statuses.append(ReconStatus(uti, two_sided, paired and two_sided,
                                            matched and paired and two_sided, differences,
                                            other, revived, modified))
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
    return ReconReport(reference, tuple(statuses), tuple(problems))
