"""A CFTC SDR's open swaps report: every open swap the SDR holds for one reporting
counterparty, for its verification (17 CFR 45.14(a): verify the SDR's data against its books
"utilizing the verification mechanism" the SDR provides; 17 CFR 49.11: each SDR gives each
reporting counterparty a way to verify its open swaps, e.g. an open swaps report, in a form
the SDR chooses). The CFTC prescribes no layout, so this is ours, documented in
docs/TR-SIMULATOR.md ("The CFTC open swaps report"):

    {"reportType": "OpenSwapsReport", "asOfDate": "2026-11-22",
     "reportingCounterparty": "<LEI>", "recordCount": N,
     "openSwaps": [{"uniqueTransactionIdentifier": ..., "actionType": ..., ...}, ...]}

Each record uses the CFTC Technical Specification (v3.x) data element names our Part 45 writer
uses (shared/formats/writers/cftc.py, DRR's spelling): the latest action and event timestamp
the SDR accepted, the counterparties, execution / effective / expiration / early termination
dates, the UPI and platform, per leg the notional, its currency and the fixed rate (a decimal:
0.0325 is 3.25 %), and the SDR's own receipt time (`sdrReceiptTimestamp`). A real SDR may
name some of them differently: `OpenSwapsFields` maps each to its path (dots for nesting,
e.g. "leg1.notionalAmount"); the tr-reports stage's setting `cftc_open_swaps_fields` (a JSON
object of the names to change) overrides our defaults.

`read_open_swaps` gives the same domain objects as the auth.107 trade state report
(`StateReport` of `TrTrade`, the values under `matching.FIELDS` keys in the TR's text forms),
so verification and the breaks compare it unchanged. A record that cannot be read (not an
object, no UTI, listed twice) is named in `problems`, the others load; a value of the wrong
form is named there too, and its swap loads without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.domain.reconciliation import TrTrade
from shared.formats.tr_reports.common import (
    TrReportError,
    amount_text,
    parse_date,
    parse_timestamp,
    utc_text,
)
from shared.formats.tr_reports.state_report import StateReport
from shared.formats.writers.cftc import dumps
from shared.formats.writers.derive import decimal_text

REPORT_TYPE = "OpenSwapsReport"
MAX_FIELD_PATH = 100
# Part 45 knows no position-level reports: every swap the SDR holds is a transaction.
PART45_LEVEL = "TCTN"


@dataclass(frozen=True)
class OpenSwapsFields:
    """Where each value is in one record (dots for nesting); the defaults are the Technical
    Specification names our Part 45 writer uses."""

    uti: str = "uniqueTransactionIdentifier"
    action: str = "actionType"
    event_timestamp: str = "eventTimestamp"
    counterparty1: str = "counterparty1"
    counterparty2: str = "counterparty2"
    execution_timestamp: str = "executionTimestamp"
    effective_date: str = "effectiveDate"
    expiration_date: str = "expirationDate"
    early_termination_date: str = "earlyTerminationDate"
    upi: str = "uniqueProductIdentifier"
    platform: str = "platformIdentifier"
    leg1_notional: str = "leg1.notionalAmount"
    leg1_currency: str = "leg1.notionalCurrency"
    leg1_fixed_rate: str = "leg1.fixedRate"
    leg2_notional: str = "leg2.notionalAmount"
    leg2_currency: str = "leg2.notionalCurrency"
    leg2_fixed_rate: str = "leg2.fixedRate"
    received_at: str = "sdrReceiptTimestamp"

    @classmethod
    def from_setting(cls, value: str | Mapping[str, Any] | None) -> OpenSwapsFields:
        """Our defaults with the names a setting changes (a JSON object or a mapping:
        {"leg1_notional": "notionalAmountLeg1", ...}); ValueError naming the bad entry."""
        if value in (None, ""):
            return cls()
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise ValueError(f"cftc_open_swaps_fields: not JSON: {exc}") from exc
        if not isinstance(value, Mapping):
            raise ValueError("cftc_open_swaps_fields: expected a JSON object "
                             '{"<field>": "<name in the SDR\'s report>"}')
        known = {f.name for f in fields(cls)}
        changes = {}
        for name, path in value.items():
            if name not in known:
                raise ValueError(f"cftc_open_swaps_fields: unknown field {name!r}; known: "
                                 f"{', '.join(sorted(known))}")
            if not isinstance(path, str) or not path.strip() or len(path) > MAX_FIELD_PATH:
                raise ValueError(f"cftc_open_swaps_fields[{name!r}]: a name of 1 to "
                                 f"{MAX_FIELD_PATH} characters")
            changes[name] = path.strip()
        return replace(cls(), **changes)


DEFAULT_FIELDS = OpenSwapsFields()


def is_open_swaps_report(body: bytes) -> bool:
    """A JSON document (the open swaps report), as against the EMIR reports' XML."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


