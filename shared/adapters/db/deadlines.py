"""One definition of "late" and "at risk" (#14, item 3): the dashboard's tiles, the monitor's
deadline alerts and the trades list's `due` filter all build their conditions from here, so
the three cannot count differently.

An event owes a report while it has a deadline and is not acknowledged, cancelled or replaced
(invalid and NACKed events still owe one: they need repair). It is late once its deadline has
passed (`deadline_at <= now()`), at risk while the deadline lies within the monitor's window.
The state test is written as NOT IN so that it matches the partial index `trade_events_late`
(migration 0008) and the conditions read only that small index."""

from __future__ import annotations

from typing import Literal

Due = Literal["late", "at_risk"]
SETTLED = ("acked", "cancelled", "superseded")  # owe the TR nothing more
_SETTLED_SQL = ", ".join(f"'{s}'" for s in SETTLED)


def owing(e: str = "e") -> str:
    """Events of alias `e` that still owe a report by a deadline."""
    return f"{e}.deadline_at IS NOT NULL AND {e}.state NOT IN ({_SETTLED_SQL})"


def is_late(e: str = "e") -> str:
    """Of the owing ones: the deadline has passed (a boolean expression)."""
    return f"{e}.deadline_at <= now()"


def within(window: str, e: str = "e") -> str:
    """The deadline falls before now + `window` seconds (`window`: a placeholder, `%s` or
    `%(window)s`): the late ones and the at-risk ones together."""
    return f"{e}.deadline_at < now() + make_interval(secs => {window})"


def due(kind: Due, window: str = "%s", e: str = "e") -> str:
    """The condition for late (no placeholder) or at-risk (one `window` placeholder) events."""
    if kind == "late":
        return f"{owing(e)} AND {is_late(e)}"
    return f"{owing(e)} AND NOT ({is_late(e)}) AND {within(window, e)}"
