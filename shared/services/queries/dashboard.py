"""Today's figures for the console's front page (`GET /api/stats`): cheap on any volume.

Counts come from the rollup counters of today's local day (events by their event timestamp,
like the volumes timeline: a few dozen counter rows), late reports from the partial index
`trade_events_late` restricted to deadlines falling today, and the at-risk count from the same
index over the monitor's at-risk window. No statement reads more than a day's worth of rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from shared.services.queries.filters import DashboardQuery, StatsQuery
from shared.services.queries.stats import late_reports, volumes

# Funnel stages as cumulative sets of current states: an acked event was also valid and
# submitted. Cancelled and superseded events left the funnel (counted in by_state only).
PASSED_VALIDATION = ("valid", "reported", "submitted", "acked", "nacked")
SENT_TO_TR = ("submitted", "acked", "nacked")

# Not acknowledged yet, deadline ahead but within the window. The conditions imply the
# predicate of trade_events_late, so this is an index-only range scan of the window.
_AT_RISK = """
SELECT count(*) AS n FROM trade_events e
WHERE e.tenant_id = app.current_tenant() AND e.deadline_at IS NOT NULL
  AND e.state NOT IN ('acked', 'cancelled', 'superseded')
  AND e.deadline_at >= now() AND e.deadline_at < now() + make_interval(secs => %s)
"""


def dashboard(conn: psycopg.Connection[Any], query: DashboardQuery, *,
              at_risk_window_s: int, today: date | None = None) -> dict[str, Any]:
    """Received / valid / submitted / acked / nacked events of today (event timestamp's local
    day in `tz`), late reports due today, and events at risk of missing their deadline."""
    day = today or datetime.now(ZoneInfo(query.tz)).date()
    period = StatsQuery(date_from=day, date_to=day, tz=query.tz)
    totals = volumes(conn, period)["totals"]
    by_state: dict[str, int] = totals["by_state"]
    late = late_reports(conn, period)
    at_risk = conn.execute(_AT_RISK, (at_risk_window_s,), prepare=False).fetchone()["n"]
    return {
        "day": day.isoformat(), "tz": query.tz,
        "received": totals["total"],
        "valid": sum(by_state.get(s, 0) for s in PASSED_VALIDATION),
        "invalid": by_state.get("invalid", 0),
        "submitted": sum(by_state.get(s, 0) for s in SENT_TO_TR),
        "acked": totals["acked"], "nacked": totals["nacked"],
        "acceptance_rate": totals["acceptance_rate"],
        "late": late["acked_late"] + late["open_overdue"], "late_detail": late,
        "at_risk": int(at_risk), "at_risk_window_s": at_risk_window_s,
        "by_state": by_state,
    }
