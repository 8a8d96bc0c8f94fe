"""Validate: `{"event_ids"}` -> every rule of the event's regimes plus the lifecycle machine over
its UTI's accepted history -> `valid` or `invalid` with issues -> `generate` nudges.

Process runs `validate_events` itself on the events it has just stored, in its transaction
(`pass_on` then sends what waits here); the `validate` queue carries the events that had to
wait, repaired ones and those an operator sends back.

Per event, in the lifecycle order of its UTI (event timestamp, NEWT/POSC first at the same
instant; the order generate reports in), inside the message's tenant transaction:

- History: the UTI's earlier events that were accepted (`valid` and beyond: reported,
  submitted, acked), read in this transaction, replayed by the lifecycle machine through the
  SR-LC-* sequence rules of `shared.domain.rules`.
- Order across chunks and files: an event is judged only when nothing before it can still
  change its history. It waits, and is retried later (never refused for it), while
  1. an earlier event of its UTI is not validated yet (`received`), or
  2. an earlier record of its trade (same UTI or trade id; earlier in its file, or in a file
     received before) is still an unprocessed raw row, or
  3. a file of the tenant received before its own is still being read (its records are not
     all in raw_rows yet).
  A waiting event keeps `received` with `waiting_for` saying what it waits for; its id goes
  into a new `validate` message sent with a growing delay (2 s, 4 s, ... at most 15 min) in
  this transaction. What it waits for always ends (every stored row and received event has
  its own message, and a failed one is dead-lettered and alerted), so the wait does too.
- Issues (reject and warn) go to `validation_issues` with rule id, field, value and both
  languages; any reject makes the event `invalid` (it waits for repair), else `valid`.
- An event whose routing owes no report (`regimes` empty with a routing decision stored:
  neither side is the tenant's, or each regime is the other side's) is judged by the rules
  that need no regime, so a broken record still waits for repair as `invalid`; else it ends
  `not_reportable`, final, with the reasons in its `routing`. It counts as history for its
  UTI's later events that owe nothing either (a MODI of such a trade is no MODI of an unknown
  UTI), never for those that are reported (the TR has not heard of it).
- `trades`: the lifecycle (unreported / live / terminated / errored / ported) from replaying
  the accepted events, and the state (see `trade_state.refresh_trades`).
- One `generate` nudge `{"tenant_id", "regime", "key"}` per regime of the valid events.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import psycopg

from shared.adapters.db import ingest_files, trade_events
from shared.adapters.db import tenants as tenants_db
from shared.adapters.queue.base import ReceivedMessage
from shared.domain.issues import Issue, has_rejects
from shared.domain.lifecycle import TradeState, replay
from shared.domain.model import ActionType, EventType, Level, TradeEvent
from shared.platform import clock
from shared.platform.logging import get_logger
from shared.services.pipeline.trade_state import refresh_trades

if TYPE_CHECKING:
    from shared.services.pipeline.stage import StageContext

log = get_logger("swaprep.validate")

VALIDATE_QUEUE = "validate"
GENERATE_QUEUE = "generate"
ACCEPTED = frozenset({"valid", "reported", "submitted", "acked"})
NOT_REPORTABLE = "not_reportable"
# What an event waits for is another stage at work on the same trade's rows (process, ingest,
# the validation of an earlier event): it ends in seconds or minutes. Re-checking every 30 s at
# most costs one small message; the 15 minutes this was left a tail of a minute or two after
# the last row of a large file was processed (bench/e2e_pipeline.py), and a file that is stuck
# for good is the monitor's to report, not a reason to look less often.
MAX_WAIT_DELAY_S = 30
LIFECYCLE = {TradeState.ABSENT: "unreported", TradeState.LIVE: "live",
             TradeState.TERMINATED: "terminated", TradeState.ERRORED: "errored",
             TradeState.PORTED: "ported"}


@dataclass(frozen=True)
class _Past:
    """What the lifecycle machine reads of an earlier event (a `LifecycleEvent`)."""

    action_type: ActionType
    event_type: EventType | None
    level: Level
    execution_timestamp: datetime | None


@dataclass
class _Item:
    """One event of a UTI's sequence, as this transaction sees it."""

    id: uuid.UUID
    state: str
    past: _Past


