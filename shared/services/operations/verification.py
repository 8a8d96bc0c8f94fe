"""Verification and the correction clock (issue 17 item 4; docs/OBLIGATIONS.md "Verification
and corrections").

`verify_tenant`, in the tenant's transaction:
0. resolve (by the system) the clocks whose error is gone: a break resolved or cleared, a
   rejected event corrected or accepted since;
1. per regime, when `verification_due` says so (or when an operator asks): compare the TR's
   open trades (`tr_trade_states`) with our books as we last reported them
   (`shared.domain.verification.verify`), and log the run in `verifications`; a regime whose
   TR has sent no trade state yet is logged `no_tr_view` (nothing could be compared, so the
   schedule stays due); a verification clock whose finding the run no longer sees is
   resolved;
2. open a correction clock per finding, per live break with the TR's reports and per
   rejected item not yet clocked: one clock per error (regime, UTI, kind), whichever source
   found it first;
3. recompute every clock's state (`shared.domain.corrections.correction_clock`); a clock
   entering at_risk or late raises one alert for that state (`correction.at_risk`,
   `correction.late`; dedup per clock and state), a resolved clock resolves its alerts.

The monitor runs it for every tenant (check `verification`); `swaprep verify` and
`POST /api/verifications/run` run it for one tenant, forcing the comparison.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.db import tenants as tenants_db
from shared.adapters.db import tr_reports as db_reports
from shared.adapters.db import verification as db
from shared.domain.corrections import correction_clock, verification_due
from shared.domain.identifiers import bigserial_id
from shared.domain.notices import NoticeFacts, draft
from shared.domain.reconciliation import TrTrade
from shared.domain.regimes import REGISTRY, deadline_rule, regime
from shared.domain.verification import BookTrade, book_values, verify
from shared.services.monitoring.alerts import raise_alert, resolve_alert
from shared.services.operations.base import (
    Actor,
    Conflict,
    FieldError,
    InvalidRequest,
    audit,
    fetch_or_404,
    require,
)

if TYPE_CHECKING:
    import psycopg

ALERT_KINDS = {"at_risk": ("correction.at_risk", "warning"),
               "late": ("correction.late", "critical")}
MAX_NOTE = 1000
MAX_TEXT = 2000


def _unknown_regime(key: str) -> InvalidRequest:
    return InvalidRequest("unknown regime", [FieldError(
        "regime", f"{key!r} is not a known regime (known: {', '.join(REGISTRY)})")])


def alert_key(clock_id: int, state: str) -> str:
    return f"correction:{clock_id}:{state}"


def _cadence(conn: psycopg.Connection[Any], key: str) -> tuple[str | None, str | None]:
    """The entity whose status makes verification under `key` most frequent, and it."""
    every = regime(key).correction.verify_every_days
    best: tuple[int, str | None, str | None] = (10**6, None, None)
    for row in db.entity_statuses(conn, key):
        days = every.get((row["status"] or "").upper(), every.get("*", 10**6))
        if days < best[0]:
            best = (days, row["entity_id"], row["status"])
    return best[1], best[2]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def run_regime(conn: psycopg.Connection[Any], tenant_id: Any, key: str, now: datetime, *,
               trigger: str, run_by: str, entity: tuple[str | None, str | None]
               ) -> dict[str, Any]:
    """One verification of `key`'s TR view against our books, logged; its findings' clocks."""
    run = db.start_run(conn, tenant_id, key, entity_id=entity[0], entity_status=entity[1],
                       trigger=trigger, run_by=run_by, started_at=now)
    held = db.tr_open(conn, key)
    if not held:
        db.finish_run(conn, run["id"], status="no_tr_view", reference_date=None,
                      open_at_tr=0, open_here=0, findings=[])
        return {"id": run["id"], "regime": key, "status": "no_tr_view", "findings": 0,
                "clocks_opened": 0}
    reference = max(r["reference_date"] for r in held)
    tr_open = {r["uti"]: TrTrade(r["uti"], r["last_action"],
                                 values=_json(r["reported_values"]) or {}) for r in held}
    ours = [BookTrade(r["uti"], r["action_type"], book_values(_json(r["payload"])))
            for r in db.our_book(conn, key, now)]
    result = verify(ours, tr_open)
    findings = [f.as_dict() for f in result.findings]
    db.finish_run(conn, run["id"], status="completed", reference_date=reference,
                  open_at_tr=result.open_at_tr, open_here=result.open_here, findings=findings)
    opened = 0
    for finding in result.findings:
        opened += _open_clock(conn, tenant_id, key, finding.uti, "verification",
                              str(run["id"]), finding.kind, finding.summary(), now, now)
    # a finding this run no longer sees was corrected
    seen = {(f.uti, f.kind) for f in result.findings}
    for row in db.open_verification_clocks(conn, key):
        if (row["uti"], row["kind"]) not in seen:
            _close(conn, tenant_id, row["id"], "system",
                   f"verification {run['id']} no longer finds it")
    return {"id": run["id"], "regime": key, "status": "completed",
            "reference_date": reference.isoformat(), "open_at_tr": result.open_at_tr,
            "open_here": result.open_here, "findings": len(findings), "clocks_opened": opened}


def _open_clock(conn: psycopg.Connection[Any], tenant_id: Any, key: str, uti: str,
                source: str, source_id: str, kind: str, summary: str,
                discovered_at: datetime, now: datetime) -> int:
    if key not in REGISTRY:
        return 0  # a regime this build does not know: no calendar to count on
    # one clock per error: found again (a later verification) or from another source (a
    # break of the same kind with the TR's report) it keeps the clock it has
    if db.has_open_clock(conn, key, uti, kind):
        return 0
    clock = correction_clock(key, discovered_at, now)
    created = db.insert_clock(conn, tenant_id, regime=key, uti=uti, source=source,
                              source_id=source_id, kind=kind, summary=summary,
                              discovered_at=discovered_at, due=clock.due,
                              business_days=clock.business_days,
                              prescribed=clock.prescribed, state="on_track")
    return 0 if created is None else 1


def _close(conn: psycopg.Connection[Any], tenant_id: Any, clock_id: int, by: str,
           note: str) -> datetime:
    at = db.resolve_clock(conn, clock_id, by, note)
    for state in ALERT_KINDS:
        resolve_alert(conn, tenant_id=tenant_id, dedup_key=alert_key(clock_id, state))
    return at


def clock_other_errors(conn: psycopg.Connection[Any], tenant_id: Any, now: datetime) -> int:
    """Clocks for live breaks and rejected items not yet clocked. Returns the clocks
    opened."""
    opened = 0
    for row in db.unclocked_breaks(conn):
        opened += _open_clock(conn, tenant_id, row["regime"], row["uti"], "break",
                              str(row["id"]), row["kind"],
                              f"{row['uti']}: break with the TR's report ({row['kind']})",
                              row["first_seen_at"], now)
    for row in db.unclocked_nacks(conn):
        code, message = row["tr_code"] or "", row["tr_message"] or ""
        why = message if message.startswith(code) else f"{code} {message}".strip()
        opened += _open_clock(conn, tenant_id, row["regime"], row["uti"], "nack",
                              str(row["id"]), "nack",
                              f"{row['uti']}: rejected by the TR ({why or 'no reason given'})",
                              row["found_at"], now)
    return opened


def close_gone(conn: psycopg.Connection[Any], tenant_id: Any) -> int:
    """Resolve the clocks whose error is gone (break resolved or cleared, rejected event
    corrected): first, so that the same error found again starts a clock of its own."""
    gone = db.gone_clocks(conn)
    for row in gone:
        _close(conn, tenant_id, row["id"], "system", f"the {row['source']} is gone "
                                                      f"({row['why']})")
    return len(gone)


def recompute(conn: psycopg.Connection[Any], tenant_id: Any, now: datetime) -> dict[str, int]:
    """Every unresolved clock's state at `now`; an alert per clock entering at_risk or late."""
    counts: Counter[str] = Counter()
    for row in db.live_clocks(conn):
        if row["regime"] not in REGISTRY:
            continue
        clock = correction_clock(row["regime"], row["discovered_at"], now)
        counts[clock.state] += 1
        if clock.state == row["state"]:
            continue
        db.set_state(conn, row["id"], clock.state)
        for state in ALERT_KINDS:
            if state != clock.state:
                resolve_alert(conn, tenant_id=tenant_id, dedup_key=alert_key(row["id"], state))
        if clock.state in ALERT_KINDS:
            kind, severity = ALERT_KINDS[clock.state]
            zone = deadline_rule(row["regime"]).zone
            due = clock.due.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
            raise_alert(
                conn, tenant_id=tenant_id, kind=kind, severity=severity,
                dedup_key=alert_key(row["id"], clock.state),
                summary=(f"Correction {'late' if clock.state == 'late' else 'at risk'} under "
                         f"{row['regime']}: {row['summary']}; due {due}"
                         + (f", {clock.business_days_left} business day(s) left"
                            if clock.state == "at_risk" else "")
                         + (f"; notify {regime(row['regime']).correction.notify}"
                            if clock.state == "late" else "")),
                details={"clock_id": row["id"], "regime": row["regime"], "uti": row["uti"],
                         "source": row["source"], "kind": row["kind"],
                         "due": clock.due.isoformat(),
                         "business_days_left": clock.business_days_left})
            counts[f"alerted_{clock.state}"] += 1
    return dict(counts)


