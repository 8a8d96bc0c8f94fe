"""The trade state report: ISO 20022 auth.107 DerivativesTradeStateReport.

Under EMIR Refit (RTS 2022/1858 Art. 4(1)(b); UK EMIR the same) the TR sends each reporting
party, every working day, the latest state of each of its open derivatives. One `Stat` per
trade: the counterparty data and common trade data of its latest report (with the latest
valuation), the action type and level of that report (`CtrctMod`), and the TR's own
attributes (`TechAttrbts`: the reconciliation flag, when it received the report).
`RptHdr/RptExctnDt` is the report's reference date; a report with no open trade says so with
`TradData/DataSetActn` NOTX.

The writer builds a Stat from the auth.030 report body the TR accepted (what our writers
produce), moved into the auth.107 namespace: the two messages share those components.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from shared.domain.reconciliation import TrTrade
from shared.formats import xmlsafe
from shared.formats.tr_reports.common import (
    NS_STATE,
    ROOTS,
    Builder,
    Finder,
    TrReportError,
    counterparties_of,
    parse_date,
    parse_timestamp,
    renamed,
    serialize,
    uti_of,
    valuation_of,
    values_of,
)


@dataclass(frozen=True)
class HeldTrade:
    """What a TR holds of one open trade, as it writes it into the trade state report."""

    body: bytes  # the auth.030 report body it accepted last (the New, Mod, ... element)
    last_action: str  # ActionType of the latest report it accepted (may be a VALU)
    received_at: datetime  # when it received that report
    valuation: bytes | None = None  # the latest Valtn element, when a later report brought it
    reconciliation_flag: str | None = None  # Reconciliation3Code


@dataclass(frozen=True)
class StateReport:
    reference_date: date | None
    trades: tuple[TrTrade, ...]
    problems: tuple[str, ...] = ()  # records that could not be read, each with the reason
    kind: str = "trade_state"


def write_state_report(reference_date: date, held: Iterable[HeldTrade]) -> bytes:
    """An auth.107 document of every held trade, in the order given."""
    b = Builder(NS_STATE)
    doc, report = b.document(ROOTS["trade_state"])
    header = b.sub(report, "RptHdr")
    b.sub(header, "RptExctnDt", reference_date)
    count = b.sub(header, "NbRcrds")
    data = b.sub(report, "TradData")
    written = 0
    for trade in held:
        _stat(b, b.sub(data, "Stat"), trade)
        written += 1
    count.text = str(written)
    if not written:
        b.sub(data, "DataSetActn", "NOTX")
    return serialize(doc)


def _stat(b: Builder, stat: etree._Element, trade: HeldTrade) -> None:
    body = xmlsafe.fromstring(trade.body)
    source = Finder(etree.QName(body).namespace or "")
    parties = source.find(body, "CtrPtySpcfcData")
    if parties is not None:
        parties = renamed(parties, NS_STATE)
        if trade.valuation is not None:
            for old in parties.findall(f"{{{NS_STATE}}}Valtn"):
                parties.remove(old)
            # CtrPty, Valtn, RptgTmStmp: the valuation goes right after the counterparties
            parties.insert(1, renamed(xmlsafe.fromstring(trade.valuation), NS_STATE))
        stat.append(parties)
    common = b.sub(stat, "CmonTradData")
    for name in ("CtrctData", "TxData"):
        part = source.find(body, f"CmonTradData/{name}")
        if part is not None:
            common.append(renamed(part, NS_STATE))
    modification = b.sub(common, "CtrctMod")
    b.sub(modification, "ActnTp", trade.last_action)
    level = source.text(body, "Lvl")
    if level:
        b.sub(modification, "Lvl", level)
    attributes = b.sub(stat, "TechAttrbts")
    if trade.reconciliation_flag:
        b.sub(attributes, "RcncltnFlg", trade.reconciliation_flag)
    b.sub(attributes, "RptRctTmStmp", trade.received_at)


def read_state_report(root: etree._Element, namespace: str) -> StateReport:
    f = Finder(namespace)
    report = f.find(root, ROOTS["trade_state"])
    if report is None:
        raise TrReportError(f"auth.107: no {ROOTS['trade_state']} under Document")
    reference = parse_date(f.text(report, "RptHdr/RptExctnDt"))
    stats = f.findall(report, "TradData/Stat")
    declared = f.text(report, "RptHdr/NbRcrds")
    if declared is None or not declared.isdigit():
        raise TrReportError("auth.107: RptHdr/NbRcrds is missing or not a number")
    if int(declared) != len(stats):
        raise TrReportError(f"auth.107: RptHdr/NbRcrds says {declared} but the report holds "
                            f"{len(stats)} Stat")
    trades, problems, seen = [], [], set()
    for position, stat in enumerate(stats, start=1):
        uti = uti_of(f, stat)
        if uti is None:
            problems.append(f"Stat {position}: no UTI (CmonTradData/TxData/TxId/UnqTxIdr)")
            continue
        if uti in seen:
            problems.append(f"Stat {position}: UTI {uti} is listed twice; the first is kept")
            continue
        seen.add(uti)
        reporting, other, _ = counterparties_of(f, stat)
        amount, currency, valued = valuation_of(f, stat)
        trades.append(TrTrade(
            uti=uti, last_action=f.text(stat, "CmonTradData/CtrctMod/ActnTp"),
            level=f.text(stat, "CmonTradData/CtrctMod/Lvl"),
            reporting_counterparty=reporting, other_counterparty=other,
            received_at=parse_timestamp(f.text(stat, "TechAttrbts/RptRctTmStmp")),
            valuation_amount=amount, valuation_currency=currency, valuation_timestamp=valued,
            reconciliation_flag=f.text(stat, "TechAttrbts/RcncltnFlg"),
            values=values_of(f, stat)))
    return StateReport(reference, tuple(trades), tuple(problems))
