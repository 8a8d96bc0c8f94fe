"""The figures of the console's front page (`GET /api/stats`): cheap on any volume.

Each figure has one definition, shared with the screen its tile links to, and a scope the
console names beside it (#14, item 3):

- today (the local day in `tz`, Asia/Seoul by default): the events received (created by
  ingest or the online API) on that day, by their state now; the volumes chart and the
  acceptance panel count by the same received day (migration 0013), so today's bar equals
  the tiles. An FEP's T+1 file holds yesterday's trades: counting by event timestamp showed an
  empty day while the operations staff worked through that file. Also today: the rows of the
  files received that day that could not be parsed (as the files list counts them).
- open now: trades with an event late or at risk, by the definition in
  `shared.adapters.db.deadlines`, which the monitor's deadline alerts and the trades list's
  `due` filter use too.

No statement reads more than a day's worth of one tenant's rows (the statements:
`shared.adapters.db.reads.dashboard`)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from shared.adapters.db.reads import dashboard as db
from shared.platform import clock
from shared.services.reads.filters import DashboardQuery, StatsQuery
from shared.services.reads.stats import period as stats_period
from shared.services.reads.volumes import NOT_COUNTED, acceptance_rate

# Funnel stages as cumulative sets of current states: an acked event was also valid and
# submitted. Cancelled and superseded events left the funnel (counted in by_state only).
PASSED_VALIDATION = ("valid", "reported", "submitted", "acked", "nacked")
SENT_TO_TR = ("submitted", "acked", "nacked")


def dashboard(conn: psycopg.Connection[Any], query: DashboardQuery, *,
              at_risk_window_s: int, today: date | None = None) -> dict[str, Any]:
    """Received / valid / submitted / acked / nacked events and parse errors of today
    (received on the local day in `tz`, by their state now); trades late or at risk now."""
    day = today or clock.today(ZoneInfo(query.tz))
    start, end = stats_period(StatsQuery(date_from=day, date_to=day, tz=query.tz))
    by_state: dict[str, int] = {
        r["state"]: int(r["n"]) for r in db.received_by_state(conn, start, end)}
    acked, nacked = by_state.get("acked", 0), by_state.get("nacked", 0)
    due = db.due_counts(conn, at_risk_window_s)
    return {
        "day": day.isoformat(), "tz": query.tz,
        "received": sum(n for state, n in by_state.items() if state not in NOT_COUNTED),
        "valid": sum(by_state.get(s, 0) for s in PASSED_VALIDATION),
        "invalid": by_state.get("invalid", 0),
        "submitted": sum(by_state.get(s, 0) for s in SENT_TO_TR),
        "acked": acked, "nacked": nacked,
        "acceptance_rate": acceptance_rate(acked, nacked),
        "parse_errors": db.parse_errors(conn, start, end),
        "late": due["late"], "at_risk": due["at_risk"], "at_risk_window_s": at_risk_window_s,
        "by_state": dict(sorted(by_state.items())),
    }
