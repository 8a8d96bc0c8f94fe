"""A validation issue: what the operations console shows for one broken rule on one record.

An issue names the rule (`SR-ID-004`), how bad it is (`reject` stops the report, `warn` is
shown but the report goes out), the field by its canonical path (`legs[0].notional.currency`),
the message in English and Korean, the regime it was judged under (None: every regime of the
event), and the offending value when it is safe to show (never a natural person's identifier).
Stored as one row of `validation_issues` (rule_id, severity, field, message, message_ko, regime).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

__all__ = ["MAX_VALUE_CHARS", "Issue", "Severity", "has_rejects", "shown_value"]

MAX_VALUE_CHARS = 80  # a UTI is at most 52; anything longer is cut so a row stays readable


class Severity(StrEnum):
    REJECT = "reject"  # the record is not reported until fixed
    WARN = "warn"  # reported as is; shown for review

    @property
    def ko(self) -> str:
        return "반려" if self is Severity.REJECT else "경고"


@dataclass(frozen=True)
class Issue:
    rule_id: str
    severity: Severity
    field: str | None
    message_en: str
    message_ko: str
    regime: str | None = None
    value: str | None = None  # the offending value as text, cut to MAX_VALUE_CHARS

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.REJECT

    def message(self, lang: str = "en") -> str:
        return self.message_ko if lang == "ko" else self.message_en

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "severity": self.severity.value, "field": self.field,
                "message_en": self.message_en, "message_ko": self.message_ko,
                "regime": self.regime, "value": self.value}

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        regime = f" ({self.regime})" if self.regime else ""
        return f"{self.rule_id} {self.severity.value}{where}{regime}: {self.message_en}"


def shown_value(value: object) -> str | None:
    """The value as a user sees it in a report file (dates ISO, decimals plain), cut to size."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value, "f")  # never 1E+9: amounts are read by people
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    elif hasattr(value, "value") and isinstance(value.value, str):  # enums: the code, not repr
        text = value.value
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def has_rejects(issues: Iterable[Issue]) -> bool:
    return any(issue.blocking for issue in issues)
