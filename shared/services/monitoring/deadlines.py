"""Deadlines: per tenant, trades with an event not yet acknowledged whose reporting deadline
has passed (late, critical) or falls within the at-risk window (warning). Cancelled and
superseded events owe nothing; invalid and NACKed ones still do (they need repair before the
deadline). "Late" and "at risk" are defined once (shared.adapters.db.deadlines) and counted in
trades, as the dashboard's tiles and the trades list's `due` filter count them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.services.monitoring.common import AlertSpec, bound, publish
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database

KINDS = ("deadline.late", "deadline.at_risk")


def check_deadlines(db: Database, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    window_s = settings.at_risk_window_s
    with db.system() as conn:
        bound(conn, settings.check_timeout_s)
        groups = monitor_db.deadline_groups(conn, window_s=window_s,
                                            examples=settings.examples)
        states: dict[tuple[Any, bool], dict[str, int]] = {}
        for row in monitor_db.deadline_states(conn, window_s=window_s):
            states.setdefault((row["tenant_id"], row["late"]), {})[row["state"]] = row["n"]
        firing = [_alert(g, states.get((g["tenant_id"], g["late"]), {}), settings)
                  for g in groups]
        outcome = publish(conn, firing, KINDS)
    return {**outcome, "late": sum(g["n"] for g in groups if g["late"]),
            "at_risk": sum(g["n"] for g in groups if not g["late"])}


def _alert(group: dict[str, Any], states: dict[str, int], settings: MonitorSettings) -> AlertSpec:
    late, n, earliest = group["late"], group["n"], group["earliest"].isoformat()
    events = int(group["events"])
    by_state = ", ".join(f"{s} {c}" for s, c in sorted(states.items()))
    if late:
        summary = (f"{n} trade(s) past their reporting deadline and not acknowledged by the TR "
                   f"({events} event(s); earliest due {earliest}; {by_state}), "
                   f"e.g. {', '.join(group['examples'])}")
    else:
        hours = settings.at_risk_window_s / 3600
        summary = (f"{n} trade(s) due within {hours:g} h and not yet acknowledged "
                   f"({events} event(s); earliest due {earliest}; {by_state}), "
                   f"e.g. {', '.join(group['examples'])}")
    return AlertSpec(
        tenant_id=group["tenant_id"], kind=KINDS[0] if late else KINDS[1],
        severity="critical" if late else "warning",
        dedup_key="deadline:late" if late else "deadline:at-risk", summary=summary,
        details={"count": n, "events": events, "earliest_deadline": earliest,
                 "examples": group["examples"], "by_state": states, "tenant": group["slug"],
                 # what the console's translated message needs besides the counts
                 **({} if late else {"window_hours": settings.at_risk_window_s / 3600})})
