"""The warnings report: ISO 20022 auth.106 DerivativesTradeWarningsReport.

RTS 2022/1858 Art. 4(1)(e): the TR warns each reporting party of its open derivatives with no
valuation or one not updated for 14 days (`MssngValtn`), with no or outdated margin
information (`MssngMrgnInf`), and of abnormal values (`AbnrmlVals`). Each part holds the
counts and, per reporting counterparty (`Wrnngs/CtrPtyId`), the trades concerned (`TxDtls`:
identification, the last valuation's amount and timestamp).

Written here: valuation warnings. The pipeline reports no margins (auth.108) and the
simulated TR judges no abnormal values, so those two parts say NOTX. Read: a valuation
warning whose trade carries a valuation timestamp is an outdated one, else no valuation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lxml import etree

from shared.domain.reconciliation import TrTrade, TrWarning, WarningKind, valuation_warnings
from shared.formats.tr_reports.common import (
    NS_WARNINGS,
    ROOTS,
    Builder,
    Finder,
    TrReportError,
    parse_date,
    parse_decimal,
    parse_timestamp,
    serialize,
    signed_amount,
    write_transaction_id,
)


@dataclass(frozen=True)
class WarningsReport:
    reference_date: date | None
    outstanding: int  # open derivatives the counts are of
    no_valuation: int
    outdated_valuation: int
    warnings: tuple[TrWarning, ...]
    problems: tuple[str, ...] = ()
    kind: str = "warnings"


def write_warnings_report(reference_date: date, open_trades: Sequence[TrTrade]) -> bytes:
    """An auth.106 document of the valuation warnings among `open_trades` on that date."""
    b = Builder(NS_WARNINGS)
    doc, report = b.document(ROOTS["warnings"])
    rpt = b.sub(report, "WrnngsSttstcs/Rpt")
    b.sub(rpt, "RefDt", reference_date)
    warnings = valuation_warnings(open_trades, reference_date)
    by_uti = {t.uti: t for t in open_trades}
    missing = b.sub(rpt, "MssngValtn/Rpt")
    _counts(b, missing, len(open_trades), warnings)
    parties: dict[str | None, list[TrWarning]] = {}
    for warning in warnings:
        parties.setdefault(by_uti[warning.uti].reporting_counterparty, []).append(warning)
    for party, found in parties.items():
        node = b.sub(missing, "Wrnngs")
        identification = b.sub(node, "CtrPtyId")
        if party:
            b.sub(identification, "RptgCtrPty/LEI", party)
        _counts(b, node, sum(1 for t in open_trades if t.reporting_counterparty == party),
                found)
        for warning in found:
            _details(b, b.sub(node, "TxDtls"), warning, by_uti[warning.uti])
    b.sub(rpt, "MssngMrgnInf/DataSetActn", "NOTX")
    b.sub(rpt, "AbnrmlVals/DataSetActn", "NOTX")
    return serialize(doc)


def _counts(b: Builder, node: etree._Element, outstanding: int,
            warnings: Sequence[TrWarning]) -> None:
    b.sub(node, "NbOfOutsdngDerivs", outstanding)
    b.sub(node, "NbOfOutsdngDerivsWthNoValtn",
          sum(1 for w in warnings if w.kind is WarningKind.NO_VALUATION))
    b.sub(node, "NbOfOutsdngDerivsWthOutdtdValtn",
          sum(1 for w in warnings if w.kind is WarningKind.OUTDATED_VALUATION))


def _details(b: Builder, node: etree._Element, warning: TrWarning, trade: TrTrade) -> None:
    write_transaction_id(b, node, last_action=trade.last_action,
                         other_counterparty=warning.other_counterparty, uti=warning.uti)
    if warning.valuation_amount is not None:
        amount = b.sub(node, "ValtnAmt")
        b.sub(amount, "Amt", abs(warning.valuation_amount),
              **({"Ccy": warning.valuation_currency} if warning.valuation_currency else {}))
        b.sub(amount, "Sgn", warning.valuation_amount >= 0)
    if warning.valuation_timestamp is not None:
        b.sub(node, "ValtnTmStmp/DtTm", warning.valuation_timestamp)


def read_warnings_report(root: etree._Element, namespace: str) -> WarningsReport:
    f = Finder(namespace)
    report = f.find(root, ROOTS["warnings"])
    if report is None:
        raise TrReportError(f"auth.106: no {ROOTS['warnings']} under Document")
    rpt = f.find(report, "WrnngsSttstcs/Rpt")
    if rpt is None:
        if f.text(report, "WrnngsSttstcs/DataSetActn") == "NOTX":
            return WarningsReport(None, 0, 0, 0, ())
        raise TrReportError("auth.106: WrnngsSttstcs holds neither Rpt nor DataSetActn")
    reference = parse_date(f.text(rpt, "RefDt"))
    if reference is None:
        raise TrReportError("auth.106: WrnngsSttstcs/Rpt/RefDt is missing or not a date")
    missing = f.find(rpt, "MssngValtn/Rpt")
    if missing is None:
        return WarningsReport(reference, 0, 0, 0, ())

    def count(name: str) -> int:
        value = parse_decimal(f.text(missing, name))
        return int(value) if value is not None else 0

    warnings, problems, seen = [], [], set()
    for number, detail in enumerate(f.findall(missing, "Wrnngs/TxDtls"), start=1):
        uti = f.text(detail, "TxId/UnqIdr/UnqTxIdr") or f.text(detail, "TxId/UnqIdr/Prtry/Id")
        if uti is None:
            problems.append(f"MssngValtn TxDtls {number}: no UTI (TxId/UnqIdr)")
            continue
        if uti in seen:
            problems.append(f"MssngValtn TxDtls {number}: UTI {uti} is listed twice")
            continue
        seen.add(uti)
        amount, currency = signed_amount(f, f.find(detail, "ValtnAmt"))
        stamp = parse_timestamp(f.text(detail, "ValtnTmStmp/DtTm")
                                or f.text(detail, "ValtnTmStmp/Dt"))
        kind = WarningKind.OUTDATED_VALUATION if stamp else WarningKind.NO_VALUATION
        other = (f.text(detail, "TxId/OthrCtrPty/Lgl/Id/LEI")
                 or f.text(detail, "TxId/OthrCtrPty/Ntrl/Id/Id/Id"))
        warnings.append(TrWarning(uti, kind, other, amount, currency, stamp))
    return WarningsReport(reference, count("NbOfOutsdngDerivs"),
                          count("NbOfOutsdngDerivsWthNoValtn"),
                          count("NbOfOutsdngDerivsWthOutdtdValtn"), tuple(warnings),
                          tuple(problems))
