"""TR silence: report files submitted (the TR gave a message id) with no feedback after the
limit, per tenant and regime. Critical once the oldest has waited four times the limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.services.monitoring.common import AlertSpec, age, bound, publish
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database

KINDS = ("tr.silence",)


def check_tr_silence(db: Database, settings: MonitorSettings, **_: Any) -> dict[str, Any]:
    with db.system() as conn:
        bound(conn, settings.check_timeout_s)
        rows = monitor_db.silent_report_files(conn, limit_s=settings.tr_silence_s,
                                              examples=settings.examples)
        firing = [AlertSpec(
            tenant_id=r["tenant_id"], kind=KINDS[0],
            severity="critical" if r["oldest_s"] >= 4 * settings.tr_silence_s else "warning",
            dedup_key=f"tr-silence:{r['regime']}",
            summary=(f"The {r['regime']} TR sent no feedback for {r['n']} submitted report "
                     f"file(s) ({r['records']} record(s); oldest submitted {age(r['oldest_s'])} "
                     f"ago), e.g. {', '.join(m or '?' for m in r['examples'])}"),
            details={"regime": r["regime"], "files": r["n"], "records": r["records"],
                     "oldest_s": round(r["oldest_s"]), "tr_message_ids": r["examples"]},
        ) for r in rows]
        outcome = publish(conn, firing, KINDS)
    return {**outcome, "silent_files": sum(r["n"] for r in rows)}
