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

from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.adapters.db import tenants as tenants_db
from shared.services.monitoring.common import AlertSpec, bound, publish
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database

KINDS = ("reconciliation.breaks",)


def check_reconciliation(db: Database, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    with db.system() as conn:
        tenants = tenants_db.every(conn)
    firing, counts = [], {}
    for tenant in tenants:
        with db.tenant(tenant["id"]) as conn:
            bound(conn, settings.check_timeout_s)
            breaks = monitor_db.reconciliation_breaks(conn)
            monitor_db.record_breaks(conn, tenant["id"], breaks)
        counts[tenant["slug"]] = len(breaks)
        if breaks:
            firing.append(_alert(tenant, breaks, settings))
    with db.system() as conn:
        outcome = publish(conn, firing, KINDS)
    return {**outcome, "breaks": {slug: n for slug, n in counts.items() if n}}


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
