"""Back-loading: the report that re-states an open trade under today's rules (issue 17).

When a regime adds a field or the firm goes live with a new standard, every open trade is
reported again as it stands: a modification (MODI) with event type UPDT, the CPMI-IOSCO /
EMIR Refit code for "an update of an outstanding derivative to the new standard" (allowed
with MODI under CFTC and EMIR: shared.domain.rules.combinations). The new event is the trade's
latest event with that action, the job's as-of time as its event timestamp and the job's
regimes; everything else is re-derived by the normal enrichment and rules, which is what a
new rule changes. It is deterministic: the same trade and job always give the same event, so
an interrupted job that runs again cannot report a trade twice (the store's idempotency key
holds it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from shared.domain.model import ActionType, EventType, TradeEvent

# what the latest event said about itself, not about the trade: re-derived for the new one
_EVENT_OWN = ("event_id", "event_date", "amendment_indicator", "reporting_timestamp",
              "event_timestamp_text", "message_id", "source")


def backload_event(latest: TradeEvent, *, as_of: datetime,
                   regimes: Sequence[str] = ()) -> TradeEvent:
    """The MODI / UPDT that re-reports the trade `latest` describes, as of `as_of`."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (UTC)")
    update: dict[str, Any] = dict.fromkeys(_EVENT_OWN)
    update.update(action_type=ActionType.MODI, event_type=EventType.UPDT,
                  event_timestamp=as_of, valuation=None)
    if regimes:
        update["regimes"] = list(regimes)
    return latest.model_copy(update=update, deep=True)


def progress(*, total: int, done: int, skipped: int, started_at: datetime | None,
             updated_at: datetime | None, status: str) -> dict[str, Any]:
    """What the console shows of a job: trades worked off of `total`, the rate it has run at
    (trades a second between its first and its latest batch) and when it would end at that
    rate; no rate before two moments are known, no ETA once it is not running or ready."""
    worked = done + skipped
    out: dict[str, Any] = {"worked": worked, "total": total,
                           "percent": round(100 * worked / total, 1) if total else 100.0,
                           "rate_per_s": None, "eta": None}
    if started_at is None or updated_at is None or worked == 0:
        return out
    seconds = (updated_at - started_at).total_seconds()
    if seconds <= 0:
        return out
    rate = worked / seconds
    out["rate_per_s"] = round(rate, 2)
    if status in ("ready", "running") and total > worked:
        out["eta"] = (updated_at + timedelta(seconds=(total - worked) / rate)).isoformat()
    return out
