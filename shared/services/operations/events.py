"""Bulk event actions: resubmit NACKed events, cancel events the TR has not got, re-validate
invalid ones. Each id is judged on its own (`each`): one refused id does not stop the rest,
and every id gets an outcome saying what happened or why not."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.adapters.db import operations as ops_db
from shared.domain.identifiers import uuid_or_none
from shared.services.operations.base import (
    Actor,
    Conflict,
    InvalidRequest,
    ItemOutcome,
    Sender,
    audit,
    each,
    fetch_or_404,
    require,
)

if TYPE_CHECKING:
    import psycopg

GENERATE_QUEUE = "generate"
VALIDATE_QUEUE = "validate"
# States in which the TR does not have the event: it can still be withdrawn here.
CANCELLABLE = ("received", "invalid", "valid", "nacked")
WITH_THE_TR = ("reported", "submitted", "acked")


def held_elsewhere(conn: psycopg.Connection[Any], event_id: Any) -> str | None:
    """For a NACKed event: the regimes whose TR has it after all (latest item acked or
    pending), as text, or None. There only a correction can change it."""
    held = [i for i in ops_db.latest_report_items(conn, event_id) if i["status"] != "nacked"]
    return ", ".join(f"{i['regime']} ({i['status']})" for i in held) or None


def _event(conn: psycopg.Connection[Any], event_id: str) -> dict[str, Any]:
    return fetch_or_404(conn, ops_db.lock_event, uuid_or_none(event_id), f"event {event_id}")


def _refresh(conn: psycopg.Connection[Any], row: dict[str, Any]) -> None:
    from shared.services.pipeline.trade_state import refresh_trades

    refresh_trades(conn, row["tenant_id"], [row["uti"]])


def _superseded(conn: psycopg.Connection[Any], row: dict[str, Any]) -> str:
    newer = ops_db.newer_version(conn, row["id"])
    return (f"; it was replaced by version {newer['version']} ({newer['id']})" if newer
            else "")


def resubmit(conn: psycopg.Connection[Any], event_ids: Iterable[Any], actor: Actor, *,
             send: Sender) -> list[ItemOutcome]:
    """NACKed events back to `valid` with the NACKing regimes taken out of `reported_regimes`,
    so that generate puts them in the next report file of those regimes; one `generate`
    nudge per tenant and regime."""
    require(actor, "resubmit", "resubmit events")
    nudges: dict[tuple[str, str], None] = {}

    def one(event_id: str) -> ItemOutcome:
        row = _event(conn, event_id)
        if row["state"] != "nacked":
            hint = {"invalid": ": repair it instead",
                    "superseded": _superseded(conn, row)}.get(row["state"], "")
            raise Conflict(f"event {event_id} is {row['state']}: only a NACKed event can be "
                           f"resubmitted{hint}", reason="not_resubmittable")
        latest = ops_db.latest_report_items(conn, row["id"])
        nacks = [i for i in latest if i["status"] == "nacked"]
        regimes = sorted({i["regime"] for i in nacks})
        if not regimes:
            raise Conflict(f"event {event_id} is nacked but no report file of it holds a NACK "
                           "as its latest verdict: nothing to resubmit")
        remaining = [r for r in row["reported_regimes"] if r not in regimes]
        ops_db.mark_event_resubmitted(conn, row["id"], remaining)
        _refresh(conn, row)
        for regime in regimes:
            nudges[(str(row["tenant_id"]), regime)] = None
        audit(conn, actor, tenant_id=row["tenant_id"], action="event.resubmit",
              entity_type="trade_event", entity_id=row["id"],
              before={"state": "nacked", "reported_regimes": row["reported_regimes"],
                      "nacks": [{"regime": i["regime"], "report_file_id": str(i["file_id"]),
                                 "tr_code": i["tr_code"], "tr_message": i["tr_message"]}
                                for i in nacks]},
              after={"state": "valid", "reported_regimes": remaining, "resend_to": regimes})
        return ItemOutcome(event_id, "resubmitted", f"queued for the next {', '.join(regimes)} "
                           "report file", {"regimes": regimes})

    outcomes = each(conn, event_ids, one)
    run = uuid.uuid4().hex[:12]  # a fresh key: a later resubmission is not taken as done
    for tenant_id, regime in nudges:
        body = {"tenant_id": tenant_id, "regime": regime,
                "key": f"resubmit:{run}:{tenant_id}:{regime}"}
        send.send(conn, GENERATE_QUEUE, [body], tenant_id)
    return outcomes


def cancel(conn: psycopg.Connection[Any], event_ids: Iterable[Any], actor: Actor,
           reason: str) -> list[ItemOutcome]:
    """Withdraw events the TR has not got: state `cancelled`, open issues resolved, the reason
    in the audit. Once the TR has an event only a correction (EROR / TERM) can undo it."""
    require(actor, "cancel", "cancel events")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest("a reason is required to cancel events: it is kept in the audit")

    def one(event_id: str) -> ItemOutcome:
        row = _event(conn, event_id)
        state = row["state"]
        if state in WITH_THE_TR:
            raise Conflict(f"event {event_id} is {state}: the TR has it (or is about to), so it "
                           "cannot be cancelled here; send a correction instead (an EROR to "
                           "withdraw a report made in error, or a TERM to end the trade)")
        if state not in CANCELLABLE:
            extra = _superseded(conn, row) if state == "superseded" else ""
            raise Conflict(f"event {event_id} is {state}: it cannot be cancelled{extra}")
        # NACKed by one TR, but maybe accepted (or pending) by another
        if state == "nacked" and (held := held_elsewhere(conn, row["id"])):
            raise Conflict(f"event {event_id} is nacked, but the {held} TR has it: "
                           "send a correction (EROR / TERM) there instead")
        ops_db.mark_event_cancelled(conn, row["id"])
        resolved = ops_db.resolve_event_issues(conn, row["id"])
        _refresh(conn, row)
        audit(conn, actor, tenant_id=row["tenant_id"], action="event.cancel",
              entity_type="trade_event", entity_id=row["id"], before={"state": state},
              after={"state": "cancelled", "reason": reason, "resolved_issues": resolved})
        return ItemOutcome(event_id, "cancelled", f"was {state}")

    return each(conn, event_ids, one)


def revalidate(conn: psycopg.Connection[Any], event_ids: Iterable[Any], actor: Actor, *,
               send: Sender) -> list[ItemOutcome]:
    """Invalid events judged again as they are (e.g. a MODI refused while its NEWT was
    invalid, now that the NEWT is repaired): back to `received` and one `validate` message
    per tenant. Their issues stay until validation replaces them."""
    require(actor, "revalidate", "re-validate events")
    queued: dict[str, list[str]] = {}

    def one(event_id: str) -> ItemOutcome:
        row = _event(conn, event_id)
        if row["state"] != "invalid":
            raise Conflict(f"event {event_id} is {row['state']}: only an invalid event can be "
                           "validated again")
        ops_db.mark_event_received(conn, row["id"])
        _refresh(conn, row)
        queued.setdefault(str(row["tenant_id"]), []).append(str(row["id"]))
        audit(conn, actor, tenant_id=row["tenant_id"], action="event.revalidate",
              entity_type="trade_event", entity_id=row["id"], before={"state": "invalid"},
              after={"state": "received"})
        return ItemOutcome(event_id, "queued", "queued for validation")

    outcomes = each(conn, event_ids, one)
    run = uuid.uuid4().hex[:12]
    for tenant_id, ids in queued.items():
        body = {"event_ids": ids, "key": f"revalidate:{run}:{tenant_id}"}
        send.send(conn, VALIDATE_QUEUE, [body], tenant_id)
    return outcomes