# -- writing (the TR simulator) ---------------------------------------------------------------


@dataclass(frozen=True)
class HeldSwap:
    """What an SDR holds of one open swap: the latest full Part 45 report it accepted (our
    writer's JSON object), the action of the latest report it accepted and when."""

    report: Mapping[str, Any]
    last_action: str
    received_at: str  # ISO 8601 UTC


def _get(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _put(record: dict[str, Any], path: str, value: Any) -> None:
    if value is None:
        return
    *parents, last = path.split(".")
    for part in parents:
        record = record.setdefault(part, {})
    record[last] = value


def write_open_swaps(reference_date: date, reporting_counterparty: str,
                     held: Iterable[HeldSwap], names: OpenSwapsFields = DEFAULT_FIELDS) -> bytes:
    """The report of every held swap, in the order given."""
    swaps = []
    for swap in held:
        record: dict[str, Any] = {}
        own = {"action": swap.last_action, "received_at": swap.received_at}
        for spec in fields(OpenSwapsFields):
            value = own[spec.name] if spec.name in own \
                else _get(swap.report, getattr(DEFAULT_FIELDS, spec.name))
            _put(record, getattr(names, spec.name), value)
        swaps.append(record)
    return dumps({"reportType": REPORT_TYPE, "asOfDate": reference_date.isoformat(),
                  "reportingCounterparty": reporting_counterparty,
                  "recordCount": len(swaps), "openSwaps": swaps}).encode()


# -- reading (the tr-reports stage) -------------------------------------------------------------


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _values(record: Mapping[str, Any], names: OpenSwapsFields) -> tuple[dict[str, str],
                                                                        list[str]]:
    """The matching fields (EMIR keys, the TR's text forms) and the values of a wrong form."""
    values: dict[str, str] = {"Lvl": PART45_LEVEL}
    wrong: list[str] = []
    for key, attr in (("FctvDt", "effective_date"), ("XprtnDt", "expiration_date"),
                      ("EarlyTermntnDt", "early_termination_date")):
        raw = _get(record, getattr(names, attr))
        if raw is None:
            continue
        day = parse_date(raw) if isinstance(raw, str) else None
        if day is None:
            wrong.append(f"{getattr(names, attr)} {raw!r} is not a date (YYYY-MM-DD)")
        else:
            values[key] = day.isoformat()
    execution = _get(record, names.execution_timestamp)
    if execution is not None:
        moment = parse_timestamp(execution) if isinstance(execution, str) else None
        if moment is None:
            wrong.append(f"{names.execution_timestamp} {execution!r} is not a timestamp")
        else:
            values["ExctnTmStmp"] = utc_text(moment)
    for key, attr in (("UnqPdctIdr", "upi"), ("PltfmIdr", "platform")):
        text = _text(_get(record, getattr(names, attr)))
        if text:
            values[key] = text
    for leg, notional_key, rate_key in ((1, "NtnlAmtFrstLeg", "IntrstFxdRateFrstLeg"),
                                        (2, "NtnlAmtScndLeg", "IntrstRateFxdScndLeg")):
        amount_path = getattr(names, f"leg{leg}_notional")
        raw = _get(record, amount_path)
        if raw is not None:
            amount = _number(raw)
            if amount is None:
                wrong.append(f"{amount_path} {raw!r} is not a number")
            else:
                text = amount_text(amount, _text(_get(record, getattr(names,
                                                                  f"leg{leg}_currency"))))
                if text:
                    values[notional_key] = text
        rate_path = getattr(names, f"leg{leg}_fixed_rate")
        raw = _get(record, rate_path)
        if raw is not None:
            rate = _number(raw)
            if rate is None:
                wrong.append(f"{rate_path} {raw!r} is not a number")
            else:  # a decimal (0.0325) in Part 45; the TR's matching text is in percent
                values[rate_key] = decimal_text((rate * 100).normalize()) if rate else "0"
    return values, wrong


def read_open_swaps(body: bytes, names: OpenSwapsFields = DEFAULT_FIELDS) -> StateReport:
    """The open swaps report's contents (see the module docstring); TrReportError when the
    document as a whole cannot be read."""
    try:
        document = json.loads(body.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise TrReportError(f"open swaps report: not readable JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("reportType") != REPORT_TYPE:
        raise TrReportError(f'open swaps report: expected a JSON object with "reportType": '
                            f'"{REPORT_TYPE}"')
    swaps = document.get("openSwaps")
    if not isinstance(swaps, list):
        raise TrReportError('open swaps report: "openSwaps" is missing or not a list')
    declared = document.get("recordCount")
    if isinstance(declared, bool) or not isinstance(declared, int):
        raise TrReportError('open swaps report: "recordCount" is missing or not an integer')
    if declared != len(swaps):
        raise TrReportError(f'open swaps report: "recordCount" says {declared} but the report '
                            f"holds {len(swaps)} swap(s)")
    raw_day = document.get("asOfDate")
    reference = parse_date(raw_day) if isinstance(raw_day, str) else None
    if raw_day is not None and reference is None:
        raise TrReportError(f'open swaps report: "asOfDate" {raw_day!r} is not a date '
                            "(YYYY-MM-DD)")
    trades, problems, seen = [], [], set()
    for position, record in enumerate(swaps, start=1):
        where = f"openSwaps[{position}]"
        if not isinstance(record, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        uti = _text(_get(record, names.uti))
        if uti is None:
            problems.append(f"{where}: no UTI ({names.uti})")
            continue
        if uti in seen:
            problems.append(f"{where}: UTI {uti} is listed twice; the first is kept")
            continue
        values, wrong = _values(record, names)
        received_raw = _get(record, names.received_at)
        received = parse_timestamp(received_raw) if isinstance(received_raw, str) else None
        if received_raw is not None and received is None:
            wrong.append(f"{names.received_at} {received_raw!r} is not a timestamp")
        event_raw = _get(record, names.event_timestamp)
        if event_raw is not None and (not isinstance(event_raw, str)
                                      or parse_timestamp(event_raw) is None):
            wrong.append(f"{names.event_timestamp} {event_raw!r} is not a timestamp")
        if wrong:  # the swap is open at the SDR all the same: kept, without those values
            problems.append(f"{where} (UTI {uti}): {'; '.join(wrong)}")
        seen.add(uti)
        trades.append(TrTrade(
            uti=uti, last_action=_text(_get(record, names.action)), level=PART45_LEVEL,
            reporting_counterparty=_text(_get(record, names.counterparty1))
            or _text(document.get("reportingCounterparty")),
            other_counterparty=_text(_get(record, names.counterparty2)),
            received_at=received, values=values))
    return StateReport(reference, tuple(trades), tuple(problems))
