"""What the tr-reports tests share: our EMIR report files as generate and submit leave them
(sent to the real TR simulator at fixed times), and the TR's end-of-day files delivered to the
stage as the bucket trigger would."""

from __future__ import annotations

from datetime import timedelta

from shared.domain.model import Party
from shared.platform.triggers import object_events, object_storage_event
from shared.services.pipeline.tr_reports import load_tr_report_object
from tests.functional.trsim.factory import (
    FEEDBACK,
    LEI_CP,
    NOW,
    event,
    post,
    report,
    seed_report_file,
)

SENT_AT = NOW - timedelta(hours=1)  # when our files reached the TR (the TR's day: NOW's)


def trade(uti: str, action: str = "NEWT", **overrides):
    """An EMIR event whose other side must report too, so the TR pairs it."""
    overrides.setdefault("counterparty_2", Party(identifier=LEI_CP, reporting_obligation=True))
    if action == "TERM":
        overrides.setdefault("event_type", "ETRM")
        overrides.setdefault("event_timestamp", NOW - timedelta(hours=3))
    return event(uti, action, **overrides)


def send(db, store, sim, tenant, events, *, regime: str = "emir", sent_at=SENT_AT) -> str:
    """Our report file of `events`: its rows as generate writes them, the same bytes posted to
    the TR, and its status and submission time as submit and feedback leave them."""
    file_id = seed_report_file(db, store, tenant, events, regime=regime)
    answer = post(sim, report(events, regime), regime=regime, file_id=file_id)
    assert answer.status_code == 202, answer.text
    verdicts = {r["status"] for r in sim.received_records() if r["report_file_id"] == file_id}
    status = "acked" if verdicts == {"ACK"} else "rejected" if verdicts == {"NACK"} \
        else "partially_acked"
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE report_files SET status = %s, submitted_at = %s,"
                     " tr_message_id = %s WHERE id = %s",
                     (status, sent_at, answer.json()["tr_message_id"], file_id))
    return file_id


def add_trades(db, tenant, *utis: str) -> None:
    """The trades list's rows of our trades (what process keeps)."""
    with db.tenant(tenant) as conn:
        for uti in utis:
            conn.execute("INSERT INTO trades (tenant_id, uti, state, lifecycle, regimes)"
                         " VALUES (%s, %s, 'acked', 'live', '{emir}')"
                         " ON CONFLICT DO NOTHING", (tenant, uti))


def deliver(db, store, key: str):
    info = store.head(FEEDBACK, key)
    [event_] = object_events(object_storage_event(FEEDBACK, key, size=info.size, etag=info.etag))
    return load_tr_report_object(event_, db=db, store=store)


def deliver_all(db, store, keys):
    return [deliver(db, store, key) for key in keys]
