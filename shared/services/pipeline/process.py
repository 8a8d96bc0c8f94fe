"""Process: a chunk of raw rows (or online events) -> trade events judged, trades, nudges.

A `process` message is `{"file_id", "chunk_no", "key"}` (a chunk that ingest stored) or
`{"event_ids": [...]}` (events the HTTPS API already inserted with `insert_event`). For each
raw row still `stored`, in one tenant transaction (run_stage):

- a row whose parse result is errors becomes `parse_error` with them;
- otherwise its canonical event is enriched (UTI generation, derived fields), routed
  (`shared.domain.obligations.routing.route` over the tenant's entities, loaded once per
  chunk: which regimes it is reported in, by whom, and why; the decision is stored on the
  event as `routing`) and inserted into `trade_events` once per idempotency key (tenant, UTI,
  action type, event timestamp, payload hash): a row whose event already exists (the same
  record sent again, in this file or another) becomes `event` pointing at that event, flagged
  `duplicate`, and no second event is made. An event that cannot be keyed (no UTI and none
  can be generated, or no event timestamp) cannot be ordered or reported, nor routed when it
  names a booking entity the tenant does not have: its row becomes `parse_error` naming the
  rule (PROC-001, PROC-002 / SR-ID-001, PROC-004);
- the new events are judged in the same transaction (`validation.validate_events`, with the
  models in hand: no second parse), those whose turn it is not yet (an earlier record of their
  trade still on its way) go to the `validate` queue to wait, and `generate` is nudged per
  regime of the valid ones. A stage of its own did this before: each event was read and
  parsed again, its state written twice more in `trades`, and every chunk cost a message and
  an activation more (docs/BENCHMARKS.md, session 9). Duplicates were judged already;
- `trades` (one row per tenant and UTI) is upserted: a new trade as its events leave it
  (state and lifecycle), one that existed refreshed after the commit.

Every row of the chunk leaves `stored` in the same transaction, so a redelivered message
(claimed by run_stage) or a second message for the same chunk finds nothing left to do.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import psycopg

from shared.adapters.db import entities as entities_db
from shared.adapters.db import ingest_files, trade_events, trades
from shared.adapters.db import tenants as tenants_db
from shared.adapters.queue.base import ReceivedMessage
from shared.domain import regimes as regime_registry
from shared.domain.model import TradeEvent
from shared.domain.obligations.entities import EntityBook, book_from_rows
from shared.domain.obligations.routing import Router, Routing
from shared.platform import clock
from shared.platform.logging import get_logger
from shared.services.pipeline.trade_state import refresh_trades
from shared.services.pipeline.validation import ValidateOutcome, pass_on, validate_events

if TYPE_CHECKING:
    from shared.services.pipeline.stage import StageContext
    from shared.services.ports import ProductIdentifiers

log = get_logger("swaprep.process")

MAX_IDS_PER_MESSAGE = 500  # online events per `process` message: ~19 KB of ids
UNKEYED_TIMESTAMP = "PROC-001"
UNKEYED_UTI = "PROC-002"
UNKNOWN_BOOKING_ENTITY = "PROC-004"

@dataclass(frozen=True)
class Tenant:
    id: uuid.UUID
    lei: str | None
    regimes: tuple[str, ...]
    # its legal entities, branches and delegation agreements (empty: routing goes by the
    # tenant's regimes, as before entities existed)
    book: EntityBook = field(default_factory=lambda: EntityBook(()))
    # decisions and their JSON text, shared by the batch's events that route alike: a
    # Tenant lives for one chunk or online batch, and so do they
    router: Router = field(init=False, repr=False, compare=False)
    decisions: dict[int, tuple[Routing, str]] = field(init=False, repr=False, compare=False,
                                                      default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "router", Router(self.book, enabled=self.regimes))


def tenant_settings(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str) -> Tenant:
    """The tenant's reporting settings and entity book: read once per chunk or batch, so
    routing costs no statement per event."""
    row = tenants_db.by_id(conn, tenant_id)
    if row is None:
        raise LookupError(f"tenant {tenant_id} does not exist (or is not visible here)")
    entity_rows, agreement_rows = entities_db.book_rows(conn)
    return Tenant(row["id"], row["lei"],
                  tuple(row["regimes"] or regime_registry.DEFAULT_TENANT_REGIMES),
                  book_from_rows(entity_rows, agreement_rows))


@dataclass
class ProcessOutcome:
    event_ids: list[uuid.UUID] = field(default_factory=list)  # new events, to validate
    rows: int = 0
    events: int = 0
    duplicates: int = 0
    parse_errors: int = 0
    judged: ValidateOutcome | None = None  # when the caller had them judged here

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"rows": self.rows, "events": self.events,
                                 "duplicates": self.duplicates, "parse_errors": self.parse_errors}
        if self.judged is not None:
            found["judged"] = self.judged.as_dict()
        return found


# Judges new events inside the caller's transaction: (their ids, their models) -> outcome.
Judge = Callable[[list[uuid.UUID], dict[uuid.UUID, TradeEvent]], "ValidateOutcome"]


@dataclass(frozen=True)
class Prepared:
    """An enriched event ready to be stored, with what its row in trade_events needs."""

    event: TradeEvent
    filled: tuple[str, ...]
    regimes: tuple[str, ...]
    deadline_at: datetime | None
    payload_hash: str
    routing: Routing | None = None  # None: not routed yet (process_online routes it)


def route_event(event: TradeEvent, tenant: Tenant,
                named: Sequence[str] | None = None) -> Routing:
    """The routing decision for `event`: over the tenant's entities when it has any, else the
    regimes the record names (any spelling the registry knows; a name with no report, a typo,
    is dropped), else the tenant's. `named` stands for the record's own regimes."""
    return tenant.router.route(event, named)


def routing_json(tenant: Tenant, routing: Routing | None) -> str | None:
    """The decision as `trade_events.routing` stores it (and the trade detail shows it),
    encoded once per batch for the events that share it."""
    if routing is None:
        return None
    # By identity (the router hands out one object per decision; hashing one walks all its
    # reports); the entry holds the object, so its id cannot be taken by another meanwhile.
    known = tenant.decisions.get(id(routing))
    if known is not None and known[0] is routing:
        return known[1]
    text = json.dumps(routing.as_dict(), ensure_ascii=False)
    tenant.decisions[id(routing)] = (routing, text)
    return text


def deadline_for(event: TradeEvent, regimes: Iterable[str]) -> datetime | None:
    """The earliest reporting deadline over the event's regimes (None: cannot be told)."""
    from shared.domain.calendars import reporting_deadline
    from shared.domain.model import Nature
    from shared.domain.rules.timeliness import reference_timestamp

    reference = reference_timestamp(event)
    if reference is None:
        return None
    one = event.counterparty_1
    kind = "CCP" if one is not None and one.nature is Nature.CCP else None
    deadlines = []
    for regime in regimes:
        try:
            deadlines.append(reporting_deadline(regime, reference, counterparty_kind=kind))
        except ValueError:
            continue
    return min(deadlines, default=None)