@dataclass
class ValidateOutcome:
    valid: list[uuid.UUID] = field(default_factory=list)
    invalid: list[uuid.UUID] = field(default_factory=list)
    not_reportable: list[uuid.UUID] = field(default_factory=list)  # routed to no regime
    waiting: dict[uuid.UUID, str] = field(default_factory=dict)  # event -> what it waits for
    skipped: int = 0  # no longer `received`: judged already
    regimes: set[str] = field(default_factory=set)  # of the valid events
    touched: list[str] = field(default_factory=list)  # UTIs of the judged events
    lifecycles: dict[str, str] = field(default_factory=dict)  # their trades' lifecycle

    def as_dict(self) -> dict[str, Any]:
        return {"valid": len(self.valid), "invalid": len(self.invalid),
                "not_reportable": len(self.not_reportable),
                "waiting": len(self.waiting), "skipped": self.skipped,
                "regimes": sorted(self.regimes)}


def _past(row: dict[str, Any]) -> _Past:
    executed = row["execution_timestamp"]
    return _Past(
        ActionType(row["action_type"]),
        EventType(row["event_type"]) if row["event_type"] else None,
        Level(row["level"]) if row["level"] else Level.TCTN,  # left out of payloads as default
        datetime.fromisoformat(executed.replace("Z", "+00:00")) if executed else None,
    )


class _Walk:
    """One UTI's sequence, walked once for all of its events in the batch: what lies before
    the event being judged (the first not yet validated, the accepted history). The batch is
    in lifecycle order, as the sequence is, so each event is further along; judging one after
    another costs one pass, not one pass per event (a UTI with a year of valuations)."""

    def __init__(self, sequence: list[_Item]) -> None:
        self.sequence = sequence
        self.position = {item.id: n for n, item in enumerate(sequence)}
        self._reset()

    def _reset(self) -> None:
        self.next = 0
        self.pending: _Item | None = None  # the first earlier event still `received`
        self.history: list[_Past] = []
        self.unreported: list[_Past] = []  # the accepted and the not reportable

    def before(self, event_id: uuid.UUID, *, reportable: bool = True
               ) -> tuple[_Item | None, list[_Past]]:
        """(the first earlier event not yet validated, the accepted events before it; for an
        event that owes no report, the not reportable ones too)."""
        # An event missing from its sequence (never expected) is judged against all of it,
        # as the pass per event did, rather than failing the batch.
        target = self.position.get(event_id, len(self.sequence))
        if target < self.next:  # not further along (never in lifecycle order): start over
            self._reset()
        for item in self.sequence[self.next:target]:
            if item.state == "received" and self.pending is None:
                self.pending = item
            if item.state in ACCEPTED:
                self.history.append(item.past)
            if item.state in ACCEPTED or item.state == NOT_REPORTABLE:
                self.unreported.append(item.past)
        self.next = target
        return self.pending, list(self.history if reportable else self.unreported)


def _waits(event: dict[str, Any], pending: _Item | None,
           stored: dict[str, list[dict[str, Any]]],
           reading: list[dict[str, Any]]) -> str | None:
    """What `event` must wait for before it can be judged, or None. `stored`: the rows not
    yet processed, by UTI and by trade id."""
    if pending is not None:
        return (f"the earlier event {pending.id} ({pending.past.action_type.value}) of UTI "
                f"{event['uti']}: not validated yet")
    same_trade = stored.get(f"uti:{event['uti']}", [])
    if event["trade_id"] is not None:
        same_trade = same_trade + stored.get(f"trade:{event['trade_id']}", [])
    for row in same_trade:
        earlier = (row["received_at"] < event["arrived_at"]
                   or (row["file_id"] == event["file_id"] and row["row_no"] < event["row_no"]))
        if earlier:
            return (f"record {row['row_no']} of {row['object_key']} (same trade): "
                    "not processed yet")
    for file in reading:
        if file["received_at"] < event["arrived_at"] and file["id"] != event["file_id"]:
            return f"the file {file['object_key']}, received earlier: still being read"
    return None


