"""The TR's warnings report (auth.106): open trades never valued or valued too long ago."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.domain.reconciliation import TrTrade, WarningKind
from shared.formats.tr_reports import WarningsReport, read_report, write_warnings_report
from tests.support.iso20022 import schema_problems
from tests.unit.formats.tr_reports.support import REFERENCE, THEM, US, uti

pytest.importorskip("python_iso20022")  # a dev dependency: never in an action's zip

from python_iso20022.auth.auth_106_001_01.models import Auth10600101


def trade(n: int, valued: datetime | None = None) -> TrTrade:
    return TrTrade(uti(n), "NEWT", reporting_counterparty=US, other_counterparty=THEM,
                   valuation_timestamp=valued,
                   valuation_amount=Decimal("-1250.5") if valued else None,
                   valuation_currency="EUR" if valued else None)


def test_missing_and_outdated_valuations_are_valid_auth_106_and_read_back():
    trades = [trade(1), trade(2, datetime(2026, 11, 1, tzinfo=UTC)),
              trade(3, datetime(2026, 11, 22, tzinfo=UTC))]
    data = write_warnings_report(REFERENCE, trades)
    assert schema_problems(data, Auth10600101) == []
    report = read_report(data)
    assert isinstance(report, WarningsReport) and report.reference_date == REFERENCE
    assert (report.outstanding, report.no_valuation, report.outdated_valuation) == (3, 1, 1)
    assert [(w.uti, w.kind) for w in report.warnings] == [
        (uti(1), WarningKind.NO_VALUATION), (uti(2), WarningKind.OUTDATED_VALUATION)]
    outdated = report.warnings[1]
    assert (outdated.valuation_amount, outdated.valuation_currency,
            outdated.valuation_timestamp, outdated.other_counterparty) == (
        Decimal("-1250.5"), "EUR", datetime(2026, 11, 1, tzinfo=UTC), THEM)


def test_margin_and_abnormal_values_are_not_judged_and_say_so():
    data = write_warnings_report(REFERENCE, [trade(1)])
    assert data.count(b"<DataSetActn>NOTX</DataSetActn>") == 2


def test_no_open_trade_gives_zero_counts_and_keeps_the_date():
    data = write_warnings_report(REFERENCE, [])
    assert schema_problems(data, Auth10600101) == []
    report = read_report(data)
    assert (report.reference_date, report.outstanding, report.warnings) == (REFERENCE, 0, ())