def prepare(event: TradeEvent, tenant: Tenant, *, now: datetime | None = None,
            owned: bool = False) -> Prepared | list[dict[str, Any]]:
    """The enriched event, or the errors that keep it from being an event at all. `owned`:
    the caller made `event` for this call alone, so it is enriched in place, not copied."""
    from shared.domain.enrichment import enrich

    enriched = enrich(event, generating_lei=tenant.lei, in_place=owned)
    result = enriched.event
    routing = route_event(result, tenant)
    regimes = routing.regimes
    errors: list[dict[str, Any]] = []
    if not result.uti:
        errors += _uti_errors(result, regimes, enriched.problems, now or clock.now())
    if result.event_timestamp is None:
        errors.append({
            "code": UNKEYED_TIMESTAMP, "field": "event_timestamp",
            "message": (f"the event timestamp is missing: a {result.action_type.value} cannot be "
                        "ordered among the trade's events or reported without it"
                        + (" (nor is there an execution timestamp to take it from)"
                           if result.execution_timestamp is None else "")),
            "message_ko": "이벤트시각이 없습니다. 이벤트시각 없이는 거래의 이벤트 순서를 정하거나 "
                          "보고할 수 없습니다",
        })
    errors += _booking_errors(result, tenant)
    if errors:
        return errors
    return Prepared(result, tuple(enriched.filled), regimes, deadline_for(result, regimes),
                    result.payload_hash(), routing)


