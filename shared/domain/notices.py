"""Drafts of the regulator notification when errors cannot be corrected in time (issue 17).

Pure text from facts (`NoticeFacts`); an operator reviews, completes and sends it: the system
never sends it itself. Two shapes:

- CFTC (Part 45): when errors cannot be corrected within seven business days of discovery,
  the reporting counterparty tells the Director of the Division of Market Oversight in
  writing within 12 hours, with an initial assessment of the scope of the errors and an
  initial remediation plan where one exists (17 CFR 45.14(a)(1), as `regimes.py` cites it;
  no-action letter 25-25 waives the notice for errors of 5 % or less of an asset class's open
  swaps, which this draft cannot judge and says so).
- EMIR and UK EMIR: the notification of errors and omissions to the competent authority
  (ITS 2022/1860 Art. 9(1): misreporting from flaws in the reporting systems affecting a
  significant number of reports, reporting obstacles, significant errors a TR would not
  reject; ESMA's Guidelines on reporting, section 4.29). ESMA publishes the template as the
  "Notifications_Template" sheet of its EMIR validation rules workbook, with no form number;
  the headings below follow the information the Guidelines ask for (type of error or
  omission, date of occurrence and of discovery, scope of the affected reports, reasons,
  steps taken, timeline), not the sheet's exact cells. Significance (Guidelines para. 392)
  needs the twelve months' submission count and is left to the operator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

CFTC_REGIMES = frozenset({"cftc-part45", "cftc-part43"})
EMIR_REGIMES = frozenset({"emir", "uk-emir"})
PLACEHOLDER = "[to be completed]"


@dataclass(frozen=True)
class NoticeFacts:
    regime: str
    regime_name: str
    firm: str  # the reporting counterparty's name (and LEI where known)
    prepared_at: datetime
    errors_by_kind: Mapping[str, int]  # e.g. {"missing_at_tr": 3, "nack": 1}
    utis: Sequence[str]  # the affected UTIs (open clocks)
    first_discovered: datetime | None
    earliest_due: datetime | None
    late: int  # clocks past their due
    at_risk: int
    zone: tzinfo  # the regime's zone, for the dates shown
    reason: str = ""  # why it cannot be corrected in time (the operator's words)
    plan: str = ""  # the remediation plan
    expected: str = ""  # the expected completion date
    verification_ids: Sequence[int] = field(default_factory=tuple)


_KIND_TEXT = {
    "missing_at_tr": "open in our books but not open at the trade repository",
    "open_at_tr": "terminated or cancelled in our books but still open at the trade repository",
    "at_tr_only": "open at the trade repository but not in our books",
    "field_differs": "held by the trade repository with values that differ from our books",
    "field_mismatch": "not matching the other counterparty's report in matching fields",
    "nack": "rejected by the trade repository and not yet accepted",
}


def _when(value: datetime | None, zone: tzinfo) -> str:
    if value is None:
        return PLACEHOLDER
    return value.astimezone(zone).strftime(f"%Y-%m-%d %H:%M ({zone})")


def _scope(facts: NoticeFacts) -> list[str]:
    total = sum(facts.errors_by_kind.values())
    lines = [f"{len(set(facts.utis))} swap(s) affected by {total} error(s)"
             + (f" ({facts.late} past the correction period, {facts.at_risk} at risk)"
                if facts.late or facts.at_risk else "") + ":"]
    lines += [f"  - {n} {_KIND_TEXT.get(kind, kind)}"
              for kind, n in sorted(facts.errors_by_kind.items())]
    shown = list(facts.utis[:20])
    if shown:
        more = len(facts.utis) - len(shown)
        lines.append("  UTIs: " + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    return lines


def _or_placeholder(text: str) -> str:
    return text.strip() or PLACEHOLDER


def draft(facts: NoticeFacts) -> dict[str, str]:
    """{"kind", "title", "addressee", "text"}: the draft for the facts' regime."""
    if facts.regime in CFTC_REGIMES:
        return _cftc(facts)
    return _emir(facts)


def _cftc(facts: NoticeFacts) -> dict[str, str]:
    title = "Notice of errors in swap data that cannot be corrected within seven business days"
    found = (f"Verification run(s) {', '.join(str(i) for i in facts.verification_ids)}"
             if facts.verification_ids else "Our reconciliation and the SDR's feedback")
    lines = [
        "To: Director, Division of Market Oversight, Commodity Futures Trading Commission",
        f"From: {facts.firm}",
        f"Date: {_when(facts.prepared_at, facts.zone)}",
        f"Re: {title} (17 CFR 45.14(a)(1)), {facts.regime_name}",
        "",
        "1. What the errors are",
        *_scope(facts),
        "",
        "2. When they were found",
        f"  {found} first found them on {_when(facts.first_discovered, facts.zone)}; the "
        f"earliest seven-business-day correction period ends "
        f"{_when(facts.earliest_due, facts.zone)}.",
        "",
        "3. Why they cannot be corrected within seven business days",
        f"  {_or_placeholder(facts.reason)}",
        "",
        "4. Initial remediation plan",
        f"  {_or_placeholder(facts.plan)}",
        "",
        "5. Expected date of correction",
        f"  {_or_placeholder(facts.expected)}",
        "",
        "Note: the notice is due within 12 hours of determining that the errors cannot be "
        "corrected in time. CFTC no-action letter 25-25 relieves errors affecting 5 % or less "
        "of the open swaps of an asset class; confirm before relying on it.",
    ]
    return {"kind": "cftc_notice", "title": title,
            "addressee": "CFTC Division of Market Oversight", "text": "\n".join(lines)}


def _emir(facts: NoticeFacts) -> dict[str, str]:
    title = "Notification of errors and omissions in reporting"
    emir = facts.regime in EMIR_REGIMES
    authority = "the FCA" if facts.regime == "uk-emir" else "the competent authority"
    lines = [
        f"To: {authority}",
        f"From: {facts.firm} (entity responsible for reporting)",
        f"Date: {_when(facts.prepared_at, facts.zone)}",
        f"Re: {title}, {facts.regime_name}"
        + (" (ITS 2022/1860 Art. 9; ESMA Guidelines on reporting, section 4.29)" if emir
           else " (no notice form is prescribed for this regime: unverified)"),
        "",
        "Type of error or omission",
        "  Misreporting in reports already submitted (Art. 9(1)(a) or (c): to be confirmed "
        "against the significance test)",
        "",
        "Date of occurrence and of discovery",
        f"  Occurred: {PLACEHOLDER}; discovered: {_when(facts.first_discovered, facts.zone)}",
        "",
        "Scope of the affected reports",
        *_scope(facts),
        "",
        "Reasons for the error or omission",
        f"  {_or_placeholder(facts.reason)}",
        "",
        "Steps taken or planned to resolve it",
        f"  {_or_placeholder(facts.plan)}",
        "",
        "Timeline for resolution and correction",
        f"  {_or_placeholder(facts.expected)}",
        "",
        "Note: ESMA's template is the Notifications_Template sheet of its EMIR validation "
        "rules; transfer these facts into it. Significance (Guidelines para. 392) needs the "
        "last twelve months' submissions.",
    ]
    return {"kind": "emir_notification" if emir else "notification", "title": title,
            "addressee": authority, "text": "\n".join(lines)}
