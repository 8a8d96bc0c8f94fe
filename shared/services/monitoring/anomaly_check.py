"""Gathers the counts the anomaly judge (anomalies.py) needs, per tenant, for the last closed
5-minute window, and turns its findings into alerts.

Each window is judged once (`monitor_checks.last_window`); windows missed while the monitor
was down are not judged afterwards. Volume alerts clear when a later window is normal; a
rejection alert clears when its rule (or TR code) is seen again at a normal share (a file's
stays open until acknowledged: a finished file is not seen again).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from shared.services.alerts import raise_alert, resolve_alert
from shared.services.monitoring import anomalies as judge
from shared.services.monitoring.common import AlertSpec, bound
from shared.services.monitoring.settings import MonitorSettings

KST = timezone(timedelta(hours=9), "KST")  # business days are Korean ones (KRX first)

_VOLUME = """
SELECT e.tenant_id, w.start, count(*) AS n
FROM unnest(%(windows)s::timestamptz[]) AS w(start)
JOIN trade_events e ON e.created_at >= w.start AND e.created_at < w.start + interval '5 min'
GROUP BY 1, 2
"""

# Judged records per tenant and window; rejected ones by rule, by TR code, by source file.
_JUDGED = """
SELECT e.tenant_id, (e.validated_at >= %(window)s) AS current, count(*) AS n,
       count(*) FILTER (WHERE e.state IN ('invalid', 'nacked')) AS rejected
FROM trade_events e
WHERE e.validated_at >= %(since)s AND e.validated_at < %(window)s + interval '5 min'
GROUP BY 1, 2
"""
_BY_RULE = """
SELECT e.tenant_id, (e.validated_at >= %(window)s) AS current, i.rule_id AS subject,
       count(DISTINCT e.id) AS rejected
FROM trade_events e JOIN validation_issues i ON i.event_id = e.id AND i.severity = 'reject'
WHERE e.validated_at >= %(since)s AND e.validated_at < %(window)s + interval '5 min'
GROUP BY 1, 2, 3
"""
_BY_FILE = """
SELECT e.tenant_id, e.file_id, f.object_key, count(*) AS n,
       count(*) FILTER (WHERE e.state IN ('invalid', 'nacked')) AS rejected
FROM trade_events e JOIN ingest_files f ON f.id = e.file_id
WHERE e.validated_at >= %(window)s AND e.validated_at < %(window)s + interval '5 min'
GROUP BY 1, 2, 3
"""
_FEEDBACK = """
SELECT i.tenant_id, (f.feedback_at >= %(window)s) AS current, count(*) AS n,
       count(*) FILTER (WHERE i.status = 'nacked') AS rejected
FROM report_items i JOIN report_files f ON f.id = i.report_file_id
WHERE f.feedback_at >= %(since)s AND f.feedback_at < %(window)s + interval '5 min'
  AND i.status <> 'pending'
GROUP BY 1, 2
"""
_BY_CODE = """
SELECT i.tenant_id, (f.feedback_at >= %(window)s) AS current, code AS subject,
       count(*) AS rejected
FROM report_items i JOIN report_files f ON f.id = i.report_file_id
CROSS JOIN LATERAL unnest(string_to_array(i.tr_code, ',')) AS code
WHERE f.feedback_at >= %(since)s AND f.feedback_at < %(window)s + interval '5 min'
  AND i.status = 'nacked'
GROUP BY 1, 2, 3
"""


def check_anomalies(db, settings: MonitorSettings, *, window: datetime | None = None,
                    **_: Any) -> dict[str, Any]:
    """Judge the last closed window (or `window`) once; returns what was found."""
    with db.system() as conn:
        bound(conn, settings.check_timeout_s)
        now = conn.execute("SELECT now() AS now").fetchone()["now"]
        window = window or judge.last_closed_window(now)
        last = conn.execute("SELECT last_window FROM monitor_checks WHERE name = 'anomalies'"
                            " FOR UPDATE").fetchone()
        if last and last["last_window"] and last["last_window"] >= window:
            return {"window": window.isoformat(), "judged": False}
        tenants = {r["id"]: r["slug"] for r in conn.execute("SELECT id, slug FROM tenants")}
        findings = _judge(conn, window, tenants, settings)
        conn.execute(
            "INSERT INTO monitor_checks (name, last_window) VALUES ('anomalies', %s)"
            " ON CONFLICT (name) DO UPDATE SET last_window = EXCLUDED.last_window", (window,))
    return {"window": window.isoformat(), "judged": True, "findings": findings}


def _judge(conn, window: datetime, tenants: dict[Any, str],
           settings: MonitorSettings) -> list[str]:
    baseline = judge.baseline_windows(window, settings.anomaly_days, zone=KST)
    volumes: dict[Any, dict[datetime, int]] = {}
    for row in conn.execute(_VOLUME, {"windows": [window, *baseline]}):
        volumes.setdefault(row["tenant_id"], {})[row["start"]] = row["n"]
    params = {"window": window,
              "since": window - timedelta(days=settings.rejection_trailing_days)}
    rules, overall = _rates(conn, _JUDGED, _BY_RULE, params, "rule")
    codes, _ = _rates(conn, _FEEDBACK, _BY_CODE, params, "tr")
    files: dict[Any, dict[str, judge.Counts]] = {}
    names: dict[str, str] = {}
    for row in conn.execute(_BY_FILE, params):
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


def _rates(conn, totals_sql: str, subjects_sql: str, params: dict[str, Any],
           prefix: str) -> tuple[dict[Any, tuple[Side, Side]], dict[Any, judge.Counts]]:
    """Per tenant: (window, trailing) rejected counts per subject over the records judged in
    each; and the tenant's trailing rejected share over all subjects."""
    totals: dict[tuple[Any, bool], int] = {}
    overall: dict[Any, judge.Counts] = {}
    for row in conn.execute(totals_sql, params):
        totals[(row["tenant_id"], row["current"])] = row["n"]
        if not row["current"]:
            overall[row["tenant_id"]] = judge.Counts(row["rejected"], row["n"])
    rates: dict[Any, tuple[Side, Side]] = {}
    for row in conn.execute(subjects_sql, params):
        total = totals.get((row["tenant_id"], row["current"]), 0)
        side = rates.setdefault(row["tenant_id"], ({}, {}))[0 if row["current"] else 1]
        side[f"{prefix}:{row['subject']}"] = judge.Counts(row["rejected"], total)
    # A subject known from the trailing period but absent from a window with judged records
    # was seen at a share of 0 there (its alert clears).
    for (tenant, current), total in totals.items():
        if current and tenant in rates:
            window_side, trailing = rates[tenant]
            for subject in trailing:
                window_side.setdefault(subject, judge.Counts(0, total))
    return rates, overall


def _rejection_alerts(conn, tenant: Any, slug: str, window: datetime,
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


def _raise(conn, spec: AlertSpec) -> None:
    raise_alert(conn, tenant_id=spec.tenant_id, kind=spec.kind, severity=spec.severity,
                dedup_key=spec.dedup_key, summary=spec.summary, details=spec.details)
