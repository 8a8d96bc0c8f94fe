"""Today's figures for the console's front page (`GET /api/stats`): cheap on any volume.

"Today" is what came in today: events created (received by ingest or the online API) on
today's local day, counted by their current state from `trade_events_tenant_received` (an
index-only range of one tenant's day; migration 0011). An FEP's T+1 file holds yesterday's
trades, so counting by event timestamp (as the volumes timeline does) showed an empty day
while the operations staff worked through that file. Late reports come from the partial
index `trade_events_late` restricted to deadlines falling today, and the at-risk count from
the same index over the monitor's at-risk window. No statement reads more than a day's worth
of one tenant's rows (the statements: `shared.adapters.db.reads.dashboard`)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from shared.adapters.db.reads import dashboard as db
from shared.platform import clock
from shared.services.reads.filters import DashboardQuery, StatsQuery
from shared.services.reads.stats import late_reports
from shared.services.reads.stats import period as stats_period
from shared.services.reads.volumes import NOT_COUNTED, acceptance_rate

# Funnel stages as cumulative sets of current states: an acked event was also valid and
# submitted. Cancelled and superseded events left the funnel (counted in by_state only).
PASSED_VALIDATION = ("valid", "reported", "submitted", "acked", "nacked")
SENT_TO_TR = ("submitted", "acked", "nacked")


def dashboard(conn: psycopg.Connection[Any], query: DashboardQuery, *,
              at_risk_window_s: int, today: date | None = None) -> dict[str, Any]:
    """Received / valid / submitted / acked / nacked events of today (received on the local
    day in `tz`, by their state now), late reports due today, and events at risk of missing
    their deadline."""
    day = today or clock.today(ZoneInfo(query.tz))
    period = StatsQuery(date_from=day, date_to=day, tz=query.tz)
    start, end = stats_period(period)
    by_state: dict[str, int] = {
        r["state"]: int(r["n"]) for r in db.received_by_state(conn, start, end)}
    acked, nacked = by_state.get("acked", 0), by_state.get("nacked", 0)
    late = late_reports(conn, period)
    at_risk = db.at_risk_count(conn, at_risk_window_s)
    return {
        "day": day.isoformat(), "tz": query.tz,
        "received": sum(n for state, n in by_state.items() if state not in NOT_COUNTED),
        "valid": sum(by_state.get(s, 0) for s in PASSED_VALIDATION),
        "invalid": by_state.get("invalid", 0),
        "submitted": sum(by_state.get(s, 0) for s in SENT_TO_TR),
        "acked": acked, "nacked": nacked,
        "acceptance_rate": acceptance_rate(acked, nacked),
        "late": late["acked_late"] + late["open_overdue"], "late_detail": late,
        "at_risk": int(at_risk), "at_risk_window_s": at_risk_window_s,
        "by_state": dict(sorted(by_state.items())),
    }