def _booking_errors(event: TradeEvent, tenant: Tenant) -> list[dict[str, Any]]:
    """A booking entity the tenant does not have: routing would quietly decide by the LEI and
    countries instead (a typo of LONDON-BR would lose its UK EMIR report), so it is refused."""
    named = (event.booking_entity or "").strip()
    if not named or not tenant.book or named in tenant.book.entities:
        return []
    known = ", ".join(sorted(tenant.book.entities))
    return [{"code": UNKNOWN_BOOKING_ENTITY, "field": "booking_entity",
             "message": f"booking entity {named!r} is none of the tenant's entities ({known})",
             "message_ko": f"부킹법인 {named!r}은(는) 테넌트의 법인({known})이 아닙니다"}]


def _uti_errors(event: TradeEvent, regimes: Sequence[str], problems: list[str],
                now: datetime) -> list[dict[str, Any]]:
    """Why there is no UTI, in the rule catalogue's words (SR-ID-001 / SR-ID-040)."""
    from shared.domain.rules import ValidationContext, validate

    why = "; ".join(p for p in problems if p.startswith("uti"))
    issues = [i for i in validate(event, ValidationContext(now=now, regimes=tuple(regimes)))
              if i.field == "uti" and i.blocking]
    if issues:
        return [{"code": i.rule_id, "field": "uti",
                 "message": i.message_en + (f" ({why})" if why else ""),
                 "message_ko": i.message_ko} for i in issues]
    return [{"code": UNKEYED_UTI, "field": "uti",
             "message": f"no UTI, and none can be generated ({why or 'no trade id or LEI'})",
             "message_ko": "UTI가 없고 생성할 수도 없습니다"}]


def _event_params(tenant: Tenant, prepared: Prepared, source: str, file_id: Any,
                  row_no: int | None) -> dict[str, Any]:
    event = prepared.event
    return {
        "tenant": tenant.id, "file": file_id, "row": row_no, "source": source, "uti": event.uti,
        "prior_uti": event.prior_uti, "trade_id": event.trade_id,
        "action": event.action_type.value,
        "event_type": event.event_type.value if event.event_type else None,
        "ts": event.event_timestamp,
        "asset_class": (event.product.asset_class.value if event.product.asset_class else None),
        "regimes": list(prepared.regimes),
        # Defaults left out: a tenth of the size, and it loads back to the same event. JSON text
        # from pydantic's serializer: no Python dict to build and encode again.
        "payload": event.model_dump_json(exclude_defaults=True),
        "hash": prepared.payload_hash, "deadline": prepared.deadline_at,
        "filled": list(prepared.filled), "routing": routing_json(tenant, prepared.routing),
    }


def insert_events(conn: psycopg.Connection[Any], tenant: Tenant,
                  items: Sequence[tuple[Prepared, Any, int | None]], *,
                  source: str = "file") -> list[tuple[uuid.UUID, bool]]:
    """Insert events once per idempotency key: `(event id, True if new)` per item, in order.

    `items`: (prepared event, file id or None, row number or None). The HTTPS event API uses
    this too (source "api"), then sends `{"event_ids"}` to `process`."""
    if not items:
        return []
    params = [_event_params(tenant, p, source, f, r) for p, f, r in items]
    return trade_events.insert_trade_events(conn, params)