def verify_tenant(conn: psycopg.Connection[Any], tenant_id: Any, *, now: datetime | None = None,
                  only: str | None = None, trigger: str = "schedule",
                  run_by: str = "monitor") -> dict[str, Any]:
    """Module docstring, steps 1 to 3. `trigger="manual"` compares whether due or not."""
    now = now or db_reports.now(conn)
    if only is not None and only not in REGISTRY:
        raise _unknown_regime(only)
    close_gone(conn, tenant_id)
    runs = []
    keys = [only] if only else [k for k in db.regimes_to_consider(conn) if k in REGISTRY]
    for key in keys:
        entity = _cadence(conn, key)
        if trigger != "manual":
            last = db.last_verified(conn, key)
            zone = deadline_rule(key).zone
            today = now.astimezone(zone).date()
            due = verification_due(key, entity[1], last.astimezone(zone).date()
                                   if last else None, today)
            if due is None or due > today:
                continue
        runs.append(run_regime(conn, tenant_id, key, now, trigger=trigger, run_by=run_by,
                               entity=entity))
    opened = clock_other_errors(conn, tenant_id, now)
    states = recompute(conn, tenant_id, now)
    return {"runs": runs, "clocks_opened": opened + sum(r["clocks_opened"] for r in runs),
            "clocks": states}


