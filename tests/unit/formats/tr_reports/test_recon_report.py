"""The TR's reconciliation status report (auth.091): pairing, matching and the fields the
other side reported differently, as we read them back."""

from __future__ import annotations

import pytest

from shared.domain.reconciliation import FIELDS, FieldDifference, ReconStatus
from shared.formats.tr_reports import (
    ReconEntry,
    ReconReport,
    TrReportError,
    read_report,
    write_recon_report,
)
from tests.support.iso20022 import schema_problems
from tests.unit.formats.tr_reports.support import REFERENCE, THEM, US, uti

pytest.importorskip("python_iso20022")  # a dev dependency: never in an action's zip

from python_iso20022.auth.auth_091_001_03.models import Auth09100103

NOTIONAL = FieldDifference("NtnlAmtFrstLeg", "10000000 EUR", "11000000 EUR")
EVERY_FIELD = {  # a value of each matching field, in the text the reader gives back
    "DrctnOrSd": ("BYER", "BYER"), "ISIN": ("EZ1234567890", "EZ0987654321"),
    "UnqPdctIdr": ("QZ0000000001", "QZ0000000002"), "PdctClssfctn": ("SRCCSP", "SRACSP"),
    "CtrctTp": ("SWAP", "FRAS"), "AsstClss": ("INTR", "CURR"), "SttlmCcy": ("EUR", "USD"),
    "MstrAgrmtTp": ("ISDA", "EFMA"), "PltfmIdr": ("XXXX", "XOFF"),
    "ExctnTmStmp": ("2026-11-20T01:02:03Z", "2026-11-20T05:02:03Z"),
    "FctvDt": ("2026-11-24", "2026-11-25"), "XprtnDt": ("2031-11-24", "2032-11-24"),
    "EarlyTermntnDt": ("2027-01-04", None), "DlvryTp": ("PHYS", "CASH"),
    "NtnlAmtFrstLeg": ("10000000 EUR", "-10000000 EUR"),
    "NtnlAmtScndLeg": (None, "12000000 USD"),
    "IntrstFxdRateFrstLeg": ("3.25", "3.5"), "IntrstRateFxdScndLeg": ("0.1", "0.2"),
    "Lvl": ("TCTN", "PSTN"),
}


def status(n: int, *, two_sided=True, paired=True, matched=False, differences=(NOTIONAL,),
           **extra) -> ReconStatus:
    return ReconStatus(uti(n), two_sided, paired, matched,
                       () if matched or not paired else differences, THEM, **extra)


def entries(*statuses: ReconStatus) -> list[ReconEntry]:
    return [ReconEntry(s, US, "NEWT") for s in statuses]


def test_each_status_is_valid_auth_091_and_reads_back_the_same():
    written = [status(1, matched=True), status(2), status(3, paired=False),
               status(4, two_sided=False, paired=False), status(5, revived=True)]
    data = write_recon_report(REFERENCE, entries(*written))
    assert schema_problems(data, Auth09100103) == []
    report = read_report(data)
    assert isinstance(report, ReconReport) and report.reference_date == REFERENCE
    assert {s.uti: s for s in report.statuses} == {s.uti: s for s in written}
    assert report.problems == ()


def test_every_matching_field_travels_with_both_values():
    differences = tuple(FieldDifference(f.key, *EVERY_FIELD[f.key]) for f in FIELDS)
    data = write_recon_report(REFERENCE, entries(status(1, differences=differences)))
    assert schema_problems(data, Auth09100103) == []
    [read] = read_report(data).statuses
    assert read.differences == differences


def test_trades_are_grouped_by_category_with_their_counts():
    data = write_recon_report(REFERENCE, entries(status(1), status(2), status(3, paired=False)))
    assert data.count(b"<Rpt>") == 2 and b"<TtlNbOfTxs>2</TtlNbOfTxs>" in data
    assert b"<Pairg>UNPR</Pairg>" in data and b"<Rcncltn>NREC</Rcncltn>" in data


def test_no_trade_to_report_is_notx():
    data = write_recon_report(REFERENCE, [])
    assert schema_problems(data, Auth09100103) == []
    report = read_report(data)
    assert (report.reference_date, report.statuses) == (None, ())


def test_a_matched_record_with_differences_is_named_and_the_others_kept():
    data = write_recon_report(REFERENCE, entries(status(1, matched=True), status(2)))
    data = data.replace(b"<Rcncltn>NREC</Rcncltn>", b"<Rcncltn>RECO</Rcncltn>")
    report = read_report(data)
    assert [s.uti for s in report.statuses] == [uti(1)]
    [problem] = report.problems
    assert problem.startswith("Rpt 2 RcncltnRpt 1:") and "no differences" in problem


def test_a_report_of_two_reference_dates_is_refused():
    data = write_recon_report(REFERENCE, entries(status(1, matched=True), status(2)))
    first = data.index(b"<RefDt>")
    second = data.index(b"<RefDt>", first + 1)
    data = data[:second] + data[second:].replace(b"2026-11-23", b"2026-11-24", 1)
    with pytest.raises(TrReportError, match="one report, one reference date"):
        read_report(data)


def test_a_uti_outside_the_schemas_pattern_travels_as_a_proprietary_id():
    odd = ReconStatus("DEMO-TRADE-1", True, False, False, (), THEM)
    data = write_recon_report(REFERENCE, [ReconEntry(odd, US)])
    assert schema_problems(data, Auth09100103) == []
    assert [s.uti for s in read_report(data).statuses] == ["DEMO-TRADE-1"]
