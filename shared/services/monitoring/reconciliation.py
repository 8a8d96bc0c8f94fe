"""Reconciliation: per tenant and UTI, our view (the latest accepted event of the trade, by the
lifecycle order) against the TR's (the latest event it acknowledged), once our latest event's
deadline has passed (events without a deadline: a day after they arrived). Breaks:

- never_acked: the TR acknowledged nothing for a trade we hold;
- nacked: our latest event was refused by the TR, so it holds an older state (or none);
- behind_tr: the TR's latest acknowledged event is older than ours (e.g. we hold the trade
  terminated, the TR still live).

Breaks are kept in `reconciliation_breaks` (one open row per tenant and UTI, resolved when the
views agree) and summarised in one alert per tenant (details["reconciliation"]). Runs in each
tenant's own RLS scope. Per event, not per regime: an event reported under two regimes is
taken as acknowledged when either TR acknowledged it.
"""

from __future__ import annotations

from typing import Any

from shared.services.monitoring.common import AlertSpec, bound, publish
from shared.services.monitoring.settings import MonitorSettings
from shared.services.trade_state import ACTION_RANK_SQL

KINDS = ("reconciliation.breaks",)
# The lifecycle order (trade_state.EVENT_ORDER_SQL), latest first.
_LATEST = (f"e.uti, e.event_timestamp DESC, {ACTION_RANK_SQL} DESC, e.created_at DESC,"
           " e.row_no DESC NULLS LAST, e.id DESC")

_BREAKS = f"""
WITH ours AS (
    SELECT DISTINCT ON (e.uti) e.uti, e.id, e.action_type, e.state,
           coalesce(e.deadline_at, e.created_at + interval '1 day') AS due
    FROM trade_events e
    WHERE e.state IN ('valid', 'reported', 'submitted', 'acked', 'nacked')
    ORDER BY {_LATEST}
), theirs AS (
    SELECT DISTINCT ON (e.uti) e.uti, e.id, e.action_type
    FROM report_items i JOIN trade_events e ON e.id = i.event_id
    WHERE i.status = 'acked'
    ORDER BY {_LATEST}
)
SELECT o.uti, o.id AS our_event_id, o.action_type AS our_action, o.due,
       r.id AS tr_event_id, r.action_type AS tr_action,
       CASE WHEN r.id IS NULL THEN 'never_acked' WHEN o.state = 'nacked' THEN 'nacked'
            ELSE 'behind_tr' END AS kind
FROM ours o
JOIN trades t ON t.uti = o.uti AND t.lifecycle <> 'unreported'
LEFT JOIN theirs r ON r.uti = o.uti
WHERE o.due < now() AND (r.id IS NULL OR r.id <> o.id)
ORDER BY o.due, o.uti
"""

_UPSERT = """
INSERT INTO reconciliation_breaks (tenant_id, uti, kind, our_event_id, our_action, tr_event_id,
                                   tr_action, deadline_at)
SELECT %(tenant)s, * FROM unnest(%(uti)s::text[], %(kind)s::text[], %(ours)s::uuid[],
                                 %(our_action)s::text[], %(theirs)s::uuid[],
                                 %(tr_action)s::text[], %(due)s::timestamptz[])
ON CONFLICT (tenant_id, uti) WHERE resolved_at IS NULL DO UPDATE SET
    kind = EXCLUDED.kind, our_event_id = EXCLUDED.our_event_id,
    our_action = EXCLUDED.our_action, tr_event_id = EXCLUDED.tr_event_id,
    tr_action = EXCLUDED.tr_action, deadline_at = EXCLUDED.deadline_at, last_seen_at = now()
"""


def check_reconciliation(db, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    with db.system() as conn:
        tenants = conn.execute("SELECT id, slug FROM tenants ORDER BY slug").fetchall()
    firing, counts = [], {}
    for tenant in tenants:
        with db.tenant(tenant["id"]) as conn:
            bound(conn, settings.check_timeout_s)
            breaks = conn.execute(_BREAKS).fetchall()
            _record(conn, tenant["id"], breaks)
        counts[tenant["slug"]] = len(breaks)
        if breaks:
            firing.append(_alert(tenant, breaks, settings))
    with db.system() as conn:
        outcome = publish(conn, firing, KINDS)
    return {**outcome, "breaks": {slug: n for slug, n in counts.items() if n}}


def _record(conn, tenant_id: Any, breaks: list[dict[str, Any]]) -> None:
    def column(name: str) -> list[Any]:
        return [b[name] for b in breaks]

    if breaks:
        conn.execute(_UPSERT, {
            "tenant": tenant_id, "uti": column("uti"), "kind": column("kind"),
            "ours": column("our_event_id"), "our_action": column("our_action"),
            "theirs": column("tr_event_id"), "tr_action": column("tr_action"),
            "due": column("due")})
    conn.execute("UPDATE reconciliation_breaks SET resolved_at = now()"
                 " WHERE resolved_at IS NULL AND NOT (uti = ANY(%s::text[]))",
                 (column("uti"),))


def _alert(tenant: dict[str, Any], breaks: list[dict[str, Any]],
           settings: MonitorSettings) -> AlertSpec:
    by_kind: dict[str, int] = {}
    for b in breaks:
        by_kind[b["kind"]] = by_kind.get(b["kind"], 0) + 1
    examples = [{"uti": b["uti"], "kind": b["kind"], "ours": b["our_action"],
                 "tr": b["tr_action"], "deadline": b["due"].isoformat()}
                for b in breaks[:settings.examples]]
    shown = ", ".join(f"{e['uti']} (ours {e['ours']}, TR {e['tr'] or 'nothing'})"
                      for e in examples)
    return AlertSpec(
        tenant_id=tenant["id"], kind=KINDS[0], severity="critical",
        dedup_key="reconciliation",
        summary=(f"{len(breaks)} trade(s) where the TR's acknowledged state differs from ours "
                 f"after the deadline ({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))})"
                 f": {shown}"),
        details={"reconciliation": {"breaks": len(breaks), "by_kind": by_kind,
                                    "examples": examples}})