def run_now(conn: psycopg.Connection[Any], tenant_id: Any, only: str | None,
            actor: Actor) -> dict[str, Any]:
    """An operator's verification (API, CLI): compared whether due or not, audited."""
    require(actor, "verify", "run verifications")
    result = verify_tenant(conn, tenant_id, only=only, trigger="manual", run_by=actor.name)
    audit(conn, actor, tenant_id=tenant_id, action="verification.run",
          entity_type="verification", entity_id=",".join(str(r["id"]) for r in result["runs"]),
          before=None, after={"regime": only, "runs": result["runs"],
                              "clocks_opened": result["clocks_opened"]})
    return result


def resolve_correction(conn: psycopg.Connection[Any], clock_id: Any, note: str,
                       actor: Actor) -> dict[str, Any]:
    """The error corrected (or the notice sent and the plan under way), with a note."""
    require(actor, "verify", "resolve correction clocks")
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise InvalidRequest("a note is required", [FieldError(
            "note", f"1 to {MAX_NOTE} characters: how the error was corrected")])
    row = fetch_or_404(conn, db.lock_clock, bigserial_id(clock_id), f"correction {clock_id}")
    if row["state"] == "resolved":
        raise Conflict(f"correction {clock_id} ({row['kind']} of {row['uti']}) is resolved "
                       "already", reason="already_resolved")
    at = _close(conn, row["tenant_id"], row["id"], actor.name, note)
    audit(conn, actor, tenant_id=row["tenant_id"], action="correction.resolve",
          entity_type="correction_clock", entity_id=row["id"],
          before={"state": row["state"]},
          after={"state": "resolved", "note": note, "resolved_by": actor.name,
                 "resolved_at": at, "uti": row["uti"], "regime": row["regime"]})
    return shown_clock(db.clock_by_id(conn, row["id"]) or {}, at)