def process_chunk(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str,
                  file_id: uuid.UUID | str, chunk_no: int, *,
                  now: datetime | None = None, judge: Judge | None = None,
                  products: ProductIdentifiers | None = None) -> ProcessOutcome:
    """Turn the chunk's `stored` rows into events or parse errors (see the module docstring);
    `judge` (validation) sees the new events before their trades are written; `products`
    (the ANNA DSB) fills the UPIs the events need, one cache read per chunk (docs/UPI.md)."""
    tenant = tenant_settings(conn, tenant_id)
    # No state filter in SQL (see ingest_files.lock_chunk_rows).
    rows = [r for r in ingest_files.lock_chunk_rows(conn, file_id, chunk_no)
            if r["state"] == "stored"]
    outcome = ProcessOutcome(rows=len(rows))
    updates: list[dict[str, Any]] = []
    to_insert: list[tuple[Prepared, Any, int | None]] = []
    for row in rows:
        errors: list[dict[str, Any]] | None = row["errors"]
        if not errors:
            try:
                if row["event_json"] is None:
                    raise ValueError("the row has neither an event nor errors")
                event = TradeEvent.model_validate_json(row["event_json"])
            except Exception as exc:  # a stored result that no longer loads: show it, go on
                errors = [{"code": "PROC-003", "field": None,
                           "message": f"the parsed record does not load: {exc}"}]
            else:
                prepared = prepare(event, tenant, now=now, owned=True)  # parsed just above
                if isinstance(prepared, Prepared):
                    to_insert.append((prepared, file_id, row["row_no"]))
                    continue
                errors = prepared
        outcome.parse_errors += 1
        updates.append({"state": "parse_error", "event": None, "duplicate": False,
                        "error": _error_text(errors), "errors": errors, "row": row["row_no"]})
    if products is not None and to_insert:
        from shared.services.upi import with_upis

        to_insert = with_upis(conn, products, to_insert, now=now or clock.now())
    stored = insert_events(conn, tenant, to_insert)
    new_events: dict[uuid.UUID, TradeEvent] = {}
    regimes: dict[uuid.UUID, tuple[str, ...]] = {}
    for (prepared, _, row_no), (event_id, new) in zip(to_insert, stored, strict=True):
        updates.append({"state": "event", "event": event_id, "duplicate": not new,
                        "error": None, "errors": None, "row": row_no})
        if new:
            outcome.event_ids.append(event_id)
            new_events[event_id] = prepared.event
            regimes[event_id] = prepared.regimes
        else:
            outcome.duplicates += 1
    outcome.events = len(outcome.event_ids)
    if updates:
        ingest_files.record_row_outcomes(conn, file_id, updates)
    _judge_and_upsert(conn, tenant, outcome, new_events, regimes, judge)
    return outcome


def _judge_and_upsert(conn: psycopg.Connection[Any], tenant: Tenant, outcome: ProcessOutcome,
                      events: dict[uuid.UUID, TradeEvent],
                      regimes: dict[uuid.UUID, tuple[str, ...]], judge: Judge | None) -> None:
    # Judged first (the rows are recorded, so validation sees this chunk's records as events),
    # then the trades: a new one is inserted as its judged events leave it.
    if judge is not None and events:
        outcome.judged = judge(list(events), events)
    upsert_trades(conn, tenant, [(event, regimes[i]) for i, event in events.items()],
                  outcome.judged)


def process_online(conn: psycopg.Connection[Any], tenant_id: uuid.UUID | str,
                   event_ids: Sequence[str], *, judge: Judge | None = None) -> ProcessOutcome:
    """Events the API inserted (`insert_events`, source "api"): fill what is missing (the
    routing decision with its regimes, the deadline), have them judged (`judge`) and upsert
    their trades. The online API routes as it inserts (`prepare`); an event stored without a
    decision is routed here, the regimes stored with it standing for the record's own."""
    tenant = tenant_settings(conn, tenant_id)
    rows = trade_events.lock_received_events(conn, event_ids)
    outcome = ProcessOutcome(rows=len(rows))
    events: dict[uuid.UUID, TradeEvent] = {}
    regimes: dict[uuid.UUID, tuple[str, ...]] = {}
    for row in rows:
        event = TradeEvent.model_validate(row["payload"])
        if row["routed"]:  # by `prepare`, with its deadline: nothing to fill in
            owed = tuple(row["regimes"])
        else:
            routing = route_event(event, tenant, named=row["regimes"] or None)
            owed = routing.regimes
            trade_events.set_event_regimes(conn, row["id"], owed,
                                           row["deadline_at"] or deadline_for(event, owed),
                                           routing_json(tenant, routing))
        events[row["id"]] = event
        regimes[row["id"]] = owed
        outcome.event_ids.append(row["id"])
    outcome.events = len(events)
    _judge_and_upsert(conn, tenant, outcome, events, regimes, judge)
    return outcome


