"""Folding per-bucket counts into the stats answer (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# As app.rollup_keys (migration 0008) counts: every event by state; all but a repaired
# event's replaced version by asset class ('none' if unknown), action type and regime
# ('default' when the event names none: its tenant's regimes).
NOT_COUNTED = frozenset({"superseded"})
DIMENSIONS = ("by_asset_class", "by_action_type", "by_regime", "by_state")


def acceptance_rate(acked: int, nacked: int) -> float | None:
    return None if acked + nacked == 0 else round(acked / (acked + nacked), 6)


def _finish(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    by_state = counts["by_state"]
    acked, nacked = by_state.get("acked", 0), by_state.get("nacked", 0)
    return {"total": sum(n for s, n in by_state.items() if s not in NOT_COUNTED),
            **{d: dict(sorted(counts[d].items())) for d in DIMENSIONS},
            "acked": acked, "nacked": nacked, "acceptance_rate": acceptance_rate(acked, nacked)}


def fold(rows: Iterable[dict[str, Any]], tz: str) -> dict[str, Any]:
    """Rows `{bucket (local naive start), dim (state, asset_class...), key, n}` ->
    `{"buckets": [...] in time order, "totals": {...}}`. `total` counts every event but
    replaced versions; `by_regime` counts an event once per regime it reports to (it can add
    up to more than `total`)."""
    zone = ZoneInfo(tz)
    buckets: dict[datetime, dict[str, dict[str, int]]] = {}
    totals: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    for row in rows:
        n = int(row["n"])
        if n == 0:
            continue
        bucket = buckets.setdefault(row["bucket"], {d: {} for d in DIMENSIONS})
        dim = f"by_{row['dim']}"
        for target in (bucket[dim], totals[dim]):
            target[row["key"]] = target.get(row["key"], 0) + n
    return {
        "buckets": [{"start": start.replace(tzinfo=zone).isoformat(), **_finish(buckets[start])}
                    for start in sorted(buckets)],
        "totals": _finish(totals),
    }
