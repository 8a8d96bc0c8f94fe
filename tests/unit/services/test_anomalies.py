"""The anomaly judge on plain numbers: windows, business-day baselines, volume and rejections."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from shared.services.monitoring.anomalies import (
    Counts,
    RejectionThresholds,
    VolumeThresholds,
    baseline_windows,
    judge_rejections,
    judge_volume,
    last_closed_window,
    normal_subjects,
    window_start,
)

KST = timezone(timedelta(hours=9))


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


# -- windows ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("moment", "start"), [
    (at(20, 10, 0), at(20, 10, 0)),
    (at(20, 10, 4, 59), at(20, 10, 0)),
    (at(20, 10, 5), at(20, 10, 5)),
    (at(20, 23, 59, 59), at(20, 23, 55)),
])
def test_window_start_floors_to_five_minutes(moment, start):
    assert window_start(moment) == start


def test_the_last_closed_window_leaves_time_for_late_commits():
    assert last_closed_window(at(20, 10, 6, 30)) == at(20, 10, 0)  # 10:05 has not settled
    assert last_closed_window(at(20, 10, 5, 30)) == at(20, 9, 55)  # 10:00-10:05 closed 30 s ago


def test_baseline_windows_skip_weekends():
    # 2026-11-23 is a Monday: the previous five business days are Fri 20 .. Mon 16.
    windows = baseline_windows(at(23, 1, 0), 5)
    assert [w.day for w in windows] == [20, 19, 18, 17, 16]
    assert all(w.hour == 1 and w.minute == 0 for w in windows)


def test_baseline_windows_skip_holidays_given_by_a_calendar():
    holiday = date(2026, 11, 19)
    windows = baseline_windows(at(20, 1, 0), 3, lambda d: d.weekday() < 5 and d != holiday)
    assert [w.day for w in windows] == [18, 17, 16]


def test_business_days_are_judged_in_the_tenants_zone():
    # Sunday 23:00 UTC is Monday 08:00 in Seoul: a business day there, not in UTC.
    sunday_evening_utc = at(22, 23, 0)
    assert baseline_windows(at(23, 23, 0), 1) == [at(20, 23, 0)]  # UTC: Friday
    assert baseline_windows(at(23, 23, 0), 1, zone=KST) == [sunday_evening_utc]


def test_a_calendar_without_business_days_yields_no_baseline_instead_of_looping():
    assert baseline_windows(at(20, 1, 0), 5, lambda d: False) == []


# -- volume -------------------------------------------------------------------------------------

def test_a_drop_against_the_median_of_earlier_days():
    finding = judge_volume(40, [100, 110, 95, 105, 100])
    assert finding is not None and finding.kind == "volume_drop"
    assert finding.current == 40 and finding.baseline == 100
    assert "40 event(s)" in finding.describe() and "median of 100" in finding.describe()


def test_a_drop_to_zero_is_a_drop():
    finding = judge_volume(0, [50, 60, 55])
    assert finding is not None and finding.kind == "volume_drop"


def test_within_thresholds_is_no_finding():
    assert judge_volume(60, [100, 110, 95, 105, 100]) is None  # 60 % of the baseline
    assert judge_volume(290, [100, 110, 95, 105, 100]) is None  # 2.9x


def test_a_spike_at_three_times_the_baseline():
    finding = judge_volume(300, [100, 110, 95, 105, 100])
    assert finding is not None and finding.kind == "volume_spike"


def test_a_quiet_night_is_not_an_alarm():
    assert judge_volume(1, [5, 6, 4, 5, 5]) is None  # baseline below the minimum: no drop
    assert judge_volume(15, [1, 2, 1, 1, 2]) is None  # 10x, but below 3x the minimum baseline
    finding = judge_volume(60, [1, 2, 1, 1, 2])  # 3x the minimum baseline: a real burst
    assert finding is not None and finding.kind == "volume_spike"


def test_one_odd_day_does_not_move_the_median():
    # A month-end day with 1000 events would drag a mean to 280; the median stays at 100.
    assert judge_volume(45, [100, 1000, 100, 95, 105]).kind == "volume_drop"


def test_no_history_no_judgement():
    assert judge_volume(0, []) is None
    assert judge_volume(10_000, []) is None


def test_thresholds_are_configurable():
    strict = VolumeThresholds(drop_ratio=0.8, spike_ratio=1.5, min_baseline=5)
    assert judge_volume(75, [100, 100], strict).kind == "volume_drop"
    assert judge_volume(150, [100, 100], strict).kind == "volume_spike"
    assert judge_volume(3, [4, 4], strict) is None  # baseline 4 < 5


# -- rejections ---------------------------------------------------------------------------------

def test_a_rule_spiking_against_its_own_trailing_share():
    current = {"rule:SR-ID-001": Counts(30, 100), "rule:SR-CU-002": Counts(12, 100)}
    baseline = {"rule:SR-ID-001": Counts(20, 1000), "rule:SR-CU-002": Counts(100, 1000)}
    [finding] = judge_rejections(current, baseline)
    assert finding.subject == "rule:SR-ID-001" and finding.kind == "rejection_spike"
    assert finding.current == pytest.approx(0.30) and finding.baseline == pytest.approx(0.02)
    assert finding.count == 30
    assert "30 rejected, 30% of the window against a trailing 2.0%" in finding.describe()


def test_a_rule_never_seen_before_spikes_from_zero():
    [finding] = judge_rejections({"tr:TR-LC-001": Counts(25, 50)}, {})
    assert finding.baseline == 0.0 and finding.current == 0.5


def test_too_few_rejections_or_too_low_a_share_are_not_spikes():
    assert judge_rejections({"rule:A": Counts(9, 10)}, {}) == []  # 90 %, but only 9
    assert judge_rejections({"rule:A": Counts(15, 100)}, {}) == []  # 15 % < 20 %
    loose = RejectionThresholds(min_count=5, min_rate=0.1, spike_ratio=2)
    assert [f.subject for f in judge_rejections({"rule:A": Counts(9, 60)}, {}, loose)] == [
        "rule:A"]


def test_a_steady_high_share_is_not_a_spike():
    # A rule that always rejects a quarter of the records: bad, but not news.
    assert judge_rejections({"rule:A": Counts(25, 100)}, {"rule:A": Counts(250, 1000)}) == []


def test_files_are_judged_against_the_tenants_overall_share():
    current = {"file:f1": Counts(40, 100), "file:f2": Counts(12, 100)}
    findings = judge_rejections(current, Counts(50, 1000))  # tenant: 5 %
    assert [f.subject for f in findings] == ["file:f1"]  # f2: 12 % is below min_rate


def test_subjects_seen_normal_are_the_ones_whose_alerts_clear():
    current = {"rule:A": Counts(30, 100), "rule:B": Counts(1, 100), "rule:C": Counts(0, 0)}
    findings = judge_rejections(current, {})
    assert normal_subjects(current, findings) == {"rule:B"}