def upsert_trades(conn: psycopg.Connection[Any], tenant: Tenant,
                  events: Sequence[tuple[TradeEvent, Sequence[str]]],
                  judged: ValidateOutcome | None = None) -> None:
    """One `trades` row per UTI with what the events say of the trade. `events`: each event
    with the regimes its routing owes. A new one is inserted with the state and lifecycle its
    events have now (`judged`: what validation just found); one that existed is noted for a
    refresh after the commit, as are those `judged` moved."""
    latest: dict[str, tuple[TradeEvent, Sequence[str]]] = {}
    for event, regimes in events:
        if event.uti:  # the last one processed says what the trade is now
            latest[event.uti] = (event, regimes)
    if not latest:
        return
    params = []
    for uti in sorted(latest):  # a fixed lock order: concurrent chunks cannot deadlock here
        event, regimes = latest[uti]
        product = event.product
        params.append({
            "tenant": tenant.id, "uti": uti, "trade_id": event.trade_id,
            "asset_class": product.asset_class.value if product.asset_class else None,
            "product": product.product_name or product.contract_type or product.upi,
            "cp1": event.counterparty_1.identifier if event.counterparty_1 else None,
            "cp2": event.counterparty_2.identifier if event.counterparty_2 else None,
            "regimes": list(regimes),
            "executed": event.execution_timestamp,
            "lifecycle": judged.lifecycles.get(uti) if judged else None,
        })
    inserted = trades.upsert_trade_rows(conn, params)
    moved = set(latest) | set(judged.touched if judged else ())
    refresh_trades(conn, tenant.id, sorted(moved - inserted),
                   judged.lifecycles if judged else None)


def _error_text(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors:
        where = f" [{error['field']}]" if error.get("field") else ""
        parts.append(f"{error.get('code', 'PARSE')}{where}: {error.get('message', '')}")
    return "; ".join(parts)


def handle_process(conn: psycopg.Connection[Any], message: ReceivedMessage,
                   stage: StageContext) -> None:
    """run_stage handler: one chunk (or one batch of online events) -> `validate` messages."""
    from shared.services import bootstrap
    from shared.services.pipeline.stage import message_key

    body = message.body
    tenant_id = message.tenant_id
    assert tenant_id is not None  # run_stage refuses messages without a tenant

    def judge(ids: list[uuid.UUID], events: dict[uuid.UUID, TradeEvent]) -> ValidateOutcome:
        return validate_events(conn, tenant_id, ids, events=events, refresh=False)

    if body.get("file_id") is not None and body.get("chunk_no") is not None:
        outcome = process_chunk(conn, tenant_id, body["file_id"], int(body["chunk_no"]),
                                judge=judge,
                                products=bootstrap.product_identifiers(stage.config))
    elif isinstance(body.get("event_ids"), list):
        outcome = process_online(conn, tenant_id, body["event_ids"], judge=judge)
    else:
        raise ValueError("process: expected {file_id, chunk_no} or {event_ids}, got "
                         + json.dumps(sorted(body)))
    key = message_key(message)
    if outcome.judged is not None:
        pass_on(conn, stage, tenant_id, outcome.judged, key=key, attempt=1, origin=key)
    log.info("processed", extra={**outcome.as_dict(), "key": key})
