"""Anomaly judgement over 5-minute windows (pure: numbers in, findings out; SQL gathers them).

- Volume: events received by a tenant in the last closed window against the same clock window
  on the previous N business days. The baseline is the median of those windows (one odd day,
  a month-end or a holiday that the weekday rule missed, does not move it). A drop needs a
  baseline of at least `min_baseline` events, so a quiet night (2 events instead of 5) is not
  an alarm; a spike needs the window to exceed `spike_ratio` times the baseline *and* times
  `min_baseline`, so 6 events after a baseline of 1 is not one either.
- Rejections: the share of judged records rejected (invalid by a rule, or NACKed by the TR
  with a code) per rule and per source file in the window, against the tenant's trailing
  share. A finding needs at least `min_count` rejections in the window, a share of at least
  `min_rate`, and `spike_ratio` times the trailing share.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

WINDOW = timedelta(minutes=5)


def window_start(at: datetime) -> datetime:
    """The start of the 5-minute window holding `at`."""
    return at.replace(minute=at.minute - at.minute % 5, second=0, microsecond=0)


def last_closed_window(now: datetime, settle: timedelta = timedelta(seconds=60)) -> datetime:
    """The latest window that ended at least `settle` ago (late commits have landed)."""
    return window_start(now - settle) - WINDOW


def weekday(day: date) -> bool:
    return day.weekday() < 5


def baseline_windows(window: datetime, days: int,
                     is_business_day: Callable[[date], bool] = weekday,
                     zone: tzinfo | None = None) -> list[datetime]:
    """The same clock window on each of the previous `days` business days, latest first.
    The business day is the date in `zone` (a Seoul morning is the previous UTC evening)."""
    found: list[datetime] = []
    day = window
    while len(found) < days:
        day -= timedelta(days=1)
        if is_business_day((day.astimezone(zone) if zone else day).date()):
            found.append(day)
        if (window - day).days > days * 7 + 14:  # a calendar with no business days at all
            break
    return found


@dataclass(frozen=True)
class VolumeThresholds:
    drop_ratio: float = 0.5  # a window at or below half the baseline is a drop
    spike_ratio: float = 3.0  # a window at or above three times the baseline is a spike
    min_baseline: float = 20.0  # events per window below which a drop is not judged


@dataclass(frozen=True)
class RejectionThresholds:
    min_count: int = 10  # rejections in the window before anything is judged
    min_rate: float = 0.2  # a share below this is never a spike
    spike_ratio: float = 3.0  # times the trailing share


@dataclass(frozen=True)
class Counts:
    rejected: int
    total: int

    @property
    def rate(self) -> float:
        return self.rejected / self.total if self.total else 0.0


@dataclass(frozen=True)
class Finding:
    kind: str  # volume_drop | volume_spike | rejection_spike
    subject: str  # "volume", "rule:<id>", "tr:<code>", "file:<id>"
    current: float  # events in the window, or the rejected share
    baseline: float  # median events, or the trailing share
    count: int = 0  # rejections behind a rejection finding

    def describe(self) -> str:
        if self.kind == "volume_drop":
            return (f"volume drop: {self.current:g} event(s) in the window against a median of "
                    f"{self.baseline:g} on earlier business days")
        if self.kind == "volume_spike":
            return (f"volume spike: {self.current:g} event(s) in the window against a median of "
                    f"{self.baseline:g} on earlier business days")
        return (f"rejection spike for {self.subject}: {self.count} rejected, "
                f"{self.current:.0%} of the window against a trailing {self.baseline:.1%}")


def judge_volume(current: int, history: Sequence[int],
                 thresholds: VolumeThresholds = VolumeThresholds()) -> Finding | None:
    """A drop or spike of `current` against `history` (the same window on earlier days)."""
    if not history:
        return None  # no earlier business day known yet: nothing to compare with
    baseline = float(statistics.median(history))
    if baseline >= thresholds.min_baseline and current <= baseline * thresholds.drop_ratio:
        return Finding("volume_drop", "volume", current, baseline)
    floor = max(baseline, thresholds.min_baseline)
    if current >= floor * thresholds.spike_ratio:
        return Finding("volume_spike", "volume", current, baseline)
    return None


def judge_rejections(current: Mapping[str, Counts], baseline: Mapping[str, Counts] | Counts,
                     thresholds: RejectionThresholds = RejectionThresholds()) -> list[Finding]:
    """Subjects whose rejected share spiked. `baseline` is per subject (a rule's own trailing
    share) or one `Counts` for every subject (a new file against the tenant's share)."""
    findings = []
    for subject in sorted(current):
        counts = current[subject]
        if counts.rejected < thresholds.min_count or counts.rate < thresholds.min_rate:
            continue
        base = baseline if isinstance(baseline, Counts) else baseline.get(subject, Counts(0, 0))
        if counts.rate >= base.rate * thresholds.spike_ratio:
            findings.append(Finding("rejection_spike", subject, counts.rate, base.rate,
                                    counts.rejected))
    return findings


def normal_subjects(current: Mapping[str, Counts], findings: Sequence[Finding]) -> set[str]:
    """Subjects seen in the window (with records) that did not spike: their alerts clear."""
    spiked = {f.subject for f in findings}
    return {s for s, c in current.items() if c.total and s not in spiked}