def _by_trade(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Unprocessed rows under `uti:<UTI>` and `trade:<trade id>` (a row under both once each:
    a row matching both is found under the UTI first, which is enough to wait)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["uti"] is not None:
            found[f"uti:{row['uti']}"].append(row)
        if row["trade_id"] is not None:
            found[f"trade:{row['trade_id']}"].append(row)
    return found


def validate_events(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str,
                    event_ids: Sequence[str | uuid.UUID], *, now: datetime | None = None,
                    events: Mapping[uuid.UUID, TradeEvent] | None = None,
                    refresh: bool = True) -> ValidateOutcome:
    """Judge the `received` events among `event_ids` whose turn it is (module docstring).

    `events`: the events' models where the caller has them (process, which stored them in
    this transaction), so that their payloads are not parsed again. `refresh=False`: the
    caller refreshes the trades (`touched`, `lifecycles` of the outcome) itself."""
    from shared.domain.rules import ValidationContext, validate

    now = now or clock.now()
    tenant = str(tenant_id)
    outcome = ValidateOutcome()
    known = events or {}
    rows = trade_events.events_to_judge(conn, event_ids)
    todo = [r for r in rows if r["state"] == "received"]
    outcome.skipped = len(rows) - len(todo)
    if not todo:
        return outcome
    found = tenants_db.by_id(conn, tenant)
    tenant_regimes = found["regimes"] if found else None
    utis = sorted({r["uti"] for r in todo})
    # Read after the events, in this transaction: a record processed meanwhile is then seen as
    # an event (or its row as still stored), never as neither.
    stored = _by_trade(ingest_files.unprocessed_rows_of(
        conn, tenant, utis, sorted({r["trade_id"] for r in todo if r["trade_id"]})))
    reading = ingest_files.files_being_read(conn, tenant, max(r["arrived_at"] for r in todo))
    sequences: dict[str, list[_Item]] = defaultdict(list)
    for row in trade_events.uti_sequences(conn, tenant, utis):
        sequences[row["uti"]].append(_Item(row["id"], row["state"], _past(row)))
    items = {item.id: item for sequence in sequences.values() for item in sequence}
    walks = {uti: _Walk(sequence) for uti, sequence in sequences.items()}

    issue_rows: list[dict[str, Any]] = []
    for row in todo:  # in lifecycle order: a NEWT is judged before its MODI in the same batch
        # routed, and owed in no regime (an event stored before routing has regimes)
        owes_nothing = row["routed"] and not row["regimes"]
        pending, history = walks[row["uti"]].before(row["id"], reportable=not owes_nothing)
        waiting = _waits(row, pending, stored, reading)
        if waiting is not None:
            outcome.waiting[row["id"]] = waiting
            continue
        event = known.get(row["id"]) or TradeEvent.model_validate_json(row["payload"])
        if owes_nothing and event.regimes:  # the regimes a record names are not owed either
            event = event.model_copy(update={"regimes": []})
        own_or_tenant = () if owes_nothing else row["regimes"] or tenant_regimes
        # the events' tenant is visible with them (foreign key); its regimes are never empty
        assert own_or_tenant is not None
        regimes = tuple(own_or_tenant)
        context = ValidationContext(now=now, regimes=regimes,
                                    history=cast(Sequence[TradeEvent], tuple(history)))
        issues = validate(event, context)
        issue_rows += [_issue_row(tenant, row["id"], issue) for issue in issues]
        state = ("invalid" if has_rejects(issues) else
                 NOT_REPORTABLE if owes_nothing else "valid")
        items[row["id"]].state = state  # later events of the UTI in this batch build on it
        if state == "valid":
            outcome.valid.append(row["id"])
            outcome.regimes.update(regimes)
        elif state == NOT_REPORTABLE:
            outcome.not_reportable.append(row["id"])
        else:
            outcome.invalid.append(row["id"])

    judged = outcome.valid + outcome.invalid + outcome.not_reportable
    if judged:
        trade_events.delete_open_issues(conn, judged)
    if issue_rows:
        trade_events.insert_issues(conn, issue_rows)
    updates = [{"id": i, "state": "valid", "waiting": None} for i in outcome.valid]
    updates += [{"id": i, "state": "invalid", "waiting": None} for i in outcome.invalid]
    updates += [{"id": i, "state": NOT_REPORTABLE, "waiting": None}
                for i in outcome.not_reportable]
    updates += [{"id": i, "state": "received", "waiting": why}
                for i, why in outcome.waiting.items()]
    trade_events.record_judgements(conn, updates)
    judged_ids = set(judged)
    outcome.touched = sorted({r["uti"] for r in todo if r["id"] in judged_ids})
    outcome.lifecycles = _lifecycles(outcome.touched, sequences, tenant_regimes)
    if refresh:
        refresh_trades(conn, tenant, outcome.touched, outcome.lifecycles)
    log.info("validated", extra=outcome.as_dict())
    return outcome


def _issue_row(tenant: str, event_id: uuid.UUID, issue: Issue) -> dict[str, Any]:
    return {"tenant": tenant, "event": event_id, "rule": issue.rule_id,
            "severity": issue.severity.value, "field": issue.field, "message": issue.message_en,
            "message_ko": issue.message_ko, "regime": issue.regime, "value": issue.value}


def _lifecycles(utis: Sequence[str], sequences: dict[str, list[_Item]],
                tenant_regimes: Sequence[str] | None) -> dict[str, str]:
    """`trades.lifecycle` per UTI from replaying its accepted events (the first regime's rules:
    CFTC's and the others' machines differ only in what they accept, not in the states)."""
    regime = tenant_regimes[0] if tenant_regimes else None
    lifecycles = {}
    for uti in utis:
        accepted = [item.past for item in sequences[uti] if item.state in ACCEPTED]
        lifecycle, _ = replay(accepted, regime=regime)
        lifecycles[uti] = LIFECYCLE[lifecycle.state]
    return lifecycles


def wait_delay_s(attempt: int) -> int:
    """2 s, 4 s, 8 s, 16 s, then every 30 s (MAX_WAIT_DELAY_S)."""
    return min(MAX_WAIT_DELAY_S, 2 ** max(1, attempt))


def handle_validate(conn: psycopg.Connection[Any], message: ReceivedMessage,
                    stage: StageContext) -> None:
    """run_stage handler: judge what may be judged, re-queue what waits, nudge generate."""
    from shared.services.pipeline.stage import message_key

    body = message.body
    if not isinstance(body.get("event_ids"), list):
        raise ValueError("validate: expected {event_ids: [...]}")
    assert message.tenant_id is not None  # run_stage refuses messages without a tenant
    outcome = validate_events(conn, message.tenant_id, body["event_ids"])
    key = message_key(message)
    pass_on(conn, stage, message.tenant_id, outcome, key=key,
            attempt=int(body.get("attempt") or 0) + 1, origin=str(body.get("origin") or key))
    log.info("validate message done", extra={**outcome.as_dict(), "key": key})


def pass_on(conn: psycopg.Connection[Any], stage: StageContext, tenant_id: str,
            outcome: ValidateOutcome, *, key: str, attempt: int, origin: str) -> None:
    """What follows a judgement, in its transaction: the events that wait go back on the
    `validate` queue with a delay (their `attempt`-th wait), and `generate` is nudged once
    per regime of the valid ones. `key` names the message this came from; `origin` the first
    of its chain (the waits' idempotency keys)."""
    if outcome.waiting:
        # Delayed: no wake-up; the sweep (NCP) or the dispatcher (local) starts the consumer.
        stage.send(conn, VALIDATE_QUEUE,
                   [{"event_ids": [str(i) for i in outcome.waiting],
                     "key": f"{origin}/wait{attempt}", "origin": origin, "attempt": attempt}],
                   tenant_id, delay_s=wait_delay_s(attempt))
    stage.send(conn, GENERATE_QUEUE,
               [{"tenant_id": tenant_id, "regime": regime, "key": f"{key}:{regime}"}
                for regime in sorted(outcome.regimes)], tenant_id)


# ACTION_RANK_SQL in Python: where an event not yet stored would fall in its UTI's sequence.
_ACTION_RANK = {"NEWT": 0, "POSC": 0, "TERM": 2, "EROR": 3}


def issues_for(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str, event: TradeEvent,
               regimes: Sequence[str], *, instead_of: uuid.UUID | str | None = None,
               now: datetime | None = None) -> list[Issue]:
    """What validate would find for `event` were it stored now in place of the event
    `instead_of`: the same rules over the same accepted history of its UTI (the events before
    it in lifecycle order; stored now, it comes after those at the same instant and rank).
    Writes nothing: the repair form re-validates through this as the user types."""
    from shared.domain.rules import ValidationContext, validate

    key = (event.event_timestamp, _ACTION_RANK.get(event.action_type.value, 1))
    history: list[_Past] = []
    if event.uti and event.event_timestamp is not None:
        for row in trade_events.uti_sequences(conn, str(tenant_id), [event.uti]):
            if (row["event_timestamp"], row["rank"]) > key:
                break
            if str(row["id"]) != str(instead_of) and row["state"] in ACCEPTED:
                history.append(_past(row))
    context = ValidationContext(now=now or clock.now(), regimes=tuple(regimes),
                                history=cast(Sequence[TradeEvent], tuple(history)))
    return validate(event, context)


def open_issues(conn: psycopg.Connection[Any], event_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The event's open issues, rule by rule (for tests and the API)."""
    return trade_events.open_issues(conn, event_id)


__all__ = ["ValidateOutcome", "handle_validate", "issues_for", "open_issues", "pass_on",
           "validate_events", "wait_delay_s"]