MAX_REFERENCE = 200


def record_notice_sent(conn: psycopg.Connection[Any], tenant_id: Any, key: str,
                       reference: str, actor: Actor) -> dict[str, Any]:
    """The regulator has been told of the regime's open errors (the drafted notice, completed
    and sent outside the system): each unresolved clock not yet notified records when, and
    the audit keeps who sent it and the reference (a filing number, the e-mail's date), the
    proof a CFTC §45.14 or EMIR notification was made."""
    require(actor, "verify", "record a regulator notice")
    if key not in REGISTRY:
        raise _unknown_regime(key)
    reference = (reference or "").strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise InvalidRequest("a reference is required", [FieldError(
            "reference", f"1 to {MAX_REFERENCE} characters: how and when the notice was sent"
            " (a filing number, the e-mail's date)")])
    clocks, at = db.mark_notified(conn, key)
    if not clocks:
        raise Conflict(f"no open {key} correction waits for a notice", reason="nothing_open")
    audit(conn, actor, tenant_id=tenant_id, action="correction.notified",
          entity_type="regime", entity_id=key, before=None,
          after={"clocks": clocks, "reference": reference, "notified_at": at})
    return {"regime": key, "clocks": clocks, "reference": reference,
            "notified_at": at.astimezone(UTC).isoformat()}


def _instant(value: datetime | str) -> datetime:
    """A timestamp as a row or a page (already made JSON-able) holds it."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def shown_clock(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A clock as the API shows it: with the business days left, due in the regime's zone."""
    if not row:
        return row
    shown = dict(row)
    if row["regime"] in REGISTRY:
        zone = deadline_rule(row["regime"]).zone
        shown["zone"] = str(zone)
        shown["due_local"] = _instant(row["due"]).astimezone(zone).isoformat()
        if row["state"] != "resolved":
            shown["business_days_left"] = correction_clock(
                row["regime"], _instant(row["discovered_at"]), now).business_days_left
    return shown


def notice(conn: psycopg.Connection[Any], tenant_id: Any, key: str, *, reason: str = "",
           plan: str = "", expected: str = "", now: datetime | None = None) -> dict[str, Any]:
    """The draft regulator notification for `key`'s open clocks (module `notices`)."""
    if key not in REGISTRY:
        raise _unknown_regime(key)
    for name, text in (("reason", reason), ("plan", plan), ("expected", expected)):
        if len(text) > MAX_TEXT:
            raise InvalidRequest("notice facts too long", [FieldError(
                name, f"at most {MAX_TEXT} characters")])
    now = now or db_reports.now(conn)
    clocks = db.open_clocks(conn, key)
    tenant = tenants_db.by_id(conn, tenant_id) or {}
    firm = str(tenant.get("name") or tenant.get("slug") or "")
    if tenant.get("lei"):
        firm += f" (LEI {tenant['lei']})"
    states = [correction_clock(key, c["discovered_at"], now).state for c in clocks]
    facts = NoticeFacts(
        regime=key, regime_name=regime(key).display_name, firm=firm or "[firm]",
        prepared_at=now, errors_by_kind=dict(Counter(c["kind"] for c in clocks)),
        utis=sorted({c["uti"] for c in clocks}),
        first_discovered=min((c["discovered_at"] for c in clocks), default=None),
        earliest_due=min((c["due"] for c in clocks), default=None),
        late=states.count("late"), at_risk=states.count("at_risk"),
        zone=deadline_rule(key).zone, reason=reason, plan=plan, expected=expected,
        verification_ids=sorted({int(c["source_id"]) for c in clocks
                                 if c["source"] == "verification"}))
    return {**draft(facts), "regime": key, "clocks": len(clocks),
            "prepared_at": now.astimezone(UTC).isoformat()}
