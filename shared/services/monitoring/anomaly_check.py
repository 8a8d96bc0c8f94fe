"""Gathers the counts the anomaly judge (anomalies.py) needs, per tenant, for the last closed
5-minute window, and turns its findings into alerts.

Each window is judged once (`monitor_checks.last_window`); windows missed while the monitor
was down are not judged afterwards. Volume alerts clear when a later window is normal; a
rejection alert clears when its rule (or TR code) is seen again at a normal share (a file's
stays open until acknowledged: a finished file is not seen again).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.adapters.db import tenants as tenants_db
from shared.services.monitoring import anomalies as judge
from shared.services.monitoring.alerts import raise_alert, resolve_alert
from shared.services.monitoring.common import AlertSpec, bound
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    import psycopg

    from shared.services.ports import Database

KST = timezone(timedelta(hours=9), "KST")  # business days are Korean ones (KRX first)


def check_anomalies(db: Database, settings: MonitorSettings, *, window: datetime | None = None,
                    **_: Any) -> dict[str, Any]:
    """Judge the last closed window (or `window`) once; returns what was found."""
    with db.system() as conn:
        bound(conn, settings.check_timeout_s)
        now = monitor_db.database_now(conn)
        window = window or judge.last_closed_window(now)
        last = monitor_db.lock_anomaly_window(conn)
        if last and last >= window:
            return {"window": window.isoformat(), "judged": False}
        tenants = {r["id"]: r["slug"] for r in tenants_db.every(conn)}
        findings = _judge(conn, window, tenants, settings)
        monitor_db.save_anomaly_window(conn, window)
    return {"window": window.isoformat(), "judged": True, "findings": findings}


def _judge(conn: psycopg.Connection[Any], window: datetime, tenants: dict[Any, str],
           settings: MonitorSettings) -> list[str]:
    baseline = judge.baseline_windows(window, settings.anomaly_days, zone=KST)
    volumes: dict[Any, dict[datetime, int]] = {}
    for row in monitor_db.event_volumes(conn, [window, *baseline]):
        volumes.setdefault(row["tenant_id"], {})[row["start"]] = row["n"]
    since = window - timedelta(days=settings.rejection_trailing_days)
    rules, overall = _rates(conn, monitor_db.judged_events, monitor_db.rejections_by_rule,
                            window, since, "rule")
    codes, _ = _rates(conn, monitor_db.tr_verdicts, monitor_db.nacks_by_code, window, since,
                      "tr")
    files: dict[Any, dict[str, judge.Counts]] = {}
    names: dict[str, str] = {}
    for row in monitor_db.rejections_by_file(conn, window=window):
        subject = f"file:{row['file_id']}"
        files.setdefault(row["tenant_id"], {})[subject] = judge.Counts(row["rejected"], row["n"])
        names[subject] = row["object_key"]

    found = []
    for tenant, slug in tenants.items():
        counts = volumes.get(tenant, {})
        verdict = judge.judge_volume(counts.get(window, 0), [counts.get(w, 0) for w in baseline],
                                     settings.volume)
        for kind in ("volume_drop", "volume_spike"):
            key = f"anomaly:{kind.replace('_', '-')}"
            if verdict and verdict.kind == kind:
                _raise(conn, AlertSpec(
                    tenant, f"anomaly.{kind}", "warning", key,
                    f"{slug}: {verdict.describe()} (window {window:%Y-%m-%d %H:%M} UTC)",
                    {"window": window.isoformat(), "current": verdict.current,
                     "baseline": verdict.baseline, "baseline_windows": len(baseline)}))
                found.append(f"{slug}:{kind}")
            else:
                resolve_alert(conn, tenant_id=tenant, dedup_key=key)
        for current, trailing in (rules.get(tenant, ({}, {})), codes.get(tenant, ({}, {}))):
            findings = judge.judge_rejections(current, trailing, settings.rejections)
            found += _rejection_alerts(conn, tenant, slug, window, findings, names)
            for subject in judge.normal_subjects(current, findings):
                resolve_alert(conn, tenant_id=tenant, dedup_key=f"anomaly:rejections:{subject}")
        findings = judge.judge_rejections(files.get(tenant, {}),
                                          overall.get(tenant, judge.Counts(0, 0)),
                                          settings.rejections)
        found += _rejection_alerts(conn, tenant, slug, window, findings, names)
    return found


Side = dict[str, judge.Counts]
Counting = Callable[..., list[dict[str, Any]]]  # a monitor_db count (window=, since=)


def _rates(conn: psycopg.Connection[Any], totals: Counting, subjects: Counting,
           window: datetime, since: datetime, prefix: str
           ) -> tuple[dict[Any, tuple[Side, Side]], dict[Any, judge.Counts]]:
    """Per tenant: (window, trailing) rejected counts per subject over the records judged in
    each (`totals` counts the records, `subjects` the rejections per subject); and the
    tenant's trailing rejected share over all subjects."""
    judged: dict[tuple[Any, bool], int] = {}
    overall: dict[Any, judge.Counts] = {}
    for row in totals(conn, window=window, since=since):
        judged[(row["tenant_id"], row["current"])] = row["n"]
        if not row["current"]:
            overall[row["tenant_id"]] = judge.Counts(row["rejected"], row["n"])
    rates: dict[Any, tuple[Side, Side]] = {}
    for row in subjects(conn, window=window, since=since):
        total = judged.get((row["tenant_id"], row["current"]), 0)
        side = rates.setdefault(row["tenant_id"], ({}, {}))[0 if row["current"] else 1]
        side[f"{prefix}:{row['subject']}"] = judge.Counts(row["rejected"], total)
    # A subject known from the trailing period but absent from a window with judged records
    # was seen at a share of 0 there (its alert clears).
    for (tenant, current), total in judged.items():
        if current and tenant in rates:
            window_side, trailing = rates[tenant]
            for subject in trailing:
                window_side.setdefault(subject, judge.Counts(0, total))
    return rates, overall


def _rejection_alerts(conn: psycopg.Connection[Any], tenant: Any, slug: str, window: datetime,
                      findings: list[judge.Finding], names: dict[str, str]) -> list[str]:
    found = []
    for finding in findings:
        label = names.get(finding.subject, finding.subject)
        what = f"file {label}" if finding.subject.startswith("file:") else finding.subject
        _raise(conn, AlertSpec(
            tenant, "anomaly.rejection_spike", "warning",
            f"anomaly:rejections:{finding.subject}",
            f"{slug}: rejection spike for {what}: {finding.count} rejected, "
            f"{finding.current:.0%} of the records judged in the window "
            f"{window:%Y-%m-%d %H:%M} UTC against a trailing {finding.baseline:.1%}",
            {"window": window.isoformat(), "subject": finding.subject, "name": label,
             "rejected": finding.count, "share": round(finding.current, 4),
             "trailing_share": round(finding.baseline, 4)}))
        found.append(f"{slug}:{finding.subject}")
    return found


def _raise(conn: psycopg.Connection[Any], spec: AlertSpec) -> None:
    raise_alert(conn, tenant_id=spec.tenant_id, kind=spec.kind, severity=spec.severity,
                dedup_key=spec.dedup_key, summary=spec.summary, details=spec.details)
